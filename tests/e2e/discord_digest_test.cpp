// Backfill and refresh results per workspace: one digest post per follow instead of one post
// per video, single posts, or none. The real post stage runs on checkpoints written here (no
// tools needed); the digest is posted to a loopback fake of Discord.
#include "actors/digest_poster.hpp"
#include "actors/node.hpp"
#include "actors/stages.hpp"
#include "storage/artifact_store.hpp"
#include "storage/discord_store.hpp"
#include "storage/media_json.hpp"
#include "tests/support/fake_discord.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>

using namespace vfb;

namespace {

struct digest_fixture {
  test::temp_dir dir;
  test::fake_discord discord;
  vfb_config config;
  std::shared_ptr<const stage_environment> env;

  explicit digest_fixture(const std::function<void(vfb_config&)>& tweak = {}) {
    config.discord.webhooks["acme/main"] = discord.webhook_url();
    config.discord.webhooks["acme/other"] = discord.webhook_url("445566");
    if (tweak)
      tweak(config);
    env = open_stage_environment(config, dir / "data");
  }

  /// Runs the post stage for a processed video of `priority` from channel `channel`.
  stage_result post(uint64_t id, priority_class priority, const std::string& channel,
                    const std::string& workspace = "main") {
    stage_request req;
    req.stage = stage_kind::post;
    req.job.id = id;
    req.job.key = {"acme", workspace, "youtube", "vid" + std::to_string(id)};
    req.job.url = "https://www.youtube.com/watch?v=vid" + std::to_string(id);
    req.job.priority = priority;
    download_result d;
    d.title = "Talk " + std::to_string(id);
    d.uploader = "Channel " + channel;
    d.channel_url = "https://www.youtube.com/channel/" + channel;
    d.webpage_url = req.job.url;
    env->artifacts->save_checkpoint(id, stage_kind::download, nlohmann::json(d));
    analysis a;
    a.summary = {"Something was said."};
    env->artifacts->save_checkpoint(id, stage_kind::analyze, nlohmann::json(a));
    return real_stages(env)(stage_kind::post)(req, [](double, const std::string&) {});
  }
};

} // namespace

TEST_CASE("backfill results wait for their follow's digest, interactive ones are posted") {
  digest_fixture f;
  for (uint64_t id = 1; id <= 5; ++id)
    CHECK(f.post(id, priority_class::backfill, "UCa").note == "waits for its follow's digest");
  CHECK(f.post(6, priority_class::refresh, "UCb").note == "waits for its follow's digest");
  CHECK(f.post(7, priority_class::interactive, "UCa").note == "posted to Discord");
  CHECK(f.post(1, priority_class::backfill, "UCa").note == "already posted"); // a retried job
  REQUIRE(f.discord.wait_for_posts(1));
  CHECK(f.discord.posts().size() == 1); // the interactive one only

  auto groups = f.env->discord->digest_groups();
  REQUIRE(groups.size() == 2);
  CHECK(groups[0].group == "https://www.youtube.com/channel/UCa");
  CHECK(groups[0].entries.size() == 5);
  // Jobs of the workspace still waiting: nothing is posted yet, unless the oldest waited long.
  std::set<std::pair<std::string, std::string>> busy{{"acme", "main"}};
  auto now = now_millis();
  CHECK(flush_digests(*f.env->discord, f.config, busy, now) == 0);
  CHECK(f.env->discord->digest_groups().size() == 2);
  CHECK(flush_digests(*f.env->discord, f.config, {}, now) == 2);
  REQUIRE(f.discord.wait_for_posts(3));
  auto posts = f.discord.posts();
  REQUIRE(posts.size() == 3);
  auto first = posts[1]["embeds"][0];
  CHECK(first["title"] == "5 videos from Channel UCa");
  CHECK_THAT(first["description"].get<std::string>(),
             Catch::Contains("[Talk 1](https://www.youtube.com/watch?v=vid1)") &&
                 Catch::Contains("[Talk 5]"));
  CHECK(posts[2]["embeds"][0]["title"] == "1 video from Channel UCb");
  CHECK(f.env->discord->digest_groups().empty());
  CHECK(f.discord.violations().empty());
}

TEST_CASE("a digest is posted while its follow's jobs go on once the oldest waited the interval") {
  digest_fixture f;
  f.post(1, priority_class::backfill, "UCa");
  std::set<std::pair<std::string, std::string>> busy{{"acme", "main"}};
  auto later = now_millis() + f.config.discord.digest_interval_min * 60'000;
  CHECK(flush_digests(*f.env->discord, f.config, busy, later) == 1);
  CHECK(f.env->discord->digest_groups().empty());
}

TEST_CASE("backfill posts per workspace: each video, or none") {
  digest_fixture f{[](vfb_config& c) {
    c.discord.backfill_posts = "each";
    c.discord.backfill_posts_for["acme/other"] = "off";
  }};
  CHECK(f.post(1, priority_class::backfill, "UCa").note == "posted to Discord");
  CHECK_THAT(f.post(2, priority_class::backfill, "UCa", "other").note,
             Catch::Contains("backfill posts are off"));
  CHECK(f.post(3, priority_class::interactive, "UCa", "other").note == "posted to Discord");
  REQUIRE(f.discord.wait_for_posts(2));
  CHECK(f.discord.posts().size() == 2);
  CHECK(f.env->discord->digest_groups().empty());
}

TEST_CASE("pending replies and digest entries are kept in the data dir") {
  test::temp_dir dir;
  discord_store_options o;
  o.dir = dir / "discord";
  {
    discord_store s{o};
    pending_reply p;
    p.job_id = 7;
    p.tenant = "acme";
    p.workspace = "main";
    p.channel_id = "555";
    p.user_id = "42";
    CHECK(s.add_reply(p).id == 1);
    p.user_id = "43";
    CHECK(s.add_reply(p).id == 2);
    p.job_id = 9;
    s.add_reply(p);
  }
  discord_store s{o};
  CHECK(s.jobs_with_replies() == std::vector<uint64_t>{7, 9});
  auto seven = s.replies_for(7);
  REQUIRE(seven.size() == 2);
  CHECK(seven[0].user_id == "42");
  CHECK(seven[1].user_id == "43");
  CHECK(seven[1].channel_id == "555");
  CHECK(s.remove_reply(7, 1));
  CHECK_FALSE(s.remove_reply(7, 1));
  CHECK(s.replies_for(7).size() == 1);
  CHECK(s.replies_for(8).empty());
}
