// Videos for the memory store's tests, and their hits as "id@start" for comparing rankings.
#pragma once

#include "storage/memory_store.hpp"

#include <string>
#include <vector>

namespace vfb::test {

/// A YouTube video whose chunks are `texts`, 30 s each.
inline memory_entry memory_video(const std::string& id, std::vector<std::string> texts,
                                 uint64_t job = 1, std::vector<std::string> channels = {},
                                 std::string date = "") {
  memory_entry e;
  e.job_id = job;
  e.source = "youtube";
  e.external_id = id;
  e.title = "Title of " + id;
  e.url = "https://www.youtube.com/watch?v=" + id;
  e.channels = std::move(channels);
  e.upload_date = std::move(date);
  for (size_t i = 0; i < texts.size(); ++i)
    e.chunks.push_back({static_cast<int64_t>(i) * 30'000, static_cast<int64_t>(i + 1) * 30'000,
                        std::move(texts[i])});
  return e;
}

/// "id@start" of each hit, in rank order.
inline std::vector<std::string> hit_ids(const std::vector<memory_hit>& hits) {
  std::vector<std::string> out;
  for (auto& h : hits)
    out.push_back(h.external_id + "@" + std::to_string(h.start_ms));
  return out;
}

} // namespace vfb::test
