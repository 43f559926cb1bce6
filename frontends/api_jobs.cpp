// The jobs of the token's workspace: POST /v1/submissions, GET /v1/jobs/ID (with the pipeline's
// progress and the results so far), GET /v1/jobs/ID/transcript.{srt,vtt,txt,json}, GET /v1/jobs,
// POST /v1/jobs/ID/retry and .../cancel. Other workspaces' jobs answer 404, exactly like missing
// ones.
#include "actors/config_options.hpp"
#include "frontends/api_routes.hpp"
#include "frontends/event_hub.hpp"
#include "frontends/job_results.hpp"
#include "frontends/metrics.hpp"
#include "messages/json.hpp"
#include "storage/artifact_store.hpp"
#include "text/transcript_formats.hpp"

namespace vfb {

namespace {

/// The job if it belongs to the token's workspace, else 404.
job_view owned_job(const job_routes& s, uint64_t id, const token_record& who) {
  job_view v;
  try {
    v = s.node.ask<job_view>(s.scheduler, caf::get_atom::value, id);
  } catch (const api_error& e) {
    if (e.status == 404)
      throw not_found("job", id);
    throw;
  }
  if (v.job.key.tenant != who.tenant || v.job.key.workspace != who.workspace)
    throw not_found("job", id);
  return v;
}

httplib::Response job_action(const job_routes& s, const httplib::Request& req,
                             const token_record& who, bool retry) {
  auto id = path_id(req, "job");
  owned_job(s, id, who); // a job's workspace never changes: checking first is enough
  auto v = retry ? s.node.ask<job_view>(s.scheduler, retry_atom::value, id)
                 : s.node.ask<job_view>(s.scheduler, cancel_atom::value, id);
  // A job cancelled while queued never runs, so the pipeline reports no end: /analyze askers
  // hear of it from here.
  if (!retry && s.job_cancelled && v.state == job_state::cancelled)
    s.job_cancelled(id);
  return json_reply(200, to_json(v));
}

} // namespace

void add_job_routes(api_router& router, job_routes deps) {
  auto s = std::make_shared<job_routes>(std::move(deps));

  router.add("POST", "/v1/submissions", access::operator_,
             [s](const httplib::Request& req, const token_record& who) {
               auto sub = submission_from(body_of(req));
               sub.tenant = who.tenant;
               sub.workspace = who.workspace;
               sub.origin = job_origin::api;
               auto r = s->node.ask<enqueue_result>(s->submission, submit_atom::value, sub);
               return json_reply(202, to_json(r));
             });

  router.add("GET", R"(/v1/jobs/(\d+))", access::viewer,
             [s](const httplib::Request& req, const token_record& who) {
               auto v = owned_job(*s, path_id(req, "job"), who);
               return json_reply(200, job_detail(v, *s->counters, s->data_dir));
             });

  router.add("GET", R"(/v1/jobs/(\d+)/transcript\.(srt|vtt|txt|json))", access::viewer,
             [s](const httplib::Request& req, const token_record& who) {
               auto v = owned_job(*s, path_id(req, "job"), who);
               auto format = *text::parse_transcript_format(req.matches[2].str());
               std::optional<transcript> t;
               if (!s->data_dir.empty())
                 t = artifact_store{artifacts_dir(s->data_dir)}.cached_transcript(
                     v.job.key.source, v.job.key.external_id);
               if (!t)
                 throw api_error(404, "not_found",
                                 "job " + std::to_string(v.job.id) +
                                     " has no transcript yet (it comes with the transcribe stage)");
               httplib::Response res;
               res.status = 200;
               res.set_content(transcript_export(v, *t, format),
                               std::string{text::content_type(format)});
               // A fixed name: nothing from the video reaches a header.
               res.set_header("Content-Disposition", "inline; filename=\"vfb-job-" +
                                                         std::to_string(v.job.id) + "." +
                                                         req.matches[2].str() + "\"");
               return res;
             });

  router.add(
      "GET", "/v1/jobs", access::viewer, [s](const httplib::Request& req, const token_record& who) {
        job_filter filter;
        filter.tenant = who.tenant;
        filter.workspace = who.workspace;
        filter.limit = static_cast<uint32_t>(query_number(req, "limit", 100, 1, 1000));
        if (req.has_param("state"))
          filter.states = parse_state_list(req.get_param_value("state"));
        if (req.has_param("order"))
          filter.newest_first = parse_job_order(req.get_param_value("order"));
        auto jobs = s->node.ask<std::vector<job_view>>(s->scheduler, list_atom::value, filter);
        auto arr = nlohmann::json::array();
        for (const auto& v : jobs)
          arr.push_back(to_json(v));
        return json_reply(200, {{"jobs", arr}});
      });

  router.add("GET", "/v1/events", access::viewer,
             [s, &router](const httplib::Request& req, const token_record& who) {
               auto events = s->events;
               // The caller is checked again before each event or keep-alive is written: a
               // session's sign-out or its token's revocation ends the stream.
               auto caller = std::make_shared<httplib::Request>();
               caller->method = req.method;
               caller->headers = req.headers;
               auto sub = events->subscribe(who.tenant, who.workspace);
               httplib::Response res;
               res.status = 200;
               res.set_header("Cache-Control", "no-cache");
               auto opened = std::make_shared<bool>(false);
               res.set_chunked_content_provider(
                   "text/event-stream",
                   [events, sub, opened, caller, &router](size_t, httplib::DataSink& sink) {
                     std::string text;
                     if (!*opened) {
                       *opened = true;
                       text = ": vfb events of " + sub->tenant + "/" + sub->workspace + "\n\n";
                     } else {
                       auto next = events->next(*sub, std::chrono::seconds{15});
                       if (!next) { // the API stops
                         sink.done();
                         return true;
                       }
                       // Nothing for 15 s: a comment keeps proxies from closing the stream and
                       // finds clients that left.
                       text = next->empty() ? ": keep-alive\n\n" : std::move(*next);
                       try { // still signed in, the token not revoked?
                         router.authenticate(*caller, access::viewer);
                       } catch (const std::exception&) {
                         sink.done();
                         return true;
                       }
                     }
                     return sink.write(text.data(), text.size());
                   },
                   [events, sub](bool) { events->unsubscribe(sub); });
               return res;
             });

  router.add("POST", R"(/v1/jobs/(\d+)/retry)", access::operator_,
             [s](const httplib::Request& req, const token_record& who) {
               return job_action(*s, req, who, true);
             });
  router.add("POST", R"(/v1/jobs/(\d+)/cancel)", access::operator_,
             [s](const httplib::Request& req, const token_record& who) {
               return job_action(*s, req, who, false);
             });
}

} // namespace vfb
