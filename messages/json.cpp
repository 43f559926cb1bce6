#include "messages/json.hpp"

#include "messages/time.hpp"

#include <nlohmann/json.hpp>

namespace vfb {

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
      {"created_at", iso_utc_or_empty(v.created_at)},
      {"updated_at", iso_utc_or_empty(v.updated_at)},
  };
  if (j.not_before > 0)
    out["not_before"] = iso_utc(j.not_before);
  if (j.upload_cutoff > 0)
    out["upload_cutoff"] = iso_utc(j.upload_cutoff);
  if (v.state == job_state::leased) {
    out["worker"] = v.worker;
    out["lease_deadline"] = iso_utc_or_empty(v.lease_deadline);
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

nlohmann::json to_json(const memory_hit& h) {
  // The snippet in pieces, matched or not: what a page or a bot renders without offsets.
  auto parts = nlohmann::json::array();
  size_t at = 0;
  auto piece = [&](size_t begin, size_t end, bool match) {
    if (end > begin)
      parts.push_back({{"text", h.snippet.substr(begin, end - begin)}, {"match", match}});
  };
  for (auto& m : h.marks) {
    if (m.begin < at || m.end > h.snippet.size() || m.end < m.begin)
      continue; // not a mark of this snippet
    piece(at, m.begin, false);
    piece(m.begin, m.end, true);
    at = m.end;
  }
  piece(at, h.snippet.size(), false);
  nlohmann::json upload_date = nullptr;
  if (h.upload_date.size() == 8)
    upload_date = h.upload_date.substr(0, 4) + "-" + h.upload_date.substr(4, 2) + "-" +
                  h.upload_date.substr(6, 2);
  return {{"job_id", h.job_id},
          {"source", h.source},
          {"external_id", h.external_id},
          {"title", h.title},
          {"url", h.url},
          {"channel", h.channel.empty() ? nlohmann::json(nullptr) : nlohmann::json(h.channel)},
          {"upload_date", upload_date},
          {"start_ms", h.start_ms},
          {"end_ms", h.end_ms},
          {"snippet", h.snippet},
          {"snippet_parts", parts},
          {"score", h.score}};
}

nlohmann::json to_json(const follow_record& f) {
  return {{"id", f.id},
          {"tenant", f.tenant},
          {"workspace", f.workspace},
          {"channel_url", f.channel_url},
          {"source", f.source},
          {"uploader", f.uploader},
          {"origin", std::string{to_string(f.origin)}},
          {"created_from_job", f.created_from_job},
          {"created_at", iso_utc(f.created_at)},
          {"since", iso_utc(f.since)},
          {"limit", f.limit},
          {"paused", f.paused},
          {"last_listed_at", iso_utc_or_empty(f.last_listed_at)},
          {"next_refresh_at", iso_utc(f.next_refresh_at)},
          {"newest_id", f.newest_id},
          {"enqueued_total", f.enqueued_total},
          {"last_error", f.last_error}};
}

nlohmann::json listing_json(const follow_record& f, const enumeration_result& r) {
  return {{"follow", to_json(f)},
          {"ok", r.ok},
          {"listed", r.listed},
          {"enqueued", r.enqueued},
          {"duplicates", r.duplicates},
          {"skipped", r.skipped},
          {"malformed", r.malformed},
          {"job_ids", r.job_ids},
          {"note", r.note}};
}

nlohmann::json to_json(const worker_info& w) {
  return {{"name", w.last.name},
          {"address", w.last.address},
          {"connected", w.connected},
          {"connected_since", iso_utc_or_empty(w.connected_since)},
          {"last_heartbeat", iso_utc_or_empty(w.last_heartbeat)},
          {"jobs_in_flight", w.last.in_flight},
          {"jobs_done", w.last.done}};
}

} // namespace vfb
