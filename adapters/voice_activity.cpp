#include "adapters/voice_activity.hpp"

#include <algorithm>
#include <cmath>

namespace vfb {

namespace {

/// Frame energies in dB (of int16 power; 0 for digital silence).
std::vector<double> frame_levels(const std::vector<int16_t>& pcm, size_t frame) {
  std::vector<double> out;
  for (size_t at = 0; at < pcm.size(); at += frame) {
    out.push_back(10 * std::log10(1 + mean_power(pcm, at, std::min(pcm.size(), at + frame))));
  }
  return out;
}

double percentile(std::vector<double> v, double p) {
  auto at = static_cast<size_t>(p * static_cast<double>(v.size() - 1));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(at), v.end());
  return v[at];
}

} // namespace

double mean_power(const std::vector<int16_t>& pcm, size_t begin, size_t end) {
  double power = 0;
  for (size_t k = begin; k < end; ++k)
    power += static_cast<double>(pcm[k]) * pcm[k];
  return end > begin ? power / static_cast<double>(end - begin) : 0;
}

std::vector<sample_span> speech_spans(const std::vector<int16_t>& pcm,
                                      const voice_activity_options& opts) {
  const size_t frame = static_cast<size_t>(opts.sample_rate) / 100;
  auto levels = frame_levels(pcm, frame);
  if (levels.empty())
    return {};
  double floor = percentile(levels, 0.10), speech = percentile(levels, 0.90);
  // Below ~ -80 dBFS all through: nothing is said (power 1 is an amplitude of one step).
  constexpr double inaudible_db = 10;
  if (speech < inaudible_db)
    return {};
  // Too little contrast to tell speech from pauses: all of it is one span.
  constexpr double min_contrast_db = 12;
  if (speech - floor < min_contrast_db)
    return {{0, pcm.size()}};
  // A third of the way from the floor to the speech level: above the noise, below the
  // quieter consonants.
  double threshold = floor + (speech - floor) / 3;

  // Runs of loud frames, joined across pauses shorter than min_pause_ms.
  const size_t min_pause = static_cast<size_t>(opts.min_pause_ms) / 10;
  const size_t min_speech = static_cast<size_t>(std::max(1, opts.min_speech_ms / 10));
  std::vector<std::pair<size_t, size_t>> runs; // frames [first, last)
  for (size_t f = 0; f < levels.size();) {
    if (levels[f] <= threshold) {
      ++f;
      continue;
    }
    size_t first = f;
    while (f < levels.size() && levels[f] > threshold)
      ++f;
    if (!runs.empty() && first - runs.back().second < min_pause)
      runs.back().second = f;
    else
      runs.emplace_back(first, f);
  }
  std::vector<sample_span> out;
  const size_t margin = static_cast<size_t>(opts.margin_ms) * frame / 10;
  for (auto [first, last] : runs) {
    if (last - first < min_speech)
      continue; // a click
    size_t begin = first * frame, end = std::min(pcm.size(), last * frame);
    begin = begin > margin ? begin - margin : 0;
    end = std::min(pcm.size(), end + margin);
    if (!out.empty() && begin <= out.back().end)
      out.back().end = end; // margins met: one span
    else
      out.push_back({begin, end});
  }
  return out;
}

} // namespace vfb
