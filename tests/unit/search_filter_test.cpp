// follows/search_filter: what people type to narrow a search, as the CLI, the API, the Discord
// bridge and the web page all take it: days in either spelling, channels in any spelling,
// follows only of the asker's own workspace, and a clear refusal of everything else.
#include "follows/follow_service.hpp"
#include "follows/search_filter.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>

using namespace vfb;

namespace {

constexpr millis now = 1'764'419'400'000;

/// A registry holding one follow of @geology in acme/main.
struct registry_with_follow {
  test::temp_dir dir;
  std::shared_ptr<follow_registry> registry;
  uint64_t id = 0;
  registry_with_follow() {
    follow_registry_options o;
    o.dir = dir / "follows";
    o.sync = false;
    registry = std::make_shared<follow_registry>(o);
    follow_options fo;
    fo.max_videos = 10;
    fo.window = 1000;
    follow_service follows{registry, fo};
    follow_request r;
    r.url = "https://www.youtube.com/@Geology/videos";
    r.tenant = "acme";
    r.workspace = "main";
    id = follows.follow(r, now, first_listing::by_caller).follow.id;
  }
};

std::string refusal(const search_filter_words& w, const follow_registry* r = nullptr) {
  try {
    make_search_filter(w, r, "acme", "main");
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "(accepted)";
}

} // namespace

TEST_CASE("search filter: days in either spelling and an inclusive range") {
  auto f = make_search_filter({"", "", "2026-01-15", "20260131", ""}, nullptr, "acme", "main");
  CHECK(f.from_date == "20260115");
  CHECK(f.to_date == "20260131");
  CHECK_FALSE(f.job_id);
  CHECK(f.channels.empty());
  CHECK(make_search_filter({}, nullptr, "acme", "main").any() == false);
  CHECK(refusal({"", "", "2026-02-30", "", ""}) ==
        "from is not a day (YYYY-MM-DD): \"2026-02-30\"");
  CHECK(refusal({"", "", "", "next week", ""}) == "to is not a day (YYYY-MM-DD): \"next week\"");
  CHECK(refusal({"", "", "2026-01-15T10:00:00Z", "", ""}).find("not a day") != std::string::npos);
  CHECK(refusal({"", "", "2026-02-01", "2026-01-31", ""}).find("ends") != std::string::npos);
}

TEST_CASE("search filter: a channel in any spelling becomes its canonical URL") {
  for (auto typed :
       {"@Geology", "https://www.youtube.com/@geology/videos", "http://m.youtube.com/@GEOLOGY"})
    CHECK(make_search_filter({"", typed, "", "", ""}, nullptr, "t", "w").channels ==
          std::vector<std::string>{"https://www.youtube.com/@geology"});
  CHECK(make_search_filter({"", "https://example.org/feed.xml", "", "", ""}, nullptr, "t", "w")
            .channels == std::vector<std::string>{"https://example.org/feed.xml"});
  CHECK(refusal({"", "geology", "", "", ""}).find("channel is not a channel") != std::string::npos);
  CHECK(refusal({"", "", "", "", "12x"}) == "job is not a job id: \"12x\"");
  CHECK(make_search_filter({"", "", "", "", "12"}, nullptr, "t", "w").job_id == 12u);
}

TEST_CASE("search filter: a follow of the workspace names its channel and no other's does") {
  registry_with_follow r;
  auto id = std::to_string(r.id);
  auto f = make_search_filter({id, "", "", "", ""}, r.registry.get(), "acme", "main");
  CHECK(f.channels == std::vector<std::string>{"https://www.youtube.com/@geology"});
  // Another workspace's follow and a follow that does not exist are refused alike.
  std::string refused_other;
  try {
    make_search_filter({id, "", "", "", ""}, r.registry.get(), "globex", "main");
  } catch (const std::invalid_argument& e) {
    refused_other = e.what();
  }
  CHECK(refused_other == "no follow \"" + id + "\" in this workspace");
  CHECK(refusal({"999", "", "", "", ""}, r.registry.get()) ==
        "no follow \"999\" in this workspace");
  CHECK(refusal({id, "", "", "", ""}) == "no follow \"" + id + "\" in this workspace");
  // The follow and a channel together must agree.
  CHECK(make_search_filter({id, "@geology", "", "", ""}, r.registry.get(), "acme", "main")
            .channels.size() == 2);
  CHECK(refusal({id, "@other", "", "", ""}, r.registry.get()).find("give one of them") !=
        std::string::npos);
}
