// The JSON form of the messages, shared by the CLI's --json output and the HTTP API.
#pragma once

#include "messages/job.hpp"

#include <nlohmann/json_fwd.hpp>
#include <string>

namespace vfb {

/// ISO 8601 UTC with milliseconds ("2026-11-24T12:00:00.000Z"); empty for 0.
std::string iso_time(millis t);

nlohmann::json to_json(const job_view& v);
nlohmann::json to_json(const enqueue_result& r);
nlohmann::json to_json(const queue_stats& s);

} // namespace vfb
