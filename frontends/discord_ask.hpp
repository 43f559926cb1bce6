// Asking the node's actors from the Discord bridge's threads (not CAF's): a failure becomes a
// command_failed whose message is for the Discord user ("the node did not answer in time").
#pragma once

#include "actors/blocking_ask.hpp"
#include "messages/errors.hpp"

#include <caf/sec.hpp>
#include <chrono>
#include <stdexcept>
#include <string>
#include <utility>

namespace vfb {

/// A request that did not get its answer, for the user.
struct command_failed : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// A failed actor request as the user reads it.
inline std::string failure_text(const caf::error& err) {
  return err == caf::sec::request_timeout ? "the node did not answer in time" : error_message(err);
}

/// Asks `dest` and waits up to `timeout` for its answer of type T; command_failed otherwise.
template <class T, class Handle, class... Ts>
T discord_ask(caf::actor_system& sys, const Handle& dest, std::chrono::milliseconds timeout,
              Ts&&... xs) {
  if (!dest)
    throw command_failed("this node does not run that service");
  auto [out, err] = blocking_ask<T>(sys, dest, timeout, std::forward<Ts>(xs)...);
  if (!out)
    throw command_failed(failure_text(err));
  return std::move(*out);
}

} // namespace vfb
