// The HTTP API's door: authentication and error mapping around each route (see api_router.hpp).
#include "frontends/api_router.hpp"

#include "frontends/http_helpers.hpp"

#include <algorithm>
#include <cctype>

namespace vfb {

api_router::api_router(httplib::Server& server, std::shared_ptr<token_store> tokens,
                       std::shared_ptr<web_sessions> sessions, size_t max_body_bytes,
                       std::string public_origin)
    : server_(server), tokens_(std::move(tokens)), sessions_(std::move(sessions)),
      public_origin_(std::move(public_origin)) {
  server_.set_payload_max_length(max_body_bytes);
  // httplib's own refusals (no route, body too large) get the API's error shape too; the
  // handlers' answers already have a body and pass unchanged.
  server_.set_error_handler(httplib::Server::HandlerWithResponse{[this](const httplib::Request& req,
                                                                        httplib::Response& res) {
    if (!res.body.empty())
      return httplib::Server::HandlerResponse::Unhandled;
    if (res.status == 404 && not_found_page_)
      if (auto page = not_found_page_(req)) {
        res.status = page->status;
        res.body = std::move(page->body);
        for (auto& [k, v] : page->headers)
          res.set_header(k.c_str(), v);
        return httplib::Server::HandlerResponse::Handled;
      }
    if (res.status == 413)
      res.set_content(error_body("payload_too_large", "the body is over the limit").dump(),
                      "application/json");
    else if (res.status == 404)
      res.set_content(error_body("not_found", "no such endpoint").dump(), "application/json");
    else
      res.set_content(error_body("http_" + std::to_string(res.status), "request refused").dump(),
                      "application/json");
    return httplib::Server::HandlerResponse::Handled;
  }});
}

std::optional<web_session> api_router::session_of(const httplib::Request& req) const {
  auto id = cookie_value(req.get_header_value("Cookie"), session_cookie);
  if (!id)
    return std::nullopt;
  return sessions_->find(*id, now_millis());
}

void api_router::check_origin(const httplib::Request& req) const {
  if (req.has_header("Origin") &&
      !origin_is_ours(req.get_header_value("Origin"), req.get_header_value("Host"), public_origin_))
    throw api_error(403, "forbidden",
                    "a request from another site (Origin " + req.get_header_value("Origin") +
                        ") is refused");
}

token_record api_router::authenticate(const httplib::Request& req, access need) const {
  std::optional<token_record> record;
  if (auto token = bearer_token(req)) {
    record = tokens_->verify(*token);
    if (!record)
      throw api_error(401, "unauthorized", "unknown or revoked token");
  } else if (auto id = cookie_value(req.get_header_value("Cookie"), session_cookie)) {
    auto session = sessions_->find(*id, now_millis());
    if (!session)
      throw api_error(401, "unauthorized", "the session has ended; sign in again");
    // The session's token is checked on each use: revoking it ends the session.
    record = tokens_->get(session->token_id);
    if (!record || !record->active())
      throw api_error(401, "unauthorized", "the session's token was revoked; sign in again");
    if (req.method != "GET" && req.method != "HEAD") {
      check_origin(req);
      if (!web_sessions::csrf_matches(*session, req.get_header_value("X-CSRF-Token")))
        throw api_error(403, "forbidden",
                        "a write from the web page needs its session's X-CSRF-Token header");
    }
  }
  if (!record)
    throw api_error(401, "unauthorized",
                    "an Authorization: Bearer token (or the web page's session) is required");
  if (need == access::operator_ && record->role != token_role::operator_)
    throw api_error(403, "forbidden", "this needs an operator token");
  return *record;
}

void api_router::set_not_found_page(
    std::function<std::optional<httplib::Response>(const httplib::Request&)> page) {
  not_found_page_ = std::move(page);
}

void api_router::add(const char* method, const char* pattern, access need, api_handler h) {
  auto wrapped = [this, need, h](const httplib::Request& req, httplib::Response& res) {
    httplib::Response out;
    try {
      token_record who;
      if (need != access::open)
        who = authenticate(req, need);
      out = h(req, who);
    } catch (const api_error& e) {
      out = json_reply(e.status, error_body(e.code, e.what()));
      if (e.status == 401)
        out.set_header("WWW-Authenticate", "Bearer realm=\"vfb\"");
    } catch (const std::invalid_argument& e) {
      out = json_reply(400, error_body("bad_request", e.what()));
    } catch (const std::exception& e) {
      // The stores' errors (storage failures, a full disk): the request may succeed later.
      out = json_reply(503, error_body("unavailable", e.what()));
    }
    res.status = out.status;
    res.body = std::move(out.body);
    for (auto& [k, v] : out.headers)
      res.set_header(k.c_str(), v);
    // A streamed answer (GET /v1/events) hands its content provider over.
    res.content_length_ = out.content_length_;
    res.content_provider_ = std::move(out.content_provider_);
    res.content_provider_resource_releaser_ = std::move(out.content_provider_resource_releaser_);
    res.is_chunked_content_provider_ = out.is_chunked_content_provider_;
    out.content_provider_resource_releaser_ = nullptr;
  };
  std::string m = method;
  if (m == "GET") {
    server_.Get(pattern, wrapped);
    return;
  }
  // A request with neither Content-Length nor Transfer-Encoding has no body (RFC 9112, 6.3),
  // e.g. `curl -X POST .../cancel`. httplib 0.11 reads such a POST, PUT or DELETE body until
  // the client closes the connection, which a client waiting for its answer never does: 400
  // after its 5 s read timeout. Handlers with a content reader run before any body is read,
  // so they read one only when the headers announce it.
  auto with_body = [wrapped](const httplib::Request& req, httplib::Response& res,
                             const httplib::ContentReader& reader) {
    if (!req.has_header("Content-Length") && !req.has_header("Transfer-Encoding"))
      return wrapped(req, res);
    std::string body;
    // httplib enforces the payload limit (413) and sets the status when reading fails; the
    // error handler gives that answer the API's error shape.
    if (!reader([&](const char* data, size_t n) {
          body.append(data, n);
          return true;
        }))
      return;
    auto with = req;
    with.body = std::move(body);
    wrapped(with, res);
  };
  if (m == "POST")
    server_.Post(pattern, with_body);
  else if (m == "PUT")
    server_.Put(pattern, with_body);
  else
    server_.Delete(pattern, with_body);
}

} // namespace vfb
