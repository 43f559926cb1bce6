// The JSON form of the messages, shared by the CLI's --json output and the HTTP API. Times are
// ISO 8601 as messages/time.hpp prints them.
#pragma once

#include "messages/cluster.hpp"
#include "messages/follow.hpp"
#include "messages/job.hpp"
#include "messages/media.hpp"

#include <nlohmann/json_fwd.hpp>
#include <string>

namespace vfb {

nlohmann::json to_json(const job_view& v);
nlohmann::json to_json(const enqueue_result& r);
nlohmann::json to_json(const queue_stats& s);
nlohmann::json to_json(const memory_hit& h);
nlohmann::json to_json(const follow_record& f);
nlohmann::json to_json(const worker_info& w);
/// What a listing of follow `f` did (`vfb follow add --json`, POST /v1/follows).
nlohmann::json listing_json(const follow_record& f, const enumeration_result& r);

} // namespace vfb
