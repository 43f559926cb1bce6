// The analyze and memory stages: topics, key phrases and summary of the transcript, then its
// chunks into the workspace's searchable memory.
#include "actors/stage_parts.hpp"
#include "adapters/channel.hpp"
#include "adapters/vtt.hpp" // transcript_text
#include "storage/memory_store.hpp"
#include "text/chunker.hpp"
#include "text/key_phrases.hpp"
#include "text/ranking.hpp"
#include "text/summary.hpp"
#include "text/tokenizer.hpp"
#include "text/topics.hpp"
#include "text/video_context.hpp"

#include <filesystem>

namespace vfb::stage_parts {

namespace fs = std::filesystem;

stage_result analyze_stage(shared_state& s, const stage_request& req, const progress_fn&) {
  const auto& job = req.job;
  if (load_checkpoint<analysis>(s, job, stage_kind::analyze))
    return went_on("resumed from checkpoint");
  auto t = need_transcript(s, job);
  auto text = transcript_text(t.segments);
  const auto& cfg = s.env->config.analysis;
  auto terms = text::document_terms(text);
  auto corpus = s.env->corpus ? s.env->corpus(req, terms)
                              : s.env->memory->corpus(job.key.tenant, job.key.workspace, terms);
  // What the uploader says the video is about (title, tags, chapters, description) weighs more
  // among the topics.
  auto d = load_checkpoint<download_result>(s, job, stage_kind::download);
  analysis a;
  a.topics =
      text::topics(text, corpus, static_cast<size_t>(cfg.topics), d ? text::video_context(*d) : "");
  a.key_phrases = text::key_phrases(text, static_cast<size_t>(cfg.key_phrases));
  // The summary carries the topics.
  a.summary = text::summarize_text(text, static_cast<size_t>(cfg.summary_sentences),
                                   text::terms_of(a.topics));
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
  e.channels = channel_forms(d);
  // yt-dlp writes YYYYMMDD; anything else is no date rather than a failed job.
  if (d.upload_date.size() == 8 && text::is_number(d.upload_date)) {
    auto month = std::stoi(d.upload_date.substr(4, 2)), day = std::stoi(d.upload_date.substr(6));
    if (month >= 1 && month <= 12 && day >= 1 && day <= 31)
      e.upload_date = d.upload_date;
  }
  e.chunks = text::chunk_transcript(t.segments, static_cast<size_t>(cfg.chunk_chars),
                                    static_cast<size_t>(cfg.chunk_overlap_chars));
  s.env->memory->put(job.key.tenant, job.key.workspace, e);
  s.env->artifacts->save_checkpoint(job.id, stage_kind::memory,
                                    nlohmann::json{{"chunks", e.chunks.size()}});
  return went_on(std::to_string(e.chunks.size()) + " chunks stored");
}

} // namespace vfb::stage_parts
