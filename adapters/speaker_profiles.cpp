#include "adapters/speaker_profiles.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>

namespace vfb {

namespace fs = std::filesystem;

namespace {

constexpr int64_t sample_rate = 16000;

/// What a speaker's directory remembers between recordings (DIR/HASH/state).
struct pool_state {
  uint64_t next = 0; // the number of the next utterance kept
  int64_t used = 0;  // samples the last estimate used
  int64_t fresh = 0; // samples kept since the last estimate
};

pool_state read_state(const fs::path& file) {
  pool_state s;
  std::ifstream in{file};
  in >> s.next >> s.used >> s.fresh;
  return in ? s : pool_state{};
}

void write_state(const fs::path& file, const pool_state& s) {
  replace_file_atomically(file, std::to_string(s.next) + " " + std::to_string(s.used) + " " +
                                    std::to_string(s.fresh) + "\n");
}

/// FNV-1a: the file name of a speaker key (any text) is a fixed-length hex string.
std::string hash_hex(const std::string& key) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : key) {
    h ^= c;
    h *= 1099511628211ull;
  }
  char out[17];
  std::snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(h));
  return out;
}

/// The kept utterances (POOL/NUMBER.raw with its words in NUMBER.txt), oldest first.
std::vector<fs::path> pooled(const fs::path& pool) {
  std::vector<fs::path> raws;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(pool, ec))
    if (e.path().extension() == ".raw")
      raws.push_back(e.path());
  std::sort(raws.begin(), raws.end()); // numbers are zero-padded
  return raws;
}

} // namespace

speaker_profiles::speaker_profiles(fs::path dir, speaker_profile_options opts)
    : dir_(std::move(dir)), opts_(std::move(opts)) {
  if (opts_.adaptation.cache_dir.empty())
    opts_.adaptation.cache_dir = dir_ / "model";
}

fs::path speaker_profiles::dir_of(const std::string& speaker) const {
  return dir_ / hash_hex(speaker);
}

std::shared_ptr<std::mutex> speaker_profiles::lock_of(const std::string& speaker) const {
  std::lock_guard guard{mu_};
  auto& m = locks_[speaker];
  if (!m)
    m = std::make_shared<std::mutex>();
  return m;
}

std::string speaker_profiles::transform(const std::string& speaker) const {
  auto lock = lock_of(speaker);
  std::lock_guard guard{*lock};
  std::error_code ec;
  auto file = dir_of(speaker) / "transform.mllr";
  return fs::exists(file, ec) ? read_whole_file(file) : std::string{};
}

bool speaker_profiles::learn(const std::string& speaker, const std::vector<int16_t>& pcm,
                             const std::vector<speech_recognizer::utterance>& decoded) {
  auto lock = lock_of(speaker);
  std::lock_guard guard{*lock};
  auto dir = dir_of(speaker);
  auto pool = dir / "pool";
  std::error_code ec;
  fs::create_directories(pool, ec);
  if (ec)
    throw speech_error("cannot create " + pool.string() + ": " + ec.message());
  replace_file_atomically(dir / "speaker", speaker + "\n"); // for people looking in
  auto state = read_state(dir / "state");
  for (const auto& u : decoded) {
    if (u.words.empty())
      continue; // nothing to align
    std::string audio, words;
    for (const auto& span : u.spans)
      audio.append(reinterpret_cast<const char*>(pcm.data() + span.begin),
                   (span.end - span.begin) * sizeof(int16_t));
    for (const auto& w : u.words)
      words += w + " ";
    char name[32];
    std::snprintf(name, sizeof name, "%012llu", static_cast<unsigned long long>(state.next++));
    replace_file_atomically(pool / (std::string{name} + ".txt"), words);
    replace_file_atomically(pool / (std::string{name} + ".raw"), audio);
    state.fresh += static_cast<int64_t>(audio.size() / sizeof(int16_t));
  }
  // Only the most recent `window` of speech is kept.
  auto raws = pooled(pool);
  int64_t kept = 0;
  for (const auto& r : raws)
    kept += static_cast<int64_t>(fs::file_size(r, ec) / sizeof(int16_t));
  for (size_t i = 0; i + 1 < raws.size() && kept > opts_.window.count() * sample_rate; ++i) {
    kept -= static_cast<int64_t>(fs::file_size(raws[i], ec) / sizeof(int16_t));
    fs::remove(raws[i], ec);
    fs::remove(fs::path{raws[i]}.replace_extension(".txt"), ec);
  }
  bool due = state.fresh >= opts_.min_speech.count() * sample_rate &&
             static_cast<double>(state.fresh) >= opts_.renew * static_cast<double>(state.used);
  if (!due) {
    write_state(dir / "state", state);
    return false;
  }
  // Whether it works or not, the next try waits for as much new speech again.
  state.used = kept;
  state.fresh = 0;
  write_state(dir / "state", state);
  std::vector<adaptation_utterance> utterances;
  for (const auto& r : pooled(pool)) {
    adaptation_utterance u;
    auto audio = read_whole_file(r);
    u.pcm.resize(audio.size() / sizeof(int16_t));
    std::copy(audio.data(), audio.data() + u.pcm.size() * sizeof(int16_t),
              reinterpret_cast<char*>(u.pcm.data()));
    std::istringstream words{read_whole_file(fs::path{r}.replace_extension(".txt"))};
    for (std::string w; words >> w;)
      u.words.push_back(w);
    utterances.push_back(std::move(u));
  }
  auto file = dir / "transform.mllr";
  auto prior = fs::exists(file, ec) ? read_whole_file(file) : std::string{};
  auto work = dir / "work";
  auto fresh = estimate_transform(opts_.adaptation, utterances, prior, work);
  replace_file_atomically(file, fresh);
  fs::remove_all(work, ec);
  return true;
}

} // namespace vfb
