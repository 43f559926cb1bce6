// `vfb doctor`: every check of adapters/doctor, one line each, with the fix.
#include "actors/node.hpp"
#include "adapters/doctor.hpp"
#include "apps/cli.hpp"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

namespace vfb::cli {

std::vector<check_result> doctor_checks(const vfb_config& cfg, const std::filesystem::path& dir) {
  return run_checks(cfg, dir, ytdlp_tools_from(cfg, dir), std::chrono::system_clock::now());
}

void log_checks(const std::vector<check_result>& checks) {
  for (const auto& c : checks) {
    auto fix = c.fix.empty() ? std::string{} : " (fix: " + c.fix + ")";
    auto level = c.status == check_status::ok     ? spdlog::level::info
                 : c.status == check_status::warn ? spdlog::level::warn
                                                  : spdlog::level::err;
    spdlog::log(level, "doctor: {} {}: {}{}", to_string(c.status), c.name, c.detail, fix);
  }
}

int cmd_doctor(context& ctx) {
  auto checks = doctor_checks(ctx.config, ctx.data_dir);
  if (ctx.json) {
    auto arr = nlohmann::json::array();
    for (const auto& c : checks)
      arr.push_back({{"check", c.name},
                     {"status", std::string{to_string(c.status)}},
                     {"detail", c.detail},
                     {"fix", c.fix}});
    ctx.out << nlohmann::json{{"checks", arr}, {"ok", !any_failed(checks)}}.dump(2) << '\n';
  } else {
    for (const auto& c : checks) {
      auto status = std::string{to_string(c.status)};
      ctx.out << status << std::string(6 - status.size(), ' ') << c.name << ": " << c.detail
              << '\n';
      if (!c.fix.empty())
        ctx.out << "      fix: " << c.fix << '\n';
    }
  }
  return any_failed(checks) ? exit_refused : exit_ok;
}

} // namespace vfb::cli
