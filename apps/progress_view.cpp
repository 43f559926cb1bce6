#include "apps/progress_view.hpp"

#include "text/durations.hpp"

#include <nlohmann/json.hpp>

namespace vfb::cli {

std::optional<std::string> progress_view::line(const pipeline_event& ev) {
  auto tag = "[" + std::string{to_string(ev.stage)} + "] ";
  switch (ev.kind) {
  case progress_kind::started:
    stage_ = ev.stage;
    last_step_ = -1;
    last_note_.clear();
    return tag + "started";
  case progress_kind::progress: {
    int step = static_cast<int>(ev.fraction * 10);
    if (ev.stage == stage_ && step == last_step_ && ev.note == last_note_)
      return std::nullopt;
    stage_ = ev.stage;
    last_step_ = step;
    last_note_ = ev.note;
    auto pct = std::to_string(static_cast<int>(ev.fraction * 100)) + "%";
    return tag + pct + (ev.note.empty() ? "" : " " + ev.note);
  }
  case progress_kind::finished:
    return tag + "done in " + text::elapsed_duration(ev.elapsed) +
           (ev.note.empty() ? "" : ": " + ev.note);
  case progress_kind::ended: {
    std::string what{to_string(ev.outcome.kind)};
    return "job " + std::to_string(ev.job_id) + " " + what +
           (ev.outcome.reason.empty() ? "" : ": " + ev.outcome.reason);
  }
  }
  return std::nullopt;
}

nlohmann::json to_json(const pipeline_event& ev) {
  static const char* kinds[] = {"started", "progress", "finished", "ended"};
  nlohmann::json j{{"job_id", ev.job_id},
                   {"event", kinds[static_cast<int>(ev.kind)]},
                   {"stage", std::string{to_string(ev.stage)}}};
  if (ev.kind == progress_kind::progress)
    j["fraction"] = ev.fraction;
  if (!ev.note.empty())
    j["note"] = ev.note;
  if (ev.kind == progress_kind::finished)
    j["elapsed_ms"] = ev.elapsed;
  if (ev.kind == progress_kind::ended) {
    j["outcome"] = std::string{to_string(ev.outcome.kind)};
    if (!ev.outcome.reason.empty())
      j["reason"] = ev.outcome.reason;
  }
  return j;
}

} // namespace vfb::cli
