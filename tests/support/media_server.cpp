#include "tests/support/media_server.hpp"

#include <algorithm>
#include <cctype>
#include <ctime>
#include <httplib.h>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace vfb::test {

namespace {

std::string xml_escape(const std::string& s) {
  std::string out;
  for (char c : s)
    switch (c) {
    case '&':
      out += "&amp;";
      break;
    case '<':
      out += "&lt;";
      break;
    case '>':
      out += "&gt;";
      break;
    case '"':
      out += "&quot;";
      break;
    case '\'':
      out += "&apos;";
      break;
    default:
      out += c;
    }
  return out;
}

bool same_ignoring_case(const std::string& a, const std::string& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

} // namespace

std::string recorded_request::header(const std::string& name) const {
  for (auto& [k, v] : headers)
    if (same_ignoring_case(k, name))
      return v;
  return {};
}

std::string rss_feed(const std::string& title, const std::vector<rss_item>& items) {
  std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\">\n"
                    "<channel>\n<title>" +
                    xml_escape(title) + "</title>\n<link>http://127.0.0.1/</link>\n" +
                    "<description>" + xml_escape(title) + "</description>\n";
  for (auto& i : items)
    xml += "<item>\n<title>" + xml_escape(i.title) + "</title>\n<link>" + xml_escape(i.url) +
           "</link>\n<guid isPermaLink=\"false\">" + xml_escape(i.guid) + "</guid>\n<pubDate>" +
           xml_escape(i.pub_date) + "</pubDate>\n<enclosure url=\"" + xml_escape(i.url) +
           "\" length=\"0\" type=\"video/mp4\"/>\n</item>\n";
  return xml + "</channel>\n</rss>\n";
}

std::string rss_date(int64_t unix_seconds) {
  auto t = static_cast<std::time_t>(unix_seconds);
  std::tm utc{};
  gmtime_r(&t, &utc);
  // Day and month names in English whatever the locale: strftime's %a and %b are not.
  static const char* days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[utc.tm_wday],
                utc.tm_mday, months[utc.tm_mon], utc.tm_year + 1900, utc.tm_hour, utc.tm_min,
                utc.tm_sec);
  return buf;
}

media_server::media_server(std::filesystem::path root, int port)
    : server_(std::make_unique<httplib::Server>()) {
  // Everything but the files goes through here, under our lock: httplib's own route table
  // must not change while its threads read it.
  server_->set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    std::unique_lock<std::mutex> lock{mu_};
    recorded_request r{req.method, req.path, {}};
    for (auto& [k, v] : req.headers)
      r.headers.emplace_back(k, v);
    log_.push_back(std::move(r));
    arrived_.notify_all();
    released_.wait(lock, [&] {
      return std::none_of(holds_.begin(), holds_.end(), [&](const std::string& prefix) {
        return req.path.rfind(prefix, 0) == 0;
      });
    });
    if (auto f = failures_.find(req.path); f != failures_.end()) {
      res.status = f->second.status;
      if (f->second.retry_after_s > 0)
        res.set_header("Retry-After", std::to_string(f->second.retry_after_s));
      res.set_content("scripted failure", "text/plain");
      if (--f->second.times == 0)
        failures_.erase(f);
      return httplib::Server::HandlerResponse::Handled;
    }
    auto route = routes_.find(req.path);
    if (route == routes_.end() || (req.method != "GET" && req.method != "HEAD"))
      return httplib::Server::HandlerResponse::Unhandled;
    if (!route->second.location.empty()) {
      res.status = 302;
      res.set_header("Location", route->second.location);
      return httplib::Server::HandlerResponse::Handled;
    }
    res.set_content(route->second.body, route->second.content_type.c_str());
    return httplib::Server::HandlerResponse::Handled;
  });
  if (!server_->set_mount_point("/media", root.string()))
    throw std::runtime_error("cannot serve " + root.string());
  if (port == 0) {
    port_ = server_->bind_to_any_port("127.0.0.1");
    if (port_ <= 0)
      throw std::runtime_error("cannot bind a loopback port");
  } else {
    if (!server_->bind_to_port("127.0.0.1", port))
      throw std::runtime_error("cannot listen on 127.0.0.1:" + std::to_string(port) + " (in use?)");
    port_ = port;
  }
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  // The port accepts connections already; but stop() only works once the loop runs.
  while (!server_->is_running())
    std::this_thread::sleep_for(std::chrono::milliseconds{1});
}

