// The web page's files (see web_files.hpp).
#include "frontends/web_files.hpp"

#include "text/files.hpp"
#include "text/strings.hpp"

#include <cctype>

namespace vfb {

namespace {

/// Segments of letters, digits, '-', '_' and '.', none empty or starting with '.'.
bool plain_relative(std::string_view path) {
  if (path.empty())
    return false;
  size_t start = 0;
  while (start <= path.size()) {
    auto end = path.find('/', start);
    auto seg = path.substr(start, end == std::string_view::npos ? path.npos : end - start);
    if (seg.empty() || seg.front() == '.')
      return false;
    for (char c : seg)
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.')
        return false;
    if (end == std::string_view::npos)
      break;
    start = end + 1;
  }
  return true;
}

} // namespace

std::string_view web_content_type(std::string_view path) {
  static const std::pair<std::string_view, std::string_view> types[] = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".json", "application/json"},
      {".txt", "text/plain; charset=utf-8"},
      {".ico", "image/x-icon"},
  };
  for (const auto& [ext, type] : types)
    if (text::ends_with(path, ext))
      return type;
  return "application/octet-stream";
}

web_files::web_files(std::filesystem::path dir) : dir_(std::move(dir)) {}

std::optional<web_file> web_files::find(std::string_view path) const {
  if (!plain_relative(path))
    return std::nullopt;
  web_file out;
  out.content_type = web_content_type(path);
  if (dir_.empty()) {
    for (const auto& f : embedded_web_files())
      if (f.path == path) {
        out.body = std::string{f.body};
        return out;
      }
    return std::nullopt;
  }
  auto body = text::read_file(dir_ / std::string{path});
  if (!body) // missing, or a directory
    return std::nullopt;
  out.body = std::move(*body);
  return out;
}

} // namespace vfb
