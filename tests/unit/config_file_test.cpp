// Configuration: defaults, file, --set overrides and the original design's environment flags,
// with a clear "where: what" error for every kind of bad input.
#include "adapters/config_file.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>
#include <fstream>

using namespace vfb;

namespace {

std::filesystem::path write(const test::temp_dir& dir, const std::string& text) {
  auto p = dir / "vfb.conf";
  std::ofstream(p) << text;
  return p;
}

std::string error_of(const std::filesystem::path& file,
                     const std::map<std::string, std::string>& overrides = {},
                     const std::map<std::string, std::string>& env = {}) {
  try {
    load_config(file, overrides, env);
  } catch (const config_error& e) {
    return e.what();
  }
  FAIL("expected a config_error");
  return {};
}

} // namespace

TEST_CASE("defaults hold without a file, and the shipped conf/vfb.conf states them") {
  auto def = load_config({}, {}, {});
  CHECK(def.storage.sync == "always");
  CHECK(def.queue.max_attempts == 8);
  CHECK_FALSE(def.auto_follow.enabled);
  CHECK_FALSE(def.auto_follow.backfill);
  CHECK(def.auto_follow.max_videos == 200);
  auto shipped = load_config(VFB_SOURCE_DIR "/conf/vfb.conf", {}, {});
  CHECK(shipped.storage.sync == def.storage.sync);
  CHECK(shipped.storage.sync_interval_ms == def.storage.sync_interval_ms);
  CHECK(shipped.storage.map_size_mb == def.storage.map_size_mb);
  CHECK(shipped.storage.max_map_size_mb == def.storage.max_map_size_mb);
  CHECK(shipped.queue.max_attempts == def.queue.max_attempts);
  CHECK(shipped.queue.max_rescues == def.queue.max_rescues);
  CHECK(shipped.queue.backoff_base_ms == def.queue.backoff_base_ms);
  CHECK(shipped.queue.backoff_cap_ms == def.queue.backoff_cap_ms);
  CHECK(shipped.queue.lease_ttl_ms == def.queue.lease_ttl_ms);
  CHECK(shipped.queue.rescue_interval_ms == def.queue.rescue_interval_ms);
  CHECK(shipped.sources.allowed_hosts.empty());
  CHECK(shipped.sources.allow_loopback == def.sources.allow_loopback);
  CHECK(shipped.auto_follow.enabled == def.auto_follow.enabled);
  CHECK(shipped.auto_follow.max_videos == def.auto_follow.max_videos);
  CHECK(def.auto_follow.tabs == std::vector<std::string>{"videos", "streams"});
  CHECK(shipped.auto_follow.tabs == def.auto_follow.tabs);
  CHECK(shipped.tools.ytdlp == def.tools.ytdlp);
  CHECK(shipped.tools.ytdlp_timeout_s == def.tools.ytdlp_timeout_s);
  CHECK(shipped.tools.ytdlp_args == def.tools.ytdlp_args);
  CHECK(shipped.tools.js_runtime == def.tools.js_runtime);
  CHECK(shipped.tools.release_url == def.tools.release_url);
  CHECK(shipped.tools.ytdlp_asset == def.tools.ytdlp_asset);
  CHECK(shipped.tools.auto_update_hours == def.tools.auto_update_hours);
  CHECK(shipped.captions.languages == def.captions.languages);
  CHECK(shipped.speech.model_dir == def.speech.model_dir);
  CHECK(shipped.speech.external_command.empty());
  CHECK(shipped.pipeline.download_slots == def.pipeline.download_slots);
  CHECK(shipped.pipeline.transcribe_slots == def.pipeline.transcribe_slots);
  CHECK(shipped.analysis.chunk_chars == def.analysis.chunk_chars);
  CHECK(shipped.analysis.chunk_overlap_chars == def.analysis.chunk_overlap_chars);
  CHECK(shipped.discord.post_attempts == def.discord.post_attempts);
  CHECK(shipped.discord.webhooks.empty());
  CHECK(shipped.api.listen == def.api.listen);
  CHECK(shipped.api.port == def.api.port);
  CHECK(shipped.api.max_body_kb == def.api.max_body_kb);
  CHECK(shipped.pipeline.enabled == def.pipeline.enabled);
  CHECK(shipped.cluster.listen.empty());
  CHECK(shipped.cluster.port == def.cluster.port);
  CHECK(shipped.cluster.join.empty());
  CHECK(shipped.cluster.cert.empty());
}

