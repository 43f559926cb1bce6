// What a node and its workers exchange besides the scheduler's own messages: the checkpoints a
// worker's stages leave (so any machine can resume the job, and the node stores memory and
// posts from them), the worker's periodic report, and what the node knows of each worker.
#pragma once

#include "messages/job.hpp"
#include "messages/pipeline.hpp"

#include <caf/meta/type_name.hpp>
#include <cstdint>
#include <string>
#include <vector>

namespace vfb {

/// One finished stage of a job, as the artifact store keeps it: the checkpoint's JSON text and,
/// for the transcribe stage, the video's transcript (JSON text), which later stages read.
struct stage_checkpoint {
  stage_kind stage = stage_kind::download;
  std::string json;
  std::string transcript_json; // transcribe only
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, stage_checkpoint& x) {
  return f(caf::meta::type_name("vfb.stage_checkpoint"), x.stage, x.json, x.transcript_json);
}

/// How often each of some terms occurs in a workspace's memory (documents containing it), and
/// how many documents it holds: what topic weighting needs from the node's memory.
struct corpus_counts {
  uint64_t documents = 0;
  std::vector<std::string> terms;
  std::vector<uint64_t> frequencies; // one per term
};

template <class Inspector> typename Inspector::result_type inspect(Inspector& f, corpus_counts& x) {
  return f(caf::meta::type_name("vfb.corpus_counts"), x.documents, x.terms, x.frequencies);
}

/// A worker's report to its node, sent on joining and then every few seconds.
struct worker_report {
  std::string name;    // the worker's name (its certificate's common name by default)
  std::string address; // where it runs, as it sees itself: "host (pid N)"
  uint64_t in_flight = 0;
  uint64_t done = 0; // jobs finished since the worker started
};

template <class Inspector> typename Inspector::result_type inspect(Inspector& f, worker_report& x) {
  return f(caf::meta::type_name("vfb.worker_report"), x.name, x.address, x.in_flight, x.done);
}

/// What a node knows of one worker (`vfb cluster ls`, GET /v1/cluster, /metrics).
struct worker_info {
  worker_report last;         // its latest report
  millis connected_since = 0; // when its current connection's first report arrived
  millis last_heartbeat = 0;  // when its latest report arrived
  bool connected = false;     // false: the connection is gone (kept until it comes back)
};

template <class Inspector> typename Inspector::result_type inspect(Inspector& f, worker_info& x) {
  return f(caf::meta::type_name("vfb.worker_info"), x.last, x.connected_since, x.last_heartbeat,
           x.connected);
}

} // namespace vfb
