// yt-dlp's command line, info JSON, error messages and progress lines (no yt-dlp run here;
// tests/e2e/ytdlp_test.cpp runs the real one against a loopback server).
#include "adapters/ytdlp.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/ytdlp_samples.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

using namespace vfb;
namespace fs = std::filesystem;

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
  CHECK_FALSE(has("--match-filters"));
  o.date_after = "20251124";
  o.time_after = 1'763'990'000;
  o.extra_args = {"--proxy", "socks5://127.0.0.1:9"};
  argv = download_argv(o, "https://example.org/v", "/d");
  auto dash = std::find(argv.begin(), argv.end(), "--");
  CHECK(std::find(argv.begin(), dash, "--dateafter") != dash);
  auto match = std::find(argv.begin(), dash, "--match-filters");
  REQUIRE(match != dash);
  CHECK(*(match + 1) == "timestamp>=?1763990000");
  CHECK(std::find(argv.begin(), dash, "--proxy") != dash);
  // Only original caption tracks: YouTube's translations of them are not asked for.
  auto ea = std::find(argv.begin(), dash, "--extractor-args");
  REQUIRE(ea + 1 < dash);
  CHECK(*(ea + 1) == "youtube:skip=translated_subs");
}

TEST_CASE("our extractor arguments join the operator's: yt-dlp keeps one set per extractor") {
  std::vector<std::string> argv{"yt-dlp", "--extractor-args", "YouTube:po_token=web.gvs+T",
                                "--extractor-args", "generic:impersonate"};
  add_extractor_arg(argv, "youtube", "skip=translated_subs");
  CHECK(argv == std::vector<std::string>{"yt-dlp", "--extractor-args",
                                         "youtube:po_token=web.gvs+T;skip=translated_subs",
                                         "--extractor-args", "generic:impersonate"});
  argv = {"--extractor-args", "youtube:skip=dash;player_client=web"};
  add_extractor_arg(argv, "youtube", "skip=translated_subs");
  CHECK(argv[1] == "youtube:skip=dash,translated_subs;player_client=web");
  add_extractor_arg(argv, "youtubetab", "approximate_date");
  add_extractor_arg(argv, "youtubetab", "approximate_date");
  CHECK(argv == std::vector<std::string>{"--extractor-args",
                                         "youtube:skip=dash,translated_subs;player_client=web",
                                         "--extractor-args", "youtubetab:approximate_date"});
}

TEST_CASE("the command line keeps yt-dlp to the job's directory and our settings") {
  ytdlp_options o;
  o.program = "/opt/yt-dlp/yt-dlp";
  o.sub_langs = {"de", "en.*"};
  o.format = "worstaudio";
  o.socket_timeout = std::chrono::seconds{7};
  auto argv = download_argv(o, "https://example.org/v", "/jobs/100%/v%(id)s");
  auto after = [&](const std::string& option) {
    auto it = std::find(argv.begin(), argv.end(), option);
    return it == argv.end() || it + 1 == argv.end() ? std::string{"<missing>"} : *(it + 1);
  };
  CHECK(argv.front() == "/opt/yt-dlp/yt-dlp");
  CHECK(after("--sub-langs") == "de,en.*");
  CHECK(after("-f") == "worstaudio");
  CHECK(after("--socket-timeout") == "7");
  CHECK(after("--sub-format") == "vtt");
  // A '%' in the directory is literal, not an output template field.
  CHECK(after("-o") == "/jobs/100%%/v%%(id)s/media.%(ext)s");
  for (auto* flag : {"--ignore-config", "--no-cache-dir", "--newline", "--restrict-filenames"})
    CHECK(std::count(argv.begin(), argv.end(), flag) == 1);
  // Every option comes before `--`; only the URL follows it.
  CHECK(std::find(argv.begin(), argv.end(), "--") == argv.end() - 2);
}

TEST_CASE("info JSON becomes a download result with its media and caption files") {
  test::temp_dir dir;
  auto media = dir / "media.webm";
  touch(media);
  touch(dir / "media.de.vtt");
  touch(dir / "media.en-orig.vtt");
  touch(dir / "media.en.vtt");
  touch(dir / "media.info.json");
  std::string json = test::youtube_info;
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
  // What the uploader says about it; a tag that is no text and a chapter without a title are
  // skipped.
  CHECK(r.description.rfind("How lava and ash shape the land.\n", 0) == 0);
  CHECK(r.tags == std::vector<std::string>{"volcano", "lava", "geology"});
  CHECK(r.chapters == std::vector<std::string>{"Intro", "Lava flows"});
}