TEST_CASE("[cluster] keys: a node's listen address and port, a worker's node and name") {
  test::temp_dir dir;
  auto c = load_config(write(dir, "[cluster]\nlisten = 0.0.0.0\nport = 7500\n"
                                  "join = node.example:7500\nname = gpu-1\n"
                                  "[pipeline]\nenabled = false\n"),
                       {}, {});
  CHECK(c.cluster.listen == "0.0.0.0");
  CHECK(c.cluster.port == 7500);
  CHECK(c.cluster.join == "node.example:7500");
  CHECK(c.cluster.name == "gpu-1");
  CHECK_FALSE(c.pipeline.enabled);
  CHECK_THAT(error_of(write(dir, "[cluster]\njoin = node.example\n")),
             Catch::Contains("vfb.conf:2") && Catch::Contains("expected HOST:PORT"));
  CHECK_THAT(error_of(write(dir, "[cluster]\nport = 70000\n")), Catch::Contains("out of range"));
}

TEST_CASE("file values, then --set overrides, then environment flags") {
  test::temp_dir dir;
  auto file = write(dir, "# comment\n; also a comment\n[storage]\nsync = periodic\n"
                         "map_size_mb=8\n[sources]\nallowed_hosts = youtube.com, youtu.be ,\n"
                         "allow_loopback = yes\n[auto_follow]\nenabled = on\nmax_videos = 50\n"
                         "[queue]\nmax_attempts = \"3\"\n");
  auto c = load_config(file, {}, {});
  CHECK(c.storage.sync == "periodic");
  CHECK(c.storage.map_size_mb == 8);
  CHECK(c.sources.allowed_hosts == std::vector<std::string>{"youtube.com", "youtu.be"});
  CHECK(c.sources.allow_loopback);
  CHECK(c.auto_follow.enabled);
  CHECK(c.auto_follow.max_videos == 50);
  CHECK(c.queue.max_attempts == 3);
  c = load_config(file, {{"auto_follow.max_videos", "70"}, {"storage.sync", "always"}}, {});
  CHECK(c.auto_follow.max_videos == 70);
  CHECK(c.storage.sync == "always");
  c = load_config(file, {{"auto_follow.max_videos", "70"}},
                  {{"AUTO_FOLLOW_MAX_VIDEOS", "200"},
                   {"ENABLE_AUTO_FOLLOW_UPLOADER", "0"},
                   {"ENABLE_UPLOADER_BACKFILL", "1"},
                   {"UNRELATED", "x"}});
  CHECK(c.auto_follow.max_videos == 200);
  CHECK_FALSE(c.auto_follow.enabled);
  CHECK(c.auto_follow.backfill);
}

