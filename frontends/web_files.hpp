// The web page's files (web/ in the project): built into the binary by cmake/embed_web.cmake,
// or read from a directory at each request while the page is being worked on (VFB_WEB_DIR).
// Pure code (no CAF, no server).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vfb {

/// One file of web/ as built into the binary: its path under web/ and its bytes.
struct embedded_web_file {
  std::string_view path; // "index.html", "assets/app.js"
  std::string_view body;
};

/// Every file of web/ when the binary was built (generated code).
const std::vector<embedded_web_file>& embedded_web_files();

struct web_file {
  std::string body;
  std::string content_type;
};

/// The MIME type for a file name's extension (application/octet-stream when unknown).
std::string_view web_content_type(std::string_view path);

class web_files {
public:
  /// Serves `dir` when not empty (read at each request, for working on the page), else the
  /// files built into the binary.
  explicit web_files(std::filesystem::path dir = {});

  /// The file at `path` under web/ ("assets/app.js"); nullopt when there is none, or when the
  /// path is not a plain relative one (no "..", no empty or hidden segments).
  std::optional<web_file> find(std::string_view path) const;

private:
  std::filesystem::path dir_;
};

} // namespace vfb
