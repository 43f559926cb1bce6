// vfb's error category for CAF errors that cross actors (and nodes).
#pragma once

#include <caf/atom.hpp>
#include <caf/error.hpp>
#include <caf/make_message.hpp>
#include <cstdint>
#include <string>

namespace vfb {

enum class errc : uint8_t {
  not_found = 1,
  stale_lease = 2,
  wrong_state = 3,
  storage_failure = 4,
  invalid = 5,
};

inline constexpr caf::atom_value error_category = caf::atom("vfb");

inline caf::error make_error(errc code, std::string message) {
  return caf::error{static_cast<uint8_t>(code), error_category,
                    caf::make_message(std::move(message))};
}

/// The human-readable message of a vfb error (or CAF's rendering of any other error).
std::string error_message(const caf::error& e);

} // namespace vfb
