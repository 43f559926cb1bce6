// text::stem: libstemmer's English stemmer, one per thread (an sb_stemmer is not thread-safe).
#include "text/stemmer.hpp"

#include "text/tokenizer.hpp"

#include <libstemmer.h>
#include <stdexcept>
#include <unordered_map>

namespace vfb::text {

namespace {

constexpr size_t max_stemmed = 64; // the tokenizer's longest term

/// This thread's stemmer, created on first use and freed when the thread ends.
class thread_stemmer {
public:
  thread_stemmer() : stemmer_{sb_stemmer_new("english", "UTF_8")} {
    if (stemmer_ == nullptr)
      throw std::runtime_error("libstemmer cannot create an English stemmer");
  }
  ~thread_stemmer() { sb_stemmer_delete(stemmer_); }
  thread_stemmer(const thread_stemmer&) = delete;
  thread_stemmer& operator=(const thread_stemmer&) = delete;

  std::string stem(std::string_view term) {
    // Speech repeats its words: most stems are looked up, not computed (a third of a search's
    // time went to Snowball before). The cache starts again when full.
    std::string key{term};
    if (auto at = cache_.find(key); at != cache_.end())
      return at->second;
    if (cache_.size() >= max_cached)
      cache_.clear();
    auto out = sb_stemmer_stem(stemmer_, reinterpret_cast<const sb_symbol*>(term.data()),
                               static_cast<int>(term.size()));
    if (out == nullptr)
      throw std::runtime_error("libstemmer ran out of memory");
    std::string stemmed{reinterpret_cast<const char*>(out),
                        static_cast<size_t>(sb_stemmer_length(stemmer_))};
    cache_.emplace(std::move(key), stemmed);
    return stemmed;
  }

private:
  static constexpr size_t max_cached = 100'000;
  sb_stemmer* stemmer_;
  std::unordered_map<std::string, std::string> cache_;
};

} // namespace

std::string stem(std::string_view term) {
  if (term.empty() || term.size() > max_stemmed)
    return std::string{term};
  // A constructor that throws leaves the thread_local uninitialised: the next call tries again.
  thread_local thread_stemmer stemmer;
  return stemmer.stem(term);
}

std::vector<std::string> index_terms(std::string_view input) {
  auto out = content_terms(input);
  for (auto& term : out)
    term = stem(term);
  return out;
}

std::vector<std::string> word_stems(std::string_view input) {
  std::vector<std::string> out;
  for (auto& t : tokenize(input))
    out.push_back(stem(t.term));
  return out;
}

} // namespace vfb::text
