// JSON forms of the pipeline's media results (download, transcript, analysis), for stage
// checkpoints and the per-video cache. `nlohmann::json j = x;` and `j.get<download_result>()`
// work through these overloads.
//
// Reading is strict: every field must be present with its type, so a truncated or foreign file
// is refused with a message naming the field ("transcript.segments: transcript_segment.text:
// missing") instead of being read as defaults. The exception are fields added later (marked
// `added_later`): a checkpoint written before them still reads, with their defaults, so the
// results of jobs done by an older vfb stay readable; present, they must have their type.
#pragma once

#include "messages/media.hpp"

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

namespace vfb {

/// A JSON document that is not the value it should be.
class media_json_error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

namespace detail {

/// Marks a field that older checkpoints lack (see the file comment).
struct added_later_t {};
inline constexpr added_later_t added_later{};

/// Reads `j[name]` into `out`, naming `type.name` in any error; a missing field is an error
/// unless it was `added_later`.
template <class T>
void read_field(const nlohmann::json& j, const char* type, const char* name, T& out,
                bool may_be_missing = false) {
  if (!j.is_object())
    throw media_json_error(std::string{type} + ": expected an object, got " + j.type_name());
  auto it = j.find(name);
  if (it == j.end() && may_be_missing)
    return;
  if (it == j.end())
    throw media_json_error(std::string{type} + "." + name + ": missing");
  try {
    it->get_to(out);
  } catch (const media_json_error& e) { // from a nested value
    throw media_json_error(std::string{type} + "." + name + ": " + e.what());
  } catch (const nlohmann::json::exception& e) {
    // Drop nlohmann's "[json.exception.type_error.302] " prefix: the field name says more.
    std::string what = e.what();
    auto bracket = what.find("] ");
    throw media_json_error(std::string{type} + "." + name + ": " +
                           (bracket == std::string::npos ? what : what.substr(bracket + 2)));
  }
}

/// Each media type's JSON fields, listed once for writing and reading (`X` may be const).
template <class T> struct json_fields;

template <> struct json_fields<download_result> {
  static constexpr const char* name = "download_result";
  template <class X, class F> static void each(X& x, F&& f) {
    f("extractor", x.extractor);
    f("video_id", x.video_id);
    f("title", x.title);
    f("uploader", x.uploader);
    f("uploader_id", x.uploader_id);
    f("uploader_url", x.uploader_url);
    f("channel_id", x.channel_id);
    f("channel_url", x.channel_url);
    f("webpage_url", x.webpage_url);
    f("upload_date", x.upload_date);
    f("timestamp", x.timestamp);
    f("duration", x.duration);
    f("live_status", x.live_status);
    f("availability", x.availability);
    f("media_path", x.media_path);
    f("caption_paths", x.caption_paths);
    f("description", x.description, added_later);
    f("tags", x.tags, added_later);
    f("chapters", x.chapters, added_later);
  }
};

template <> struct json_fields<transcript_segment> {
  static constexpr const char* name = "transcript_segment";
  template <class X, class F> static void each(X& x, F&& f) {
    f("start_ms", x.start_ms);
    f("end_ms", x.end_ms);
    f("text", x.text);
  }
};

template <> struct json_fields<transcript> {
  static constexpr const char* name = "transcript";
  template <class X, class F> static void each(X& x, F&& f) {
    f("origin", x.origin);
    f("language", x.language);
    f("segments", x.segments);
    f("confidence", x.confidence, added_later);
  }
};

template <> struct json_fields<weighted_term> {
  static constexpr const char* name = "weighted_term";
  template <class X, class F> static void each(X& x, F&& f) {
    f("term", x.term);
    f("weight", x.weight);
  }
};

template <> struct json_fields<analysis> {
  static constexpr const char* name = "analysis";
  template <class X, class F> static void each(X& x, F&& f) {
    f("topics", x.topics);
    f("key_phrases", x.key_phrases);
    f("summary", x.summary);
  }
};

template <class T> void write_fields(nlohmann::json& j, const T& x) {
  j = nlohmann::json::object();
  json_fields<T>::each(x, [&](const char* name, const auto& value, auto...) { j[name] = value; });
}

template <class T> void read_fields(const nlohmann::json& j, T& x) {
  json_fields<T>::each(x, [&](const char* name, auto& value, auto... added) {
    read_field(j, json_fields<T>::name, name, value, sizeof...(added) != 0);
  });
}

} // namespace detail

/// The JSON form of each type listed in detail::json_fields (nlohmann finds these through ADL).
template <class T, class = decltype(detail::json_fields<T>::name)>
void to_json(nlohmann::json& j, const T& x) {
  detail::write_fields(j, x);
}

template <class T, class = decltype(detail::json_fields<T>::name)>
void from_json(const nlohmann::json& j, T& x) {
  detail::read_fields(j, x);
}

} // namespace vfb
