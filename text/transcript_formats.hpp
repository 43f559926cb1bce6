// A timed transcript written out for other programs: SubRip (.srt), WebVTT (.vtt), plain text
// and JSON (GET /v1/jobs/ID/transcript.FORMAT, `vfb show ID --format FORMAT`). Each cue keeps
// its segment's times; text is made safe for the format (no blank line inside a cue, no "-->"
// in WebVTT cue text, WebVTT's &, < and > escaped). Pure code (no CAF).
#pragma once

#include "messages/media.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace vfb::text {

enum class transcript_format { srt, vtt, txt, json };

/// "srt", "vtt", "txt", "json"; nullopt for anything else.
std::optional<transcript_format> parse_transcript_format(std::string_view name);
/// The file extension's MIME type, with charset=utf-8 where it applies.
std::string_view content_type(transcript_format f);

/// The link that plays the video from a moment (milliseconds), for JSON's `moment_url`.
using moment_link = std::function<std::string(int64_t start_ms)>;

/// The transcript in format `f`. Segments without text are left out; a segment whose end is
/// not after its start lasts a millisecond. JSON segments carry `moment_url` when `moment` is
/// given.
std::string format_transcript(const transcript& t, transcript_format f,
                              const moment_link& moment = {});

/// Where a transcript came from, for people: "captions", "speech recognition, 77% confident",
/// "external transcriber" (or the stored origin as it is).
std::string transcript_source(const transcript& t);

} // namespace vfb::text
