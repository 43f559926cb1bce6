// `vfb show JOB_ID` and `vfb search QUERY`: what the pipeline produced, read from the data dir
// without a node (read-only, no lock: a running node may keep writing meanwhile).
#include "actors/node.hpp"
#include "apps/cli.hpp"
#include "apps/progress_view.hpp"
#include "follows/search_filter.hpp"
#include "frontends/job_results.hpp"
#include "messages/json.hpp"
#include "storage/artifact_store.hpp"
#include "storage/job_queue.hpp"
#include "storage/media_json.hpp"
#include "storage/memory_store.hpp"
#include "text/durations.hpp"
#include "text/snippet.hpp"
#include "text/transcript_formats.hpp"

#include <nlohmann/json.hpp>
#include <ostream>

namespace vfb::cli {

namespace {

/// "1:02:03" / "3:32" for milliseconds into a video.
std::string offset_text(int64_t ms) {
  auto text = text::clock_duration(static_cast<double>(ms / 1000));
  return text.empty() ? "0:00" : text;
}

std::string joined_terms(const std::vector<weighted_term>& terms) {
  std::string out;
  for (const auto& t : terms)
    out += (out.empty() ? "" : ", ") + t.term;
  return out.empty() ? "(none)" : out;
}

} // namespace

int show_results(const context& ctx, const job_view& v, bool full_transcript) {
  const auto& job = v.job;
  artifact_store artifacts{artifacts_dir(ctx.data_dir)};
  auto d = checkpoint_as<download_result>(artifacts, job.id, stage_kind::download);
  auto a = checkpoint_as<analysis>(artifacts, job.id, stage_kind::analyze);
  auto t = artifacts.cached_transcript(job.key.source, job.key.external_id);
  if (ctx.json) {
    nlohmann::json j{{"job", to_json(v)}};
    j["download"] = d ? nlohmann::json(*d) : nlohmann::json();
    j["transcript"] = t ? nlohmann::json(*t) : nlohmann::json();
    j["analysis"] = a ? nlohmann::json(*a) : nlohmann::json();
    ctx.out << j.dump() << '\n';
    return exit_ok;
  }
  auto& out = ctx.out;
  out << "job " << job.id << "  " << to_string(v.state) << "  " << job.key.tenant << '/'
      << job.key.workspace << "  " << job.url << '\n';
  if (!v.last_error.empty())
    out << "last error: " << v.last_error << '\n';
  if (d) {
    out << "title:       " << d->title << '\n';
    if (!d->uploader.empty())
      out << "uploader:    " << d->uploader << '\n';
    if (d->duration > 0)
      out << "duration:    " << text::clock_duration(d->duration) << '\n';
    if (!d->upload_date.empty())
      out << "uploaded:    " << d->upload_date.substr(0, 4) << '-' << d->upload_date.substr(4, 2)
          << '-' << d->upload_date.substr(6) << '\n';
  }
  if (a) {
    out << "topics:      " << joined_terms(a->topics) << '\n';
    out << "key phrases: " << joined_terms(a->key_phrases) << '\n';
    out << "summary:\n";
    for (const auto& s : a->summary)
      out << "  " << s << '\n';
  }
  if (t) {
    out << "transcript (" << text::transcript_source(*t)
        << (t->language.empty() ? "" : ", " + t->language) << ", " << t->segments.size()
        << " segments)";
    if (full_transcript) {
      out << ":\n";
      for (const auto& s : t->segments)
        out << "  [" << offset_text(s.start_ms) << "] " << s.text << '\n';
    } else {
      out << ": vfb show " << job.id << '\n';
    }
  }
  if (!d && !a && !t)
    out << "no results yet\n";
  return exit_ok;
}

int cmd_show(context& ctx) {
  auto id = parse_id(ctx.inv.words.at(0));
  std::optional<text::transcript_format> format;
  if (auto name = ctx.inv.value("--format")) {
    format = text::parse_transcript_format(*name);
    if (!format) {
      ctx.err << "vfb: --format must be srt, vtt, txt or json, not '" << *name << "'\n";
      return exit_usage;
    }
  }
  job_queue queue{queue_options_for(ctx.config, ctx.data_dir, true)};
  auto v = queue.get(id);
  if (!v) {
    ctx.err << "vfb: no job " << id << '\n';
    return exit_refused;
  }
  if (!format)
    return show_results(ctx, *v, true);
  std::string problem;
  auto t = artifact_store{artifacts_dir(ctx.data_dir)}.cached_transcript(
      v->job.key.source, v->job.key.external_id, &problem);
  if (!t) {
    ctx.err << "vfb: job " << id << " has no transcript yet"
            << (problem.empty() ? "" : " (" + problem + ")") << '\n';
    return exit_refused;
  }
  ctx.out << transcript_export(*v, *t, *format);
  return exit_ok;
}

namespace {

/// The snippet with its marks shown: bold on a terminal, [brackets] elsewhere.
std::string marked(const memory_hit& h, bool terminal) {
  text::marked_text m{h.snippet, {}};
  for (auto& mark : h.marks)
    m.marks.emplace_back(mark.begin, mark.end);
  // A transcript's control characters are not the terminal's commands: each becomes a space.
  for (auto& c : m.text)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
      c = ' ';
  return terminal ? text::render_marks(m, "\x1b[1m", "\x1b[0m") : text::render_marks(m, "[", "]");
}

} // namespace

int cmd_search(context& ctx) {
  auto tenant = ctx.inv.required("--tenant");
  auto workspace = ctx.inv.required("--workspace");
  memory_query q;
  q.limit = static_cast<size_t>(bounded_option(ctx.inv, "--limit", 1, 1000).value_or(10));
  const auto& query = ctx.inv.words.at(0);
  q.text = query;
  search_filter_words words{
      ctx.inv.value("--follow").value_or(""), ctx.inv.value("--channel").value_or(""),
      ctx.inv.value("--from").value_or(""), ctx.inv.value("--to").value_or(""),
      ctx.inv.value("--job").value_or("")};
  try {
    std::optional<follow_registry> follows;
    if (!words.follow.empty())
      follows.emplace(follows_options_for(ctx.config, ctx.data_dir, true));
    q.filter = make_search_filter(words, follows ? &*follows : nullptr, tenant, workspace);
  } catch (const std::invalid_argument& e) {
    ctx.err << "vfb: " << e.what() << '\n';
    return exit_usage;
  } catch (const storage_error& e) {
    if (e.kind() != store_failure::missing)
      throw;
    ctx.err << "vfb: no follow \"" << words.follow << "\" in this workspace\n";
    return exit_usage;
  }
  std::vector<memory_hit> hits;
  try {
    memory_store memory{memory_options_for(ctx.config, ctx.data_dir, true)};
    hits = memory.search(tenant, workspace, q);
  } catch (const storage_error& e) {
    if (e.kind() != store_failure::missing)
      throw;
    // Nothing processed yet in this data dir: an empty answer, not an error.
  }
  if (ctx.json) {
    auto arr = nlohmann::json::array();
    for (const auto& h : hits)
      arr.push_back(hit_json(h));
    ctx.out << arr.dump() << '\n';
    return exit_ok;
  }
  if (hits.empty()) {
    ctx.out << "no matches for '" << query << "' in " << tenant << '/' << workspace << '\n';
    return exit_ok;
  }
  int rank = 0;
  for (const auto& h : hits) {
    char score[32];
    std::snprintf(score, sizeof score, "%.2f", h.score);
    ctx.out << ++rank << ". " << (h.title.empty() ? h.external_id : h.title) << "  ["
            << offset_text(h.start_ms) << "–" << offset_text(h.end_ms) << "]  score " << score
            << "  (job " << h.job_id << ")\n"
            << "   " << marked(h, ctx.terminal) << "\n   " << hit_moment_url(h) << '\n';
  }
  return exit_ok;
}

} // namespace vfb::cli
