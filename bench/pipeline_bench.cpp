// Pipeline overlap: 12 local videos through a node with the real stages (yt-dlp, ffmpeg,
// pocketsphinx), 2 transcription slots. Stages of different jobs should overlap so that the
// node is as busy as its bottleneck allows: downloads run while others transcribe.
//
// Efficiency = ideal / wall, where ideal = the busiest stage's summed time divided by its slots
// (the least wall time any schedule could take with these stage times and slots), and wall is
// from the submissions to the last job's end. Both come from the same run. Bound: >= 0.85
// (issue 3). Prints one JSON object; exit 1 when the bound fails, 2 when a job failed.
#include "actors/node.hpp"
#include "actors/stages.hpp"
#include "messages/errors.hpp"
#include "storage/job_queue.hpp"
#include "tests/support/actor_systems.hpp"
#include "tests/support/media.hpp"
#include "tests/support/media_server.hpp"
#include "tests/support/temp_dir.hpp"

#include <caf/all.hpp>
#include <chrono>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

using namespace vfb;

namespace {

const char* topics[] = {"volcanoes",  "glaciers", "honeybees", "lighthouses", "comets",    "rivers",
                        "telescopes", "deserts",  "orchards",  "bridges",     "tornadoes", "coral"};

std::string talk_about(const std::string& topic) {
  return "Today we talk about " + topic + ". Many people find " + topic +
         " fascinating, and scientists study " + topic +
         " every year. This short talk explains what we know about " + topic +
         " and why it matters for the future.";
}

} // namespace

int main(int argc, char** argv) {
  size_t videos = 12;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--quick") {
      videos = 4;
    } else {
      std::cout << "usage: pipeline_bench [--quick]\n";
      return a == "--help" ? 0 : 2;
    }
  }
  // stdout is the JSON result; the node's log lines go to stderr.
  spdlog::set_default_logger(spdlog::stderr_color_mt("pipeline_bench"));
  test::temp_dir dir;
  auto served = dir / "served";
  std::filesystem::create_directories(served);
  std::cerr << "synthesising " << videos << " videos\n";
  for (size_t i = 0; i < videos; ++i)
    test::synth_video(served, "talk" + std::to_string(i), talk_about(topics[i % 12]));
  test::media_server server{served};

  vfb_config cfg;
  cfg.sources.allow_loopback = true;
  cfg.pipeline.download_slots = 2;
  cfg.pipeline.transcribe_slots = 2;
  test::threaded_system ts;
  node_setup setup;
  setup.config = cfg;
  queue_options qo;
  qo.dir = dir / "data";
  setup.queue = std::make_shared<job_queue>(qo);
  setup.stages = real_stages(open_stage_environment(cfg, qo.dir));
  auto node = spawn_node(*ts.sys, setup);
  auto slots = stage_slots_from(cfg);
  caf::scoped_actor self{*ts.sys};
  self->send(node.pipeline, subscribe_atom::value, caf::actor_cast<pipeline_event_sink>(self));

  auto start = std::chrono::steady_clock::now();
  for (size_t i = 0; i < videos; ++i) {
    submission s;
    s.url = server.url("/media/talk" + std::to_string(i) + ".mp4");
    s.tenant = "bench";
    s.workspace = "main";
    self->request(node.submission, caf::infinite, submit_atom::value, s)
        .receive([](const enqueue_result&) {},
                 [&](const caf::error& e) {
                   std::cerr << "submission refused: " << error_message(e) << '\n';
                   std::exit(2);
                 });
  }
  std::array<double, stage_count> busy_s{};
  size_t ended = 0;
  bool failed = false;
  self->receive_while([&] { return ended < videos; })([&](const pipeline_event& ev) {
    if (ev.kind == progress_kind::finished)
      busy_s[static_cast<size_t>(ev.stage)] += static_cast<double>(ev.elapsed) / 1000.0;
    if (ev.kind == progress_kind::ended) {
      ++ended;
      failed = failed || ev.outcome.kind != outcome_kind::done;
      if (ev.outcome.kind != outcome_kind::done)
        std::cerr << "job " << ev.job_id << " ended " << to_string(ev.outcome.kind) << ": "
                  << ev.outcome.reason << '\n';
      std::cerr << "ended " << ended << "/" << videos << '\n';
    }
  });
  double wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  stop_node(self, node);

  nlohmann::json stages = nlohmann::json::object();
  double ideal_s = 0;
  std::string bottleneck;
  for (int i = 0; i < stage_count; ++i) {
    auto per_slot = busy_s[i] / static_cast<double>(slots[i]);
    stages[std::string{to_string(static_cast<stage_kind>(i))}] = {
        {"summed_s", busy_s[i]}, {"slots", slots[i]}, {"per_slot_s", per_slot}};
    if (per_slot > ideal_s) {
      ideal_s = per_slot;
      bottleneck = std::string{to_string(static_cast<stage_kind>(i))};
    }
  }
  double efficiency = ideal_s / wall_s;
  bool pass = !failed && efficiency >= 0.85;
  nlohmann::json out{{"benchmark", "pipeline_overlap"},
                     {"videos", videos},
                     {"wall_s", wall_s},
                     {"ideal_s", ideal_s},
                     {"bottleneck", bottleneck},
                     {"efficiency", efficiency},
                     {"bound", 0.85},
                     {"bound_source", "issue 3: ideal (busiest stage's summed time / its slots) "
                                      "/ wall time, same run"},
                     {"stages", stages},
                     {"pass", pass}};
  std::cout << out.dump(2) << std::endl;
  return failed ? 2 : pass ? 0 : 1;
}
