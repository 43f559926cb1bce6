// Writes the fuzz targets' seed corpora (DIR/TARGET/NAME, one input a file) from inputs like the
// unit tests' own: real-looking captions, yt-dlp output, config files, URLs, Discord and API
// requests, and stored records made with the stores' encoders. Nothing binary is committed: the
// records are encoded here, and each is checked to decode to what was encoded. Usage:
//   vfb_fuzz_seeds DIR [SOURCE_DIR]   (SOURCE_DIR: conf/vfb.conf is a config seed)
#include "storage/codec.hpp"
#include "storage/discord_store_layout.hpp"
#include "storage/follow_registry_layout.hpp"
#include "storage/job_queue_layout.hpp"
#include "storage/memory_store_layout.hpp"
#include "storage/token_store_layout.hpp"
#include "storage/write_ahead_log.hpp"
#include "tests/support/ytdlp_samples.hpp"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

using namespace vfb;
namespace fs = std::filesystem;

namespace {

struct corpus {
  fs::path dir;
  size_t files = 0;
  void add(const std::string& target, const std::string& name, const std::string& bytes) {
    fs::create_directories(dir / target);
    std::ofstream out{dir / target / name, std::ios::binary | std::ios::trunc};
    out << bytes;
    if (!out)
      throw std::runtime_error("cannot write " + (dir / target / name).string());
    ++files;
  }
};

void check(bool holds, const std::string& what) {
  if (!holds)
    throw std::runtime_error("seed does not round-trip: " + what);
}

/// The selector byte of the targets that decode several kinds of bytes (fuzz_check.hpp).
std::string with(uint8_t which, const std::string& bytes) {
  return std::string(1, static_cast<char>(which)) + bytes;
}
/// A key (after its length byte) and a value, for the targets that take both.
std::string key_value(const std::string& key, const std::string& value) {
  return std::string(1, static_cast<char>(key.size())) + key + value;
}

void captions(corpus& c) {
  c.add("vtt", "youtube_auto",
        "WEBVTT\nKind: captions\nLanguage: en\n\n"
        "00:00:00.000 --> 00:00:02.350 align:start position:0%\n \n"
        "the<00:00:00.160><c> volcano</c><00:00:00.560><c> erupted</c>\n\n"
        "00:00:02.350 --> 00:00:02.360 align:start position:0%\nthe volcano erupted\n \n\n"
        "00:00:02.360 --> 00:00:04.870 align:start position:0%\nthe volcano erupted\n"
        "near<00:00:02.600><c> the</c><00:00:02.800><c> telescope</c>\n\n");
  c.add("vtt", "by_hand",
        "\xEF\xBB\xBFWEBVTT - made by hand\r\n\r\nNOTE a comment\r\n\r\nSTYLE\r\n::cue {}\r\n\r\n"
        "intro\r\n00:01.000 --> 00:02.500 line:0\r\n<v Alice>Hello &amp; welcome</v>\r\n\r\n"
        "00:00:03.000 --> 00:00:04.000\r\n<i>caf&eacute; &#39;quoted&#x27; &nbsp;</i>\r\n");
  c.add("vtt", "backwards",
        "WEBVTT\n\n00:00:05.000 --> 00:00:01.000\nbackwards\n\n"
        "00:00:01,000 --> 00:00:02,000\nSRT commas\n");
  c.add("whisper", "stdout",
        "[00:00:00.000 --> 00:00:02.000]   the volcano erupted\n"
        "[00:00:02.000 --> 00:00:04.500]   near the telescope\nwhisper_print_timings: 12 ms\n");
  c.add("whisper", "command", "whisper-cli -m \"/models/ggml base.bin\" -f {wav} -ovtt -of {out}");
}

void ytdlp(corpus& c) {
  c.add("ytdlp_info", "youtube", test::youtube_info);
  c.add("ytdlp_info", "generic",
        R"({"id": "talk", "extractor_key": "Generic", "title": null, "duration": "long",
  "_filename": "media.mp4", "subtitles": {"fr": [], "pt-BR": []}})");
  c.add(
      "listing", "youtube",
      R"({"_type":"url","ie_key":"Youtube","id":"abcdefghijk","url":"https://www.youtube.com/watch?v=abcdefghijk","title":"Eruption","duration":612.0,"timestamp":1764000000,"live_status":"not_live","availability":null})");
  c.add(
      "listing", "deleted",
      R"({"_type":"url","ie_key":"Youtube","id":"deleted0001","url":"https://www.youtube.com/watch?v=deleted0001","title":"[Deleted video]","duration":null,"timestamp":null,"live_status":null})");
  c.add(
      "listing", "feed",
      R"({"_type":"url","id":"https://example.org/episodes/42","url":"https://example.org/episodes/42.mp3","title":"Episode 42","release_timestamp":1764000000,"duration":"3600"})");
  c.add("tool_output", "progress", "[download]  42.5% of   10.00MiB at  1.00MiB/s ETA 00:05");
  c.add("tool_output", "skipped", "[youtube] abc: upload date is not in range 20251124 - 99991231");
  c.add("tool_output", "throttled",
        "WARNING: [youtube] challenge solving failed\nERROR: [youtube] abc: Sign in to confirm "
        "you're not a bot. Try again in 5 minutes\n");
  c.add("tool_output", "premiere", "ERROR: [youtube] abc: Premieres in 2 hours\n");
  c.add("tool_output", "version", "2025.11.12\n");
  c.add("tool_output", "deno", "deno 2.5.6 (stable, release, x86_64-unknown-linux-gnu)\n");
  c.add("tool_output", "sums",
        "yt-dlp\n0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef  yt-dlp\n");
  c.add("tool_output", "redirect", "https://objects.githubusercontent.com/yt-dlp?x=1");
}

void urls(corpus& c, const fs::path& source_dir) {
  for (const char* u :
       {"https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=42s", "https://youtu.be/dQw4w9WgXcQ?si=x",
        "https://m.youtube.com/shorts/abc", "https://www.youtube.com/@caf%C3%A9/videos", "@science",
        "UCabcdefghijklmnopqrstuv", "https://www.youtube.com/c/Name/streams",
        "https://www.youtube.com/playlist?list=PL0123456789",
        "https://www.youtube.com/watch?v=abc&list=RDabc",
        "https://www.youtube.com/feeds/videos.xml?channel_id=UCabc",
        "https://www.youtube.com/feeds/videos.xml?playlist_id=PLabc",
        "https://Example.org:8443/a/../b?q=1#frag", "http://127.0.0.1:8080/v.mp4", "http://[::1]/v",
        "https://example.org/feed.rss", "node.example:7420", "[2001:db8::1]:7420",
        "ftp://example.org/x"})
    c.add("url", std::to_string(c.files), u);
  if (!source_dir.empty()) {
    std::ifstream in{source_dir / "conf" / "vfb.conf"};
    std::stringstream text;
    text << in.rdbuf();
    c.add("config", "vfb.conf", text.str());
  }
  c.add("config", "cluster",
        "[cluster]\nlisten = 0.0.0.0\nport = 7500\njoin = node.example:7420\n"
        "[pipeline]\nenabled = false\n[tenant \"acme\"]\n[workspace \"acme/news\"]\n");
  c.add("config", "bad", "[cluster]\nport = 70000\nunknown\n[nowhere]\nx = \"unterminated\n");
}

void requests(corpus& c) {
  const std::string ping = R"({"type":1,"id":"1","application_id":"2","token":"t"})";
  const std::string analyze =
      R"({"application_id":"1110000000000000001","channel_id":"1120000000000000002",
"data":{"id":"1130000000000000003","name":"analyze","options":[{"name":"url","type":3,"value":"https://www.youtube.com/watch?v=abc"}],"type":1},
"guild_id":"1","id":"1150000000000000005","member":{"roles":["2","3"],"user":{"id":"8","username":"alice"}},
"token":"aW50ZXJhY3Rpb24","type":2,"version":1})";
  const std::string follow =
      R"({"application_id":"1","id":"2","token":"t","type":2,"user":{"id":"8"},
"data":{"name":"follow","options":[{"name":"add","type":1,"options":[{"name":"url","type":3,"value":"@science"},{"name":"limit","type":4,"value":20},{"name":"private","type":5,"value":true}]}]}})";
  c.add("discord", "ping", ping);
  c.add("discord", "analyze", analyze);
  c.add("discord", "follow", follow);
  c.add("discord", "signed",
        std::string(64, 'a') + "\n" + std::string(128, '0') + "\n1700000000\n" + ping);
  c.add("api", "jobs", "state=queued,failed&limit=50\nBearer vfb_token\n");
  c.add("api", "submission",
        "\nbearer vfb_x\n{\"url\": \"https://www.youtube.com/watch?v=abc\", \"force\": true}");
  c.add("api", "follow",
        "q=volcano%20eruption&limit=5\nBearer t\n{\"url\": \"@science\", \"limit\": \"20\", "
        "\"since\": \"2025-11-29T12:00:00Z\"}");
  c.add("api", "setting", "\n\n{\"setting\": \"inherit\"}");
  for (const char* t : {"2025-11-29", "2025-11-29T12:30:00Z", "2025-11-29T12:30:00.250Z",
                        "2026-02-31", "1969-12-31T23:59:59Z", "9999-12-31T23:59:59.999Z"})
    c.add("time", t, t);
}

