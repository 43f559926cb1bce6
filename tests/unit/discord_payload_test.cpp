// The Discord embed for a processed video: content, limits, UTF-8-safe cuts, no mentions.
#include "adapters/discord_webhook.hpp"
#include "text/durations.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace vfb;

namespace {

size_t chars(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s)
    n += (c & 0xC0) != 0x80;
  return n;
}

bool valid_utf8_end(const std::string& s) {
  return s.empty() || (static_cast<unsigned char>(s.back()) & 0xC0) != 0xC0;
}

} // namespace

TEST_CASE("a post shows title, link, uploader, duration, summary, topics and key phrases") {
  download_result d;
  d.title = "Volcanoes explained";
  d.webpage_url = "https://www.youtube.com/watch?v=abc";
  d.uploader = "Science Channel";
  d.duration = 212.4;
  analysis a;
  a.summary = {"Volcanoes erupt.", "Ash spreads."};
  a.topics = {{"volcano", 2.0}, {"ash", 1.0}};
  a.key_phrases = {{"solar eclipse", 3.0}};
  auto j = build_webhook_payload(make_post(d, a, "https://youtu.be/abc"));
  auto& e = j["embeds"][0];
  CHECK(e["title"] == "Volcanoes explained");
  CHECK(e["url"] == "https://www.youtube.com/watch?v=abc");
  CHECK(e["author"]["name"] == "Science Channel");
  CHECK(e["description"] == "Volcanoes erupt. Ash spreads.");
  REQUIRE(e["fields"].size() == 3);
  CHECK(e["fields"][0]["name"] == "Duration");
  CHECK(e["fields"][0]["value"] == "3:32");
  CHECK(e["fields"][1]["value"] == "volcano, ash");
  CHECK(e["fields"][2]["value"] == "solar eclipse");
  CHECK(j["allowed_mentions"]["parse"].empty());
  CHECK(e["fields"].dump().find("vfb") == std::string::npos); // no [api] public_url: no link
  auto linked = make_post(d, a, "https://youtu.be/abc");
  linked.page_url = "https://vfb.example.org/jobs/7";
  auto fields = build_webhook_payload(linked)["embeds"][0]["fields"];
  REQUIRE(fields.size() == 4);
  CHECK(fields[3]["value"] == "[Open on vfb](https://vfb.example.org/jobs/7)");
  CHECK(text::clock_duration(3723) == "1:02:03");
  CHECK(text::clock_duration(0).empty());
}

TEST_CASE("huge inputs stay within Discord's limits, cut on character boundaries") {
  discord_post p;
  p.title = std::string(300, 'T') + "é";
  std::string euro; // 3-byte characters
  for (int i = 0; i < 5000; ++i)
    euro += "\xE2\x82\xAC";
  p.summary = euro;
  p.uploader = "u";
  for (int i = 0; i < 400; ++i)
    p.topics.push_back("topic" + std::to_string(i));
  p.key_phrases = p.topics;
  auto j = build_webhook_payload(p);
  auto& e = j["embeds"][0];
  std::string title = e["title"], description = e["description"];
  CHECK(chars(title) == 256);
  CHECK(title.substr(title.size() - 3) == "\xE2\x80\xA6");
  CHECK(chars(description) <= 4096);
  CHECK(valid_utf8_end(description));
  size_t total = chars(title) + chars(description) + 1;
  for (auto& f : e["fields"]) {
    std::string v = f["value"];
    CHECK(chars(v) <= 1024);
    total += chars(f["name"].get<std::string>()) + chars(v);
  }
  CHECK(total <= 6000);
  // A mention in a title is plain text: no mention is parsed.
  p.title = "@everyone look";
  CHECK(build_webhook_payload(p)["allowed_mentions"]["parse"].empty());
  CHECK(truncate_utf8("héllo", 3) == "hé\xE2\x80\xA6");
  CHECK(truncate_utf8("abc", 3) == "abc");
}
