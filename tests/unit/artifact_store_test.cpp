// The artifact store: per-video cache directories, stage checkpoints that are replaced
// atomically (a crash or a full disk mid-write leaves the previous one), unreadable files read as
// absent with a reason, and the JSON forms of the media results.
#include "storage/artifact_store.hpp"
#include "storage/checkpoint_exchange.hpp"
#include "storage/media_json.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>
#include <csignal>
#include <fstream>
#include <functional>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace vfb;
namespace fs = std::filesystem;

namespace {

download_result sample_download() {
  download_result d;
  d.extractor = "Youtube";
  d.video_id = "dQw4w9WgXcQ";
  d.title = "A title with \"quotes\" and ünïcödé";
  d.uploader = "Someone";
  d.uploader_id = "@someone";
  d.uploader_url = "https://www.youtube.com/@someone";
  d.channel_id = "UC123";
  d.channel_url = "https://www.youtube.com/channel/UC123";
  d.webpage_url = "https://www.youtube.com/watch?v=dQw4w9WgXcQ";
  d.upload_date = "20240131";
  d.timestamp = 1706659200;
  d.duration = 212.5;
  d.live_status = "not_live";
  d.availability = "public";
  d.media_path = "/data/artifacts/videos/x/media.webm";
  d.caption_paths = {"/data/a.en.vtt", "/data/a.de.vtt"};
  d.description = "About \"this\".\n00:42 Ash";
  d.tags = {"volcano", "lava"};
  d.chapters = {"Intro", "Ash"};
  return d;
}

transcript sample_transcript() {
  return {"captions", "en", {{0, 1500, "hello there"}, {1500, 4200, "general kenobi"}}};
}

analysis sample_analysis() {
  return {{{"kenobi", 2.5}, {"general", 1.25}}, {{"general kenobi", 4}}, {"Hello there."}};
}

/// Files in `dir` whose name ends in ".tmp" (left-over temporary files).
size_t temporary_files(const fs::path& dir) {
  size_t n = 0;
  for (auto& e : fs::directory_iterator(dir))
    n += e.path().extension() == ".tmp";
  return n;
}

/// Runs `body` in a forked child limited to `max_file_bytes` per file; returns the wait status.
/// The body reports through its exit code (no test assertions can run in the child).
int run_limited(size_t max_file_bytes, bool ignore_sigxfsz, const std::function<int()>& body) {
  auto pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    rlimit no_core{0, 0};
    setrlimit(RLIMIT_CORE, &no_core);
    if (ignore_sigxfsz)
      signal(SIGXFSZ, SIG_IGN);
    rlimit lim{max_file_bytes, max_file_bytes};
    setrlimit(RLIMIT_FSIZE, &lim);
    int code = 99;
    try {
      code = body();
    } catch (...) {
      code = 98;
    }
    _exit(code);
  }
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  return status;
}

nlohmann::json big_checkpoint() {
  nlohmann::json j;
  j["segments"] = std::vector<std::string>(2000, std::string(60, 's'));
  return j;
}

} // namespace

TEST_CASE("artifacts: one cache directory per video, shared by every tenant") {
  test::temp_dir dir;
  artifact_store a{dir / "artifacts"};
  auto v = a.video_dir("youtube", "abc");
  CHECK(fs::is_directory(v));
  CHECK(v.parent_path() == dir / "artifacts" / "videos");
  CHECK(v.filename().string().size() == 32); // 128-bit hash in hex: any id is a safe name
  CHECK(a.video_dir("youtube", "abc") == v);
  CHECK(artifact_store{dir / "artifacts"}.video_dir("youtube", "abc") == v);
  CHECK(a.video_dir("youtube", "abd") != v);
  CHECK(a.video_dir("vimeo", "abc") != v);
  CHECK(a.video_dir("ab", "c") != a.video_dir("a", "bc"));
  auto odd = a.video_dir("generic", "../../etc/passwd");
  CHECK(odd.parent_path() == dir / "artifacts" / "videos");
}

