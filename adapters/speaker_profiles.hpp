// Speaker transforms per uploader, in a directory of the node's data dir: each uploader's
// current MLLR transform and the recent speech it was (or will be) estimated from. The stage
// decodes an uploader's video with its transform, then hands the decoded utterances back here;
// once enough new speech has come in, the transform is estimated again, aligned with the
// current one. Plain C++, no CAF; thread-safe (one lock per uploader).
#pragma once

#include "adapters/speaker_adaptation.hpp"
#include "adapters/speech.hpp"

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace vfb {

struct speaker_profile_options {
  /// How the tools run (its cache_dir defaults to DIR/model).
  adaptation_options adaptation;
  /// Decoded speech before the first estimate; later ones wait until `renew` times as much new
  /// speech has come in as the last estimate used, and min_speech (at 10, 20, 30, 40, 50, 62,
  /// 78 s, ... of speech, the pool up to `window`),
  /// so estimating costs a bounded share of the decoding whatever the videos' lengths. On the
  /// Asterisk prompts (a quarter, 321 s; docs/PERFORMANCE.md) 10 s and 0.25 measured best: WER
  /// 0.41 (20 s: 0.44, 40 s: 0.46; renew 0.5: 0.45, 1: 0.46), estimating at 0.1 of real time.
  std::chrono::seconds min_speech{10};
  double renew = 0.25;
  /// The most recent speech kept to estimate from, as features (bw's time grows with it;
  /// 10 minutes are 3 MB).
  std::chrono::seconds window{600};
};

class speaker_profiles {
public:
  speaker_profiles(std::filesystem::path dir, speaker_profile_options opts);

  /// The speaker's transform (sphinxtrain's MLLR text); empty when there is none yet.
  std::string transform(const std::string& speaker) const;

  /// Learns from one recording: `decoded` is what the recogniser decoded of `pcm` (16 kHz;
  /// speech_recognizer::last_utterances) with the speaker's current transform. Returns whether
  /// a new transform was estimated and stored. Throws speech_error when estimating fails (the
  /// next try waits for more speech).
  bool learn(const std::string& speaker, const std::vector<int16_t>& pcm,
             const std::vector<speech_recognizer::utterance>& decoded);

  /// The speaker's directory: DIR/ and a hash of the key (any text, e.g.
  /// "acme:youtube:UC...", tenant, source and channel).
  std::filesystem::path dir_of(const std::string& speaker) const;

private:
  std::shared_ptr<std::mutex> lock_of(const std::string& speaker) const;

  std::filesystem::path dir_;
  speaker_profile_options opts_;
  mutable std::mutex mu_;
  mutable std::map<std::string, std::shared_ptr<std::mutex>> locks_;
};

} // namespace vfb
