// `vfb enqueue` and `vfb queue ...`: the queue commands that work on the data dir directly,
// without starting a node.
#include "actors/config_options.hpp"
#include "adapters/source_url.hpp"
#include "apps/cli.hpp"
#include "messages/json.hpp"
#include "storage/data_dir_lock.hpp"
#include "storage/job_queue.hpp"

#include <iomanip>
#include <nlohmann/json.hpp>
#include <ostream>
#include <sstream>

namespace vfb::cli {

namespace {

/// The queue opened for writing, with the data dir's writer lock held for as long as it lives.
struct writable_queue {
  data_dir_lock lock;
  job_queue queue;
  writable_queue(const context& ctx, bool create)
      : lock(prepare(ctx.data_dir, create)),
        queue(queue_options_for(ctx.config, ctx.data_dir, false)) {}

  /// The lock file lives in the data dir, so the dir must exist before the lock is taken.
  static const std::filesystem::path& prepare(const std::filesystem::path& dir, bool create) {
    std::error_code ec;
    if (std::filesystem::exists(dir, ec) && !std::filesystem::is_directory(dir, ec))
      throw storage_error(store_failure::io, "data dir " + dir.string() + " is not a directory");
    if (!std::filesystem::exists(dir / "data.mdb", ec)) {
      if (!create)
        throw storage_error(store_failure::missing,
                            "no queue at " + dir.string() + " (nothing enqueued yet?)");
      std::filesystem::create_directories(dir, ec);
      if (ec)
        throw storage_error(store_failure::io,
                            "cannot create data dir " + dir.string() + ": " + ec.message());
    }
    return dir;
  }
};

job_queue open_read_only(const context& ctx) {
  return job_queue{queue_options_for(ctx.config, ctx.data_dir, true)};
}

void print_job_line(std::ostream& out, const job_view& v) {
  const auto& j = v.job;
  out << std::left << std::setw(8) << j.id << ' ' << std::setw(9) << to_string(v.state) << ' '
      << std::setw(11) << to_string(j.priority) << ' ' << j.key.tenant << '/' << j.key.workspace
      << ' ' << j.url;
  if (j.attempt > 0)
    out << " (attempt " << j.attempt << ")";
  if (!v.last_error.empty())
    out << " error: " << v.last_error;
  out << '\n';
}

/// retry and cancel: one job, one answer.
int change_job(context& ctx, op_result<job_view> (job_queue::*op)(uint64_t, millis),
               const char* verb) {
  auto id = parse_id(ctx.inv.words.at(0));
  writable_queue w{ctx, false};
  auto r = (w.queue.*op)(id, now_millis());
  if (!r.ok()) {
    if (ctx.json)
      ctx.out << nlohmann::json{{"job_id", id}, {"ok", false}, {"error", r.message}}.dump() << '\n';
    ctx.err << "vfb: cannot " << verb << " job " << id << ": " << r.message << '\n';
    return exit_refused;
  }
  if (ctx.json)
    ctx.out << to_json(r.value).dump() << '\n';
  else
    ctx.out << id << ' ' << to_string(r.value.state) << '\n';
  return exit_ok;
}

} // namespace

int cmd_enqueue(context& ctx) {
  auto url = canonicalize_url(ctx.inv.words.at(0), url_policy_from(ctx.config));
  if (!url.ok)
    throw usage_error("invalid URL: " + url.error);
  ingest_job job;
  job.key.tenant = ctx.inv.required("--tenant");
  job.key.workspace = ctx.inv.required("--workspace");
  job.key.source = url.ref.source;
  job.key.external_id = url.ref.external_id;
  job.url = url.ref.canonical_url;
  job.origin = job_origin::cli;
  if (auto p = ctx.inv.value("--priority"); p && !parse(*p, job.priority))
    throw usage_error("unknown priority '" + *p + "' (interactive, refresh or backfill)");
  writable_queue w{ctx, true};
  auto r = w.queue.enqueue(job, ctx.inv.has("--force"), now_millis());
  if (r.status == enqueue_status::invalid)
    throw usage_error(r.error);
  if (ctx.json)
    ctx.out << to_json(r).dump() << '\n';
  else
    ctx.out << r.job_id << ' ' << to_string(r.status) << '\n';
  return exit_ok;
}

int cmd_queue_stats(context& ctx) {
  auto q = open_read_only(ctx);
  auto s = q.stats();
  if (ctx.json) {
    ctx.out << to_json(s).dump() << '\n';
    return exit_ok;
  }
  for (int i = 0; i < job_state_count; ++i)
    ctx.out << std::left << std::setw(10) << to_string(static_cast<job_state>(i)) << ' '
            << s.by_state[i] << '\n';
  if (!s.backlog.empty())
    ctx.out << "\nper tenant/workspace:\n";
  for (auto& b : s.backlog) {
    ctx.out << "  " << b.tenant << '/' << b.workspace << ':';
    for (int i = 0; i < job_state_count; ++i)
      if (b.by_state[i] != 0)
        ctx.out << ' ' << to_string(static_cast<job_state>(i)) << '=' << b.by_state[i];
    ctx.out << '\n';
  }
  return exit_ok;
}

int cmd_queue_ls(context& ctx) {
  job_filter f;
  if (auto it = ctx.inv.options.find("--state"); it != ctx.inv.options.end())
    for (auto& list : it->second) {
      std::stringstream in(list);
      for (std::string name; std::getline(in, name, ',');) {
        job_state s;
        if (!parse(name, s))
          throw usage_error("unknown state '" + name +
                            "' (queued leased retrying done skipped failed dead cancelled)");
        f.states.push_back(s);
      }
    }
  f.tenant = ctx.inv.value("--tenant").value_or("");
  f.workspace = ctx.inv.value("--workspace").value_or("");
  if (auto n = bounded_option(ctx.inv, "--limit", 1, 100000))
    f.limit = static_cast<uint32_t>(*n);
  auto q = open_read_only(ctx);
  auto jobs = q.list(f);
  if (ctx.json) {
    auto arr = nlohmann::json::array();
    for (auto& v : jobs)
      arr.push_back(to_json(v));
    ctx.out << arr.dump() << '\n';
    return exit_ok;
  }
  if (!jobs.empty())
    ctx.out << std::left << std::setw(8) << "ID" << ' ' << std::setw(9) << "STATE" << ' '
            << std::setw(11) << "PRIORITY"
            << " TENANT/WORKSPACE URL\n";
  for (auto& v : jobs)
    print_job_line(ctx.out, v);
  if (jobs.empty())
    ctx.err << "no jobs match\n";
  return exit_ok;
}

int cmd_queue_retry(context& ctx) {
  return change_job(ctx, &job_queue::retry, "retry");
}

int cmd_queue_cancel(context& ctx) {
  return change_job(ctx, &job_queue::cancel, "cancel");
}

} // namespace vfb::cli