TEST_CASE("artifacts: downloads and transcripts are cached per video") {
  test::temp_dir dir;
  artifact_store a{dir / "artifacts"};
  std::string problem = "stale";
  CHECK_FALSE(a.cached_download("youtube", "abc", &problem));
  CHECK(problem.empty()); // simply absent
  CHECK_FALSE(a.cached_transcript("youtube", "abc"));

  auto d = sample_download();
  a.save_download("youtube", "abc", d);
  a.save_transcript("youtube", "abc", sample_transcript());
  auto got = a.cached_download("youtube", "abc", &problem);
  REQUIRE(got);
  CHECK(problem.empty());
  CHECK(nlohmann::json(*got) == nlohmann::json(d));
  CHECK(got->caption_paths == d.caption_paths);
  auto t = a.cached_transcript("youtube", "abc");
  REQUIRE(t);
  REQUIRE(t->segments.size() == 2);
  CHECK(t->segments[1].text == "general kenobi");
  CHECK(t->segments[1].end_ms == 4200);
  CHECK(fs::exists(a.video_dir("youtube", "abc") / "download.json"));
  CHECK_FALSE(a.cached_download("youtube", "other"));
  CHECK(temporary_files(a.video_dir("youtube", "abc")) == 0);
}

TEST_CASE("artifacts: a malformed cache file reads as absent, with the reason") {
  test::temp_dir dir;
  artifact_store a{dir / "artifacts"};
  auto v = a.video_dir("youtube", "abc");
  std::ofstream{v / "download.json"} << R"({"extractor": "Youtube", "video_id": 5})";
  std::string problem;
  CHECK_FALSE(a.cached_download("youtube", "abc", &problem));
  CHECK_THAT(problem, Catch::Contains("download.json") && Catch::Contains("video_id"));
  std::ofstream{v / "transcript.json"} << R"({"origin": "speech", "lang)";
  CHECK_FALSE(a.cached_transcript("youtube", "abc", &problem));
  CHECK_THAT(problem, Catch::Contains("transcript.json") && Catch::Contains("not valid JSON"));
  // Saving again repairs it.
  a.save_transcript("youtube", "abc", sample_transcript());
  CHECK(a.cached_transcript("youtube", "abc", &problem));
  CHECK(problem.empty());
}

TEST_CASE("artifacts: checkpoints per job and stage") {
  test::temp_dir dir;
  artifact_store a{dir / "artifacts"};
  CHECK_FALSE(a.checkpoint(1, stage_kind::download));
  a.save_checkpoint(1, stage_kind::download, {{"media", "x.webm"}});
  a.save_checkpoint(1, stage_kind::transcribe, {{"segments", 3}});
  a.save_checkpoint(2, stage_kind::download, {{"media", "y.webm"}});
  CHECK(a.checkpoint(1, stage_kind::download) == nlohmann::json{{"media", "x.webm"}});
  CHECK(a.checkpoint(1, stage_kind::transcribe) == nlohmann::json{{"segments", 3}});
  CHECK_FALSE(a.checkpoint(1, stage_kind::analyze));
  a.save_checkpoint(1, stage_kind::download, {{"media", "z.webm"}});
  CHECK(a.checkpoint(1, stage_kind::download) == nlohmann::json{{"media", "z.webm"}});
  // A new instance over the same root sees them: they are files, not memory.
  artifact_store again{dir / "artifacts"};
  CHECK(again.checkpoint(2, stage_kind::download) == nlohmann::json{{"media", "y.webm"}});
  a.clear_checkpoints(1);
  CHECK_FALSE(a.checkpoint(1, stage_kind::download));
  CHECK_FALSE(a.checkpoint(1, stage_kind::transcribe));
  CHECK(a.checkpoint(2, stage_kind::download));
  a.clear_checkpoints(1); // nothing left: fine
  CHECK(temporary_files(dir / "artifacts" / "jobs" / "2") == 0);
}

TEST_CASE("artifacts: a torn or unreadable checkpoint counts as absent, with the reason") {
  test::temp_dir dir;
  artifact_store a{dir / "artifacts"};
  a.save_checkpoint(9, stage_kind::analyze, {{"topics", {"a", "b"}}});
  auto file = dir / "artifacts" / "jobs" / "9" / "analyze.json";
  REQUIRE(fs::exists(file));
  std::ofstream{file, std::ios::trunc} << R"({"topics": ["a", )";
  std::string problem;
  CHECK_FALSE(a.checkpoint(9, stage_kind::analyze, &problem));
  CHECK_THAT(problem, Catch::Contains(file.string()) && Catch::Contains("not valid JSON"));
  std::ofstream{file, std::ios::trunc}; // empty
  CHECK_FALSE(a.checkpoint(9, stage_kind::analyze, &problem));
  CHECK_FALSE(problem.empty());
  // A directory where the file should be cannot be read either.
  fs::remove(file);
  fs::create_directory(file);
  CHECK_FALSE(a.checkpoint(9, stage_kind::analyze, &problem));
  CHECK_THAT(problem, Catch::Contains("cannot read"));
  fs::remove(file);
  a.save_checkpoint(9, stage_kind::analyze, {{"topics", nlohmann::json::array()}});
  CHECK(a.checkpoint(9, stage_kind::analyze, &problem));
  CHECK(problem.empty());
}

