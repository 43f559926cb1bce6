// A job's checkpoints as they travel between a node and its workers (messages/cluster.hpp):
// read out of one artifact store and written into another, so a job can resume on any machine
// after the last stage anyone finished, and the node's memory and post stages find what the
// worker's stages produced. Plain C++ over the artifact store, no CAF.
#pragma once

#include "messages/cluster.hpp"

#include <optional>
#include <stdexcept>
#include <vector>

namespace vfb {

class artifact_store;

/// A checkpoint that cannot be taken in: not JSON, or a transcript that does not parse.
class checkpoint_error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// The job's checkpoint of `stage` with what later stages need from it (the transcribe stage's
/// transcript); none when the stage has no checkpoint (or its transcript is gone).
std::optional<stage_checkpoint> export_checkpoint(const artifact_store& a, const ingest_job& job,
                                                  stage_kind stage);

/// Every checkpoint of the job, in stage order.
std::vector<stage_checkpoint> export_checkpoints(const artifact_store& a, const ingest_job& job);

/// Stores a checkpoint (and the transcript it carries) as the job's own. Throws
/// checkpoint_error for a malformed one (nothing stored) and storage_error from the store.
void import_checkpoint(artifact_store& a, const ingest_job& job, const stage_checkpoint& cp);

} // namespace vfb
