#include "messages/job.hpp"

#include "messages/pipeline.hpp"

#include <array>
#include <chrono>

namespace vfb {

millis now_millis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

namespace {

constexpr std::array<std::string_view, job_state_count> state_names = {
    "queued", "leased", "retrying", "done", "skipped", "failed", "dead", "cancelled"};
constexpr std::array<std::string_view, priority_class_count> priority_names = {
    "interactive", "refresh", "backfill"};
constexpr std::array<std::string_view, 5> origin_names = {"cli", "api", "discord", "backfill",
                                                          "refresh"};
constexpr std::array<std::string_view, 6> outcome_names = {
    "done", "skipped", "permanent_failure", "transient_failure", "throttled", "waiting"};
constexpr std::array<std::string_view, 4> enqueue_status_names = {"new", "duplicate", "requeued",
                                                                  "invalid"};
constexpr std::array<std::string_view, stage_count> stage_names = {"download", "transcribe",
                                                                   "analyze", "memory", "post"};

template <class Enum, size_t N>
std::string_view name_of(const std::array<std::string_view, N>& names, Enum x) {
  auto i = static_cast<size_t>(x);
  return i < N ? names[i] : std::string_view{"unknown"};
}

template <class Enum, size_t N>
bool parse_name(const std::array<std::string_view, N>& names, std::string_view name, Enum& out) {
  for (size_t i = 0; i < N; ++i)
    if (names[i] == name) {
      out = static_cast<Enum>(i);
      return true;
    }
  return false;
}

} // namespace

std::string_view to_string(job_state x) {
  return name_of(state_names, x);
}
std::string_view to_string(priority_class x) {
  return name_of(priority_names, x);
}
std::string_view to_string(job_origin x) {
  return name_of(origin_names, x);
}
std::string_view to_string(outcome_kind x) {
  return name_of(outcome_names, x);
}
std::string_view to_string(enqueue_status x) {
  return name_of(enqueue_status_names, x);
}
std::string_view to_string(stage_kind x) {
  return name_of(stage_names, x);
}
bool parse(std::string_view name, job_state& out) {
  return parse_name(state_names, name, out);
}
bool parse(std::string_view name, priority_class& out) {
  return parse_name(priority_names, name, out);
}
bool parse(std::string_view name, job_origin& out) {
  return parse_name(origin_names, name, out);
}

} // namespace vfb