TEST_CASE("a site without description, tags or chapters gives none, whatever stands there") {
  test::temp_dir dir;
  for (auto* extra : {R"()", R"(, "description": null, "tags": null, "chapters": null)",
                      R"(, "description": 7, "tags": "volcano", "chapters": {"title": "x"})"}) {
    auto r = parse_info_json(std::string{R"({"id": "x")"} + extra + "}", dir.path());
    INFO(extra);
    CHECK(r.description.empty());
    CHECK(r.tags.empty());
    CHECK(r.chapters.empty());
  }
}

TEST_CASE("captions: wanted languages first, then people's captions, then preference order") {
  test::temp_dir dir;
  touch(dir / "media.m4a");
  for (auto* lang : {"fr", "de", "en-orig", "en", "pt-BR"})
    touch(dir / (std::string{"media."} + lang + ".vtt"));
  touch(dir / "media.en.srv3"); // a fallback format we do not read
  auto json = R"({"id": "x", "subtitles": {"fr": [], "pt-BR": []},
                  "automatic_captions": {"de": [], "en": [], "en-orig": []}})";
  auto names = [&](const std::vector<std::string>& sub_langs) {
    std::vector<std::string> out;
    for (auto& p : parse_info_json(json, dir.path(), sub_langs).caption_paths)
      out.push_back(std::filesystem::path{p}.filename().string());
    return out;
  };
  // Patterns match the whole code: "en" is not "en-orig". Files nobody asked for come last.
  CHECK(names({"pt-.*", "de", "en"}) == std::vector<std::string>{"media.pt-BR.vtt", "media.de.vtt",
                                                                 "media.en.vtt", "media.fr.vtt",
                                                                 "media.en-orig.vtt"});
  // Among equals the original speech, then the language itself.
  CHECK(names({"en.*"}) == std::vector<std::string>{"media.en-orig.vtt", "media.en.vtt",
                                                    "media.fr.vtt", "media.pt-BR.vtt",
                                                    "media.de.vtt"});
  // A translation that sorts first by name ("en-de" < "en.") never beats the original.
  touch(dir / "media.en-de.vtt");
  CHECK(names({"en.*", "en"}).front() == "media.en-orig.vtt");
  CHECK(names({"en"}).front() == "media.en.vtt");
  std::filesystem::remove(dir / "media.en-de.vtt");
  // "all" wants everything: people's first.
  CHECK(names({"all"}).front() == "media.fr.vtt");
  CHECK(names({"all"}).size() == 5);
}

TEST_CASE("the media file is the one media.EXT, not a part, fragment, caption or metadata") {
  test::temp_dir dir;
  for (auto* n : {"media.info.json", "media.en.vtt", "media.en.srv3", "media.webm.part",
                  "media.f251.webm", "media.temp.m4a", "other.mp4"})
    touch(dir / n);
  auto r = parse_info_json(R"({"id": "x", "requested_downloads": [{"filepath": "/gone.webm"}],
                               "_filename": "/also/gone.webm"})",
                           dir.path());
  CHECK(r.media_path.empty()); // nothing usable yet
  touch(dir / "media.opus");
  r = parse_info_json(R"({"id": "x", "requested_downloads": [{"filepath": "/gone.webm"}]})",
                      dir.path());
  CHECK(r.media_path == (dir / "media.opus").string());
}

