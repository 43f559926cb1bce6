// The passage shown for a search hit (text/snippet.hpp).
#include "text/snippet.hpp"
#include "text/stemmer.hpp"
#include "text/tokenizer.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <string>

using namespace vfb;

namespace {

/// The passage for one query word.
std::string snippet(const std::string& text, const std::string& word) {
  return text::marked_snippet(text, {text::stem(word)}).text;
}

} // namespace

TEST_CASE("snippets show the first match in about 200 characters") {
  std::string before, after;
  for (int i = 0; i < 40; ++i)
    before += "lorem" + std::to_string(i) + " ";
  for (int i = 0; i < 40; ++i)
    after += " ipsum" + std::to_string(i);
  auto text = before + "needle" + after;
  auto s = snippet(text, "needle");
  CHECK(s.rfind("… ", 0) == 0);
  CHECK(s.size() >= 2 * std::string{" …"}.size() + 150);
  CHECK(s.size() <= 200 + 2 * std::string{" …"}.size());
  CHECK(s.substr(s.size() - std::string{" …"}.size()) == " …");
  auto at = s.find("needle");
  REQUIRE(at != std::string::npos);
  CHECK(at < 80); // some context before, most of the window after
  // Cut at word boundaries only: every word shown is a whole word of the text.
  auto inner = s.substr(std::string{"… "}.size(), s.size() - 2 * std::string{" …"}.size());
  auto words = text::terms(text);
  for (auto& w : text::terms(inner))
    CHECK(std::find(words.begin(), words.end(), w) != words.end());

  CHECK(snippet("short text, with the needle.", "needle") == "short text, with the needle.");
  CHECK(snippet("needle" + after, "needle").rfind("needle ipsum0", 0) == 0);
  // Near the end of the text the window reaches further back instead.
  auto tail = snippet(before + "needle", "needle");
  CHECK(tail.size() > 150);
  CHECK(tail.substr(tail.size() - 6) == "needle");
  // No match: the start of the text. White space is folded.
  CHECK(snippet("first\n\nline   second", "absent") == "first line second");
  CHECK(snippet("", "x").empty());
}
