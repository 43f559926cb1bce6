// The pipeline's vocabulary: what a download produced, what was said when, what it is about,
// and what a memory search finds. Plain value types; `inspect` lets CAF serialise them.
#pragma once

#include <caf/meta/type_name.hpp>
#include <cstdint>
#include <string>
#include <vector>

namespace vfb {

/// What yt-dlp reported about a downloaded video, and where it put the files.
struct download_result {
  std::string extractor; // yt-dlp's extractor key, e.g. "Youtube", "Generic"
  std::string video_id;  // the platform's id
  std::string title;
  std::string uploader;     // display name
  std::string uploader_id;  // e.g. "@handle"
  std::string uploader_url; // e.g. https://www.youtube.com/@handle
  std::string channel_id;   // e.g. "UC..."
  std::string channel_url;
  std::string webpage_url;
  std::string upload_date; // YYYYMMDD, empty when unknown
  int64_t timestamp = 0;   // upload time in seconds since the epoch, 0 when unknown
  double duration = 0;     // seconds
  std::string live_status; // not_live, is_live, was_live, ...
  std::string availability;
  std::string media_path;                 // the downloaded media file
  std::vector<std::string> caption_paths; // WebVTT files, preferred language first
  std::string description;                // the uploader's text about the video
  std::vector<std::string> tags;          // the uploader's keywords
  std::vector<std::string> chapters;      // chapter titles, in order
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, download_result& x) {
  return f(caf::meta::type_name("vfb.download_result"), x.extractor, x.video_id, x.title,
           x.uploader, x.uploader_id, x.uploader_url, x.channel_id, x.channel_url, x.webpage_url,
           x.upload_date, x.timestamp, x.duration, x.live_status, x.availability, x.media_path,
           x.caption_paths, x.description, x.tags, x.chapters);
}

/// A stretch of speech: from `start_ms` to `end_ms` after the start of the media.
struct transcript_segment {
  int64_t start_ms = 0;
  int64_t end_ms = 0;
  std::string text;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, transcript_segment& x) {
  return f(caf::meta::type_name("vfb.transcript_segment"), x.start_ms, x.end_ms, x.text);
}

struct transcript {
  std::string origin; // "captions", "speech" (pocketsphinx) or "external" (configured command)
  std::string language;
  std::vector<transcript_segment> segments;
  /// Speech recognition's certainty of its words (mean posterior probability, 0 to 1); -1 when
  /// unknown (captions, an external transcriber).
  double confidence = -1;
};

template <class Inspector> typename Inspector::result_type inspect(Inspector& f, transcript& x) {
  return f(caf::meta::type_name("vfb.transcript"), x.origin, x.language, x.segments, x.confidence);
}

/// A term with its weight (TF-IDF for topics, a phrase score for key phrases).
struct weighted_term {
  std::string term;
  double weight = 0;
};

template <class Inspector> typename Inspector::result_type inspect(Inspector& f, weighted_term& x) {
  return f(caf::meta::type_name("vfb.weighted_term"), x.term, x.weight);
}

struct analysis {
  std::vector<weighted_term> topics;
  std::vector<weighted_term> key_phrases;
  std::vector<std::string> summary; // extractive: sentences of the transcript, in order
};

template <class Inspector> typename Inspector::result_type inspect(Inspector& f, analysis& x) {
  return f(caf::meta::type_name("vfb.analysis"), x.topics, x.key_phrases, x.summary);
}

/// A piece of a transcript stored as memory: ~800 characters of whole segments.
struct transcript_chunk {
  int64_t start_ms = 0;
  int64_t end_ms = 0;
  std::string text;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, transcript_chunk& x) {
  return f(caf::meta::type_name("vfb.transcript_chunk"), x.start_ms, x.end_ms, x.text);
}

/// One ranked answer of a memory search.
/// Where a search's words are in a hit's snippet: byte offsets [begin, end) into it.
struct text_mark {
  uint32_t begin = 0;
  uint32_t end = 0;
};

template <class Inspector> typename Inspector::result_type inspect(Inspector& f, text_mark& x) {
  return f(caf::meta::type_name("vfb.text_mark"), x.begin, x.end);
}

struct memory_hit {
  uint64_t job_id = 0;
  std::string source;
  std::string external_id;
  std::string title;
  std::string url;
  std::string channel;     // the uploader's channel (first canonical form), empty when unknown
  std::string upload_date; // YYYYMMDD, empty when unknown
  int64_t start_ms = 0;
  int64_t end_ms = 0;
  std::string snippet;
  std::vector<text_mark> marks; // the matched words in `snippet`, ascending
  double score = 0;
};

template <class Inspector> typename Inspector::result_type inspect(Inspector& f, memory_hit& x) {
  return f(caf::meta::type_name("vfb.memory_hit"), x.job_id, x.source, x.external_id, x.title,
           x.url, x.channel, x.upload_date, x.start_ms, x.end_ms, x.snippet, x.marks, x.score);
}

} // namespace vfb
