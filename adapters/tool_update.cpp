#include "adapters/tool_update.hpp"

#include "adapters/process.hpp"
#include "text/strings.hpp"

#include <cctype>
#include <cstdio>
#include <fcntl.h>
#include <fstream>
#include <httplib.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

namespace vfb {

namespace fs = std::filesystem;

namespace {

tool_update_error failed(const std::string& what) {
  return tool_update_error(what + "; nothing was replaced");
}

/// "https://host:port/some/dir" as the client's origin and the path of the directory.
std::pair<std::string, std::string> split_url(const std::string& url) {
  auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos)
    throw failed("tools.release_url is not a URL: " + url);
  auto path_start = url.find('/', scheme_end + 3);
  if (path_start == std::string::npos)
    return {url, ""};
  auto path = url.substr(path_start);
  while (!path.empty() && path.back() == '/')
    path.pop_back();
  return {url.substr(0, path_start), path};
}

std::string hex(const unsigned char* bytes, size_t n) {
  std::string out(2 * n + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), bytes, n); // lower case, NUL-terminated
  out.pop_back();
  return out;
}

/// Streams `url` to `sink`, following redirects (GitHub sends the latest release's files from
/// another host) but never from https to http. Throws when the server cannot be reached,
/// answers other than 200, redirects too often, or sends more than `max_bytes`.
void fetch(const tool_update_options& o, const std::string& file,
           const std::function<void(const char*, size_t)>& sink) {
  auto url = o.release_url + "/" + file;
  for (int hop = 0; hop <= 10; ++hop) {
    auto [origin, path] = split_url(url);
    httplib::Client client{origin};
    client.set_follow_location(false); // each hop is checked here
    client.set_connection_timeout(std::chrono::seconds{30});
    client.set_read_timeout(o.timeout);
    client.set_default_headers({{"User-Agent", "vfb (tools update)"}});
    size_t received = 0;
    bool too_big = false;
    int status = 0;
    auto res = client.Get(
        path, [&](const httplib::Response& r) { return (status = r.status), true; },
        [&](const char* data, size_t n) {
          if (status != 200)
            return true; // a redirect's or an error's own body
          received += n;
          if (received > o.max_bytes) {
            too_big = true;
            return false;
          }
          sink(data, n);
          return true;
        });
    if (too_big)
      throw failed(url + " is larger than " + std::to_string(o.max_bytes >> 20) + " MiB");
    if (!res)
      throw failed("cannot fetch " + url + " (" + httplib::to_string(res.error()) +
                   " error: the server is down, unreachable or refused the connection)");
    if (res->status >= 300 && res->status < 400 && res->has_header("Location")) {
      url = redirect_target(url, res->get_header_value("Location"));
      continue;
    }
    if (res->status != 200)
      throw failed(url + " answered HTTP " + std::to_string(res->status));
    return;
  }
  throw failed(o.release_url + "/" + file + " redirects more than 10 times");
}

/// SHA-256 of a file, lower-case hex; "" when it cannot be read.
std::string sha256_of(const fs::path& p) {
  std::ifstream in{p, std::ios::binary};
  if (!in)
    return {};
  crypto_hash_sha256_state st;
  crypto_hash_sha256_init(&st);
  char buf[1 << 16];
  while (in.read(buf, sizeof buf) || in.gcount() > 0)
    crypto_hash_sha256_update(&st, reinterpret_cast<const unsigned char*>(buf),
                              static_cast<unsigned long long>(in.gcount()));
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256_final(&st, digest);
  return hex(digest, sizeof digest);
}

/// The version `program --version` prints, if it runs and prints one.
std::optional<ytdlp_version> version_of(const fs::path& program, std::string* said = nullptr) {
  process_options po;
  po.argv = {program.string(), "--version"};
  po.timeout = std::chrono::seconds{60};
  auto run = run_process(po);
  if (said != nullptr)
    *said = run.ok() ? run.out : run.describe() + (run.err.empty() ? "" : ": " + run.err);
  return run.ok() ? parse_ytdlp_version(run.out) : std::nullopt;
}

} // namespace

