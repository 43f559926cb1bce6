// yt-dlp's command line, info JSON, error messages and progress lines (no yt-dlp run here;
// tests/e2e/ytdlp_test.cpp runs the real one against a loopback server).
#include "adapters/ytdlp.hpp"
#include "tests/support/temp_dir.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <fstream>

using namespace vfb;

namespace {

process_result failed_with(const std::string& err, int code = 1) {
  process_result r;
  r.exit_code = code;
  r.err = err;
  return r;
}

void touch(const std::filesystem::path& p) {
  std::ofstream(p) << "x";
}

const char* youtube_info = R"({
  "id": "dQw4w9WgXcQ", "title": "A talk about volcanoes", "extractor": "youtube",
  "extractor_key": "Youtube", "uploader": "Science Channel", "uploader_id": "@science",
  "uploader_url": "https://www.youtube.com/@science", "channel_id": "UCabcdefghijklmnopqrstuv",
  "channel_url": "https://www.youtube.com/channel/UCabcdefghijklmnopqrstuv",
  "webpage_url": "https://www.youtube.com/watch?v=dQw4w9WgXcQ", "upload_date": "20260301",
  "timestamp": 1772366400, "duration": 212.5, "live_status": "not_live",
  "availability": "public", "subtitles": {"en": [{"ext": "vtt"}]},
  "automatic_captions": {"en-orig": [{"ext": "vtt"}], "de": [{"ext": "vtt"}]},
  "requested_downloads": [{"filepath": "%MEDIA%"}]
})";

} // namespace

TEST_CASE("the command line downloads one video, with the URL after --") {
  ytdlp_options o;
  auto argv = download_argv(o, "-oops https://example.org/v", "/data/v1");
  REQUIRE(argv.size() >= 3);
  CHECK(argv.front() == "yt-dlp");
  CHECK(argv[argv.size() - 2] == "--");
  CHECK(argv.back() == "-oops https://example.org/v");
  auto has = [&](const std::string& a) { return std::count(argv.begin(), argv.end(), a) == 1; };
  CHECK(has("--no-playlist"));
  CHECK(has("--ignore-config"));
  CHECK(has("--write-info-json"));
  CHECK(has("--write-subs"));
  CHECK(has("--write-auto-subs"));
  CHECK(has("en.*,en"));
  CHECK(has("bestaudio/best"));
  CHECK(has("/data/v1/media.%(ext)s"));
  CHECK_FALSE(has("--dateafter"));
  o.date_after = "20251124";
  o.extra_args = {"--proxy", "socks5://127.0.0.1:9"};
  argv = download_argv(o, "https://example.org/v", "/d");
  auto dash = std::find(argv.begin(), argv.end(), "--");
  CHECK(std::find(argv.begin(), dash, "--dateafter") != dash);
  CHECK(std::find(argv.begin(), dash, "--proxy") != dash);
}

TEST_CASE("info JSON becomes a download result; media and captions are found") {
  test::temp_dir dir;
  auto media = dir / "media.webm";
  touch(media);
  touch(dir / "media.de.vtt");
  touch(dir / "media.en-orig.vtt");
  touch(dir / "media.en.vtt");
  touch(dir / "media.info.json");
  std::string json = youtube_info;
  json.replace(json.find("%MEDIA%"), 7, media.string());
  auto r = parse_info_json(json, dir.path());
  CHECK(r.extractor == "Youtube");
  CHECK(r.video_id == "dQw4w9WgXcQ");
  CHECK(r.title == "A talk about volcanoes");
  CHECK(r.uploader == "Science Channel");
  CHECK(r.uploader_id == "@science");
  CHECK(r.channel_id == "UCabcdefghijklmnopqrstuv");
  CHECK(r.upload_date == "20260301");
  CHECK(r.timestamp == 1772366400);
  CHECK(r.duration == Approx(212.5));
  CHECK(r.live_status == "not_live");
  CHECK(r.media_path == media.string());
  // Manual English first, then automatic English, then other languages.
  REQUIRE(r.caption_paths.size() == 3);
  CHECK(r.caption_paths[0] == (dir / "media.en.vtt").string());
  CHECK(r.caption_paths[1] == (dir / "media.en-orig.vtt").string());
  CHECK(r.caption_paths[2] == (dir / "media.de.vtt").string());
}

