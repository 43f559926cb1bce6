// Registers every message type so it can cross the network, and vfb's error category.
#pragma once

#include <caf/fwd.hpp>

namespace vfb {

void register_message_types(caf::actor_system_config& cfg);

} // namespace vfb