void job_records(corpus& c) {
  queue_layout::record r;
  auto& j = r.view.job;
  j.id = 42;
  j.key = {"acme", "news", "youtube", "dQw4w9WgXcQ"};
  j.url = "https://www.youtube.com/watch?v=dQw4w9WgXcQ";
  j.tags = {"volcano", "science"};
  j.priority = priority_class::backfill;
  j.origin = job_origin::refresh;
  j.attempt = 2;
  j.not_before = 1'764'000'000'000;
  j.upload_cutoff = -1;
  r.view.state = job_state::leased;
  r.view.worker = "worker-1";
  r.view.lease_deadline = 1'764'000'060'000;
  r.view.last_error = "HTTP Error 429";
  r.ready_seq = 7;
  auto bytes = queue_layout::encode_record(r);
  auto back = queue_layout::decode_record(bytes);
  check(back.view.job.url == j.url && back.view.job.tags == j.tags && back.ready_seq == 7 &&
            queue_layout::encode_record(back) == bytes,
        "job record");
  c.add("job_records", "record", with(0, bytes));
  auto key = queue_layout::count_key(job_state::failed, "acme", "news");
  check(std::get<1>(queue_layout::parse_count_key(key)) == "acme", "count key");
  c.add("job_records", "count_key", with(1, key));
}

