// Stand-ins for the per-actor follow tests (tests/actors/): a channel enumerator that records
// each plan and answers as the test scripts it (at once, or when released), a follow registry in
// a temporary directory, and the rig of both on the deterministic scheduler.
#pragma once

#include "messages/actors.hpp"
#include "messages/errors.hpp"
#include "storage/follow_registry.hpp"
#include "tests/support/actor_systems.hpp"
#include "tests/support/temp_dir.hpp"

#include <caf/event_based_actor.hpp>
#include <caf/scoped_actor.hpp>
#include <memory>
#include <vector>

namespace vfb::test {

using release_atom = caf::atom_constant<caf::atom("release")>;

/// What the stand-in enumerator saw, and how it answers.
struct enumerator_script {
  std::vector<backfill_plan> plans;
  enumeration_result answer; // given each plan's follow id
  bool fail = false;         // answer with an error ("the enumerator broke")
  bool hold = false;         // answer only on release_atom
  std::vector<std::pair<caf::typed_response_promise<enumeration_result>, uint64_t>> held;

  /// A listing that ran and enqueued `enqueued` jobs, its newest video `newest_id`.
  void listed(uint64_t enqueued, const std::string& newest_id, const std::string& note) {
    answer.ran = true;
    answer.enqueued = enqueued;
    answer.newest_id = newest_id;
    answer.note = note;
  }
  void deliver(caf::typed_response_promise<enumeration_result>& rp, uint64_t follow_id) const {
    if (fail) {
      rp.deliver(make_error(errc::invalid, "the enumerator broke"));
      return;
    }
    auto r = answer;
    r.follow_id = follow_id;
    rp.deliver(r);
  }
};

inline caf::behavior stand_in_enumerator(caf::event_based_actor* self,
                                         std::shared_ptr<enumerator_script> s) {
  return {
      [=](enumerate_atom, const backfill_plan& plan) -> caf::result<enumeration_result> {
        s->plans.push_back(plan);
        auto rp = self->make_response_promise<enumeration_result>();
        if (s->hold)
          s->held.emplace_back(rp, plan.follow_id);
        else
          s->deliver(rp, plan.follow_id);
        return rp;
      },
      [=](release_atom) {
        for (auto& [rp, id] : s->held)
          s->deliver(rp, id);
        s->held.clear();
      },
  };
}

/// A follow registry in `dir` (no fsync: the tests are not about durability).
inline std::shared_ptr<follow_registry> temp_registry(const temp_dir& dir) {
  follow_registry_options o;
  o.dir = dir / "follows";
  o.sync = false;
  return std::make_shared<follow_registry>(o);
}

/// What every per-actor follow test starts from: a registry in a temporary directory, the
/// stand-in enumerator, the deterministic scheduler and the test's own actor. A test's rig
/// spawns the actor under test and stops it in its own destructor (before this one runs).
struct stand_in_rig {
  temp_dir dir;
  deterministic_system ds;
  std::shared_ptr<follow_registry> registry = temp_registry(dir);
  std::shared_ptr<enumerator_script> script = std::make_shared<enumerator_script>();
  caf::actor enumerator = ds.sys->spawn(stand_in_enumerator, script);
  caf::scoped_actor self{*ds.sys};

  ~stand_in_rig() { ds.stop(self, enumerator); }
};

} // namespace vfb::test
