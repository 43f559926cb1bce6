// A loopback HTTP server for tests: serves files (with Range support and Content-Type by
// extension), fixed routes (pages, feeds) and scripted failures, and records every request so
// a test can inspect and await them. It listens on 127.0.0.1 and an ephemeral port from the
// constructor on, on a thread of its own, and stops in the destructor.
//
// What yt-dlp 2023.03.04 makes of it (checked): a direct media URL (/media/talk.mp4) goes to
// the "Generic" extractor with id and title "talk" and no duration; a `video_page` (og:video
// meta tag, no <video> element) is "Generic" too, titled from the page, with the video's file
// name as id. A page with a <video src> element goes to "HTML5MediaEmbed" instead, id
// "PAGE-1" and title "TITLE (1)". An `rss_feed` is listed as a playlist of its items. A
// `dated_video_page` (schema.org VideoObject in JSON-LD) is "Generic" with the page's last path
// segment as id, the JSON-LD's name, description, upload date and duration.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace httplib {
class Server;
} // namespace httplib

namespace vfb::test {

/// A request as it arrived.
struct recorded_request {
  std::string method;
  std::string path; // without the query
  std::vector<std::pair<std::string, std::string>> headers;
  /// The value of header `name` (case-insensitive), empty when absent.
  std::string header(const std::string& name) const;
};

struct rss_item {
  std::string title;
  std::string url;      // the video: <link> and <enclosure>
  std::string pub_date; // RFC 822, e.g. rss_date(...)
  std::string guid;     // yt-dlp uses it as the entry's id
};

/// An RSS 2.0 document with these items (text XML-escaped).
std::string rss_feed(const std::string& title, const std::vector<rss_item>& items);

/// `unix_seconds` as an RSS date: "Tue, 24 Nov 2026 16:48:32 +0000".
std::string rss_date(int64_t unix_seconds);

class media_server {
public:
  /// Serves the files of `root` under /media/, on `port` (0: any free one; throws when the port
  /// is taken).
  explicit media_server(std::filesystem::path root, int port = 0);
  ~media_server();
  media_server(const media_server&) = delete;
  media_server& operator=(const media_server&) = delete;

  int port() const { return port_; }
  /// "http://127.0.0.1:PORT" + path.
  std::string url(const std::string& path) const;

  /// Answers GET and HEAD for `path` with `body` (replacing an earlier route).
  void add_route(const std::string& path, const std::string& content_type, std::string body);
  /// Answers GET for `path` with 302 Found to `location`, as release downloads redirect to
  /// their tag (replacing an earlier route).
  void add_redirect(const std::string& path, const std::string& location);
  /// An HTML page titled `title` whose og:video is `video_url`, an absolute URL (see the file
  /// comment).
  void add_video_page(const std::string& path, const std::string& title,
                      const std::string& video_url);
  /// A page like a video platform's: JSON-LD gives yt-dlp an upload date (YYYY-MM-DD) and a
  /// description (and `keywords`, which yt-dlp reports as the video's tags), and a <link
  /// rel="alternate"> names the channel's feed (`feed_url`, if any), as sites do for feed
  /// readers. Also has og:video. See the file comment.
  void add_dated_video_page(const std::string& path, const std::string& title,
                            const std::string& video_url, const std::string& upload_date,
                            const std::string& description, double duration_s = 0,
                            const std::string& feed_url = {},
                            const std::vector<std::string>& keywords = {});
  /// Answers requests for `path` with `status` (and a Retry-After header when `retry_after_s`
  /// > 0), the next `times` times; then the path works again.
  void fail(const std::string& path, int status, int retry_after_s = 0,
            size_t times = std::numeric_limits<size_t>::max());
  /// Ends scripted failures for `path`.
  void heal(const std::string& path);
  /// Keeps every request whose path starts with `prefix` waiting, unanswered, until
  /// `release_held` (or the destructor): work that needs it cannot finish meanwhile.
  void hold(const std::string& prefix);
  /// Answers the held requests and ends every hold.
  void release_held();

  /// How many requests for `path` arrived so far.
  size_t requests_for(const std::string& path) const;
  /// Every request so far, oldest first.
  std::vector<recorded_request> requests() const;
  /// Waits until `count` requests for `path` arrived; false if that took longer than `limit`.
  bool wait_for_request(const std::string& path, size_t count = 1,
                        std::chrono::milliseconds limit = std::chrono::seconds{30});

private:
  struct route {
    std::string content_type;
    std::string body;
    std::string location; // a redirect when set
  };
  struct failure {
    int status;
    int retry_after_s;
    size_t times;
  };
  size_t count_locked(const std::string& path) const; // requests for `path`; mu_ held

  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
  mutable std::mutex mu_;
  std::condition_variable arrived_;
  std::condition_variable released_;
  std::vector<std::string> holds_; // path prefixes
  std::vector<recorded_request> log_;
  std::map<std::string, route> routes_;
  std::map<std::string, failure> failures_;
};

} // namespace vfb::test
