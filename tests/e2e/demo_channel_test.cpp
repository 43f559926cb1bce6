// vfb-demo-channel as scripts/demo uses it: started with pipes, ready when its JSON line
// arrives, stopped by closing its stdin (or by SIGTERM). Its feed is listed and one video is
// downloaded with the real yt-dlp through the vfb adapter; nothing leaves this machine.
#include "adapters/ffmpeg.hpp"
#include "adapters/process.hpp"
#include "adapters/speech.hpp"
#include "adapters/ytdlp.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"
#include "text/video_context.hpp"

#include <catch2/catch.hpp>
#include <cerrno>
#include <csignal>
#include <ctime>
#include <fcntl.h>
#include <fstream>
#include <nlohmann/json.hpp>
#include <poll.h>
#include <spawn.h>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

using namespace vfb;

namespace {

const std::string tool = VFB_DEMO_CHANNEL;

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

/// The tool running with its stdin and stdout on pipes held by the test and its stderr in a
/// file. Killed and reaped in the destructor if the test did not stop it.
class channel_process {
public:
  channel_process(const std::vector<std::string>& args, const std::filesystem::path& err_file) {
    int in[2], out[2];
    REQUIRE(::pipe2(in, O_CLOEXEC) == 0);
    REQUIRE(::pipe2(out, O_CLOEXEC) == 0);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in[0], STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&fa, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, err_file.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    std::vector<std::string> argv{tool};
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<char*> cargv;
    for (auto& a : argv)
      cargv.push_back(a.data());
    cargv.push_back(nullptr);
    int rc = ::posix_spawn(&pid_, tool.c_str(), &fa, nullptr, cargv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    ::close(in[0]);
    ::close(out[1]);
    in_ = in[1];
    out_ = out[0];
    REQUIRE(rc == 0);
  }

  ~channel_process() {
    close_stdin();
    if (out_ >= 0)
      ::close(out_);
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }

  /// The first line of stdout; empty if the tool ended or `limit` passed first.
  std::string read_line(std::chrono::seconds limit) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    std::string line;
    for (;;) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0)
        return {};
      pollfd p{out_, POLLIN, 0};
      int r = ::poll(&p, 1, static_cast<int>(left.count()));
      if (r < 0 && errno == EINTR)
        continue;
      if (r <= 0)
        return {};
      char c = 0;
      if (::read(out_, &c, 1) != 1)
        return {};
      if (c == '\n')
        return line;
      line += c;
    }
  }

  void close_stdin() {
    if (in_ >= 0)
      ::close(in_);
    in_ = -1;
  }

  /// Waits for the tool to exit; its exit code, or 128 + the signal that ended it.
  int wait() {
    int status = 0;
    REQUIRE(::waitpid(pid_, &status, 0) == pid_);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

  pid_t pid() const { return pid_; }

private:
  pid_t pid_ = -1;
  int in_ = -1;
  int out_ = -1;
};

/// Days since the epoch of "YYYY-MM-DD".
int64_t days_of(const std::string& date) {
  std::tm tm{};
  REQUIRE(::strptime(date.c_str(), "%Y-%m-%d", &tm) != nullptr);
  return static_cast<int64_t>(::timegm(&tm)) / 86400;
}

std::string date_of(int64_t unix_seconds) {
  auto t = static_cast<std::time_t>(unix_seconds);
  std::tm utc{};
  gmtime_r(&t, &utc);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &utc);
  return buf;
}

std::string without_dashes(std::string s) {
  s.erase(std::remove(s.begin(), s.end(), '-'), s.end());
  return s;
}

} // namespace

