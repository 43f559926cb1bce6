#include "tests/support/media_server.hpp"

#include <httplib.h>
#include <stdexcept>

namespace vfb::test {

media_server::media_server(std::filesystem::path root)
    : server_(std::make_unique<httplib::Server>()) {
  server_->set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard<std::mutex> guard{mu_};
    ++hits_[req.path];
    auto it = failures_.find(req.path);
    if (it == failures_.end())
      return httplib::Server::HandlerResponse::Unhandled;
    res.status = it->second.first;
    if (it->second.second > 0)
      res.set_header("Retry-After", std::to_string(it->second.second));
    res.set_content("scripted failure", "text/plain");
    return httplib::Server::HandlerResponse::Handled;
  });
  if (!server_->set_mount_point("/media", root.string()))
    throw std::runtime_error("cannot serve " + root.string());
  port_ = server_->bind_to_any_port("127.0.0.1");
  if (port_ <= 0)
    throw std::runtime_error("cannot bind a loopback port");
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  while (!server_->is_running()) // the port is bound already; listening starts in a moment
    std::this_thread::yield();
}

media_server::~media_server() {
  server_->stop();
  if (thread_.joinable())
    thread_.join();
}

std::string media_server::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

void media_server::add_route(const std::string& path, const std::string& content_type,
                             std::string body) {
  server_->Get(path, [body = std::move(body), content_type](const httplib::Request&,
                                                            httplib::Response& res) {
    res.set_content(body, content_type);
  });
}

void media_server::fail(const std::string& path, int status, int retry_after_s) {
  std::lock_guard<std::mutex> guard{mu_};
  failures_[path] = {status, retry_after_s};
}

size_t media_server::requests_for(const std::string& path) const {
  std::lock_guard<std::mutex> guard{mu_};
  auto it = hits_.find(path);
  return it == hits_.end() ? 0 : it->second;
}

} // namespace vfb::test