TEST_CASE("bad config input names the place and the problem") {
  test::temp_dir dir;
  CHECK_THAT(error_of(dir / "missing.conf"), Catch::Contains("cannot read"));
  CHECK_THAT(error_of(dir.path()), Catch::Contains("is a directory"));
  CHECK_THAT(error_of(write(dir, "[storage]\nsync = sometimes\n")),
             Catch::Contains("vfb.conf:2") && Catch::Contains("always or periodic"));
  CHECK_THAT(error_of(write(dir, "[storage]\nsnyc = always\n")),
             Catch::Contains("unknown key 'storage.snyc'"));
  CHECK_THAT(error_of(write(dir, "[stroage]\n")), Catch::Contains("unknown section [stroage]"));
  CHECK_THAT(error_of(write(dir, "[storage\n")), Catch::Contains("malformed section"));
  CHECK_THAT(error_of(write(dir, "sync = always\n")), Catch::Contains("outside of a [section]"));
  CHECK_THAT(error_of(write(dir, "[queue]\nmax_attempts\n")), Catch::Contains("key = value"));
  CHECK_THAT(error_of(write(dir, "[queue]\nmax_attempts = eight\n")),
             Catch::Contains("expected an integer"));
  CHECK_THAT(error_of(write(dir, "[queue]\nmax_attempts = 8x\n")),
             Catch::Contains("expected an integer"));
  CHECK_THAT(error_of(write(dir, "[queue]\nmax_attempts = 0\n")), Catch::Contains("out of range"));
  CHECK_THAT(error_of(write(dir, "[queue]\nmax_attempts = 99999999999999999999\n")),
             Catch::Contains("expected an integer"));
  CHECK_THAT(error_of(write(dir, "[sources]\nallow_loopback = maybe\n")),
             Catch::Contains("true or false"));
  CHECK_THAT(error_of(write(dir, "[queue]\nbackoff_base_ms = 5000\nbackoff_cap_ms = 10\n")),
             Catch::Contains("smaller than"));
  CHECK_THAT(error_of({}, {{"queue.nope", "1"}}), Catch::Contains("--set queue.nope"));
  CHECK_THAT(error_of({}, {}, {{"AUTO_FOLLOW_MAX_VIDEOS", "lots"}}),
             Catch::Contains("AUTO_FOLLOW_MAX_VIDEOS") && Catch::Contains("integer"));
  CHECK_THAT(error_of({}, {}, {{"ENABLE_AUTO_FOLLOW_UPLOADER", "2"}}),
             Catch::Contains("true or false"));
}

TEST_CASE("the process environment is read as a map") {
  ::setenv("VFB_CONFIG_TEST_VAR", "a=b", 1);
  auto env = process_environment();
  CHECK(env["VFB_CONFIG_TEST_VAR"] == "a=b");
  ::unsetenv("VFB_CONFIG_TEST_VAR");
}

TEST_CASE("pipeline, tool, speech and analysis keys are read and range-checked") {
  test::temp_dir dir;
  auto c = load_config(write(dir, "[tools]\nytdlp = /opt/yt-dlp/yt-dlp\n"
                                  "[captions]\nlanguages = de, en.*\nuse = off\n"
                                  "[speech]\nadaptation = off\n"
                                  "[pipeline]\ntranscribe_slots = 3\n"
                                  "[analysis]\nchunk_chars = 500\nchunk_overlap_chars = 100\n"),
                       {}, {});
  CHECK(c.tools.ytdlp == "/opt/yt-dlp/yt-dlp");
  CHECK(c.tools.ffmpeg == "ffmpeg");
  CHECK(c.captions.languages == std::vector<std::string>{"de", "en.*"});
  CHECK_FALSE(c.captions.use);
  CHECK(vfb_config{}.speech.adaptation); // on unless switched off
  CHECK_FALSE(c.speech.adaptation);
  CHECK(c.pipeline.transcribe_slots == 3);
  CHECK(c.pipeline.download_slots == 2);
  CHECK(c.analysis.chunk_chars == 500);
  CHECK_THAT(error_of(write(dir, "[pipeline]\ndownload_slots = 0\n")),
             Catch::Contains("vfb.conf:2") && Catch::Contains("out of range"));
  CHECK_THAT(error_of(write(dir, "[tools]\nffmpeg =\n")), Catch::Contains("must not be empty"));
  CHECK_THAT(error_of(write(dir, "[captions]\nlanguages = ,\n")),
             Catch::Contains("at least one language"));
  CHECK_THAT(error_of(write(dir, "[analysis]\nchunk_chars = 200\nchunk_overlap_chars = 200\n")),
             Catch::Contains("chunk_overlap_chars must be smaller"));
}

