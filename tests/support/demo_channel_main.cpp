// vfb-demo-channel: a pretend video channel on 127.0.0.1 for demos and end-to-end tests. It
// synthesises short spoken videos (flite + ffmpeg), serves each as a page yt-dlp can
// download, and lists them all in an RSS feed with upload dates spread over the last 18 months,
// so that both a single submission and an auto-follow backfill (12-month window) can be shown
// without touching the internet.
//
// Protocol for scripts: progress goes to stderr; when everything is served, ONE line of JSON
// goes to stdout; then it serves until SIGINT/SIGTERM or until stdin reaches EOF (a script
// that holds our stdin open stops us by closing it, even if it dies), and exits 0.
#include "adapters/ffmpeg.hpp"
#include "adapters/process.hpp"
#include "tests/support/demo_topics.hpp"
#include "tests/support/media.hpp"
#include "tests/support/media_server.hpp"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <poll.h>
#include <sstream>
#include <stdexcept>
#include <string>
#include <sys/signalfd.h>
#include <unistd.h>
#include <vector>

namespace fs = std::filesystem;
using namespace vfb::test::demo;

namespace {

constexpr const char* usage =
    "usage: vfb-demo-channel --dir DIR [--videos N] [--port P] [--old K] [--ignore-stdin]\n"
    "  --dir DIR       where the media is made and cached (reused on the next run)\n"
    "  --videos N      how many videos, 1..20 (default 7)\n"
    "  --port P        the loopback port (default 0: any free one)\n"
    "  --old K         how many videos are dated older than 12 months (default 2)\n"
    "  --ignore-stdin  serve until SIGINT/SIGTERM only (default: also stop at stdin EOF)\n"
    "Prints one JSON line {\"feed\": URL, \"videos\": [{url, title, date, keywords}]} when\n"
    "ready, then serves until SIGINT/SIGTERM or EOF on stdin.\n";

[[noreturn]] void usage_error(const std::string& message) {
  std::cerr << "vfb-demo-channel: " << message << " (see --help)\n";
  std::exit(2);
}

int parse_int(const std::string& option, const std::string& value, int lo, int hi) {
  size_t used = 0;
  int v = 0;
  try {
    v = std::stoi(value, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != value.size() || v < lo || v > hi)
    usage_error(option + " wants a whole number from " + std::to_string(lo) + " to " +
                std::to_string(hi) + ", not '" + value + "'");
  return v;
}

struct options {
  fs::path dir;
  int videos = 7;
  int port = 0;
  int old = 2;
  bool ignore_stdin = false;
};

options parse_args(int argc, char** argv) {
  options o;
  bool old_given = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc)
        usage_error(a + " needs a value");
      return argv[++i];
    };
    if (a == "--help" || a == "-h") {
      std::cout << usage;
      std::exit(0);
    } else if (a == "--dir") {
      o.dir = value();
      if (o.dir.empty())
        usage_error("--dir must not be empty");
    } else if (a == "--videos") {
      o.videos = parse_int(a, value(), 1, static_cast<int>(topics().size()));
    } else if (a == "--port") {
      o.port = parse_int(a, value(), 0, 65535);
    } else if (a == "--old") {
      o.old = parse_int(a, value(), 0, static_cast<int>(topics().size()));
      old_given = true;
    } else if (a == "--ignore-stdin") {
      o.ignore_stdin = true;
    } else {
      usage_error("unknown argument '" + a + "'");
    }
  }
  if (o.dir.empty())
    usage_error("--dir DIR is required");
  if (o.old > o.videos) {
    // The default (2) must not make `--videos 1` an error; an explicit K must fit.
    if (old_given)
      usage_error("--old " + std::to_string(o.old) + " is more than --videos " +
                  std::to_string(o.videos));
    o.old = o.videos - 1;
  }
  return o;
}

/// The video's upload time: newest first, K of them older than 12 months, all within 18.
/// Recent ones are 3..330 days old and old ones 380..540 days: well clear of the 365-day edge,
/// so a 12-month window (with a margin either way) splits them the same every day. Noon UTC,
/// so the date reads the same in every time zone near UTC.
int64_t upload_time(int64_t now, int index, int videos, int old) {
  int recent = videos - old;
  int age_days = 0;
  if (index < recent)
    age_days = recent == 1 ? 3 : 3 + index * (330 - 3) / (recent - 1);
  else
    age_days = old == 1 ? 380 : 380 + (index - recent) * (540 - 380) / (old - 1);
  int64_t today = now / 86400;
  return (today - age_days) * 86400 + 12 * 3600;
}

std::string iso_date(int64_t unix_seconds) {
  auto t = static_cast<std::time_t>(unix_seconds);
  std::tm utc{};
  gmtime_r(&t, &utc);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &utc);
  return buf;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

/// DIR/media/SLUG.mp4 for `t`, made unless the cache already holds it for the same text. The
/// key file (DIR/cache/SLUG.txt, outside the served directory) holds the spoken text and the
/// recipe version; it is written after the video, so a run killed half-way leaves no key that
/// vouches for a broken file.
fs::path media_for(const fs::path& dir, const topic& t, int n, int count) {
  // Bump when synth_video's output changes in a way the cache must not hide.
  const std::string key = std::string{"recipe 2 (flite rms)\n"} + t.text + "\n";
  auto media = dir / "media" / (std::string{t.slug} + ".mp4");
  auto key_file = dir / "cache" / (std::string{t.slug} + ".txt");
  if (fs::exists(media) && fs::exists(key_file) && slurp(key_file) == key) {
    std::cerr << "reusing " << n << "/" << count << ": " << t.title << "\n";
    return media;
  }
  std::cerr << "synthesising " << n << "/" << count << ": " << t.title << "\n";
  fs::remove(key_file);
  // Made under another name and renamed: the server never serves half a file.
  auto partial_name = std::string{t.slug} + ".partial";
  auto made = vfb::test::synth_video(dir / "cache", partial_name, t.text, "mp4");
  fs::rename(made, media);
  {
    std::ofstream out(key_file.string() + ".tmp", std::ios::binary);
    out << key;
    if (!out.flush())
      throw std::runtime_error("cannot write " + key_file.string());
  }
  fs::rename(key_file.string() + ".tmp", key_file);
  return media;
}

