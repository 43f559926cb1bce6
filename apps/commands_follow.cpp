// `vfb follow add|ls|rm|pause|resume` and `vfb settings auto-follow`: the follow registry from
// the command line. `follow add` lists the channel or feed at once and enqueues its window;
// with --wait it also processes those jobs in an embedded node.
#include "actors/node.hpp"
#include "apps/cli.hpp"
#include "apps/embedded_node.hpp"
#include "follows/auto_follow_decision.hpp"
#include "follows/follow_listing.hpp"
#include "follows/follow_service.hpp"
#include "messages/json.hpp"
#include "messages/time.hpp"
#include "storage/data_dir_lock.hpp"
#include "storage/follow_registry.hpp"
#include "storage/job_queue.hpp"

#include <nlohmann/json.hpp>
#include <ostream>

namespace vfb::cli {

namespace {

follow_registry open_follows(const context& ctx, bool read_only) {
  return follow_registry{follows_options_for(ctx.config, ctx.data_dir, read_only)};
}

/// --limit; unset: the configured cap.
std::optional<uint32_t> limit_option(const context& ctx) {
  auto n = bounded_option(ctx.inv, "--limit", 1, 100000);
  if (!n)
    return std::nullopt;
  return static_cast<uint32_t>(*n);
}

void print_listing(context& ctx, const follow_record& f, const enumeration_result& r) {
  if (ctx.json) {
    ctx.out << listing_json(f, r).dump() << std::endl;
    return;
  }
  ctx.out << "follow " << f.id << ": " << r.note << std::endl;
}

/// Changes one follow (rm, pause, resume).
int change_follow(context& ctx, const char* verb,
                  const std::function<bool(follow_registry&, const follow_record&)>& op) {
  auto id = parse_id(ctx.inv.words.at(0), "follow");
  auto follows = open_follows(ctx, false);
  auto f = follows.get(id);
  if (!f) {
    ctx.err << "vfb: no follow " << id << '\n';
    return exit_refused;
  }
  if (!op(follows, *f)) {
    ctx.err << "vfb: follow " << id << " could not be " << verb << '\n';
    return exit_refused;
  }
  if (ctx.json)
    ctx.out << nlohmann::json{{"id", id}, {"ok", true}, {"action", verb}}.dump() << '\n';
  else
    ctx.out << "follow " << id << " " << verb << " (" << f->channel_url << ")\n";
  return exit_ok;
}

} // namespace

int cmd_follow_add(context& ctx) {
  log_to_stderr();
  auto now = now_millis();
  follow_request req;
  req.url = ctx.inv.words.at(0);
  req.tenant = ctx.inv.required("--tenant");
  req.workspace = ctx.inv.required("--workspace");
  req.origin = job_origin::cli;
  req.limit = limit_option(ctx);
  if (auto s = ctx.inv.value("--since")) {
    req.since = parse_iso_utc(*s);
    if (!req.since)
      throw usage_error("--since needs a date like 2025-11-29 or 2025-11-29T12:00:00Z, got '" + *s +
                        "'");
  }
  auto options = follow_options_from(ctx.config);
  follow_record f;
  try { // a URL that cannot be followed is refused before the data dir is touched
    f = new_follow(req, options, now);
  } catch (const follow_refused& e) {
    throw usage_error(e.what());
  }
  // The queue is written below: take the data dir first, so that a running node (which owns it)
  // makes this a clear error before anything is recorded.
  std::error_code ec;
  std::filesystem::create_directories(ctx.data_dir, ec);
  auto lock = std::make_unique<data_dir_lock>(ctx.data_dir);
  auto follows = std::make_unique<follow_service>(
      std::make_shared<follow_registry>(follows_options_for(ctx.config, ctx.data_dir, false)),
      options);
  // Listed right here, not by a refresher now.
  auto added = follows->add(f, now, first_listing::by_caller);
  f = added.follow;
  if (!added.created && !ctx.json)
    ctx.out << "already following " << f.channel_url << " in " << f.tenant << '/' << f.workspace
            << " (follow " << f.id << "); listing it again" << std::endl;
  auto plan = follows->plan(f);
  std::vector<ingest_job> jobs;
  auto r = list_for_plan(enumerator_options_from(ctx.config, ctx.data_dir), plan, jobs);
  auto enqueue = [&](job_queue& q) {
    if (!finish_without_jobs(r, plan, jobs))
      count_enqueued(r, plan, q.enqueue_bulk(jobs, false, now_millis()));
  };
  if (!ctx.inv.has("--wait")) {
    {
      job_queue queue{queue_options_for(ctx.config, ctx.data_dir, false)};
      enqueue(queue);
    }
    follows->store_listing(f.id, r);
    print_listing(ctx, *follows->registry().get(f.id), r);
    return r.ok ? exit_ok : exit_refused;
  }
  // The node opens the registry and takes the data dir itself.
  follows.reset();
  lock.reset();
  embedded_node_options eo;
  eo.prepare = enqueue;
  embedded_node node{ctx, eo};
  follow_service{node.follows_ptr(), options}.store_listing(f.id, r);
  print_listing(ctx, *node.follows().get(f.id), r);
  if (!r.ok)
    return exit_refused;
  auto bad = node.wait_for_jobs(ctx, {r.job_ids.begin(), r.job_ids.end()});
  if (!bad.empty()) {
    ctx.err << "vfb: " << bad.size() << " of the " << r.job_ids.size()
            << " jobs failed (vfb queue ls --state failed,dead)\n";
    return exit_refused;
  }
  return exit_ok;
}

int cmd_follow_ls(context& ctx) {
  std::vector<follow_record> all;
  try {
    all = open_follows(ctx, true).list(ctx.inv.value("--tenant").value_or(""),
                                       ctx.inv.value("--workspace").value_or(""));
  } catch (const storage_error& e) {
    if (e.kind() != store_failure::missing)
      throw;
  }
  if (ctx.json) {
    auto arr = nlohmann::json::array();
    for (const auto& f : all)
      arr.push_back(to_json(f));
    ctx.out << arr.dump() << '\n';
    return exit_ok;
  }
  if (all.empty()) {
    ctx.out << "no follows\n";
    return exit_ok;
  }
  for (const auto& f : all) {
    ctx.out << f.id << "  " << f.tenant << '/' << f.workspace << "  " << f.channel_url;
    if (!f.uploader.empty())
      ctx.out << "  (" << f.uploader << ")";
    ctx.out << "\n    " << (f.paused ? "paused" : "active") << ", since " << iso_utc(f.since)
            << ", " << f.enqueued_total << " jobs enqueued, "
            << (f.last_listed_at == 0 ? std::string{"never listed"}
                                      : "listed " + iso_utc(f.last_listed_at))
            << (f.paused ? std::string{} : ", next " + iso_utc(f.next_refresh_at));
    if (f.created_from_job != 0)
      ctx.out << ", auto-follow from job " << f.created_from_job;
    if (!f.last_error.empty())
      ctx.out << "\n    last error: " << f.last_error;
    ctx.out << '\n';
  }
  return exit_ok;
}

int cmd_follow_rm(context& ctx) {
  return change_follow(ctx, "removed",
                       [](follow_registry& r, const follow_record& f) { return r.remove(f.id); });
}

int cmd_follow_pause(context& ctx) {
  return change_follow(ctx, "paused", [](follow_registry& r, const follow_record& f) {
    return r.set_paused(f.id, true, now_millis());
  });
}

int cmd_follow_resume(context& ctx) {
  return change_follow(ctx, "resumed", [](follow_registry& r, const follow_record& f) {
    return r.set_paused(f.id, false, now_millis());
  });
}

int cmd_settings_auto_follow(context& ctx) {
  std::optional<auto_follow_setting> setting;
  if (!ctx.inv.words.empty()) {
    setting = parse_auto_follow_setting(ctx.inv.words.front());
    if (!setting)
      throw usage_error("expected on, off or inherit, got '" + ctx.inv.words.front() + "'");
  }
  auto tenant = ctx.inv.required("--tenant");
  auto workspace = ctx.inv.required("--workspace");
  if (setting) {
    open_follows(ctx, false).set_setting(tenant, workspace, *setting);
  } else {
    setting = auto_follow_setting::inherit; // what a data dir with no follows yet means
    try {
      setting = open_follows(ctx, true).setting(tenant, workspace);
    } catch (const storage_error& e) {
      if (e.kind() != store_failure::missing)
        throw;
    }
  }
  bool effective = auto_follow_effective(*setting, ctx.config.auto_follow.enabled);
  if (ctx.json)
    ctx.out << nlohmann::json{{"tenant", tenant},
                              {"workspace", workspace},
                              {"setting", std::string{to_string(*setting)}},
                              {"effective", effective}}
                   .dump()
            << '\n';
  else
    ctx.out << "auto-follow for " << tenant << '/' << workspace << ": " << to_string(*setting)
            << " (now " << (effective ? "on" : "off") << ")\n";
  return exit_ok;
}

} // namespace vfb::cli
