#include "messages/json.hpp"

#include <ctime>
#include <nlohmann/json.hpp>

namespace vfb {

std::string iso_time(millis t) {
  if (t <= 0)
    return {};
  std::time_t secs = static_cast<std::time_t>(t / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  auto n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(buf + n, sizeof buf - n, ".%03dZ", static_cast<int>(t % 1000));
  return buf;
}

nlohmann::json to_json(const job_view& v) {
  const auto& j = v.job;
  nlohmann::json out = {
      {"id", j.id},
      {"state", to_string(v.state)},
      {"tenant", j.key.tenant},
      {"workspace", j.key.workspace},
      {"source", j.key.source},
      {"external_id", j.key.external_id},
      {"url", j.url},
      {"tags", j.tags},
      {"visibility", j.visibility},
      {"priority", to_string(j.priority)},
      {"origin", to_string(j.origin)},
      {"attempt", j.attempt},
      {"rescues", v.rescues},
      {"created_at", iso_time(v.created_at)},
      {"updated_at", iso_time(v.updated_at)},
  };
  if (j.not_before > 0)
    out["not_before"] = iso_time(j.not_before);
  if (j.upload_cutoff > 0)
    out["upload_cutoff"] = iso_time(j.upload_cutoff);
  if (v.state == job_state::leased) {
    out["worker"] = v.worker;
    out["lease_deadline"] = iso_time(v.lease_deadline);
    out["epoch"] = v.epoch;
  }
  if (!v.last_error.empty())
    out["error"] = v.last_error;
  return out;
}

nlohmann::json to_json(const enqueue_result& r) {
  nlohmann::json out = {{"job_id", r.job_id},
                        {"status", to_string(r.status)},
                        {"duplicate", r.status == enqueue_status::duplicate}};
  if (!r.error.empty())
    out["error"] = r.error;
  return out;
}

nlohmann::json to_json(const queue_stats& s) {
  auto states = nlohmann::json::object();
  for (int i = 0; i < job_state_count; ++i)
    states[std::string{to_string(static_cast<job_state>(i))}] = s.by_state[i];
  auto backlog = nlohmann::json::array();
  for (auto& b : s.backlog) {
    auto row = nlohmann::json::object();
    for (int i = 0; i < job_state_count; ++i)
      if (b.by_state[i] != 0)
        row[std::string{to_string(static_cast<job_state>(i))}] = b.by_state[i];
    backlog.push_back({{"tenant", b.tenant}, {"workspace", b.workspace}, {"jobs", row}});
  }
  return {{"states", states}, {"backlog", backlog}};
}

} // namespace vfb