TEST_CASE("a media path the info JSON names outside the job's directory is never taken") {
  test::temp_dir dir;
  test::temp_dir elsewhere;
  touch(elsewhere / "secret.mp4");
  fs::create_directories(dir / "sub");
  touch(dir / "sub" / "deeper.mp4");
  fs::create_symlink(elsewhere / "secret.mp4", dir / "link.mp4");
  for (const auto& named :
       {(elsewhere / "secret.mp4").string(),
        (dir / ".." / elsewhere.path().filename() / "secret.mp4").string(),
        (dir / "link.mp4").string(), (dir / "sub" / "deeper.mp4").string(),
        (dir / "sub" / ".." / ".." / elsewhere.path().filename() / "secret.mp4").string()}) {
    INFO(named);
    nlohmann::json info{{"id", "x"}, {"filepath", named}, {"_filename", named}};
    CHECK(parse_info_json(info.dump(), dir.path()).media_path.empty());
  }
  touch(dir / "media.mp4");
  nlohmann::json info{{"id", "x"}, {"filepath", (elsewhere / "secret.mp4").string()}};
  CHECK(parse_info_json(info.dump(), dir.path()).media_path == (dir / "media.mp4").string());
}

TEST_CASE("a generic page's sparse info JSON still parses, and the media file is found by name") {
  test::temp_dir dir;
  touch(dir / "media.mp4");
  touch(dir / "media.info.json");
  auto r = parse_info_json(R"({"id": "talk", "extractor_key": "Generic", "title": null,
                               "duration": "not a number", "timestamp": 1795542601.75,
                               "requested_downloads": ["not an object"]})",
                           dir.path());
  CHECK(r.video_id == "talk");
  CHECK(r.title.empty());
  CHECK(r.duration == 0);
  CHECK(r.uploader.empty());
  CHECK(r.timestamp == 1795542601);
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
      {"ERROR: [youtube] abc: Video unavailable. This video is no longer available because the "
       "YouTube account associated with this video has been terminated.",
       ytdlp_failure::permanent},
      {"ERROR: [youtube] abc: This video is available to this channel's members on level: Fan",
       ytdlp_failure::permanent},
      {"ERROR: [youtube] abc: Sign in to confirm your age. This video may be inappropriate for "
       "some users.",
       ytdlp_failure::permanent},
      {"ERROR: [youtube] abc: This live event will begin in 3 days.", ytdlp_failure::not_yet},
      {"ERROR: [youtube] abc: Premieres in 10 hours", ytdlp_failure::not_yet},
      {"ERROR: [youtube] abc: This live event will begin in 356 days.", ytdlp_failure::permanent},
      {"ERROR: [youtube] abc: Unable to extract player response; YouTube is requiring a captcha "
       "challenge before playback",
       ytdlp_failure::throttled},
      {"ERROR: [generic] Unable to download webpage: HTTP Error 410: Gone",
       ytdlp_failure::permanent},
      {"ERROR: [youtube] abc: Requested format is not available. Use --list-formats for a list of "
       "available formats",
       ytdlp_failure::permanent},
      {"ERROR: [Vimeo] 123: This video is DRM protected", ytdlp_failure::permanent},
      {"ERROR: [youtube] abc: Video unavailable. This content isn\xe2\x80\x99t available, try "
       "again later. The current session has been rate-limited by YouTube for up to an hour.",
       ytdlp_failure::throttled},
      // A subtitle's 404 is only a warning; the error that ended the run is a network one.
      {"WARNING: [youtube] abc: Unable to download subtitle for \"en\": HTTP Error 404: Not "
       "Found\nERROR: unable to download video data: <urlopen error [Errno 104] Connection reset "
       "by peer>",
       ytdlp_failure::transient},
      {"ERROR: The downloaded file is empty", ytdlp_failure::transient},
  };
  for (auto& r : rows) {
    INFO(r.err);
    auto c = classify_failure(failed_with(r.err));
    CHECK(c.kind == r.kind);
    CHECK_FALSE(c.reason.empty());
    CHECK(c.reason.rfind("ERROR:", 0) != 0); // the prefix is dropped
  }
  auto throttled = classify_failure(failed_with("HTTP Error 429: Too Many Requests"));
  CHECK(throttled.retry_after == std::chrono::minutes{15}); // nothing said: the default
  CHECK(classify_failure(failed_with("WARNING: x\nERROR: [youtube] abc: Sign in to confirm "
                                     "you're not a bot\nERROR: giving up"))
            .reason == "[youtube] abc: Sign in to confirm you're not a bot");
  // The reason is the last ERROR line, not a later warning.
  auto c = classify_failure(failed_with("ERROR: first\nERROR: [generic] HTTP Error 410: Gone\n"
                                        "WARNING: cleanup\n"));
  CHECK(c.reason == "[generic] HTTP Error 410: Gone");
  // Without ERROR lines (a Python traceback), the last line is the reason.
  c = classify_failure(failed_with("Traceback (most recent call last):\n  File \"x\"\n"
                                   "KeyError: 'formats'\n"));
  CHECK(c.kind == ytdlp_failure::transient);
  CHECK(c.reason == "KeyError: 'formats'");
  CHECK(classify_failure(2, "").reason == "yt-dlp exited with 2");
  CHECK(classify_failure(1, "ERROR: " + std::string(5000, 'x')).reason.size() < 500);
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

