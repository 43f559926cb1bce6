// Speech to timed text: pocketsphinx in process (one decoder per worker thread), or an external
// transcriber command from the config (e.g. a whisper.cpp CLI). Plain C++, no CAF.
#pragma once

#include "adapters/voice_activity.hpp"
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
  /// More pocketsphinx arguments in pairs ("-beam", "1e-60", ...), after vfb's own; one vfb
  /// sets too replaces vfb's value (transcribe_bench compares configurations with them).
  std::vector<std::string> decoder_args;
  /// How much of the language model comes from the video's own words when a context is given
  /// (speech_recognizer::transcribe): 0 none, 1 only them. With a video's title, tags and
  /// description (text::video_context) the demo's videos in flite's voice went from 0.21 to
  /// 0.16 word error rate and from 0.77 to 1.00 of their topic words heard; in espeak-ng's from
  /// 0.75 to 0.59 and 0.27 to 0.80 (transcribe_bench, context-*; any weight from 0.0001 to 0.2
  /// did about as well). A title alone did not help flite's voice (0.21 to 0.24).
  double context_weight = 0.05;
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
  /// every 12 words). Only the speech is decoded (speech_spans: silence of half a second or
  /// more is left out), in utterances of at most ~25 s, a longer span cut at its quietest
  /// moment. Stops early (returning what it has) when `cancel` is set.
  ///
  /// `context` is what is known about the recording (a video's title, description, tags):
  /// its words that the dictionary knows become a small language model, interpolated with the
  /// general one (context_weight), so that the words the video is about are heard more often.
  std::vector<transcript_segment> transcribe(const std::vector<int16_t>& pcm16k,
                                             const speech_progress& progress = {},
                                             const std::atomic<bool>* cancel = nullptr,
                                             std::string_view context = {});

  /// How sure the recogniser was of the last transcribe's words: their mean posterior
  /// probability in its lattice, from 0 to 1; -1 when it heard no words.
  double confidence() const;

  /// The words of `context` the biased model would favour (those the dictionary knows).
  std::vector<std::string> context_words(std::string_view context);

  /// One utterance of the last transcribe: the spans of the recording decoded together, and
  /// the words heard in them (what speaker adaptation learns from).
  struct utterance {
    std::vector<sample_span> spans;
    std::vector<std::string> words;
  };
  const std::vector<utterance>& last_utterances() const;

  /// Decodes the next recordings with `transform`, the text of a sphinxtrain MLLR file
  /// (adapters/speaker_adaptation); empty: with the unadapted model again. Only the acoustic
  /// model's means are reloaded and transformed (pocketsphinx transforms the base means, so
  /// transforms replace each other; "none" is an identity transform), not the whole decoder,
  /// so one decoder serves many speakers. Throws speech_error when pocketsphinx refuses it.
  void set_transform(const std::string& transform);

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

/// Word errors of `hypothesis` against `reference`: the word-level edit distance and the
/// reference's words (case and punctuation ignored; numbers, "*", "#" and "mr" compared as spoken,
/// text::spoken_words). Sums of these give a corpus's WER.
struct word_errors_count {
  size_t errors = 0;
  size_t words = 0;
};
word_errors_count word_errors(const std::string& reference, const std::string& hypothesis);

/// Word error rate of `hypothesis` against `reference` (word_errors' errors / words; 1 for an
/// empty reference and a non-empty hypothesis).
double word_error_rate(const std::string& reference, const std::string& hypothesis);

} // namespace vfb
