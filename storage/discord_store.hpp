// What the Discord side of a node must not forget across restarts. Plain C++ over LMDB (no CAF),
// in its own environment (DATA_DIR/discord):
//
//   replies  be64 job id + be64 reply id -> a pending /analyze answer: where to deliver the
//            job's result when it ends (a channel, the asking user). Several per job: every
//            /analyze of the same video gets its own answer.
//   digest   tenant, workspace, group (length-prefixed) + be64 job id -> a backfill or refresh
//            video waiting for its follow's digest post
//   meta     format version, next reply id
//
// Interaction tokens are never stored: they expire after 15 minutes, and results are delivered
// by routes that do not (a bot message to the channel, the workspace's webhook). Short write
// transactions, fsynced unless `sync` is off; several threads of one process may share a store.
#pragma once

#include "messages/job.hpp"
#include "storage/lmdb_store.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace vfb {

/// Where the store lives (e.g. DATA_DIR/discord) and how it writes; see lmdb::store_options.
struct discord_store_options : lmdb::store_options {};

/// An /analyze whose job had not ended when it was asked: its answer is delivered at the end.
struct pending_reply {
  uint64_t id = 0; // assigned by add_reply
  uint64_t job_id = 0;
  std::string tenant;
  std::string workspace;
  std::string guild_id;
  std::string channel_id; // where the bot message goes
  std::string user_id;    // who asked (mentioned in the answer)
  millis created_at = 0;
};

/// A processed backfill or refresh video, waiting for its group's digest.
struct digest_entry {
  std::string tenant;
  std::string workspace;
  std::string group; // the follow it came from: the uploader's channel (or its name)
  uint64_t job_id = 0;
  std::string uploader; // the channel's display name
  std::string title;
  std::string url;
  millis added_at = 0;
};

/// All entries of one (tenant, workspace, group), oldest job first.
struct digest_group {
  std::string tenant;
  std::string workspace;
  std::string group;
  std::vector<digest_entry> entries;
};

class discord_store : private lmdb::store {
public:
  /// Opens (and when writable creates) the store in `opts.dir`. Throws storage_error.
  explicit discord_store(const discord_store_options& opts);
  ~discord_store();

  /// Records a pending reply; returns it with its id. Throws std::invalid_argument for strings
  /// over 400 bytes or with a zero byte, storage_error for storage failures.
  pending_reply add_reply(pending_reply r);
  /// The pending replies of a job, oldest first.
  std::vector<pending_reply> replies_for(uint64_t job_id) const;
  /// The jobs with pending replies, ascending (a restarted node checks each).
  std::vector<uint64_t> jobs_with_replies() const;
  /// Forgets a delivered (or undeliverable) reply; false when it was not there.
  bool remove_reply(uint64_t job_id, uint64_t reply_id);

  /// Adds (or replaces) a job's digest entry.
  void add_digest_entry(const digest_entry& e);
  /// Every group with entries.
  std::vector<digest_group> digest_groups() const;
  /// Forgets the given jobs of a group (after its digest was posted).
  void remove_digest_entries(const digest_group& g);

private:
  struct dbs;
  std::unique_ptr<dbs> dbs_;
};

} // namespace vfb
