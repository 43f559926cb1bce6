// The web page: GET /assets/FILE serves web/assets/FILE, and the page's own addresses (/,
// /submit, /search, /follows, /signin, /jobs/ID) serve web/index.html, whose script shows the
// page the address names. An address no route knows, asked for by a browser (Accept:
// text/html), gets index.html too with status 404: the page shows its not-found view.
#include "frontends/api_routes.hpp"
#include "frontends/http_helpers.hpp"
#include "frontends/web_files.hpp"

namespace vfb {

namespace {

httplib::Response file_reply(const web_files& files, const std::string& path, int status = 200) {
  auto f = files.find(path);
  if (!f)
    throw api_error(404, "not_found", "no such file: /" + path);
  httplib::Response res;
  res.status = status;
  res.set_content(std::move(f->body), f->content_type);
  // Revalidated on each load: a node updated in place never serves yesterday's script.
  res.set_header("Cache-Control", "no-cache");
  return res;
}

} // namespace

void add_web_routes(api_router& router, std::shared_ptr<const web_files> files) {
  router.add("GET", R"(/assets/(.+))", access::open,
             [files](const httplib::Request& req, const token_record&) {
               return file_reply(*files, "assets/" + req.matches[1].str());
             });
  for (const char* page : {"/", "/submit", "/search", "/follows", "/signin", R"(/jobs/[^/]+)"})
    router.add("GET", page, access::open, [files](const httplib::Request&, const token_record&) {
      return file_reply(*files, "index.html");
    });
}

std::optional<httplib::Response> web_not_found(const web_files& files,
                                               const httplib::Request& req) {
  if (req.method != "GET" || req.path.rfind("/v1/", 0) == 0 ||
      req.get_header_value("Accept").find("text/html") == std::string::npos)
    return std::nullopt;
  try {
    return file_reply(files, "index.html", 404);
  } catch (const api_error&) {
    return std::nullopt; // a binary built without the page
  }
}

} // namespace vfb
