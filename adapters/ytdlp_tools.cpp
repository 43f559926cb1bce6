#include "adapters/ytdlp_tools.hpp"

#include "adapters/process.hpp"

#include <algorithm>
#include <map>
#include <mutex>
#include <set>
#include <sys/stat.h>

namespace vfb {

namespace fs = std::filesystem;

namespace {

/// What `PROGRAM --version` printed, remembered per file while its size and mtime stay.
struct version_probe {
  bool ok = false;
  std::string output; // stdout when ok, else what went wrong
};

version_probe probe_version(const fs::path& program) {
  struct key_t {
    int64_t mtime_ns;
    int64_t size;
  };
  static std::mutex mu;
  static std::map<std::string, std::pair<key_t, version_probe>> cache;
  struct stat st {};
  if (::stat(program.c_str(), &st) != 0)
    return {false, "cannot read " + program.string()};
  key_t key{static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec,
            static_cast<int64_t>(st.st_size)};
  {
    std::lock_guard lock{mu};
    auto it = cache.find(program.string());
    if (it != cache.end() && it->second.first.mtime_ns == key.mtime_ns &&
        it->second.first.size == key.size)
      return it->second.second;
  }
  process_options po;
  po.argv = {program.string(), "--version"};
  po.timeout = std::chrono::seconds{30};
  auto run = run_process(po);
  version_probe p;
  if (run.ok()) {
    p = {true, run.out};
  } else {
    auto said = run.err.empty() ? run.out : run.err;
    p = {false, program.string() + " --version " + run.describe() +
                    (said.empty() ? std::string{} : ": " + said.substr(0, 300))};
  }
  if (p.ok) { // a failed run (a busy host, a slow start) is tried again next time
    std::lock_guard lock{mu};
    cache[program.string()] = {key, p};
  }
  return p;
}

/// The directory of the running executable (vfb, or a test binary in the build dir).
fs::path own_dir() {
  std::error_code ec;
  auto self = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::path{} : self.parent_path();
}

/// A Deno that yt-dlp accepts, as "deno:PATH", with its version.
void find_js_runtime(const ytdlp_tools& t, ytdlp_setup& s) {
  if (t.js_runtime == "none")
    return;
  if (t.js_runtime != "auto") { // the operator's choice, passed as given
    s.js_runtime =
        t.js_runtime.find(':') == std::string::npos ? "deno:" + t.js_runtime : t.js_runtime;
    auto path = s.js_runtime.substr(s.js_runtime.find(':') + 1);
    if (auto p = probe_version(path); p.ok)
      s.js_version = parse_deno_version(p.output);
    return;
  }
  std::vector<fs::path> candidates;
  if (!t.managed_dir.empty())
    candidates.push_back(t.managed_dir / "deno");
  if (auto dir = own_dir(); !dir.empty())
    candidates.push_back(dir / "tools" / "bin" / "deno"); // scripts/setup puts it there
  if (auto on_path = find_program("deno"))
    candidates.push_back(*on_path);
  for (const auto& c : candidates) {
    if (!find_program(c.string())) // a path: is it an executable file
      continue;
    auto p = probe_version(c);
    auto v = p.ok ? parse_deno_version(p.output) : std::nullopt;
    if (v && !(*v < min_deno)) {
      s.js_runtime = "deno:" + c.string();
      s.js_version = v;
      return;
    }
  }
}

} // namespace

fs::path managed_tools_dir(const fs::path& data_dir) {
  return data_dir / "tools" / "bin";
}

ytdlp_setup locate_ytdlp(const ytdlp_tools& t) {
  ytdlp_setup s;
  s.program = t.program;
  bool bare = t.program.find('/') == std::string::npos;
  if (bare && !t.managed_dir.empty() && find_program((t.managed_dir / t.program).string())) {
    s.program = (t.managed_dir / t.program).string();
    s.origin = "managed";
  } else if (auto found = find_program(t.program)) {
    s.program = found->string();
    s.origin = bare ? "PATH" : "configured";
  } else {
    s.origin = "not found";
  }
  if (s.origin != "not found") {
    auto p = probe_version(s.program);
    if (p.ok)
      s.version = parse_ytdlp_version(p.output);
    if (!s.version)
      s.version_problem =
          p.ok ? "unrecognised version \"" + p.output.substr(0, 80) + "\"" : p.output;
  }
  find_js_runtime(t, s);
  s.args = ytdlp_args_for(s.version, s.js_runtime, t.user_args);
  return s;
}

std::vector<std::string> ytdlp_args_for(const std::optional<ytdlp_version>& version,
                                        const std::string& js_runtime,
                                        const std::vector<std::string>& user_args) {
  std::vector<std::string> args;
  if (!js_runtime.empty() && version && *version >= ytdlp_release::js_runtimes)
    args = {"--js-runtimes", js_runtime};
  args.insert(args.end(), user_args.begin(), user_args.end());
  return args;
}

std::vector<std::string> split_ytdlp_args(std::string_view text) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  char quote = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quote == '\'') {
      if (c == '\'')
        quote = 0;
      else
        word += c;
    } else if (c == '\\' && i + 1 < text.size()) {
      word += text[++i];
      in_word = true;
    } else if (quote == '"') {
      if (c == '"')
        quote = 0;
      else
        word += c;
    } else if (c == '\'' || c == '"') {
      quote = c;
      in_word = true;
    } else if (c == ' ' || c == '\t' || c == '\n') {
      if (in_word)
        words.push_back(std::move(word));
      word.clear();
      in_word = false;
    } else {
      word += c;
      in_word = true;
    }
  }
  if (quote != 0)
    throw std::invalid_argument(std::string{"unclosed "} + quote + " quote");
  if (in_word)
    words.push_back(std::move(word));
  // vfb reads yt-dlp's files from where it told it to write them and parses what it prints.
  static const std::set<std::string> refused = {"-o",
                                                "--output",
                                                "-P",
                                                "--paths",
                                                "-j",
                                                "--dump-json",
                                                "-J",
                                                "--dump-single-json",
                                                "--print",
                                                "-O",
                                                "--print-to-file",
                                                "--exec",
                                                "--config-locations",
                                                "--config-location",
                                                "--ignore-config",
                                                "-a",
                                                "--batch-file",
                                                "--load-info-json",
                                                "--",
                                                "-U",
                                                "--update",
                                                "--update-to",
                                                "--flat-playlist",
                                                "--no-flat-playlist",
                                                "--no-playlist",
                                                "--yes-playlist",
                                                "--split-chapters",
                                                "-k",
                                                "--keep-video",
                                                "-q",
                                                "--quiet",
                                                "--simulate",
                                                "-s"};
  // Options that run commands or write where vfb does not look, in every spelling: "--exec",
  // "--exec-before-download", "--netrc-cmd"; short ones with the value attached ("-o/tmp/x").
  static const char* const refused_prefixes[] = {"--exec",   "--netrc-cmd", "--print",
                                                 "--output", "--paths",     "--config-location"};
  static const std::string refused_short = "oPajJOqsUk";
  for (const auto& w : words) {
    auto name = w.substr(0, w.find('='));
    bool prefixed = std::any_of(std::begin(refused_prefixes), std::end(refused_prefixes),
                                [&](const char* p) { return name.rfind(p, 0) == 0; });
    bool short_one =
        w.size() > 2 && w[0] == '-' && w[1] != '-' && refused_short.find(w[1]) != std::string::npos;
    if (refused.count(name) != 0 || prefixed || short_one)
      throw std::invalid_argument("'" + (short_one ? w.substr(0, 2) : name) +
                                  "' cannot be set here: vfb chooses it for every run");
  }
  return words;
}

} // namespace vfb