std::string redirect_target(const std::string& from, const std::string& location) {
  std::string next = location;
  if (location.rfind("//", 0) == 0) // scheme-relative
    next = from.substr(0, from.find("://") + 1) + location;
  else if (!location.empty() && location.front() == '/')
    next = split_url(from).first + location;
  else if (location.rfind("http://", 0) != 0 && location.rfind("https://", 0) != 0)
    throw failed("the release server redirects to '" + location + "', which is not http(s)");
  if (from.rfind("https://", 0) == 0 && next.rfind("http://", 0) == 0)
    throw failed("the release server redirects from https to plain http (" + next + ")");
  return next;
}

std::optional<std::string> checksum_for(std::string_view sums, std::string_view asset) {
  while (!sums.empty()) {
    auto eol = sums.find('\n');
    auto line = text::trim(sums.substr(0, eol));
    sums = eol == std::string_view::npos ? std::string_view{} : sums.substr(eol + 1);
    // "<hex>  <name>" (sha256sum's text mode) or "<hex> *<name>" (binary mode).
    auto space = line.find(' ');
    if (space != 64)
      continue;
    auto name = text::trim(line.substr(space));
    if (!name.empty() && name.front() == '*')
      name.remove_prefix(1);
    if (name != asset)
      continue;
    std::string sum{line.substr(0, 64)};
    bool is_hex = true;
    for (auto& c : sum) {
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      is_hex = is_hex && std::isxdigit(static_cast<unsigned char>(c));
    }
    if (is_hex)
      return sum;
  }
  return std::nullopt;
}

tool_update_result update_ytdlp(const tool_update_options& o) {
  if (o.asset.empty() || o.asset.find('/') != std::string::npos || o.asset[0] == '.')
    throw failed("tools.ytdlp_asset must be a file name, got '" + o.asset + "'");
  if (sodium_init() < 0)
    throw failed("libsodium cannot start");
  std::string sums;
  fetch(o, "SHA2-256SUMS", [&](const char* d, size_t n) { sums.append(d, n); });
  auto expected = checksum_for(sums, o.asset);
  if (!expected)
    throw failed("SHA2-256SUMS at " + o.release_url + " names no file '" + o.asset + "'");

  tool_update_result r;
  r.path = o.managed_dir / "yt-dlp";
  r.sha256 = *expected;
  std::error_code ec;
  fs::create_directories(o.managed_dir, ec);
  if (ec)
    throw failed("cannot create " + o.managed_dir.string() + ": " + ec.message());
  if (fs::exists(r.path, ec)) {
    r.previous = [&]() -> std::optional<std::string> {
      if (auto v = version_of(r.path))
        return v->text;
      return std::string{"an unknown version"};
    }();
    if (sha256_of(r.path) == *expected) { // this release is installed already
      r.version = r.previous.value_or("");
      return r;
    }
  }

  // Next to the target, so that the rename is atomic; a leftover from a crash is overwritten.
  auto temp = o.managed_dir / (".yt-dlp.download." + std::to_string(::getpid()));
  struct remove_on_exit {
    fs::path p;
    ~remove_on_exit() {
      std::error_code ignored;
      fs::remove(p, ignored);
    }
  } cleanup{temp};
  {
    std::ofstream out{temp, std::ios::binary | std::ios::trunc};
    if (!out)
      throw failed("cannot write " + temp.string());
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    fetch(o, o.asset, [&](const char* d, size_t n) {
      out.write(d, static_cast<std::streamsize>(n));
      crypto_hash_sha256_update(&st, reinterpret_cast<const unsigned char*>(d), n);
    });
    out.flush();
    if (!out)
      throw failed("cannot write " + temp.string() + " (disk full?)");
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&st, digest);
    if (auto got = hex(digest, sizeof digest); got != *expected)
      throw failed("the download of " + o.asset + " does not match SHA2-256SUMS (expected " +
                   *expected + ", got " + got + ")");
  }
  ::chmod(temp.c_str(), 0755);
  std::string said;
  auto v = version_of(temp, &said);
  if (!v)
    throw failed("the downloaded " + o.asset + " does not run as yt-dlp (" +
                 std::string{text::trim(said.substr(0, 200))} +
                 "); the zipimport build needs python3 3.10 or newer");
  if (int fd = ::open(temp.c_str(), O_RDONLY | O_CLOEXEC); fd >= 0) { // on disk before the rename
    ::fsync(fd);
    ::close(fd);
  }
  fs::rename(temp, r.path, ec);
  if (ec)
    throw failed("cannot install " + r.path.string() + ": " + ec.message());
  if (int fd = ::open(o.managed_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
  r.replaced = true;
  r.version = v->text;
  return r;
}

} // namespace vfb
