// How `vfb run` shows a job's progress: one line per stage start, end and (throttled) progress
// report for people, or one JSON object per event for scripts. Pure formatting.
#pragma once

#include "messages/pipeline.hpp"

#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>

namespace vfb::cli {

/// Remembers what was shown so progress lines are printed only when they say something new.
class progress_view {
public:
  /// The line for `ev`, or nothing when it would repeat the last one (progress reports come
  /// often; a line is printed per 10% step or when the note changes).
  std::optional<std::string> line(const pipeline_event& ev);

private:
  stage_kind stage_ = stage_kind::download;
  int last_step_ = -1;
  std::string last_note_;
};

/// The event as JSON (for `vfb run --json`, one object per line).
nlohmann::json to_json(const pipeline_event& ev);

} // namespace vfb::cli
