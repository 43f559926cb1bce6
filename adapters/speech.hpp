// Speech to timed text: pocketsphinx in process (one decoder per worker thread), or an external
// transcriber command from the config (e.g. a whisper.cpp CLI). Plain C++, no CAF.
#pragma once

#include "messages/media.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace vfb {

struct speech_options {
  /// Holds en-us/ (acoustic model), en-us.lm.bin and cmudict-en-us.dict.
  std::filesystem::path model_dir = "/usr/share/pocketsphinx/model/en-us";
  /// Empty: pocketsphinx. Else a command line (split on spaces; "..." groups words) with {wav}
  /// for the 16 kHz WAV and {out} for an output path prefix; see transcribe_external.
  std::string external_command;
  std::chrono::seconds timeout{3600};
};

class speech_error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// Reports progress as a fraction of the audio.
using speech_progress = std::function<void(double fraction)>;

/// A pocketsphinx decoder. Not thread-safe: one per worker thread.
class speech_recognizer {
public:
  /// Loads the models; throws speech_error naming a missing model file.
  explicit speech_recognizer(const speech_options& opts);
  ~speech_recognizer();
  speech_recognizer(const speech_recognizer&) = delete;
  speech_recognizer& operator=(const speech_recognizer&) = delete;

  /// Transcribes 16 kHz mono samples into segments (split at pauses of 300 ms or more, and
  /// every 12 words). Long audio is decoded in utterances of at most ~25 s, cut at the
  /// quietest moment. Stops early (returning what it has) when `cancel` is set.
  std::vector<transcript_segment> transcribe(const std::vector<int16_t>& pcm16k,
                                             const speech_progress& progress = {},
                                             const std::atomic<bool>* cancel = nullptr);

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

/// Splits a configured command line into words: spaces separate, double quotes group, a
/// backslash escapes the next character. Throws speech_error on an unterminated quote.
std::vector<std::string> split_command(const std::string& command);

/// The segments in whisper.cpp-style standard output, one "[00:00:01.000 --> 00:00:02.500]  text"
/// per line (what an external transcriber prints when it writes no WebVTT file). Other lines, and
/// lines whose times are not hh:mm:ss.mmm or end before they start, are skipped.
std::vector<transcript_segment> parse_whisper_lines(std::string_view out);

/// Runs the configured external transcriber on `wav` and parses what it produced: a WebVTT
/// file `{out}.vtt` if it wrote one, else whisper.cpp-style lines on standard output
/// ("[00:00:01.000 --> 00:00:02.500]  text"). Throws speech_error.
std::vector<transcript_segment> transcribe_external(const speech_options& opts,
                                                    const std::filesystem::path& wav,
                                                    const std::filesystem::path& work_dir,
                                                    const std::atomic<bool>* cancel = nullptr);

/// Word error rate of `hypothesis` against `reference` (word-level edit distance / reference
/// words; case and punctuation ignored).
double word_error_rate(const std::string& reference, const std::string& hypothesis);

} // namespace vfb