media_server::~media_server() {
  release_held();
  server_->stop();
  if (thread_.joinable())
    thread_.join();
}

std::string media_server::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

void media_server::add_route(const std::string& path, const std::string& content_type,
                             std::string body) {
  std::lock_guard<std::mutex> guard{mu_};
  routes_[path] = {content_type, std::move(body), {}};
}

void media_server::add_redirect(const std::string& path, const std::string& location) {
  std::lock_guard<std::mutex> guard{mu_};
  routes_[path] = {{}, {}, location};
}

void media_server::add_video_page(const std::string& path, const std::string& title,
                                  const std::string& video_url) {
  auto t = xml_escape(title);
  add_route(path, "text/html; charset=utf-8",
            "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">\n<title>" + t +
                "</title>\n<meta property=\"og:title\" content=\"" + t +
                "\">\n<meta property=\"og:video\" content=\"" + xml_escape(video_url) +
                "\">\n</head><body><h1>" + t + "</h1></body></html>\n");
}

void media_server::add_dated_video_page(const std::string& path, const std::string& title,
                                        const std::string& video_url,
                                        const std::string& upload_date,
                                        const std::string& description, double duration_s,
                                        const std::string& feed_url,
                                        const std::vector<std::string>& keywords) {
  nlohmann::json ld{
      {"@context", "https://schema.org"}, {"@type", "VideoObject"},    {"name", title},
      {"description", description},       {"uploadDate", upload_date}, {"contentUrl", video_url}};
  if (!keywords.empty()) { // schema.org's Text form, which yt-dlp splits at commas
    std::string joined;
    for (const auto& k : keywords)
      joined += (joined.empty() ? "" : ",") + k;
    ld["keywords"] = joined;
  }
  if (duration_s > 0)
    ld["duration"] = "PT" + std::to_string(static_cast<int>(duration_s + 0.5)) + "S";
  // "</" would end the <script> element early whatever the JSON says.
  std::string json;
  for (char c : ld.dump()) {
    if (c == '/' && !json.empty() && json.back() == '<')
      json += '\\';
    json += c;
  }
  auto t = xml_escape(title);
  std::string feed;
  if (!feed_url.empty())
    feed = "<link rel=\"alternate\" type=\"application/rss+xml\" href=\"" + xml_escape(feed_url) +
           "\">\n";
  add_route(path, "text/html; charset=utf-8",
            "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">\n<title>" + t +
                "</title>\n<meta property=\"og:title\" content=\"" + t +
                "\">\n<meta property=\"og:video\" content=\"" + xml_escape(video_url) + "\">\n" +
                feed + "<script type=\"application/ld+json\">" + json +
                "</script>\n</head><body><h1>" + t + "</h1>\n<p>" + xml_escape(description) +
                "</p></body></html>\n");
}

void media_server::fail(const std::string& path, int status, int retry_after_s, size_t times) {
  std::lock_guard<std::mutex> guard{mu_};
  if (times == 0)
    failures_.erase(path);
  else
    failures_[path] = {status, retry_after_s, times};
}

void media_server::heal(const std::string& path) {
  std::lock_guard<std::mutex> guard{mu_};
  failures_.erase(path);
}

void media_server::hold(const std::string& prefix) {
  std::lock_guard<std::mutex> guard{mu_};
  holds_.push_back(prefix);
}

void media_server::release_held() {
  {
    std::lock_guard<std::mutex> guard{mu_};
    holds_.clear();
  }
  released_.notify_all();
}

size_t media_server::count_locked(const std::string& path) const {
  return static_cast<size_t>(std::count_if(
      log_.begin(), log_.end(), [&](const recorded_request& r) { return r.path == path; }));
}

size_t media_server::requests_for(const std::string& path) const {
  std::lock_guard<std::mutex> guard{mu_};
  return count_locked(path);
}

std::vector<recorded_request> media_server::requests() const {
  std::lock_guard<std::mutex> guard{mu_};
  return log_;
}

bool media_server::wait_for_request(const std::string& path, size_t count,
                                    std::chrono::milliseconds limit) {
  std::unique_lock<std::mutex> lock{mu_};
  return arrived_.wait_for(lock, limit, [&] { return count_locked(path) >= count; });
}

} // namespace vfb::test
