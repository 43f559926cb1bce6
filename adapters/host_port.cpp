#include "adapters/host_port.hpp"

#include "text/numbers.hpp"

namespace vfb {

std::optional<host_port> parse_host_port(std::string_view s) {
  auto colon = s.rfind(':');
  if (colon == std::string_view::npos || colon == 0)
    return std::nullopt;
  auto host = s.substr(0, colon);
  if (host.front() == '[') { // [::1]:7420
    if (host.size() < 3 || host.back() != ']')
      return std::nullopt;
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    return std::nullopt; // an IPv6 address needs its brackets
  }
  for (char c : host)
    if (c <= ' ' || c == '/' || c == '@' || c == '[' || c == ']')
      return std::nullopt;
  auto digits = s.substr(colon + 1);
  if (digits.empty() || digits.find_first_not_of("0123456789") != std::string_view::npos)
    return std::nullopt;
  auto port = text::parse_int_in(digits, 1, 65535);
  if (!port)
    return std::nullopt;
  return host_port{std::string{host}, static_cast<uint16_t>(*port)};
}

} // namespace vfb
