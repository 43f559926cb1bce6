#include "adapters/speaker_profiles.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>

namespace vfb {

namespace fs = std::filesystem;

namespace {

constexpr int64_t sample_rate = 16000;
constexpr int64_t samples_per_frame = sample_rate / 100;
constexpr int64_t bytes_per_frame = 13 * 4; // sphinx_fe's 13 cepstra, float32

/// The samples a feature file stands for (after its 4-byte count).
int64_t samples_of(const fs::path& mfc) {
  std::error_code ec;
  auto size = static_cast<int64_t>(fs::file_size(mfc, ec));
  return ec || size < 4 ? 0 : (size - 4) / bytes_per_frame * samples_per_frame;
}

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

/// The kept utterances (POOL/NUMBER.mfc, their features, with the words in NUMBER.txt), oldest
/// first. Features, not audio: a sixth of the size.
std::vector<fs::path> pooled(const fs::path& pool) {
  std::vector<fs::path> raws;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(pool, ec))
    if (e.path().extension() == ".mfc")
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
  std::vector<adaptation_utterance> fresh;
  std::vector<fs::path> names;
  std::vector<std::string> heard;
  for (const auto& u : decoded) {
    if (u.words.empty())
      continue; // nothing to align
    adaptation_utterance a;
    for (const auto& span : u.spans)
      a.pcm.insert(a.pcm.end(), pcm.begin() + static_cast<std::ptrdiff_t>(span.begin),
                   pcm.begin() + static_cast<std::ptrdiff_t>(span.end));
    a.words = u.words;
    char name[32];
    std::snprintf(name, sizeof name, "%012llu", static_cast<unsigned long long>(state.next++));
    names.push_back(pool / name);
    auto& words = heard.emplace_back();
    for (const auto& w : u.words)
      words += w + " ";
    state.fresh += static_cast<int64_t>(a.pcm.size());
    fresh.push_back(std::move(a));
  }
  std::vector<fs::path> mfc;
  for (const auto& n : names)
    mfc.push_back(fs::path{n}.replace_extension(".mfc"));
  compute_features(opts_.adaptation, fresh, mfc, dir / "work");
  for (size_t i = 0; i < names.size(); ++i)
    replace_file_atomically(fs::path{names[i]}.replace_extension(".txt"), heard[i]);
  // Only the most recent `window` of speech is kept.
  auto kept_files = pooled(pool);
  int64_t kept = 0;
  for (const auto& f : kept_files)
    kept += samples_of(f);
  for (size_t i = 0; i + 1 < kept_files.size() && kept > opts_.window.count() * sample_rate; ++i) {
    kept -= samples_of(kept_files[i]);
    fs::remove(kept_files[i], ec);
    fs::remove(fs::path{kept_files[i]}.replace_extension(".txt"), ec);
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
  std::vector<utterance_features> utterances;
  for (const auto& f : pooled(pool)) {
    utterance_features u{f, {}};
    std::istringstream words{read_whole_file(fs::path{f}.replace_extension(".txt"))};
    for (std::string w; words >> w;)
      u.words.push_back(w);
    utterances.push_back(std::move(u));
  }
  auto file = dir / "transform.mllr";
  auto prior = fs::exists(file, ec) ? read_whole_file(file) : std::string{};
  auto work = dir / "work";
  replace_file_atomically(file, estimate_transform(opts_.adaptation, utterances, prior, work));
  fs::remove_all(work, ec);
  return true;
}

} // namespace vfb