/// Blocks until SIGINT/SIGTERM arrive on `sigfd` or (unless ignored) stdin reaches EOF.
void serve_until_told(int sigfd, bool watch_stdin) {
  bool stdin_open = watch_stdin;
  for (;;) {
    pollfd fds[2] = {{sigfd, POLLIN, 0}, {STDIN_FILENO, POLLIN, 0}};
    int r = ::poll(fds, stdin_open ? 2 : 1, -1);
    if (r < 0) {
      if (errno == EINTR)
        continue;
      throw std::runtime_error(std::string{"poll: "} + std::strerror(errno));
    }
    if (fds[0].revents != 0) {
      signalfd_siginfo info{};
      if (::read(sigfd, &info, sizeof info) > 0)
        std::cerr << "vfb-demo-channel: " << strsignal(static_cast<int>(info.ssi_signo))
                  << ", stopping\n";
      return;
    }
    if (stdin_open && fds[1].revents != 0) {
      char buf[4096];
      ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
      if (n > 0)
        continue; // whatever a script writes is ignored; only the end matters
      if (n < 0 && errno == EINTR)
        continue;
      std::cerr << "vfb-demo-channel: stdin closed, stopping\n";
      return;
    }
  }
}

} // namespace

int main(int argc, char** argv) {
  auto opts = parse_args(argc, argv);
  for (const char* tool : {"espeak-ng", "ffmpeg"})
    if (!vfb::find_program(tool)) {
      std::cerr << "vfb-demo-channel: " << tool
                << " not found on PATH (scripts/setup installs it)\n";
      return 2;
    }
  std::error_code ec;
  fs::create_directories(opts.dir / "media", ec);
  if (!ec)
    fs::create_directories(opts.dir / "cache", ec);
  if (ec) {
    std::cerr << "vfb-demo-channel: cannot create " << opts.dir.string() << ": " << ec.message()
              << "\n";
    return 2;
  }
  // A script that stopped reading our stdout must not kill us mid-write with SIGPIPE; the
  // write fails instead and we exit with a message.
  std::signal(SIGPIPE, SIG_IGN);
  try {
    auto& all = topics();
    int64_t now = static_cast<int64_t>(std::time(nullptr));
    struct made {
      const topic* t;
      fs::path media;
      double seconds;
      int64_t when;
    };
    std::vector<made> videos;
    for (int i = 0; i < opts.videos; ++i) {
      auto& t = all[static_cast<size_t>(i)];
      auto media = media_for(opts.dir, t, i + 1, opts.videos);
      videos.push_back(
          {&t, media, vfb::probe_duration({}, media), upload_time(now, i, opts.videos, opts.old)});
    }

    // Blocked before the server's threads start (they inherit the mask), so that the signals
    // reach only the signalfd below, and we shut down in order instead of dying.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    if (pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr) != 0)
      throw std::runtime_error("cannot block SIGINT/SIGTERM");
    int sigfd = ::signalfd(-1, &stop_signals, SFD_CLOEXEC);
    if (sigfd < 0)
      throw std::runtime_error(std::string{"signalfd: "} + std::strerror(errno));

    std::optional<vfb::test::media_server> server;
    try {
      server.emplace(opts.dir / "media", opts.port);
    } catch (const std::exception& e) {
      std::cerr << "vfb-demo-channel: " << e.what() << "\n";
      return 2;
    }
    auto feed_url = server->url("/feed.xml");
    std::vector<vfb::test::rss_item> items;
    auto listing = nlohmann::json::array();
    for (auto& v : videos) {
      auto page = server->url(std::string{"/watch/"} + v.t->slug);
      auto date = iso_date(v.when);
      server->add_dated_video_page(std::string{"/watch/"} + v.t->slug, v.t->title,
                                   server->url("/media/" + v.media.filename().string()), date,
                                   vfb::test::demo::page_description(*v.t), v.seconds, feed_url,
                                   v.t->keywords);
      items.push_back({v.t->title, page, vfb::test::rss_date(v.when), v.t->slug});
      listing.push_back({{"url", page},
                         {"title", v.t->title},
                         {"date", date},
                         {"keywords", v.t->keywords},
                         {"seconds", v.seconds}});
    }
    server->add_route("/feed.xml", "application/rss+xml",
                      vfb::test::rss_feed("vfb demo channel", items));

    nlohmann::json ready{{"feed", feed_url}, {"videos", listing}};
    std::cout << ready.dump() << "\n" << std::flush;
    if (!std::cout) {
      std::cerr << "vfb-demo-channel: cannot write to stdout\n";
      return 1;
    }
    std::cerr << "vfb-demo-channel: serving " << videos.size() << " videos at " << feed_url << "\n";
    serve_until_told(sigfd, !opts.ignore_stdin);
    ::close(sigfd);
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "vfb-demo-channel: " << e.what() << "\n";
    return 1;
  }
}
