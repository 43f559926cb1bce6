#include "frontends/event_hub.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace vfb {

namespace {

const char* kind_name(progress_kind k) {
  switch (k) {
  case progress_kind::started:
    return "started";
  case progress_kind::progress:
    return "progress";
  case progress_kind::finished:
    return "finished";
  default:
    return "ended";
  }
}

} // namespace

std::string event_json(const pipeline_event& ev) {
  nlohmann::json j{{"job_id", ev.job_id},
                   {"kind", kind_name(ev.kind)},
                   {"stage", to_string(ev.stage)},
                   {"fraction", ev.fraction},
                   {"note", ev.note}};
  if (ev.kind == progress_kind::ended)
    j["outcome"] = {{"kind", to_string(ev.outcome.kind)}, {"reason", ev.outcome.reason}};
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::shared_ptr<event_hub::subscription> event_hub::subscribe(const std::string& tenant,
                                                              const std::string& workspace) {
  auto s = std::make_shared<subscription>();
  s->tenant = tenant;
  s->workspace = workspace;
  std::lock_guard guard{mu_};
  subs_.push_back(s);
  return s;
}

void event_hub::unsubscribe(const std::shared_ptr<subscription>& s) {
  std::lock_guard guard{mu_};
  subs_.erase(std::remove(subs_.begin(), subs_.end(), s), subs_.end());
}

std::optional<std::string> event_hub::next(subscription& s, std::chrono::milliseconds wait) {
  std::unique_lock lock{mu_};
  cv_.wait_for(lock, wait, [&] { return closed_ || !s.queued.empty(); });
  if (closed_)
    return std::nullopt;
  if (s.queued.empty())
    return std::string{};
  std::string out;
  if (s.lagged) { // the client can reload what it missed
    out = "event: lagged\ndata: {}\n\n";
    s.lagged = false;
  }
  out += std::move(s.queued.front());
  s.queued.pop_front();
  return out;
}

void event_hub::publish(const pipeline_event& ev) {
  auto text = "event: job\ndata: " + event_json(ev) + "\n\n";
  {
    std::lock_guard guard{mu_};
    for (auto& s : subs_) {
      if (s->tenant != ev.key.tenant || s->workspace != ev.key.workspace)
        continue;
      if (s->queued.size() >= max_queued) {
        s->queued.pop_front();
        s->lagged = true;
      }
      s->queued.push_back(text);
    }
  }
  cv_.notify_all();
}

void event_hub::close() {
  {
    std::lock_guard guard{mu_};
    closed_ = true;
  }
  cv_.notify_all();
}

} // namespace vfb