void memory_records(corpus& c) {
  using namespace memory_layout;
  space_record s;
  s.id = 3;
  s.stats.videos = 2;
  s.stats.chunks = 40;
  s.stats.total_length = 900;
  s.next_chunk = 41;
  video_record v{7,
                 "A talk about volcanoes",
                 "https://www.youtube.com/watch?v=abc",
                 1,
                 20,
                 {"https://www.youtube.com/@geology"},
                 20260115};
  text_record tr{"youtube", "abc", std::string{"\x00\x90\x03\x0c", 4}, 4, 1};
  score_front front;
  front.add(3, 40);
  front.add(1, 12);
  term_head h{12, 2, front.encode()};
  check(encode(decode<space_record>(encode(s))) == encode(s), "namespace record");
  check(decode<video_record>(encode(v)).channels == v.channels, "video record");
  check(decode<text_record>(encode(tr)).first_piece == 4, "text record");
  check(score_front::decode(decode<term_head>(encode(h)).front).size == 2, "term head");
  c.add("memory_records", "namespace", with(0, encode(s)));
  c.add("memory_records", "video", with(1, encode(v)));
  c.add("memory_records", "texts", with(2, encode(tr)));
  c.add("memory_records", "term", with(3, encode(h)));
  std::vector<analysed_chunk> chunks{analyse("the volcano erupted"),
                                     analyse("volcanoes and lava and more lava")};
  auto waiting = encode_pending(5, chunks);
  std::vector<posting> lava;
  pending_postings_of(waiting, 5, "lava", lava);
  check(lava.size() == 1 && lava[0].chunk == 6 && lava[0].tf == 2, "pending record");
  c.add("memory_records", "pending", with(6, be32(5) + waiting));
  std::vector<posting> ps{{5, 1, 12}, {6, 3, 40}, {90, 2, 7}};
  auto block = encode_block(ps.begin(), ps.end());
  check(decode_block(5, block).size() == 3 && decode_block(5, block)[2].chunk == 90, "block");
  c.add("memory_records", "block", with(4, be32(5) + block));
  auto key = term_prefix(3, "volcano") + be32(5);
  check(parse_postings_key(key).term == "volcano", "postings key");
  c.add("memory_records", "postings_key", with(5, key));
  c.add("memory_records", "term_key", with(5, term_prefix(3, "volcano")));
}

