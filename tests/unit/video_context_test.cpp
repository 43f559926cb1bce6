// What a video's uploader says it is about (text::video_context).
#include "text/video_context.hpp"

#include <catch2/catch.hpp>

using namespace vfb;

TEST_CASE("title, tags, chapters and the description's own lines make a video's context") {
  download_result d;
  d.title = "A talk about volcanoes";
  d.tags = {"volcano", "lava", "--"};
  d.chapters = {"Intro", "Lava flows"};
  d.description = "How lava and ash shape the land.\n\n00:00 Intro\n1:02:03 - Ash clouds\n"
                  "Subscribe for more: https://example.com/sub\nFollow us on Instagram!\n"
                  "Support the channel on Patreon\n#volcano #geology";
  CHECK(text::video_context(d) == "A talk about volcanoes\nvolcano\nlava\nIntro\nLava flows\n"
                                  "How lava and ash shape the land.\nIntro\nAsh clouds\n"
                                  "#volcano #geology");
}

TEST_CASE("a video with only a title has the title as its context and a long description is cut") {
  download_result d;
  d.title = "Volcanoes";
  CHECK(text::video_context(d) == "Volcanoes");
  d.description = std::string(3000, 'a');
  auto context = text::video_context(d);
  CHECK(context.size() == std::string{"Volcanoes\n"}.size() + 2000);
  CHECK(text::video_context(download_result{}).empty());
}

TEST_CASE("the recogniser is biased only when the uploader said more than a title") {
  download_result d;
  d.title = "Running a marathon";
  CHECK(text::recogniser_context(d).empty());
  d.tags = {"marathon", "race"};
  CHECK(text::recogniser_context(d) == "Running a marathon\nmarathon\nrace");
  d.tags.clear();
  d.description = "Tips for your first race.";
  CHECK(text::recogniser_context(d) == text::video_context(d));
}
