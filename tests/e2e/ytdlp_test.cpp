// The real yt-dlp and ffmpeg against a loopback server and media made at test time.
#include "adapters/ffmpeg.hpp"
#include "adapters/ytdlp.hpp"
#include "tests/support/media.hpp"
#include "tests/support/media_server.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>
#include <fstream>
#include <sys/stat.h>

using namespace vfb;

namespace {

struct fixture {
  test::temp_dir served;
  test::temp_dir work;
  std::filesystem::path video =
      test::synth_video(served.path(), "talk", "The volcano erupted near the telescope.");
  test::media_server server{served.path()};
};

classified_failure failure_of(const std::string& url, const test::temp_dir& work,
                              ytdlp_options o = {}) {
  try {
    download(o, url, work / "out");
  } catch (const ytdlp_error& e) {
    return e.failure();
  }
  FAIL("the download of " << url << " succeeded");
  return {};
}

} // namespace

TEST_CASE("yt-dlp downloads a loopback video; ffmpeg makes 16 kHz mono audio of it") {
  fixture f;
  std::vector<double> seen;
  auto r = download({}, f.server.url("/media/talk.mp4"), f.work / "v1",
                    [&](double fraction, const std::string&) { seen.push_back(fraction); });
  REQUIRE(r);
  CHECK(r->extractor == "Generic");
  CHECK(r->video_id == "talk");
  CHECK(std::filesystem::file_size(r->media_path) > 1000);
  CHECK(r->caption_paths.empty());
  CHECK_FALSE(seen.empty());
  CHECK(seen.back() == Approx(1.0));
  auto wav = f.work / "audio.wav";
  extract_audio({}, r->media_path, wav);
  auto pcm = read_wav_pcm16(wav);
  // A few seconds of speech at 16 kHz.
  CHECK(pcm.size() > 16000);
  CHECK(pcm.size() < 16000 * 20);
  CHECK(std::any_of(pcm.begin(), pcm.end(), [](int16_t s) { return s > 1000 || s < -1000; }));
}

TEST_CASE("a missing video is a permanent failure with a clear reason") {
  fixture f;
  auto c = failure_of(f.server.url("/media/nothing-here.mp4"), f.work);
  CHECK(c.kind == ytdlp_failure::permanent);
  CHECK_THAT(c.reason, Catch::Contains("404"));
}

TEST_CASE("HTTP 429 is throttling") {
  fixture f;
  f.server.fail("/media/talk.mp4", 429, 30);
  auto c = failure_of(f.server.url("/media/talk.mp4"), f.work);
  CHECK(c.kind == ytdlp_failure::throttled);
  CHECK(c.retry_after.count() > 0);
}

TEST_CASE("a crashing or hanging yt-dlp is a transient failure") {
  fixture f;
  // Stand-ins for a broken yt-dlp install: a program that crashes, one that hangs.
  auto crash = f.work / "crashing-yt-dlp";
  std::ofstream(crash) << "#!/bin/sh\nkill -SEGV $$\n";
  ::chmod(crash.c_str(), 0755);
  ytdlp_options o;
  o.program = crash.string();
  auto c = failure_of(f.server.url("/media/talk.mp4"), f.work, o);
  CHECK(c.kind == ytdlp_failure::transient);
  CHECK_THAT(c.reason, Catch::Contains("signal 11"));
  auto hang = f.work / "hanging-yt-dlp";
  std::ofstream(hang) << "#!/bin/sh\nexec sleep 30\n";
  ::chmod(hang.c_str(), 0755);
  o.program = hang.string();
  o.timeout = std::chrono::seconds{1};
  c = failure_of(f.server.url("/media/talk.mp4"), f.work, o);
  CHECK(c.kind == ytdlp_failure::transient);
  CHECK_THAT(c.reason, Catch::Contains("timed out"));
  o.program = "vfb-no-such-yt-dlp";
  c = failure_of(f.server.url("/media/talk.mp4"), f.work, o);
  CHECK_THAT(c.reason, Catch::Contains("program not found"));
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
}
