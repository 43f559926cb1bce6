// The real yt-dlp and ffmpeg against a loopback server and media made at test time. yt-dlp
// runs with `--proxy ""` here so that a proxy set in the environment cannot take loopback
// requests elsewhere: these tests reach nothing outside this machine.
#include "adapters/ffmpeg.hpp"
#include "adapters/ytdlp.hpp"
#include "tests/support/media.hpp"
#include "tests/support/media_server.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>
#include <cmath>
#include <fstream>
#include <httplib.h>
#include <nlohmann/json.hpp>
#include <sstream>
#include <sys/stat.h>
#include <thread>

using namespace vfb;

namespace {

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

ytdlp_options loopback_only() {
  ytdlp_options o;
  o.extra_args = {"--proxy", ""};
  return o;
}

struct fixture {
  test::temp_dir served;
  test::temp_dir work;
  std::filesystem::path video =
      test::synth_video(served.path(), "talk", "The volcano erupted near the telescope.");
  test::media_server server{served.path()};
};

classified_failure failure_of(const std::string& url, const test::temp_dir& work,
                              ytdlp_options o = loopback_only()) {
  try {
    download(o, url, work / "out");
  } catch (const ytdlp_error& e) {
    return e.failure();
  }
  FAIL("the download of " << url << " succeeded");
  return {};
}

/// The audio of `media` as 16 kHz samples, checked against ffprobe's idea of both files.
std::vector<int16_t> audio_of(const std::filesystem::path& media,
                              const std::filesystem::path& wav) {
  extract_audio({}, media, wav);
  auto pcm = read_wav_pcm16(wav);
  double seconds = static_cast<double>(pcm.size()) / 16000;
  CHECK(seconds == Approx(probe_duration({}, wav)).margin(0.01));
  // Container durations include codec padding and the last video frame (0.2 s at 5 fps).
  CHECK(seconds == Approx(probe_duration({}, media)).margin(0.25));
  CHECK(std::any_of(pcm.begin(), pcm.end(), [](int16_t s) { return s > 1000 || s < -1000; }));
  return pcm;
}

/// A WAV file written byte by byte: `chunks` after "RIFF....WAVE".
std::filesystem::path write_wav(const std::filesystem::path& p, const std::string& chunks) {
  std::string riff = "RIFF";
  auto size = static_cast<uint32_t>(chunks.size() + 4);
  for (int i = 0; i < 4; ++i)
    riff += static_cast<char>(size >> (8 * i) & 0xff);
  std::ofstream(p, std::ios::binary) << riff << "WAVE" << chunks;
  return p;
}

std::string le(uint32_t v, int bytes) {
  std::string out;
  for (int i = 0; i < bytes; ++i)
    out += static_cast<char>(v >> (8 * i) & 0xff);
  return out;
}

std::string chunk(const std::string& id, const std::string& body, uint32_t claimed = 0) {
  auto c = id + le(claimed != 0 ? claimed : static_cast<uint32_t>(body.size()), 4) + body;
  return body.size() % 2 == 1 ? c + '\0' : c;
}

} // namespace

TEST_CASE("yt-dlp downloads a loopback video, and ffmpeg makes 16 kHz mono audio of it") {
  fixture f;
  std::vector<double> seen;
  auto url = f.server.url("/media/talk.mp4");
  auto r = download(loopback_only(), url, f.work / "v1",
                    [&](double fraction, const std::string&) { seen.push_back(fraction); });
  REQUIRE(r);
  CHECK(r->extractor == "Generic");
  CHECK(r->video_id == "talk");
  CHECK(r->title == "talk");
  CHECK(r->webpage_url == url);
  CHECK(std::filesystem::path{r->media_path} == f.work / "v1" / "media.mp4");
  CHECK(slurp(r->media_path) == slurp(f.video));
  CHECK(std::filesystem::exists(f.work / "v1" / "media.info.json"));
  CHECK(r->caption_paths.empty());
  CHECK_FALSE(seen.empty());
  CHECK(seen.back() == Approx(1.0));
  auto requests = f.server.requests();
  REQUIRE_FALSE(requests.empty());
  CHECK(requests.back().path == "/media/talk.mp4");
  CHECK_FALSE(requests.back().header("User-Agent").empty());
  auto pcm = audio_of(r->media_path, f.work / "audio.wav");
  CHECK(pcm.size() > 16000); // a sentence takes seconds
}

