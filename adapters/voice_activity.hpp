// Where speech is in a recording: frame energies against the recording's own noise floor.
// The recogniser decodes only these spans, so long silences cost nothing and put no invented
// words into the transcript, and utterances end in pauses rather than mid-word. Pure code: no
// CAF, no pocketsphinx.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace vfb {

/// Samples [begin, end) of a recording.
struct sample_span {
  size_t begin = 0;
  size_t end = 0;
};

struct voice_activity_options {
  int sample_rate = 16000;
  /// Pauses at least this long separate spans; shorter ones stay inside a span.
  int min_pause_ms = 500;
  /// Sound shorter than this (a click, a breath) is not speech on its own.
  int min_speech_ms = 60;
  /// Silence kept on each side of a span, so a word's quiet start and end are decoded too.
  int margin_ms = 250;
};

/// The mean power (mean square) of samples [begin, end) of `pcm`; 0 for no samples.
double mean_power(const std::vector<int16_t>& pcm, size_t begin, size_t end);

/// The spans of `pcm` (mono) that hold speech, in order, not overlapping, margins included.
/// A 10 ms frame is loud when its energy is well above the recording's noise floor (its 10th
/// percentile) relative to its speech level (90th percentile). A recording without such
/// contrast (all speech, or all noise) is one span; one of digital silence is none.
std::vector<sample_span> speech_spans(const std::vector<int16_t>& pcm,
                                      const voice_activity_options& opts = {});

} // namespace vfb