TEST_CASE("[auto_follow] tabs chooses a followed channel's tabs among videos, streams, shorts") {
  test::temp_dir dir;
  auto c = load_config(write(dir, "[auto_follow]\ntabs = shorts, videos\n"), {}, {});
  CHECK(c.auto_follow.tabs == std::vector<std::string>{"shorts", "videos"});
  CHECK_THAT(error_of(write(dir, "[auto_follow]\ntabs = videos, clips\n")),
             Catch::Contains("vfb.conf:2") && Catch::Contains("unknown tab 'clips'") &&
                 Catch::Contains("videos, streams or shorts"));
  CHECK_THAT(error_of(write(dir, "[auto_follow]\ntabs = ,\n")),
             Catch::Contains("at least one tab"));
  CHECK_THAT(error_of(write(dir, "[auto_follow]\ntabs = shorts,shorts\n")),
             Catch::Contains("named twice"));
}

TEST_CASE("yt-dlp's extra arguments, JS runtime and release source") {
  test::temp_dir dir;
  auto c = load_config(write(dir, "[tools]\nytdlp_args = --cookies \"/etc/vfb/my cookies.txt\" "
                                  "--sleep-requests 1\njs_runtime = deno:/opt/deno\n"
                                  "release_url = http://127.0.0.1:9/dl\nauto_update_hours = 24\n"),
                       {}, {});
  CHECK(c.tools.ytdlp_args ==
        std::vector<std::string>{"--cookies", "/etc/vfb/my cookies.txt", "--sleep-requests", "1"});
  CHECK(c.tools.js_runtime == "deno:/opt/deno");
  CHECK(c.tools.release_url == "http://127.0.0.1:9/dl");
  CHECK(c.tools.auto_update_hours == 24);
  auto def = load_config({}, {}, {});
  CHECK(def.tools.ytdlp_args.empty());
  CHECK(def.tools.js_runtime == "auto");
  CHECK(def.tools.auto_update_hours == 0);
  CHECK(def.tools.release_url == "https://github.com/yt-dlp/yt-dlp/releases/latest/download");
  CHECK_THAT(error_of(write(dir, "[tools]\nytdlp_args = -o /tmp/%(id)s\n")),
             Catch::Contains("vfb.conf:2") && Catch::Contains("'-o' cannot be set here"));
  CHECK_THAT(error_of(write(dir, "[tools]\nytdlp_args = --proxy 'socks5://x\n")),
             Catch::Contains("unclosed"));
  CHECK_THAT(error_of(write(dir, "[tools]\nrelease_url = ftp://example.com/\n")),
             Catch::Contains("http"));
  CHECK_THAT(error_of(write(dir, "[tools]\nauto_update_hours = -1\n")),
             Catch::Contains("out of range"));
}

TEST_CASE("webhooks are configured per tenant/workspace") {
  test::temp_dir dir;
  auto c = load_config(write(dir, "[webhooks]\nacme/main = https://discord.com/api/webhooks/1/x\n"),
                       {{"webhooks.acme/lab", "http://127.0.0.1:9/api/webhooks/2/y"}}, {});
  CHECK(webhook_for(c, "acme", "main") ==
        std::optional<std::string>{"https://discord.com/api/webhooks/1/x"});
  CHECK(webhook_for(c, "acme", "lab") ==
        std::optional<std::string>{"http://127.0.0.1:9/api/webhooks/2/y"});
  CHECK_FALSE(webhook_for(c, "acme", "other"));
  CHECK_FALSE(webhook_for(c, "other", "main"));
  CHECK_THAT(error_of(write(dir, "[webhooks]\nacme = https://x/\n")),
             Catch::Contains("vfb.conf:2") && Catch::Contains("TENANT/WORKSPACE"));
  CHECK_THAT(error_of(write(dir, "[webhooks]\na/b/c = https://x/\n")),
             Catch::Contains("TENANT/WORKSPACE"));
  CHECK_THAT(error_of(write(dir, "[webhooks]\na/b = ftp://x/\n")), Catch::Contains("http(s) URL"));
}

