// Unsupervised speaker adaptation of pocketsphinx's acoustic model: an MLLR transform of its
// Gaussian means estimated with sphinxtrain (sphinx_fe, bw, mllr_solve) from the recogniser's
// own hypotheses, never from reference texts. On the Asterisk prompts (one speaker) transforms
// estimated so, clip after clip, brought the word error rate from 0.75 to 0.41, with decoding no
// slower (docs/PERFORMANCE.md).
// Plain C++, no CAF; the tools run through adapters/process (argv only, timeouts, cancel flag).
#pragma once

#include "adapters/speech.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace vfb {

struct adaptation_options {
  /// pocketsphinx's model directory (speech_options::model_dir): en-us/, cmudict-en-us.dict.
  std::filesystem::path model_dir = speech_options{}.model_dir;
  /// Where the model bw reads is prepared once (prepare_adaptation_model).
  std::filesystem::path cache_dir;
  /// sphinxtrain installs bw and mllr_solve here, off PATH.
  std::filesystem::path sphinxtrain_dir = "/usr/lib/sphinxtrain";
  std::string sphinx_fe = "sphinx_fe";                    // sphinxbase-utils
  std::string mdef_convert = "pocketsphinx_mdef_convert"; // pocketsphinx
  /// Per tool run.
  std::chrono::seconds timeout{900};
  const std::atomic<bool>* cancel = nullptr;
};

/// What the tools lack, as a sentence naming the Debian package to install; nullopt when
/// every tool is there.
std::optional<std::string> adaptation_unavailable(const adaptation_options& opts);

/// A sphinxtrain mixture_weights file's contents: weights[senone][feature][codeword].
struct mixture_weights {
  uint32_t senones = 0, features = 0, codewords = 0;
  std::vector<float> weights;
  float at(uint32_t senone, uint32_t feature, uint32_t codeword) const {
    return weights[(static_cast<size_t>(senone) * features + feature) * codewords + codeword];
  }
};

/// pocketsphinx's quantised `sendump` (semi-continuous/PTM, no clustering) as normalised
/// mixture weights: each byte is a weight's negated log (base 1.0001) shifted right by
/// mixw_shift. Throws speech_error on a file it cannot read.
mixture_weights read_sendump(const std::filesystem::path& sendump);
/// Writes sphinxtrain's mixture_weights format (what bw reads, which has no sendump reader).
void write_mixture_weights(const mixture_weights& w, const std::filesystem::path& out);
mixture_weights read_mixture_weights(const std::filesystem::path& file);

/// Prepares cache_dir once: the text mdef, mixture_weights converted from sendump, and copies
/// of the other model files bw reads. Idempotent; each file is written under a temporary name
/// and renamed, so a crash never leaves a half-written one. Returns cache_dir. Throws
/// speech_error.
std::filesystem::path prepare_adaptation_model(const adaptation_options& opts);

/// text::read_file, failing with speech_error (the adaptation's own error).
std::string read_whole_file(const std::filesystem::path& p);
/// text::replace_file without fsync (readers see the old file or the new one; the profiles
/// and work files are learnt again if a crash loses them, and a video adds hundreds of them),
/// failing with speech_error.
void replace_file_atomically(const std::filesystem::path& path, const std::string& data);

/// One utterance as the recogniser decoded it.
struct adaptation_utterance {
  std::vector<int16_t> pcm;       // 16 kHz mono: exactly the audio decoded (its speech spans)
  std::vector<std::string> words; // what it heard
};

/// An utterance's features (a sphinx_fe .mfc file) and what the recogniser heard in it.
struct utterance_features {
  std::filesystem::path mfc;
  std::vector<std::string> words;
};

/// Computes each utterance's features as the decoder does (sphinx_fe with the model's
/// feat.params, 16 kHz) into the file `mfc[i]` (a sixth of the audio's size), using `work_dir`.
/// Throws speech_error.
void compute_features(const adaptation_options& opts,
                      const std::vector<adaptation_utterance>& utterances,
                      const std::vector<std::filesystem::path>& mfc,
                      const std::filesystem::path& work_dir);

/// As estimate_transform from audio, from features computed before.
std::string estimate_transform(const adaptation_options& opts,
                               const std::vector<utterance_features>& utterances,
                               const std::string& prior, const std::filesystem::path& work_dir);

/// Estimates an MLLR transform (the text of sphinxtrain's file) from `utterances`, run in
/// `work_dir`. With a `prior` transform, bw aligns against the model it adapts (its own
/// hypotheses came from it) while mllr_solve still solves against the base means, so the
/// result replaces the prior rather than stacking on it. Words the dictionary lacks are
/// dropped from the transcription. Throws speech_error: a missing tool names its package, a
/// failing one quotes the end of its log.
std::string estimate_transform(const adaptation_options& opts,
                               const std::vector<adaptation_utterance>& utterances,
                               const std::string& prior, const std::filesystem::path& work_dir);

} // namespace vfb
