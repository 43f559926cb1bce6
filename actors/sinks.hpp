// Subscriber lists of the actors that publish events (the scheduler, the cluster gateway):
// a sink that went down is dropped by its address.
#pragma once

#include <algorithm>
#include <caf/actor_addr.hpp>
#include <vector>

namespace vfb {

/// Drops the sink whose actor is `gone` (a down message's source) from `sinks`.
template <class Sink> void drop_sink(std::vector<Sink>& sinks, const caf::actor_addr& gone) {
  sinks.erase(std::remove_if(sinks.begin(), sinks.end(),
                             [&](const Sink& s) { return s.address() == gone; }),
              sinks.end());
}

} // namespace vfb