TEST_CASE("Discord guilds, their operator roles and the public key are checked when read") {
  test::temp_dir dir;
  auto key = std::string(64, 'a');
  auto ok = load_config(write(dir, "[discord]\npublic_key = " + key +
                                       "\n[guilds]\n123 = acme/main\n[guild_operators]\n123 = "
                                       "9,10\n"),
                        {}, {});
  CHECK(ok.discord.public_key == key);
  CHECK(ok.discord.guilds.at("123") == "acme/main");
  CHECK(ok.discord.guild_operators.at("123") == std::vector<std::string>{"9", "10"});
  CHECK_THAT(error_of(write(dir, "[guilds]\nmyserver = acme/main\n")),
             Catch::Contains("numeric id"));
  CHECK_THAT(error_of(write(dir, "[guilds]\n123 = acme\n")), Catch::Contains("TENANT/WORKSPACE"));
  CHECK_THAT(error_of(write(dir, "[discord]\npublic_key = xyz\n")), Catch::Contains("64 hex"));
}

TEST_CASE("the bot token comes from the file or $VFB_DISCORD_BOT_TOKEN, backfill posts per "
          "workspace") {
  test::temp_dir dir;
  auto file = write(dir, "[discord]\nbot_token = from-file\nbackfill_posts = each\n"
                         "digest_interval_min = 5\n[backfill_posts]\nacme/main = off\n");
  auto c = load_config(file, {}, {});
  CHECK(c.discord.bot_token == "from-file");
  CHECK(c.discord.digest_interval_min == 5);
  CHECK(backfill_posts_for(c, "acme", "main") == "off");
  CHECK(backfill_posts_for(c, "acme", "other") == "each");
  CHECK(load_config(file, {}, {{"VFB_DISCORD_BOT_TOKEN", "from-env"}}).discord.bot_token ==
        "from-env");
  CHECK(backfill_posts_for(load_config({}, {}, {}), "a", "b") == "digest");
  CHECK_THAT(error_of(write(dir, "[backfill_posts]\nacme/main = sometimes\n")),
             Catch::Contains("digest, each or off"));
  CHECK_THAT(error_of(write(dir, "[backfill_posts]\nacme = off\n")),
             Catch::Contains("TENANT/WORKSPACE"));
}

TEST_CASE("the file format is kept as read by inih: indented lines, semicolons and colons in "
          "values, long "
          "lines, CRLF, a byte order mark, and line numbers in every message") {
  test::temp_dir dir;
  auto long_arg = std::string(3000, 'x');
  auto c = load_config(write(dir, "\xEF\xBB\xBF[ tools ]\r\n  ytdlp_args = --proxy socks5://h:1 "
                                  "--add-header a;b --user-agent " +
                                      long_arg +
                                      "\r\n    ffmpeg = /opt/ff;mpeg\r\n[webhooks]\n"
                                      "acme/main = https://discord.com/api/webhooks/1/x:y\n"),
                       {}, {});
  CHECK(c.tools.ytdlp_args == std::vector<std::string>{"--proxy", "socks5://h:1", "--add-header",
                                                       "a;b", "--user-agent", long_arg});
  CHECK(c.tools.ffmpeg == "/opt/ff;mpeg");
  CHECK(webhook_for(c, "acme", "main") ==
        std::optional<std::string>{"https://discord.com/api/webhooks/1/x:y"});
  CHECK_THAT(error_of(write(dir, "[queue]\n\n# note\nmax_attempts: 3\n")),
             Catch::Contains("vfb.conf:4") && Catch::Contains("key = value"));
  CHECK_THAT(error_of(write(dir, "[queue]\nmax_attempts = 3\n[storage] x\n")),
             Catch::Contains("vfb.conf:3") && Catch::Contains("malformed section"));
  CHECK_THAT(error_of(write(dir, "[queue]\na:b = 3\n")),
             Catch::Contains("vfb.conf:2") && Catch::Contains("unknown key 'queue.a:b'"));
  CHECK_THAT(error_of(write(dir, "[queue]\n" + std::string(500, '#') + "\n[nope]\n")),
             Catch::Contains("vfb.conf:3") && Catch::Contains("unknown section [nope]"));
}