void follow_records(corpus& c) {
  follow_record f;
  f.id = 9;
  f.tenant = "acme";
  f.workspace = "news";
  f.channel_url = "https://www.youtube.com/@science";
  f.source = "youtube";
  f.uploader = "Science Channel";
  f.origin = job_origin::api;
  f.since = 1'732'000'000'000;
  f.limit = 50;
  f.newest_id = "abcdefghijk";
  f.newest_ids = {"abcdefghijk", "", "shorts00001"};
  f.last_error = "HTTP Error 503";
  auto key = follow_layout::id_key(f.id);
  auto value = follow_layout::encode(f);
  auto back = follow_layout::decode(key, value);
  check(back.id == 9 && back.newest_ids == f.newest_ids && follow_layout::encode(back) == value,
        "follow record");
  c.add("follow_records", "follow", with(0, key_value(key, value)));
  c.add("follow_records", "due", with(1, follow_layout::due_key(1'764'000'000'000, 9)));
  c.add("follow_records", "setting", with(2, "inherit"));
}

void token_discord_records(corpus& c) {
  token_record t{5, "acme", "news", token_role::operator_, "ci", 1'764'000'000'000, 0};
  auto tk = token_layout::id_key(t.id);
  auto tv = token_layout::encode_token(t);
  check(token_layout::decode_token(tk, tv).label == "ci", "token record");
  c.add("token_discord_records", "token", with(0, key_value(tk, tv)));
  pending_reply r{2, 42, "acme", "news", "guild", "channel", "user", 1'764'000'000'000};
  auto rk = discord_layout::reply_key(r.job_id, r.id);
  auto rv = discord_layout::encode_reply(r);
  auto rb = discord_layout::decode_reply(rk, rv);
  check(rb.job_id == 42 && rb.id == 2 && rb.user_id == "user", "pending reply");
  c.add("token_discord_records", "reply", with(1, key_value(rk, rv)));
  digest_entry e{"acme",
                 "news",
                 "https://www.youtube.com/@science",
                 42,
                 "Science Channel",
                 "Eruption",
                 "https://www.youtube.com/watch?v=abc",
                 1'764'000'000'000};
  auto ek = discord_layout::digest_key(e);
  auto ev = discord_layout::encode_entry(e);
  auto eb = discord_layout::decode_entry(ek, ev);
  check(eb.job_id == 42 && eb.uploader == e.uploader, "digest entry");
  c.add("token_discord_records", "digest", with(2, key_value(ek, ev)));
}

void write_ahead_log_seeds(corpus& c) {
  std::string changes;
  lmdb::record_put(changes, 0, queue_layout::id_key(42), "job record bytes");
  lmdb::record_del(changes, 1, queue_layout::time_key(1'764'000'000'000, 42));
  lmdb::record_put(changes, 1, "wal_seq", codec::be64(3));
  c.add("wal", "changes", with(1, changes));
  // A log of two records as write_ahead_log writes it (without the zeros it grows by).
  auto file = c.dir / "queue.wal";
  fs::remove(file);
  {
    write_ahead_log log{file};
    log.append(1, changes);
    log.append(2, changes);
    log.sync();
  }
  std::ifstream in{file, std::ios::binary};
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  fs::remove(file);
  auto records = 2 * (20 + changes.size());
  check(bytes.size() >= records, "write-ahead log");
  bytes.resize(records);
  c.add("wal", "log", with(0, bytes));
}

} // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: vfb_fuzz_seeds DIR [SOURCE_DIR]\n";
    return 2;
  }
  try {
    corpus c{argv[1]};
    captions(c);
    ytdlp(c);
    urls(c, argc > 2 ? fs::path{argv[2]} : fs::path{});
    requests(c);
    job_records(c);
    memory_records(c);
    follow_records(c);
    token_discord_records(c);
    write_ahead_log_seeds(c);
    std::cout << "fuzz seeds: " << c.files << " files in " << c.dir.string() << "\n";
  } catch (const std::exception& e) {
    std::cerr << "fuzz seeds: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
