// Actor systems for tests: a deterministic one whose scheduler runs only when the test says
// so, and a real threaded one (needed whenever detached actors are involved).
#pragma once

#include "messages/register.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scheduler/test_coordinator.hpp>
#include <caf/scoped_actor.hpp>
#include <memory>

namespace vfb::test {

/// An actor system whose scheduler runs only when the test says so.
struct deterministic_system {
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  caf::scheduler::test_coordinator* sched = nullptr;

  deterministic_system() {
    register_message_types(cfg);
    cfg.set("scheduler.policy", caf::atom("testing"));
    cfg.set("logger.file-verbosity", caf::atom("quiet"));
    sys = std::make_unique<caf::actor_system>(cfg);
    sched = &dynamic_cast<caf::scheduler::test_coordinator&>(sys->scheduler());
  }
  /// Stops an actor: its pending timers would otherwise keep it (and the system) alive.
  template <class Handle> void stop(caf::scoped_actor& self, const Handle& h) {
    self->send_exit(h, caf::exit_reason::user_shutdown);
    sched->run();
  }
};

/// A real (threaded) actor system; `setup` (if any) adds to its configuration first, e.g. the
/// network (actors/cluster_tls.hpp).
struct threaded_system {
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  threaded_system() : threaded_system([](caf::actor_system_config&) {}) {}
  template <class Setup> explicit threaded_system(Setup setup) {
    register_message_types(cfg);
    cfg.set("logger.file-verbosity", caf::atom("quiet"));
    setup(cfg);
    sys = std::make_unique<caf::actor_system>(cfg);
  }
};

} // namespace vfb::test
