#include "follows/search_filter.hpp"

#include "adapters/channel.hpp"
#include "messages/time.hpp"
#include "text/numbers.hpp"

#include <stdexcept>

namespace vfb {

namespace {

/// YYYYMMDD of a day typed as YYYY-MM-DD or YYYYMMDD; "" for nothing typed.
std::string day_of(const std::string& typed, const char* what) {
  if (typed.empty())
    return "";
  auto iso = typed;
  if (typed.size() == 8 && typed.find_first_not_of("0123456789") == std::string::npos)
    iso = typed.substr(0, 4) + "-" + typed.substr(4, 2) + "-" + typed.substr(6);
  auto when = parse_iso_utc(iso);
  if (!when || iso.size() != 10)
    throw std::invalid_argument(std::string{what} + " is not a day (YYYY-MM-DD): \"" + typed +
                                "\"");
  return utc_date(*when);
}

/// The channel a typed channel names: a YouTube channel in its canonical form, or a web
/// address as it is (another site's channel or feed).
std::string channel_of(const std::string& typed) {
  if (auto c = canonical_channel_url(typed))
    return *c;
  if ((typed.rfind("https://", 0) == 0 || typed.rfind("http://", 0) == 0) && typed.size() <= 200)
    return typed;
  throw std::invalid_argument("channel is not a channel (a YouTube channel URL, @handle or UC… "
                              "id, or a web address): \"" +
                              typed + "\"");
}

} // namespace

memory_filter make_search_filter(const search_filter_words& w, const follow_registry* follows,
                                 const std::string& tenant, const std::string& workspace) {
  memory_filter f;
  if (!w.job.empty()) {
    auto id = text::parse_id(w.job);
    if (!id)
      throw std::invalid_argument("job is not a job id: \"" + w.job + "\"");
    f.job_id = *id;
  }
  if (!w.follow.empty()) {
    auto id = text::parse_id(w.follow);
    std::optional<follow_record> found;
    if (id && follows != nullptr)
      found = follows->get(*id);
    if (!found || found->tenant != tenant || found->workspace != workspace)
      throw std::invalid_argument("no follow \"" + w.follow + "\" in this workspace");
    f.channels.push_back(found->channel_url);
  }
  if (!w.channel.empty())
    f.channels.push_back(channel_of(w.channel));
  if (!w.follow.empty() && !w.channel.empty() && f.channels[0] != f.channels[1])
    throw std::invalid_argument("follow " + w.follow + " is " + f.channels[0] + ", not " +
                                f.channels[1] + ": give one of them");
  f.from_date = day_of(w.from, "from");
  f.to_date = day_of(w.to, "to");
  if (!f.from_date.empty() && !f.to_date.empty() && f.to_date < f.from_date)
    throw std::invalid_argument("the date range ends (" + w.to + ") before it starts (" + w.from +
                                ")");
  return f;
}

} // namespace vfb