TEST_CASE("a page with og:video gives the title, and webm with Opus audio extracts too") {
  fixture f;
  test::synth_video(f.served.path(), "lecture", "Glaciers carve valleys slowly.", "webm");
  f.server.add_video_page("/watch/glaciers", "Glaciers & valleys",
                          f.server.url("/media/lecture.webm"));
  auto page = f.server.url("/watch/glaciers");
  auto r = download(loopback_only(), page, f.work / "v2");
  REQUIRE(r);
  CHECK(r->extractor == "Generic");
  CHECK(r->title == "Glaciers & valleys");
  CHECK(r->video_id == "lecture");
  CHECK(r->webpage_url == page);
  CHECK(std::filesystem::path{r->media_path}.extension() == ".webm");
  CHECK(f.server.requests_for("/watch/glaciers") >= 1);
  CHECK(f.server.requests_for("/media/lecture.webm") >= 1);
  audio_of(r->media_path, f.work / "lecture.wav");
}

TEST_CASE("a missing video is a permanent failure with a clear reason") {
  fixture f;
  auto c = failure_of(f.server.url("/media/nothing-here.mp4"), f.work);
  CHECK(c.kind == ytdlp_failure::permanent);
  CHECK_THAT(c.reason, Catch::Contains("HTTP Error 404"));
  CHECK(f.server.requests_for("/media/nothing-here.mp4") >= 1); // it asked our server
}

TEST_CASE("HTTP 429 is throttling") {
  fixture f;
  f.server.fail("/media/talk.mp4", 429, 30);
  auto c = failure_of(f.server.url("/media/talk.mp4"), f.work);
  CHECK(c.kind == ytdlp_failure::throttled);
  CHECK_THAT(c.reason, Catch::Contains("429"));
  CHECK(c.retry_after == std::chrono::minutes{15}); // yt-dlp does not pass Retry-After on
}

TEST_CASE("a server error is transient, and the next attempt succeeds") {
  fixture f;
  f.server.fail("/media/talk.mp4", 503, 0, 1);
  auto c = failure_of(f.server.url("/media/talk.mp4"), f.work);
  CHECK(c.kind == ytdlp_failure::transient);
  CHECK_THAT(c.reason, Catch::Contains("503"));
  auto r = download(loopback_only(), f.server.url("/media/talk.mp4"), f.work / "again");
  REQUIRE(r);
  CHECK(slurp(r->media_path) == slurp(f.video));
}

TEST_CASE("a crashing or hanging yt-dlp is a transient failure") {
  fixture f;
  // Stand-ins for a broken yt-dlp install: a program that crashes, one that hangs.
  auto crash = f.work / "crashing-yt-dlp";
  std::ofstream(crash) << "#!/bin/sh\nkill -SEGV $$\n";
  ::chmod(crash.c_str(), 0755);
  auto o = loopback_only();
  o.program = crash.string();
  auto c = failure_of(f.server.url("/media/talk.mp4"), f.work, o);
  CHECK(c.kind == ytdlp_failure::transient);
  CHECK(c.reason == "yt-dlp killed by signal 11 (SIGSEGV)");
  auto hang = f.work / "hanging-yt-dlp";
  std::ofstream(hang) << "#!/bin/sh\nexec sleep 30\n";
  ::chmod(hang.c_str(), 0755);
  o.program = hang.string();
  o.timeout = std::chrono::seconds{1};
  c = failure_of(f.server.url("/media/talk.mp4"), f.work, o);
  CHECK(c.kind == ytdlp_failure::transient);
  CHECK_THAT(c.reason, Catch::StartsWith("yt-dlp timed out"));
  o.program = "vfb-no-such-yt-dlp";
  c = failure_of(f.server.url("/media/talk.mp4"), f.work, o);
  CHECK(c.kind == ytdlp_failure::transient);
  CHECK(c.reason == "program not found: vfb-no-such-yt-dlp");
}

