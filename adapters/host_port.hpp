// HOST:PORT as people write a node's cluster address (`vfb worker --join`, [cluster] join): a
// name or IPv4 address, or an IPv6 address in brackets, then a port from 1 to 65535.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vfb {

struct host_port {
  std::string host; // without brackets
  uint16_t port = 0;
};

/// The address in `s`, or nullopt when it is not HOST:PORT.
std::optional<host_port> parse_host_port(std::string_view s);

} // namespace vfb
