// A search's filter from what people type: a follow (its id, as `vfb follow ls` shows it), a
// channel in any spelling, an upload date range and a job. The CLI, the HTTP API, the Discord
// bridge and the web page all go through here, so each accepts the same words and refuses the
// same mistakes with the same message.
#pragma once

#include "storage/follow_registry.hpp"
#include "storage/memory_store.hpp"

#include <string>

namespace vfb {

/// What narrows a search, as typed; empty fields narrow nothing.
struct search_filter_words {
  std::string follow;  // a follow id of the workspace
  std::string channel; // a YouTube channel URL, @handle or UC… id, or a feed's URL
  std::string from;    // upload date, first day: YYYY-MM-DD (or YYYYMMDD)
  std::string to;      // upload date, last day (inclusive)
  std::string job;     // a job id
};

/// The memory filter the words mean. `follows` may be null (then a follow id is refused).
/// Throws std::invalid_argument naming the bad word: an unknown follow (or one of another
/// workspace: the same message, so ids of others are not disclosed), a channel that is no
/// channel, a date that is no day, a range that ends before it starts, a job id that is no
/// number.
memory_filter make_search_filter(const search_filter_words& words, const follow_registry* follows,
                                 const std::string& tenant, const std::string& workspace);

} // namespace vfb