TEST_CASE("yt-dlp lists the loopback RSS feed's items") {
  test::temp_dir served;
  test::media_server server{served.path()};
  server.add_route("/feed.xml", "application/rss+xml",
                   test::rss_feed("Talks <weekly>", {{"First & best", server.url("/media/a.mp4"),
                                                      test::rss_date(1764000000), "guid-a"},
                                                     {"Second", server.url("/media/b.mp4"),
                                                      test::rss_date(1764086400), "guid-b"}}));
  process_options po;
  po.argv = {
      "yt-dlp", "--ignore-config",      "--no-cache-dir", "--proxy", "", "--flat-playlist", "-J",
      "--",     server.url("/feed.xml")};
  po.timeout = std::chrono::seconds{120};
  auto run = run_process(po);
  REQUIRE(run.ok());
  auto listing = nlohmann::json::parse(run.out);
  CHECK(listing["title"] == "Talks <weekly>");
  auto& entries = listing["entries"];
  REQUIRE(entries.size() == 2);
  CHECK(entries[0]["title"] == "First & best");
  CHECK(entries[0]["timestamp"] == 1764000000);
  CHECK(entries[1]["timestamp"] == 1764086400);
  CHECK_THAT(entries[0]["url"].get<std::string>(), Catch::StartsWith(server.url("/media/a.mp4")));
  CHECK_THAT(entries[1]["url"].get<std::string>(), Catch::Contains("guid-b")); // smuggled id
  CHECK(test::rss_date(1764000000) == "Mon, 24 Nov 2025 16:00:00 +0000");
}

TEST_CASE("the loopback server: ranges, content types, routes, scripted failures, a log") {
  test::temp_dir served;
  std::ofstream(served / "clip.mp4", std::ios::binary) << std::string(1000, 'v');
  test::media_server server{served.path()};
  server.add_route("/page", "text/html", "<p>hello</p>");
  server.fail("/flaky", 503, 7, 2);
  httplib::Client client{"127.0.0.1", server.port()};
  auto ranged = client.Get("/media/clip.mp4", {{"Range", "bytes=100-199"}});
  REQUIRE(ranged);
  CHECK(ranged->status == 206);
  CHECK(ranged->body == std::string(100, 'v'));
  CHECK(ranged->get_header_value("Content-Type") == "video/mp4");
  CHECK(ranged->get_header_value("Content-Range") == "bytes 100-199/1000");
  auto head = client.Head("/page");
  REQUIRE(head);
  CHECK(head->status == 200);
  CHECK(head->get_header_value("Content-Type") == "text/html");
  for (int i = 0; i < 2; ++i) {
    auto failed = client.Get("/flaky");
    REQUIRE(failed);
    CHECK(failed->status == 503);
    CHECK(failed->get_header_value("Retry-After") == "7");
  }
  server.add_route("/flaky", "text/plain", "fine now");
  auto recovered = client.Get("/flaky");
  REQUIRE(recovered);
  CHECK(recovered->body == "fine now");
  server.fail("/page", 500);
  CHECK(client.Get("/page")->status == 500);
  server.heal("/page");
  CHECK(client.Get("/page")->body == "<p>hello</p>");
  CHECK(client.Get("/missing")->status == 404);
  CHECK(server.wait_for_request("/flaky", 3));
  CHECK(server.requests_for("/flaky") == 3);
  CHECK_FALSE(server.wait_for_request("/never", 1, std::chrono::milliseconds{10}));
  auto log = server.requests();
  REQUIRE(log.size() == 8);
  CHECK(log[0].method == "GET");
  CHECK(log[0].header("range") == "bytes=100-199");
  CHECK(log[1].method == "HEAD");
  // Another thread's request wakes a waiting test.
  std::thread later{[&] { httplib::Client{"127.0.0.1", server.port()}.Get("/late"); }};
  CHECK(server.wait_for_request("/late"));
  later.join();
}