TEST_CASE("the demo channel serves dated spoken videos and a feed, and reuses its media") {
  test::temp_dir dir;
  test::temp_dir work;
  auto err = work / "stderr.txt";
  nlohmann::json ready;
  {
    channel_process channel({"--dir", dir.path().string(), "--videos", "2", "--old", "1"}, err);
    auto line = channel.read_line(std::chrono::seconds{300});
    INFO("stderr: " << slurp(err));
    REQUIRE_FALSE(line.empty());
    ready = nlohmann::json::parse(line);
    auto& videos = ready["videos"];
    REQUIRE(videos.size() == 2);
    CHECK_THAT(ready["feed"].get<std::string>(),
               Catch::Matches(R"(http://127\.0\.0\.1:[0-9]+/feed\.xml)"));

    // Newest first; one inside the 12-month window, one outside, both within 18 months.
    int64_t today = static_cast<int64_t>(std::time(nullptr)) / 86400;
    auto newest = days_of(videos[0]["date"]);
    auto oldest = days_of(videos[1]["date"]);
    CHECK(newest > oldest);
    CHECK(today - newest < 365);
    CHECK(today - oldest > 365);
    CHECK(today - oldest < 549);
    for (auto& v : videos) {
      CHECK_FALSE(v["title"].get<std::string>().empty());
      CHECK_FALSE(v["keywords"].empty());
    }

    // The feed as yt-dlp (and so a channel listing) sees it.
    process_options po;
    po.argv = {"yt-dlp",
               "--ignore-config",
               "--no-cache-dir",
               "--proxy",
               "",
               "--flat-playlist",
               "-J",
               "--",
               ready["feed"].get<std::string>()};
    po.timeout = std::chrono::seconds{120};
    auto run = run_process(po);
    INFO("yt-dlp: " << run.err);
    REQUIRE(run.ok());
    auto listing = nlohmann::json::parse(run.out);
    auto& entries = listing["entries"];
    REQUIRE(entries.size() == 2);
    for (size_t i = 0; i < 2; ++i) {
      CHECK(entries[i]["title"] == videos[i]["title"]);
      CHECK_THAT(entries[i]["url"].get<std::string>(),
                 Catch::StartsWith(videos[i]["url"].get<std::string>()));
      CHECK(date_of(entries[i]["timestamp"].get<int64_t>()) == videos[i]["date"]);
    }

    // The first video, downloaded as the pipeline would.
    ytdlp_options yo;
    yo.extra_args = {"--proxy", ""};
    auto url = videos[0]["url"].get<std::string>();
    auto r = download(yo, url, work / "v1");
    REQUIRE(r);
    CHECK(r->title == videos[0]["title"]);
    CHECK(r->video_id == "volcanoes");
    CHECK(r->webpage_url == url);
    CHECK(r->upload_date == without_dashes(videos[0]["date"]));
    // The page's description and keywords reach yt-dlp's info JSON as a YouTube video's do.
    CHECK_THAT(r->description, Catch::StartsWith("Why volcanoes erupt"));
    CHECK(r->tags == videos[0]["keywords"].get<std::vector<std::string>>());
    CHECK(r->chapters.empty());
    REQUIRE(std::filesystem::exists(r->media_path));
    CHECK(slurp(r->media_path) == slurp(dir / "media" / "volcanoes.mp4"));
    auto seconds = probe_duration({}, r->media_path);
    CHECK(seconds >= 6);
    CHECK(seconds <= 12);

    // The demo searches for its keywords: speech recognition, biased by what the page says of
    // the video as the pipeline biases it, must hear them all.
    extract_audio({}, r->media_path, work / "v1.wav");
    std::string heard;
    for (auto& segment : speech_recognizer{speech_options{}}.transcribe(
             read_wav_pcm16(work / "v1.wav"), {}, nullptr, text::video_context(*r)))
      heard += segment.text + " ";
    for (const auto& keyword : videos[0]["keywords"])
      CHECK_THAT(heard, Catch::Contains(keyword.get<std::string>()));

    channel.close_stdin();
    CHECK(channel.wait() == 0);
  }
  CHECK_THAT(slurp(err), Catch::Contains("synthesising 1/2: Volcanoes and lava"));

  // A second run on the same directory makes nothing anew; SIGTERM stops it cleanly too.
  auto before = std::filesystem::last_write_time(dir / "media" / "volcanoes.mp4");
  channel_process again({"--dir", dir.path().string(), "--videos", "2", "--old", "1"}, err);
  auto line = again.read_line(std::chrono::seconds{60});
  INFO("stderr: " << slurp(err));
  REQUIRE_FALSE(line.empty());
  auto second = nlohmann::json::parse(line);
  CHECK(second["videos"][0]["title"] == ready["videos"][0]["title"]);
  CHECK(std::filesystem::last_write_time(dir / "media" / "volcanoes.mp4") == before);
  REQUIRE(::kill(again.pid(), SIGTERM) == 0);
  CHECK(again.wait() == 0);
  auto log = slurp(err);
  CHECK_THAT(log, Catch::Contains("reusing 1/2"));
  CHECK_THAT(log, !Catch::Contains("synthesising"));
}

TEST_CASE("the demo channel refuses bad arguments and missing tools in one line, exit 2") {
  test::temp_dir dir;
  auto d = dir.path().string();
  auto refused = [&](std::vector<std::string> args, const std::string& says,
                     std::map<std::string, std::string> env = {}) {
    args.insert(args.begin(), tool);
    auto r = test::run_process(args, env);
    INFO(r.err);
    CHECK(r.exit_code == 2);
    CHECK(r.out.empty());
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    CHECK_THAT(r.err, Catch::Contains(says));
  };
  refused({}, "--dir DIR is required");
  refused({"--dir", d, "--videos", "0"}, "--videos wants a whole number from 1 to 20");
  refused({"--dir", d, "--videos", "21"}, "--videos wants");
  refused({"--dir", d, "--videos", "3x"}, "not '3x'");
  refused({"--dir", d, "--port", "70000"}, "--port wants");
  refused({"--dir", d, "--videos", "2", "--old", "3"}, "--old 3 is more than --videos 2");
  refused({"--dir", d, "--colour"}, "unknown argument '--colour'");
  refused({"--dir"}, "--dir needs a value");
  refused({"--dir", d}, "espeak-ng not found on PATH", {{"PATH", d}});
}