TEST_CASE("no JavaScript runtime: 'Requested format is not available' is the host's problem") {
  // What yt-dlp 2025.12.08 and newer print for a YouTube video when no runtime solved the
  // challenge (yt_dlp/extractor/youtube/_video.py, YoutubeDL.py; exact texts).
  const std::string ejs = "https://github.com/yt-dlp/yt-dlp/wiki/EJS";
  const std::string no_runtime =
      "WARNING: [youtube] No supported JavaScript runtime could be found. Only deno is enabled by "
      "default; to use another runtime add  --js-runtimes RUNTIME[:PATH]  to your command/config. "
      "YouTube extraction without a JS runtime has been deprecated, and some formats may be "
      "missing. See  " +
      ejs + "  for details on installing one\n";
  const std::string unsolved =
      "WARNING: [youtube] RFkd4GdfjTs: n challenge solving failed: Some formats may be missing. "
      "Ensure you have a supported JavaScript runtime and challenge solver script distribution "
      "installed. Review any warnings presented before this message. For more details, refer to  " +
      ejs + "\n";
  const std::string images =
      "WARNING: Only images are available for download. use --list-formats to see them\n";
  const std::string no_format = "ERROR: [youtube] RFkd4GdfjTs: Requested format is not available. "
                                "Use --list-formats for a list of available formats\n";
  for (const auto& err : {no_runtime + unsolved + images + no_format, unsolved + no_format,
                          images + no_format, no_runtime + no_format}) {
    INFO(err);
    auto c = classify_failure(1, err);
    CHECK(c.kind == ytdlp_failure::transient);
    CHECK_THAT(c.reason, Catch::Contains("JavaScript") && Catch::Contains("vfb doctor") &&
                             Catch::Contains("Requested format is not available"));
  }
  // Without those warnings the video itself has no format we asked for: permanent.
  CHECK(classify_failure(1, no_format).kind == ytdlp_failure::permanent);
}

TEST_CASE("a premiere or scheduled stream waits until it begins") {
  struct row {
    const char* err;
    std::chrono::minutes wait;
  };
  const row rows[] = {
      {"ERROR: [youtube] 4pfMyoT6LhE: Premieres in 2 hours", std::chrono::hours{2}},
      {"ERROR: [youtube] 4pfMyoT6LhE: Premieres in 45 minutes", std::chrono::minutes{45}},
      {"ERROR: [youtube] abc: This live event will begin in 3 days.", std::chrono::hours{72}},
      {"ERROR: [youtube] abc: This live event will begin in a few moments.",
       std::chrono::minutes{5}},
      {"ERROR: [youtube] abc: Premieres in 1 week", std::chrono::hours{24 * 7}},
      {"ERROR: [youtube] abc: This live event will begin on December 24 at 10:00 AM.",
       std::chrono::hours{1}},
  };
  for (auto& r : rows) {
    INFO(r.err);
    auto c = classify_failure(1, r.err);
    CHECK(c.kind == ytdlp_failure::not_yet);
    CHECK(c.retry_after == r.wait);
    CHECK(c.reason.rfind("[youtube]", 0) == 0);
  }
  auto far = classify_failure(1, "ERROR: [youtube] abc: This live event will begin in 2 months.");
  CHECK(far.kind == ytdlp_failure::permanent);
  CHECK_THAT(far.reason, Catch::Contains("vfb queue retry"));
}

TEST_CASE("a premiere or wait with an absurd number of units is far away, not a crash") {
  // Found by fuzz/tool_output_fuzz: std::stoll threw out_of_range on the number.
  auto far = classify_failure(
      1, "ERROR: [youtube] x: Premieres in 555555555555555555555555555555555555555555 hours\n");
  CHECK(far.kind == ytdlp_failure::permanent); // more than 30 days away
  auto throttled = classify_failure(1, "ERROR: HTTP Error 429: Too Many Requests. Retry after "
                                       "99999999999999999999999999999 seconds\n");
  CHECK(throttled.retry_after.count() > 0);
}