TEST_CASE("ffmpeg and the WAV reader reject what they cannot use, saying why") {
  test::temp_dir dir;
  auto text = dir / "not-media.mp4";
  std::ofstream(text) << "this is not a video";
  try {
    extract_audio({}, text, dir / "out.wav");
    FAIL("ffmpeg converted a text file");
  } catch (const ffmpeg_error& e) {
    CHECK_THAT(e.what(), Catch::StartsWith("ffmpeg exited with"));
    CHECK_THAT(e.what(), Catch::Contains("not-media.mp4"));
  }
  CHECK_THROWS_WITH(probe_duration({}, text), Catch::StartsWith("ffprobe exited with"));
  ffmpeg_options missing;
  missing.program = "vfb-no-such-ffmpeg";
  CHECK_THROWS_WITH(extract_audio(missing, text, dir / "out.wav"),
                    "ffmpeg program not found: vfb-no-such-ffmpeg");
  // A video without sound.
  process_options silent;
  silent.argv = {"ffmpeg",
                 "-nostdin",
                 "-loglevel",
                 "error",
                 "-f",
                 "lavfi",
                 "-i",
                 "testsrc=size=64x48:rate=5:duration=1",
                 "-c:v",
                 "libx264",
                 "-preset",
                 "ultrafast",
                 (dir / "silent.mp4").string()};
  REQUIRE(run_process(silent).ok());
  CHECK_THROWS_AS(extract_audio({}, dir / "silent.mp4", dir / "out.wav"), ffmpeg_error);
  auto check_refused = [](const std::filesystem::path& p, const std::string& why) {
    try {
      read_wav_pcm16(p);
      FAIL("read " << p);
    } catch (const ffmpeg_error& e) {
      CHECK_THAT(e.what(), Catch::Contains(why));
    }
  };
  check_refused(text, "not a WAV file");
  check_refused(dir / "missing.wav", "cannot read");
  // espeak-ng's own WAV is 22 kHz: the reader names the mismatch.
  check_refused(test::synth_speech_wav(dir.path(), "speech", "hello"), "22050 Hz");
  auto pcm_fmt = le(1, 2) + le(1, 2) + le(16000, 4) + le(32000, 4) + le(2, 2) + le(16, 2);
  check_refused(write_wav(dir / "nofmt.wav", chunk("data", "abcd")), "data before the format");
  check_refused(write_wav(dir / "nodata.wav", chunk("fmt ", pcm_fmt)), "no data chunk");
  check_refused(write_wav(dir / "short.wav", chunk("fmt ", "abc")), "truncated format chunk");
}

TEST_CASE("the WAV reader skips other chunks, knows WAVE_FORMAT_EXTENSIBLE, takes a cut file") {
  test::temp_dir dir;
  // Extensible: cbSize 22, valid bits, channel mask, then the PCM subformat GUID.
  auto extensible = le(0xFFFE, 2) + le(1, 2) + le(16000, 4) + le(32000, 4) + le(2, 2) + le(16, 2) +
                    le(22, 2) + le(16, 2) + le(4, 4) + le(1, 2) +
                    std::string("\x00\x00\x00\x00\x10\x00\x80\x00\x00\xAA\x00\x38\x9B\x71", 14);
  auto samples = le(1, 2) + le(0xFFFF, 2) + le(0x7FFF, 2) + le(0x8000, 2);
  auto wav = write_wav(dir / "ext.wav",
                       chunk("LIST", "odd") + chunk("fmt ", extensible) + chunk("data", samples));
  CHECK(read_wav_pcm16(wav) == std::vector<int16_t>{1, -1, 32767, -32768});
  // A writer that could not seek back leaves a data size larger than the file: read the rest.
  auto cut = write_wav(dir / "cut.wav",
                       chunk("fmt ", extensible) + chunk("data", samples.substr(0, 6), 0xFFFFFFFF));
  CHECK(read_wav_pcm16(cut) == std::vector<int16_t>{1, -1, 32767});
}