TEST_CASE("a generic page's sparse info JSON still parses; the media file is found by name") {
  test::temp_dir dir;
  touch(dir / "media.mp4");
  touch(dir / "media.info.json");
  auto r = parse_info_json(R"({"id": "talk", "extractor_key": "Generic", "title": null,
                               "duration": "not a number"})",
                           dir.path());
  CHECK(r.video_id == "talk");
  CHECK(r.title.empty());
  CHECK(r.duration == 0);
  CHECK(r.uploader.empty());
  CHECK(r.media_path == (dir / "media.mp4").string());
  CHECK(r.caption_paths.empty());
}

TEST_CASE("broken info JSON is a clear permanent error") {
  test::temp_dir dir;
  for (auto bad : {"{not json", "[]", R"({"title": "no id"})", ""}) {
    try {
      parse_info_json(bad, dir.path());
      FAIL("accepted " << bad);
    } catch (const ytdlp_error& e) {
      CHECK(e.failure().kind == ytdlp_failure::permanent);
      CHECK_THAT(e.what(), Catch::Contains("info JSON"));
    }
  }
}

TEST_CASE("failures are classified from yt-dlp's messages") {
  struct row {
    const char* err;
    ytdlp_failure kind;
  };
  const row rows[] = {
      {"ERROR: [youtube] abc: Private video. Sign in if you've been granted access",
       ytdlp_failure::permanent},
      {"ERROR: [youtube] abc: Video unavailable. This video has been removed by the uploader",
       ytdlp_failure::permanent},
      {"ERROR: [youtube] abc: Join this channel to get access to members-only content",
       ytdlp_failure::permanent},
      {"ERROR: Unsupported URL: https://example.org/page", ytdlp_failure::permanent},
      {"ERROR: [generic] Unable to download webpage: HTTP Error 404: Not Found",
       ytdlp_failure::permanent},
      {"ERROR: [youtube] abc: Sign in to confirm you're not a bot. This helps protect",
       ytdlp_failure::throttled},
      {"ERROR: [youtube] abc: Sign in to confirm you\xe2\x80\x99re not a bot",
       ytdlp_failure::throttled},
      {"ERROR: unable to download video data: HTTP Error 429: Too Many Requests",
       ytdlp_failure::throttled},
      {"ERROR: [youtube] abc: Unable to download API page: <urlopen error timed out>",
       ytdlp_failure::transient},
      {"WARNING: something\nERROR: giving up after 10 fragment retries", ytdlp_failure::transient},
  };
  for (auto& r : rows) {
    INFO(r.err);
    auto c = classify_failure(failed_with(r.err));
    CHECK(c.kind == r.kind);
    CHECK_FALSE(c.reason.empty());
    CHECK(c.reason.rfind("ERROR:", 0) != 0); // the prefix is dropped
  }
  auto throttled = classify_failure(failed_with("HTTP Error 429: Too Many Requests"));
  CHECK(throttled.retry_after.count() > 0);
  // The reason is the last ERROR line, not a later warning.
  auto c = classify_failure(failed_with("ERROR: first\nERROR: [generic] HTTP Error 410: Gone\n"
                                        "WARNING: cleanup\n"));
  CHECK(c.reason == "[generic] HTTP Error 410: Gone");
  process_result crashed;
  crashed.signal = 11;
  CHECK(classify_failure(crashed).kind == ytdlp_failure::transient);
  CHECK_THAT(classify_failure(crashed).reason, Catch::Contains("signal 11"));
  process_result timed_out;
  timed_out.timed_out = true;
  timed_out.signal = 15;
  CHECK(classify_failure(timed_out).kind == ytdlp_failure::transient);
  CHECK_THAT(classify_failure(timed_out).reason, Catch::Contains("timed out"));
  process_result missing;
  missing.spawn_failed = true;
  missing.error = "program not found: yt-dlp";
  CHECK(classify_failure(missing).reason == "program not found: yt-dlp");
}

TEST_CASE("progress lines give a percentage; other lines do not") {
  CHECK(parse_progress("[download]  42.5% of 3.00MiB at 1.00MiB/s ETA 00:01") == Approx(42.5));
  CHECK(parse_progress("[download] 100% of 3.00MiB in 00:00:02") == Approx(100));
  CHECK_FALSE(parse_progress("[download] Destination: /tmp/media.webm"));
  CHECK_FALSE(parse_progress("[info] 42% of nothing"));
  CHECK_FALSE(parse_progress("[download] %"));
  CHECK(skipped_by_date("[download] upload date is not in range 20250101-99991231"));
  CHECK_FALSE(skipped_by_date("[download] 100% of 3.00MiB"));
}
