#include "adapters/ytdlp_version.hpp"

#include "text/strings.hpp"

#include <cstdio>
#include <tuple>

namespace vfb {

namespace {

/// The first line of `output` with text on it, trimmed.
std::string_view first_line(std::string_view output) {
  while (!output.empty()) {
    auto eol = output.find('\n');
    auto line = text::trim(output.substr(0, eol));
    if (!line.empty())
      return line;
    if (eol == std::string_view::npos)
      break;
    output.remove_prefix(eol + 1);
  }
  return {};
}

} // namespace

bool operator<(const ytdlp_version& a, const ytdlp_version& b) {
  return std::tie(a.year, a.month, a.day, a.build) < std::tie(b.year, b.month, b.day, b.build);
}

std::optional<ytdlp_version> parse_ytdlp_version(std::string_view output) {
  std::string line{first_line(output)};
  ytdlp_version v;
  unsigned long long build = 0;
  int used = 0;
  auto n = std::sscanf(line.c_str(), "%4d.%2d.%2d%n.%llu%n", &v.year, &v.month, &v.day, &used,
                       &build, &used);
  if (n < 3 || static_cast<size_t>(used) != line.size() || v.year < 2021 || v.month < 1 ||
      v.month > 12 || v.day < 1 || v.day > 31)
    return std::nullopt;
  v.build = n == 4 ? build : 0;
  v.text = line;
  return v;
}

std::optional<semver> parse_deno_version(std::string_view output) {
  std::string line{first_line(output)};
  semver v;
  int used = 0;
  if (std::sscanf(line.c_str(), "deno %d.%d.%d%n", &v.major, &v.minor, &v.patch, &used) != 3 ||
      used == 0 || (static_cast<size_t>(used) < line.size() && line[used] != ' '))
    return std::nullopt;
  return v;
}

} // namespace vfb