TEST_CASE("reasons keep the cause and drop yt-dlp's request to report a bug") {
  auto c = classify_failure(
      1, "ERROR: [youtube:tab] @x: Unable to recognize tab page; please report this issue on  "
         "https://github.com/yt-dlp/yt-dlp/issues?q= , filling out the appropriate issue "
         "template. Confirm you are on the latest version using  yt-dlp -U\n");
  CHECK(c.reason == "[youtube:tab] @x: Unable to recognize tab page");
  c = classify_failure(1, "ERROR: [generic] x: Unable to extract title. Please report this issue "
                          "on  https://github.com/yt-dlp/yt-dlp/issues?q= , filling out the "
                          "appropriate issue template.");
  CHECK(c.reason == "[generic] x: Unable to extract title.");
}

TEST_CASE("a throttled failure waits as long as the message says") {
  using namespace std::chrono;
  struct row {
    const char* err;
    milliseconds wait;
  };
  const row rows[] = {
      {"ERROR: [youtube] abc: This content isn't available, try again later. The current session "
       "has been rate-limited by YouTube for up to an hour.",
       hours{1}},
      {"ERROR: HTTP Error 429: Too Many Requests (Retry-After: 120)", seconds{120}},
      {"ERROR: [twitch] rate limit exceeded, try again in 5 minutes", minutes{5}},
      {"ERROR: HTTP Error 429: Too Many Requests; retry after 2 hours", hours{2}},
      {"ERROR: HTTP Error 429: Too Many Requests; retry after 400 days", minutes{15}}, // absurd
  };
  for (auto& r : rows) {
    INFO(r.err);
    auto c = classify_failure(1, r.err);
    CHECK(c.kind == ytdlp_failure::throttled);
    CHECK(c.retry_after == r.wait);
  }
  CHECK(classify_failure(1, "ERROR: Private video").retry_after.count() == 0);
}

TEST_CASE("progress lines give a percentage, other lines do not") {
  CHECK(parse_progress("[download]  42.5% of 3.00MiB at 1.00MiB/s ETA 00:01") == Approx(42.5));
  CHECK(parse_progress("[download] 100% of 3.00MiB in 00:00:02") == Approx(100));
  CHECK_FALSE(parse_progress("[download] Destination: /tmp/media.webm"));
  CHECK_FALSE(parse_progress("[info] 42% of nothing"));
  CHECK_FALSE(parse_progress("[download] %"));
  CHECK_FALSE(parse_progress("[download] Destination: /jobs/100% done/media.webm"));
  CHECK(parse_progress("[download]   0.0% of ~  30.00MiB at  1.00MiB/s ETA 00:30 (frag 0/25)") ==
        Approx(0));
  CHECK(skipped_by_date("[download] upload date is not in range 20250101-99991231"));
  CHECK_FALSE(skipped_by_date("[download] 100% of 3.00MiB"));
}

// Found by fuzz/ytdlp_info_fuzz: a number too large for 64 bits threw nlohmann's out_of_range,
// which is not a parse_error, past parse_info_json (std::terminate in a stage worker); a
// timestamp of 1e300 was converted to an integer (undefined behaviour).
TEST_CASE("info JSON with numbers out of range: a permanent error or no timestamp, no crash") {
  test::temp_dir dir;
  CHECK_THROWS_AS(parse_info_json(R"({"id": "x", "duration": 78e8110})", dir.path()), ytdlp_error);
  CHECK_THROWS_AS(parse_info_json(R"({"id": "x", "width": -1e400})", dir.path()), ytdlp_error);
  CHECK(parse_info_json(R"({"id": "x", "timestamp": 1e300})", dir.path()).timestamp == 0);
  CHECK(parse_info_json(R"({"id": "x", "timestamp": -5})", dir.path()).timestamp == 0);
  CHECK(parse_info_json(R"({"id": "x", "timestamp": 1772366400.5})", dir.path()).timestamp ==
        1772366400);
}
