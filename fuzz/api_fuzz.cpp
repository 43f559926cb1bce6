// HTTP API requests: the query string (first line, parsed by httplib as the server does), the
// Authorization header (second line; also read as a Cookie and an Origin header) and the body
// (the rest) go through everything the route handlers and the router read from them; bad input
// throws api_error only, with a 4xx status.
#include "frontends/api_requests.hpp"
#include "fuzz/fuzz_check.hpp"

using namespace vfb;

namespace {

template <class F> void refused_or_read(F&& read) {
  try {
    read();
  } catch (const api_error& e) {
    fuzz::require(e.status >= 400 && e.status < 500, "a request is refused with a 4xx");
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto [query, rest] = fuzz::split_once(fuzz::text(data, size), '\n');
  auto [authorization, body] = fuzz::split_once(rest, '\n');
  httplib::Request req;
  httplib::detail::parse_query_text(std::string{query}, req.params);
  req.set_header("Authorization", std::string{authorization});
  req.body = std::string{body};
  bearer_token(req);
  if (auto session = cookie_value(authorization, "vfb_session"))
    fuzz::require(session->find(';') == std::string::npos, "a cookie value ends at ';'");
  // An origin that is ours is a bare http(s) origin.
  if (origin_is_ours(authorization, "127.0.0.1:8080", "https://vfb.example.org"))
    fuzz::require(origin_of(authorization).has_value(), "our origin is an origin");
  refused_or_read([&] { parse_job_order(req.get_param_value("order")); });
  refused_or_read([&] {
    auto n = query_number(req, "limit", 10, 1, 1000);
    fuzz::require(n >= 1 && n <= 1000, "a query number is in its bounds");
  });
  refused_or_read([&] { parse_state_list(req.get_param_value("state")); });
  refused_or_read([&] {
    auto j = body_of(req);
    refused_or_read([&] { submission_from(j); });
    refused_or_read([&] {
      auto f = follow_request_from(j);
      fuzz::require(!f.limit || (*f.limit >= 1 && *f.limit <= 100000), "a limit is in bounds");
    });
    refused_or_read([&] { setting_from(j); });
  });
  return 0;
}