TEST_CASE("artifacts: a crash in the middle of a save leaves the previous checkpoint") {
  // The child's file-size limit kills it (SIGXFSZ) while it writes the new checkpoint: a real
  // crash with a half-written file on disk.
  test::temp_dir dir;
  artifact_store a{dir / "artifacts"};
  nlohmann::json old{{"media", "old.webm"}};
  a.save_checkpoint(3, stage_kind::download, old);
  auto status = run_limited(16 << 10, false, [&] {
    a.save_checkpoint(3, stage_kind::download, big_checkpoint());
    return 0;
  });
  REQUIRE(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGXFSZ);
  CHECK(temporary_files(dir / "artifacts" / "jobs" / "3") == 1); // the torn write is there...
  std::string problem;
  CHECK(a.checkpoint(3, stage_kind::download, &problem) == old); // ...but never read
  CHECK(problem.empty());
  a.save_checkpoint(3, stage_kind::download, big_checkpoint()); // and a later save works
  CHECK(a.checkpoint(3, stage_kind::download) == big_checkpoint());
}

TEST_CASE("artifacts: a full disk fails the save clearly and keeps the previous checkpoint") {
  test::temp_dir dir;
  artifact_store a{dir / "artifacts"};
  nlohmann::json old{{"media", "old.webm"}};
  a.save_checkpoint(4, stage_kind::download, old);
  // Exit codes: 0 refused as disk_full naming the file, 1 saved, 2 another error.
  auto file = dir / "artifacts" / "jobs" / "4" / "download.json";
  auto status = run_limited(16 << 10, true, [&] {
    try {
      a.save_checkpoint(4, stage_kind::download, big_checkpoint());
      return 1;
    } catch (const storage_error& e) {
      std::string what = e.what();
      bool clear = what.find("disk full") != std::string::npos &&
                   what.find(file.string()) != std::string::npos;
      return e.kind() == store_failure::disk_full && clear ? 0 : 2;
    }
  });
  REQUIRE(WIFEXITED(status));
  INFO("0: refused as disk full; 1: saved despite the limit; 2: another error; 98: crash");
  REQUIRE(WEXITSTATUS(status) == 0);
  CHECK(a.checkpoint(4, stage_kind::download) == old);
  CHECK(temporary_files(file.parent_path()) == 0);
}

TEST_CASE("artifacts: a root that cannot be a directory is an error") {
  test::temp_dir dir;
  std::ofstream{dir / "file"} << "x";
  CHECK_THROWS_AS(artifact_store{dir / "file"}, storage_error);
  CHECK_THROWS_AS(artifact_store{dir / "file" / "below"}, storage_error);
  artifact_store a{dir / "ok"};
  std::ofstream{dir / "ok" / "jobs"} << "x"; // where the job directories belong
  CHECK_THROWS_AS(a.save_checkpoint(1, stage_kind::post, {{"x", 1}}), storage_error);
}

TEST_CASE("media json: download, transcript and analysis round trip") {
  auto d = sample_download();
  auto d2 = nlohmann::json::parse(nlohmann::json(d).dump()).get<download_result>();
  CHECK(d2.title == d.title);
  CHECK(d2.timestamp == d.timestamp);
  CHECK(d2.duration == d.duration);
  CHECK(d2.caption_paths == d.caption_paths);
  CHECK(nlohmann::json(d2) == nlohmann::json(d));

  auto t = nlohmann::json(sample_transcript()).get<transcript>();
  CHECK(t.origin == "captions");
  CHECK(t.language == "en");
  REQUIRE(t.segments.size() == 2);
  CHECK(t.segments[0].start_ms == 0);
  CHECK(t.segments[0].text == "hello there");

  auto a = nlohmann::json::parse(nlohmann::json(sample_analysis()).dump()).get<analysis>();
  REQUIRE(a.topics.size() == 2);
  CHECK(a.topics[1].term == "general");
  CHECK(a.topics[1].weight == 1.25);
  CHECK(a.key_phrases[0].term == "general kenobi");
  CHECK(a.summary == std::vector<std::string>{"Hello there."});
}

