// The tool updater actor: it updates the managed yt-dlp when it starts and whenever it is asked,
// answers what happened in one line, and a failed update leaves the installed copy as it was.
// Against a release server on loopback laid out as yt-dlp's GitHub releases are.
#include "actors/config_options.hpp"
#include "actors/tool_updater.hpp"
#include "adapters/tool_update.hpp"
#include "adapters/ytdlp_tools.hpp"
#include "tests/support/actor_systems.hpp"
#include "tests/support/release_server.hpp"
#include "tests/support/temp_dir.hpp"

#include <caf/all.hpp>
#include <catch2/catch.hpp>
#include <fstream>

using namespace vfb;
using namespace vfb::test::releases;
namespace fs = std::filesystem;

namespace {

std::string read(const fs::path& p) {
  std::ifstream in{p, std::ios::binary};
  return {std::istreambuf_iterator<char>{in}, {}};
}

/// A tool updater for a data dir, fetching from `rel`, and a way to ask it.
struct updater_rig {
  test::temp_dir data;
  test::threaded_system ts;
  caf::scoped_actor self{*ts.sys};
  tool_updater_actor updater;

  explicit updater_rig(const release_server& rel) {
    vfb_config cfg;
    cfg.tools.release_url = rel.url();
    cfg.tools.auto_update_hours = 24;
    tool_updater_options o;
    o.update = tool_update_options_from(cfg, data.path());
    updater = ts.sys->spawn<caf::detached>(tool_updater, o);
  }
  ~updater_rig() { self->send_exit(updater, caf::exit_reason::user_shutdown); }

  std::string update() {
    std::string answer;
    self->request(updater, caf::infinite, update_tools_atom::value)
        .receive([&](std::string& s) { answer = std::move(s); },
                 [&](const caf::error& e) { FAIL(to_string(e)); });
    return answer;
  }
  fs::path installed() const { return managed_tools_dir(data.path()) / "yt-dlp"; }
};

} // namespace

TEST_CASE("the node's tool updater installs the release at start and answers update requests") {
  release_server rel;
  rel.publish("2026.11.30", "yt-dlp", fake_ytdlp("2026.11.30"));
  updater_rig rig{rel};
  // The update at start and this request may reach the mailbox in either order: whichever
  // runs first installs the release.
  CHECK_THAT(rig.update(), Catch::StartsWith("yt-dlp 2026.11.30 "));
  CHECK(read(rig.installed()) == fake_ytdlp("2026.11.30"));
  // Both have run by the time a second request is answered (the start's tick was in the mailbox
  // before it): the release is current.
  CHECK(rig.update() == "yt-dlp 2026.11.30 is the current release");

  // A newer release is installed on request, and the answer says what it replaced.
  rel.publish("2026.12.02", "yt-dlp", fake_ytdlp("2026.12.02"));
  CHECK(rig.update() ==
        "yt-dlp 2026.12.02 installed at " + rig.installed().string() + " (was 2026.11.30)");
  CHECK(read(rig.installed()) == fake_ytdlp("2026.12.02"));
}

TEST_CASE("a failed update is answered and leaves the installed yt-dlp as it was") {
  release_server rel;
  rel.publish("2026.11.30", "yt-dlp", fake_ytdlp("2026.11.30"));
  updater_rig rig{rel};
  rig.update();
  REQUIRE(rig.update() == "yt-dlp 2026.11.30 is the current release"); // the start's update ran
  // A release whose checksum does not match what is served: refused, nothing replaced.
  rel.publish("2026.12.02", "yt-dlp", fake_ytdlp("2026.12.02"),
              sha256("something else") + "  yt-dlp\n");
  auto answer = rig.update();
  CHECK_THAT(answer, Catch::StartsWith("updating yt-dlp failed: "));
  CHECK(read(rig.installed()) == fake_ytdlp("2026.11.30"));
  for (const auto& e : fs::directory_iterator(rig.installed().parent_path()))
    CHECK(e.path().filename() == "yt-dlp"); // no half-written download beside it
}
