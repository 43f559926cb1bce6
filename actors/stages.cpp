#include "actors/stages.hpp"

#include "adapters/discord_webhook.hpp"
#include "adapters/ffmpeg.hpp"
#include "adapters/rate_limits.hpp"
#include "adapters/source_url.hpp"
#include "adapters/speech.hpp"
#include "adapters/vtt.hpp"
#include "adapters/ytdlp.hpp"
#include "messages/time.hpp"
#include "storage/artifact_store.hpp"
#include "storage/discord_store.hpp"
#include "storage/media_json.hpp"
#include "storage/memory_store.hpp"
#include "text/chunker.hpp"
#include "text/durations.hpp"
#include "text/key_phrases.hpp"
#include "text/summary.hpp"
#include "text/topics.hpp"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

namespace vfb {

namespace {

namespace fs = std::filesystem;

/// One lock per video, so that two jobs for the same video (two workspaces) never download or
/// transcribe into its cache directory at once; the second finds the first one's result.
class video_locks {
public:
  std::shared_ptr<std::mutex> get(const job_key& key) {
    std::lock_guard guard{mu_};
    auto& m = locks_[key.source + '\n' + key.external_id];
    if (!m)
      m = std::make_shared<std::mutex>();
    return m;
  }

private:
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<std::mutex>> locks_;
};

/// When each Discord webhook may be used again: a successful post that used up the webhook's
/// rate-limit bucket says how long until it refills, and the next post waits for that.
class webhook_pacer {
public:
  using clock = std::chrono::steady_clock;
  clock::time_point ready_at(const std::string& hook) {
    std::lock_guard guard{mu_};
    auto it = ready_.find(hook);
    return it == ready_.end() ? clock::time_point{} : it->second;
  }
  void wait_after(const std::string& hook, std::chrono::milliseconds wait) {
    std::lock_guard guard{mu_};
    ready_[hook] = clock::now() + wait;
  }

private:
  std::mutex mu_;
  std::map<std::string, clock::time_point> ready_;
};

/// What every worker of a node shares.
struct shared_state {
  std::shared_ptr<const stage_environment> env;
  video_locks locks;
  webhook_pacer webhooks;
};

stage_result ended(job_outcome outcome) {
  stage_result r;
  r.finished = true;
  r.outcome = std::move(outcome);
  return r;
}

stage_result went_on(std::string note) {
  stage_result r;
  r.note = std::move(note);
  return r;
}

template <class T>
std::optional<T> load_checkpoint(const shared_state& s, const ingest_job& job, stage_kind stage) {
  return checkpoint_as<T>(*s.env->artifacts, job.id, stage);
}

/// The outputs a later stage needs from an earlier one. A missing one means the job's
/// checkpoints were removed under it: the job starts over (transient), nothing is guessed.
download_result need_download(const shared_state& s, const ingest_job& job) {
  if (auto d = load_checkpoint<download_result>(s, job, stage_kind::download))
    return *d;
  throw std::runtime_error("the download checkpoint is missing; the job starts over");
}

transcript need_transcript(const shared_state& s, const ingest_job& job) {
  std::string problem;
  if (auto t = s.env->artifacts->cached_transcript(job.key.source, job.key.external_id, &problem))
    return *t;
  throw std::runtime_error("the transcript is missing" +
                           (problem.empty() ? std::string{} : " (" + problem + ")"));
}

/// "45 min", "2 h 5 min", "3 days": how long a job waits, for its reason.
std::string format_wait(std::chrono::milliseconds wait) {
  auto minutes = std::chrono::ceil<std::chrono::minutes>(wait).count();
  if (minutes < 60)
    return std::to_string(minutes) + " min";
  if (minutes < 48 * 60)
    return std::to_string(minutes / 60) + " h" +
           (minutes % 60 == 0 ? std::string{} : " " + std::to_string(minutes % 60) + " min");
  return std::to_string(minutes / (24 * 60)) + " days";
}

job_outcome outcome_of(const classified_failure& f, const job_key& key) {
  switch (f.kind) {
  case ytdlp_failure::permanent:
    return job_outcome::permanent(f.reason);
  case ytdlp_failure::throttled:
    return job_outcome::throttled(key.source, f.retry_after.count(), f.reason);
  case ytdlp_failure::not_yet:
    return job_outcome::waiting(f.retry_after.count(),
                                f.reason + " (waiting until then: tried again " +
                                    format_wait(f.retry_after) + " from now)");
  case ytdlp_failure::transient:
    break;
  }
  return job_outcome::transient(f.reason);
}

/// Whether a backfill job's video is older than its window (exact, when the time is known).
std::optional<std::string> before_cutoff(const download_result& d, const ingest_job& job) {
  if (job.upload_cutoff <= 0)
    return std::nullopt;
  if (d.timestamp > 0 && d.timestamp * 1000 < job.upload_cutoff)
    return "uploaded " + utc_date(d.timestamp * 1000) + ", before the backfill window (" +
           utc_date(job.upload_cutoff) + ")";
  if (d.timestamp <= 0 && !d.upload_date.empty() && d.upload_date < utc_date(job.upload_cutoff))
    return "uploaded " + d.upload_date + ", before the backfill window (" +
           utc_date(job.upload_cutoff) + ")";
  return std::nullopt;
}

bool media_present(const download_result& d) {
  std::error_code ec;
  return !d.media_path.empty() && fs::exists(d.media_path, ec);
}

/// ffmpeg as configured; ffprobe is the one next to it (Debian's ffmpeg package ships both).
ffmpeg_options ffmpeg_for(const vfb_config& cfg) {
  ffmpeg_options fo;
  fo.program = cfg.tools.ffmpeg;
  if (auto dir = fs::path{cfg.tools.ffmpeg}.parent_path(); !dir.empty())
    fo.probe_program = (dir / "ffprobe").string();
  fo.timeout = std::chrono::seconds{cfg.tools.ffmpeg_timeout_s};
  return fo;
}

// -- download ------------------------------------------------------------------------------

stage_result download_stage(shared_state& s, const stage_request& req, const progress_fn& report) {
  const auto& job = req.job;
  auto& artifacts = *s.env->artifacts;
  auto finish = [&](download_result d, std::string note) {
    if (auto why = before_cutoff(d, job))
      return ended(job_outcome::skipped(*why));
    artifacts.save_checkpoint(job.id, stage_kind::download, d);
    auto r = went_on(std::move(note));
    r.download = std::move(d);
    return r;
  };
  if (auto d = load_checkpoint<download_result>(s, job, stage_kind::download);
      d && media_present(*d))
    return finish(*d, "resumed from checkpoint");
  auto lock = s.locks.get(job.key);
  std::lock_guard guard{*lock};
  std::string problem;
  if (auto d = artifacts.cached_download(job.key.source, job.key.external_id, &problem);
      d && media_present(*d))
    return finish(*d, "cached");
  const auto& cfg = s.env->config;
  auto tools = locate_ytdlp(s.env->ytdlp);
  ytdlp_options o;
  o.program = tools.program;
  o.extra_args = tools.args;
  o.sub_langs = cfg.captions.use ? cfg.captions.languages : std::vector<std::string>{};
  o.timeout = std::chrono::seconds{cfg.tools.ytdlp_timeout_s};
  if (is_loopback_url(job.url)) // a proxy from the environment cannot reach this machine
    o.extra_args.insert(o.extra_args.end(), {"--proxy", ""});
  if (job.upload_cutoff > 0) { // yt-dlp skips older videos before downloading them
    o.date_after = utc_date(job.upload_cutoff);
    o.time_after = job.upload_cutoff / 1000;
  }
  auto dir = artifacts.video_dir(job.key.source, job.key.external_id);
  if (s.env->downloads) {
    auto wait = s.env->downloads->reserve(job.key.source, token_bucket::clock::now());
    if (wait > token_bucket::clock::duration::zero()) {
      report(0, "waiting for the " + job.key.source + " download rate limit");
      std::this_thread::sleep_for(wait); // the configured rate itself
    }
  }
  try {
    auto d = download(o, job.url, dir, report, s.env->cancel.get());
    if (!d)
      return ended(job_outcome::skipped("uploaded before the backfill window (" +
                                        utc_date(job.upload_cutoff) + ")"));
    if (d->duration <= 0) { // e.g. a direct media URL: the site says nothing, the file does
      try {
        d->duration = probe_duration(ffmpeg_for(cfg), d->media_path);
      } catch (const ffmpeg_error&) {
        // The duration stays unknown (0); transcription finds out whether the file is usable.
      }
    }
    artifacts.save_download(job.key.source, job.key.external_id, *d);
    std::ostringstream note;
    note << (d->title.empty() ? d->video_id : d->title);
    if (d->duration > 0)
      note << " (" << text::clock_duration(d->duration) << ")";
    return finish(std::move(*d), note.str());
  } catch (const ytdlp_error& e) {
    return ended(outcome_of(e.failure(), job.key));
  }
}

// -- transcribe ----------------------------------------------------------------------------

std::string read_file(const fs::path& p) {
  std::ifstream in{p, std::ios::binary};
  if (!in)
    throw std::runtime_error("cannot read " + p.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// The first caption file that parses into segments, if any. "media.en.vtt" → language "en".
std::optional<transcript> from_captions(const download_result& d, std::string& problems) {
  for (const auto& path : d.caption_paths) {
    try {
      auto parsed = parse_vtt(read_file(path));
      if (parsed.segments.empty())
        continue;
      transcript t;
      t.origin = "captions";
      t.language = fs::path(path).stem().extension().string();
      if (!t.language.empty())
        t.language.erase(0, 1);
      t.segments = std::move(parsed.segments);
      return t;
    } catch (const std::exception& e) {
      problems += std::string(problems.empty() ? "" : "; ") + e.what();
    }
  }
  return std::nullopt;
}

/// A transcriber worker: its speech decoder is loaded on first use and kept.
struct transcriber {
  std::shared_ptr<shared_state> s;
  std::shared_ptr<speech_recognizer> recognizer;

  transcript from_speech(const download_result& d, const fs::path& dir, const progress_fn& report) {
    const auto& cfg = s->env->config;
    auto fo = ffmpeg_for(cfg);
    auto wav = dir / "audio.wav";
    report(0, "extracting audio");
    const auto* cancel = s->env->cancel.get();
    extract_audio(fo, d.media_path, wav, cancel);
    speech_options so;
    so.model_dir = cfg.speech.model_dir;
    so.external_command = cfg.speech.external_command;
    so.timeout = std::chrono::seconds{cfg.speech.timeout_s};
    transcript t;
    t.language = "en";
    if (!so.external_command.empty()) {
      report(0.05, "external transcriber");
      t.origin = "external";
      t.segments = transcribe_external(so, wav, dir, cancel);
    } else {
      if (!recognizer)
        recognizer = std::make_shared<speech_recognizer>(so);
      auto pcm = read_wav_pcm16(wav);
      t.origin = "speech";
      t.segments = recognizer->transcribe(
          pcm, [&](double f) { report(f, "recognising speech"); }, cancel);
    }
    std::error_code ec;
    fs::remove(wav, ec); // the media stays cached; the WAV is 2 MB a minute and easy to redo
    if (cancel->load())  // a partial transcript must never be cached as the whole
      throw std::runtime_error("transcription stopped: the node is stopping");
    return t;
  }

  stage_result operator()(const stage_request& req, const progress_fn& report) {
    const auto& job = req.job;
    auto& artifacts = *s->env->artifacts;
    auto note = [](const transcript& t, const std::string& how) {
      return t.origin + (t.language.empty() ? "" : " (" + t.language + ")") + ", " +
             std::to_string(t.segments.size()) + " segments" + how;
    };
    if (artifacts.checkpoint(job.id, stage_kind::transcribe))
      if (auto t = artifacts.cached_transcript(job.key.source, job.key.external_id))
        return went_on(note(*t, ", resumed from checkpoint"));
    auto d = need_download(*s, job);
    auto lock = s->locks.get(job.key);
    std::lock_guard guard{*lock};
    std::string how;
    auto t = artifacts.cached_transcript(job.key.source, job.key.external_id);
    if (t) {
      how = ", cached";
    } else {
      std::string problems;
      if (s->env->config.captions.use)
        t = from_captions(d, problems);
      if (!t)
        t = from_speech(d, artifacts.video_dir(job.key.source, job.key.external_id), report);
      artifacts.save_transcript(job.key.source, job.key.external_id, *t);
    }
    artifacts.save_checkpoint(
        job.id, stage_kind::transcribe,
        nlohmann::json{{"origin", t->origin}, {"segments", t->segments.size()}});
    return went_on(note(*t, how));
  }
};

// -- analyze, memory -----------------------------------------------------------------------

stage_result analyze_stage(shared_state& s, const stage_request& req, const progress_fn&) {
  const auto& job = req.job;
  if (load_checkpoint<analysis>(s, job, stage_kind::analyze))
    return went_on("resumed from checkpoint");
  auto t = need_transcript(s, job);
  auto text = transcript_text(t.segments);
  const auto& cfg = s.env->config.analysis;
  auto corpus =
      s.env->memory->corpus(job.key.tenant, job.key.workspace, text::document_terms(text));
  analysis a;
  a.topics = text::topics(text, corpus, static_cast<size_t>(cfg.topics));
  a.key_phrases = text::key_phrases(text, static_cast<size_t>(cfg.key_phrases));
  a.summary = text::summarize_text(text, static_cast<size_t>(cfg.summary_sentences));
  s.env->artifacts->save_checkpoint(job.id, stage_kind::analyze, a);
  std::string note = std::to_string(a.topics.size()) + " topics";
  if (!a.topics.empty())
    note += ": " + a.topics.front().term;
  for (size_t i = 1; i < std::min<size_t>(3, a.topics.size()); ++i)
    note += ", " + a.topics[i].term;
  return went_on(note);
}

stage_result memory_stage(shared_state& s, const stage_request& req, const progress_fn&) {
  const auto& job = req.job;
  if (s.env->artifacts->checkpoint(job.id, stage_kind::memory))
    return went_on("resumed from checkpoint");
  auto d = need_download(s, job);
  auto t = need_transcript(s, job);
  const auto& cfg = s.env->config.analysis;
  memory_entry e;
  e.job_id = job.id;
  e.source = job.key.source;
  e.external_id = job.key.external_id;
  e.title = d.title;
  e.url = d.webpage_url.empty() ? job.url : d.webpage_url;
  e.chunks = text::chunk_transcript(t.segments, static_cast<size_t>(cfg.chunk_chars),
                                    static_cast<size_t>(cfg.chunk_overlap_chars));
  s.env->memory->put(job.key.tenant, job.key.workspace, e);
  s.env->artifacts->save_checkpoint(job.id, stage_kind::memory,
                                    nlohmann::json{{"chunks", e.chunks.size()}});
  return went_on(std::to_string(e.chunks.size()) + " chunks stored");
}

// -- post ----------------------------------------------------------------------------------

/// The longest Discord rate-limit wait a post sits out in its worker; a longer one hands the
/// job back to the queue as throttled, so the worker is free meanwhile.
constexpr std::chrono::milliseconds longest_inline_wait{30'000};

/// The follow a backfill or refresh video came from, as its download tells: the channel.
std::string digest_group_of(const download_result& d) {
  for (const auto* v : {&d.channel_url, &d.uploader_url, &d.channel_id, &d.uploader})
    if (!v->empty())
      return *v;
  return "unknown uploader";
}

stage_result post_stage(shared_state& s, const stage_request& req, const progress_fn& report) {
  const auto& job = req.job;
  const auto& cfg = s.env->config;
  auto hook = webhook_for(cfg, job.key.tenant, job.key.workspace);
  if (!hook)
    return went_on("no Discord webhook for " + job.key.tenant + "/" + job.key.workspace);
  if (s.env->artifacts->checkpoint(job.id, stage_kind::post))
    return went_on("already posted"); // never post twice for one job
  // /analyze: the Discord bridge answers the asker with the result when the job ends (a bot
  // message, else this same webhook); a card here too would be the same answer twice.
  if (job.origin == job_origin::discord)
    return went_on("answered by the Discord bridge");
  auto d = need_download(s, job);
  // A new follow enqueues up to 200 backfill videos: one message each would flood the channel.
  if (job.priority != priority_class::interactive) {
    auto mode = backfill_posts_for(cfg, job.key.tenant, job.key.workspace);
    if (mode == "off")
      return went_on("backfill posts are off for " + job.key.tenant + "/" + job.key.workspace);
    if (mode == "digest" && s.env->discord) {
      digest_entry e{job.key.tenant,
                     job.key.workspace,
                     digest_group_of(d),
                     job.id,
                     d.uploader,
                     d.title.empty() ? d.video_id : d.title,
                     d.webpage_url.empty() ? job.url : d.webpage_url,
                     now_millis()};
      s.env->discord->add_digest_entry(e);
      s.env->artifacts->save_checkpoint(job.id, stage_kind::post,
                                        nlohmann::json{{"digest", e.group}});
      return went_on("waits for its follow's digest");
    }
  }
  auto a = load_checkpoint<analysis>(s, job, stage_kind::analyze);
  if (!a)
    throw std::runtime_error("the analysis checkpoint is missing; the job starts over");
  auto payload =
      build_webhook_payload(make_post(d, *a, d.webpage_url.empty() ? job.url : d.webpage_url));
  auto attempts = std::max<int64_t>(1, cfg.discord.post_attempts);
  webhook_result res;
  for (int64_t i = 1;; ++i) {
    auto ready = s.webhooks.ready_at(*hook);
    auto until_ready =
        std::chrono::duration_cast<std::chrono::milliseconds>(ready - webhook_pacer::clock::now());
    if (until_ready > longest_inline_wait)
      return ended(job_outcome::throttled("discord", until_ready.count(),
                                          "Discord asked to wait before the next post"));
    std::this_thread::sleep_until(ready); // Discord's rate limit: nothing to do meanwhile
    res = post_webhook(*hook, payload);
    if (res.retry_after.count() > 0)
      s.webhooks.wait_after(*hook, res.retry_after);
    if (res.ok) {
      s.env->artifacts->save_checkpoint(job.id, stage_kind::post,
                                        nlohmann::json{{"status", res.status}});
      return went_on("posted to Discord");
    }
    if (!res.retryable)
      return ended(job_outcome::permanent("Discord refused the post: " + res.error));
    if (i >= attempts)
      return ended(job_outcome::transient("Discord post failed " + std::to_string(i) +
                                          " times: " + res.error));
    // Discord says how long to wait on a 429; without that, back off 1 s, 2 s, 4 s ...
    auto wait = res.retry_after.count() > 0
                    ? res.retry_after
                    : std::chrono::milliseconds{1000 << std::min<int64_t>(i - 1, 5)};
    if (wait > longest_inline_wait)
      return ended(job_outcome::throttled("discord", wait.count(), res.error));
    report(0, "Discord: " + res.error + ", retrying in " + std::to_string(wait.count()) + " ms");
    s.webhooks.wait_after(*hook, wait); // the loop's next round waits for it
  }
}

} // namespace

stage_function_factory real_stages(std::shared_ptr<const stage_environment> env) {
  auto s = std::make_shared<shared_state>();
  s->env = std::move(env);
  return [s](stage_kind kind) -> stage_function {
    switch (kind) {
    case stage_kind::download:
      return [s](const stage_request& r, const progress_fn& p) { return download_stage(*s, r, p); };
    case stage_kind::transcribe:
      return transcriber{s, nullptr};
    case stage_kind::analyze:
      return [s](const stage_request& r, const progress_fn& p) { return analyze_stage(*s, r, p); };
    case stage_kind::memory:
      return [s](const stage_request& r, const progress_fn& p) { return memory_stage(*s, r, p); };
    case stage_kind::post:
      break;
    }
    return [s](const stage_request& r, const progress_fn& p) { return post_stage(*s, r, p); };
  };
}

} // namespace vfb