TEST_CASE("media json: malformed documents are refused, naming the field") {
  auto refuses = [](const nlohmann::json& j, auto type_tag, const std::string& what) {
    using T = decltype(type_tag);
    try {
      (void)j.get<T>();
    } catch (const media_json_error& e) {
      CHECK_THAT(e.what(), Catch::Contains(what));
      return;
    }
    FAIL("accepted " << j.dump());
  };
  auto d = nlohmann::json(sample_download());
  auto missing = d;
  missing.erase("media_path");
  refuses(missing, download_result{}, "download_result.media_path: missing");
  auto wrong = d;
  wrong["duration"] = "long";
  refuses(wrong, download_result{}, "download_result.duration: type must be number");
  wrong = d;
  wrong["caption_paths"] = {1, 2};
  refuses(wrong, download_result{}, "download_result.caption_paths");
  refuses(nlohmann::json::array(), download_result{}, "download_result: expected an object");
  // Fields added later may be missing (a checkpoint of an older vfb), never of another type.
  auto older = d;
  for (auto* added : {"description", "tags", "chapters"})
    older.erase(added);
  auto read = older.get<download_result>();
  CHECK(read.title == sample_download().title);
  CHECK(read.description.empty());
  CHECK(read.tags.empty());
  wrong = d;
  wrong["tags"] = "volcano";
  refuses(wrong, download_result{}, "download_result.tags");

  auto t = nlohmann::json(sample_transcript());
  t["segments"][1].erase("text");
  refuses(t, transcript{}, "transcript.segments: transcript_segment.text: missing");
  t = nlohmann::json(sample_transcript());
  t["segments"] = "none";
  refuses(t, transcript{}, "transcript.segments: type must be array");

  auto a = nlohmann::json(sample_analysis());
  a["topics"][0]["weight"] = nullptr;
  refuses(a, analysis{}, "analysis.topics: weighted_term.weight");
  refuses(nlohmann::json{{"topics", nlohmann::json::array()}}, analysis{},
          "analysis.key_phrases: missing");
}

TEST_CASE("artifacts: a job's checkpoints travel to another store and resume there") {
  test::temp_dir dir;
  artifact_store worker{dir / "worker"};
  artifact_store node{dir / "node"};
  ingest_job job;
  job.id = 7;
  job.key = {"acme", "main", "generic", "talk1"};
  download_result d;
  d.title = "Talk 1";
  d.media_path = "/worker/videos/talk1/media.mp4";
  worker.save_checkpoint(7, stage_kind::download, d);
  transcript t{"speech", "en", {{0, 1500, "the volcano"}, {1500, 3000, "erupted"}}};
  worker.save_transcript("generic", "talk1", t);
  worker.save_checkpoint(7, stage_kind::transcribe, {{"origin", "speech"}, {"segments", 2}});
  // Nothing yet for the analyze stage: only what exists travels.
  CHECK_FALSE(export_checkpoint(worker, job, stage_kind::analyze));
  auto all = export_checkpoints(worker, job);
  REQUIRE(all.size() == 2);
  CHECK(all[0].stage == stage_kind::download);
  CHECK(all[1].stage == stage_kind::transcribe);
  CHECK_FALSE(all[1].transcript_json.empty()); // the transcript goes with its checkpoint
  for (const auto& cp : all)
    import_checkpoint(node, job, cp);
  CHECK(checkpoint_as<download_result>(node, 7, stage_kind::download)->title == "Talk 1");
  CHECK(node.checkpoint(7, stage_kind::transcribe) ==
        nlohmann::json{{"origin", "speech"}, {"segments", 2}});
  CHECK(nlohmann::json(*node.cached_transcript("generic", "talk1")) == nlohmann::json(t));
}

TEST_CASE("artifacts: a malformed checkpoint from the network is refused and stores nothing") {
  test::temp_dir dir;
  artifact_store a{dir / "artifacts"};
  ingest_job job;
  job.id = 3;
  job.key = {"acme", "main", "generic", "x"};
  CHECK_THROWS_AS(import_checkpoint(a, job, {stage_kind::download, "{not json", ""}),
                  checkpoint_error);
  CHECK_FALSE(a.checkpoint(3, stage_kind::download));
  // A transcribe checkpoint whose transcript is not one: neither is stored.
  CHECK_THROWS_WITH(
      import_checkpoint(a, job, {stage_kind::transcribe, R"({"segments":1})", R"({"segments":7})"}),
      Catch::Contains("job 3's transcribe checkpoint is malformed"));
  CHECK_FALSE(a.checkpoint(3, stage_kind::transcribe));
  CHECK_FALSE(a.cached_transcript("generic", "x"));
  // A transcribe checkpoint whose transcript is gone is not exported: the stage runs again.
  a.save_checkpoint(3, stage_kind::transcribe, {{"segments", 1}});
  CHECK_FALSE(export_checkpoint(a, job, stage_kind::transcribe));
}
