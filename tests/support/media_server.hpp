// A loopback HTTP server for tests: serves files (with Range support, as yt-dlp downloads
// media in ranges), fixed routes (pages, feeds) and scripted failures, and records requests.
#pragma once

#include <condition_variable>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace httplib {
class Server;
} // namespace httplib

namespace vfb::test {

class media_server {
public:
  /// Serves the files of `root` under /media/ on 127.0.0.1 and an ephemeral port.
  explicit media_server(std::filesystem::path root);
  ~media_server();
  media_server(const media_server&) = delete;
  media_server& operator=(const media_server&) = delete;

  int port() const { return port_; }
  /// "http://127.0.0.1:PORT" + path.
  std::string url(const std::string& path) const;

  /// Answers GET `path` with `body`.
  void add_route(const std::string& path, const std::string& content_type, std::string body);
  /// Answers GET `path` with `status` (and a Retry-After header when `retry_after_s` > 0).
  void fail(const std::string& path, int status, int retry_after_s = 0);
  /// How many requests for `path` arrived so far.
  size_t requests_for(const std::string& path) const;

private:
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
  mutable std::mutex mu_;
  std::map<std::string, size_t> hits_;
  std::map<std::string, std::pair<int, int>> failures_;
};

} // namespace vfb::test
