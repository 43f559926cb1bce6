// The transcribe stage: the platform's captions when there are any, else ffmpeg's audio through
// speech recognition (pocketsphinx in process, or the configured external command); the
// transcript is cached per video. pocketsphinx decodes an uploader's videos with the speaker
// transform learnt from its earlier ones, and learns from each.
#include "actors/stage_parts.hpp"
#include "adapters/speaker_adaptation.hpp"
#include "adapters/speech.hpp"
#include "adapters/vtt.hpp"
#include "storage/media_cache.hpp"
#include "storage/media_json.hpp"
#include "text/files.hpp"
#include "text/video_context.hpp"

#include <filesystem>
#include <spdlog/spdlog.h>
#include <string>

namespace vfb::stage_parts {

namespace fs = std::filesystem;

namespace {

/// The first caption file that parses into segments, if any. "media.en.vtt" → language "en".
std::optional<transcript> from_captions(const download_result& d, std::string& problems) {
  for (const auto& path : d.caption_paths) {
    try {
      auto captions = text::read_file(path);
      if (!captions)
        throw std::runtime_error(text::read_failure(path));
      auto parsed = parse_vtt(*captions);
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

/// Whose voice a video is: the source and the uploader's channel (else its handle, page or
/// name), within the job's tenant (a transform and its pool hold what was heard in the
/// tenant's videos, so tenants do not share them); empty when the download does not say.
std::string speaker_of(const job_key& key, const download_result& d) {
  for (const auto* id : {&d.channel_id, &d.uploader_id, &d.uploader_url, &d.uploader})
    if (!id->empty())
      return key.tenant + ":" + key.source + ":" + *id;
  return {};
}

} // namespace

std::shared_ptr<speaker_profiles> speaker_profiles_for(const stage_environment& env) {
  const auto& cfg = env.config;
  if (!cfg.speech.adaptation || !cfg.speech.external_command.empty() || env.speakers_dir.empty())
    return nullptr;
  speaker_profile_options o;
  o.adaptation.model_dir = cfg.speech.model_dir;
  o.adaptation.timeout = std::chrono::seconds{cfg.speech.timeout_s};
  o.adaptation.cancel = env.cancel.get();
  if (auto missing = adaptation_unavailable(o.adaptation)) {
    spdlog::warn("speaker adaptation is off: {}; speech is transcribed without it", *missing);
    return nullptr;
  }
  return std::make_shared<speaker_profiles>(env.speakers_dir, o);
}

namespace {

/// A transcriber worker: its speech decoder is loaded on first use and kept.
struct transcriber {
  std::shared_ptr<shared_state> s;
  std::shared_ptr<speech_recognizer> recognizer;

  transcript from_speech(const ingest_job& job, const download_result& d, const fs::path& dir,
                         const progress_fn& report, std::string& how) {
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
      auto speaker = s->speakers ? speaker_of(job.key, d) : std::string{};
      adapt_to(job, speaker, how);
      // What the uploader says the video is about biases the recogniser towards those words
      // (speech_options::context_weight says how much).
      t.segments = recognizer->transcribe(
          pcm, [&](double f) { report(f, "recognising speech"); }, cancel,
          text::recogniser_context(d));
      t.confidence = recognizer->confidence();
      if (!speaker.empty() && !cancel->load())
        learn_from(job, speaker, pcm);
    }
    std::error_code ec;
    fs::remove(wav, ec); // the media stays cached; the WAV is 2 MB a minute and easy to redo
    if (cancel->load())  // a partial transcript must never be cached as the whole
      throw std::runtime_error("transcription stopped: the node is stopping");
    return t;
  }

  /// Makes the decoder use the speaker's transform, or none (an uploader without one yet, a
  /// video without uploader: the last video's transform must not carry over).
  void adapt_to(const ingest_job& job, const std::string& speaker, std::string& how) {
    std::string transform;
    try {
      if (!speaker.empty())
        transform = s->speakers->transform(speaker);
      recognizer->set_transform(transform);
    } catch (const speech_error& e) {
      spdlog::warn("job {}: decoding without the speaker transform of {}: {}", job.id, speaker,
                   e.what());
      recognizer->set_transform({});
      transform.clear();
    }
    if (!transform.empty()) {
      spdlog::info("job {}: decoding with the speaker transform of {}", job.id, speaker);
      how += ", adapted to the uploader's voice";
    }
  }

  /// Estimates the speaker's transform again when enough new speech came in; a failure costs
  /// the adaptation, not the transcript.
  void learn_from(const ingest_job& job, const std::string& speaker,
                  const std::vector<int16_t>& pcm) {
    try {
      if (s->speakers->learn(speaker, pcm, recognizer->last_utterances()))
        spdlog::info("job {}: new speaker transform for {}", job.id, speaker);
    } catch (const std::exception& e) {
      spdlog::warn("job {}: speaker adaptation for {} failed: {}", job.id, speaker, e.what());
    }
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
      if (!t) {
        if (!media_present(d)) // removed (by hand, or a cache bound): the job downloads it again
          throw std::runtime_error("the downloaded media are gone (" + d.media_path +
                                   "); the job downloads them again");
        t = from_speech(job, d, artifacts.video_dir(job.key.source, job.key.external_id), report,
                        how);
      }
      artifacts.save_transcript(job.key.source, job.key.external_id, *t);
      if (s->env->media)
        s->env->media->trim(); // no stage needs this video's media any more
    }
    artifacts.save_checkpoint(
        job.id, stage_kind::transcribe,
        nlohmann::json{{"origin", t->origin}, {"segments", t->segments.size()}});
    return went_on(note(*t, how));
  }
};

} // namespace

stage_function transcribe_stage(std::shared_ptr<shared_state> s) {
  return transcriber{std::move(s), nullptr};
}

} // namespace vfb::stage_parts
