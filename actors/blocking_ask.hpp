// Asking an actor from a thread that is not CAF's (httplib's request threads, the Discord
// bridge's workers): a scoped actor of its own sends the request and waits for the answer, so
// no CAF thread ever blocks.
#pragma once

#include <caf/actor_system.hpp>
#include <caf/error.hpp>
#include <caf/scoped_actor.hpp>
#include <chrono>
#include <optional>
#include <utility>

namespace vfb {

/// The answer of type T, or the error (caf::sec::request_timeout after `timeout`).
template <class T, class Handle, class... Ts>
std::pair<std::optional<T>, caf::error> blocking_ask(caf::actor_system& sys, const Handle& dest,
                                                     std::chrono::milliseconds timeout,
                                                     Ts&&... xs) {
  caf::scoped_actor self{sys};
  std::optional<T> out;
  caf::error err;
  self->request(dest, timeout, std::forward<Ts>(xs)...)
      .receive([&](T& x) { out = std::move(x); }, [&](caf::error& e) { err = std::move(e); });
  return {std::move(out), std::move(err)};
}

} // namespace vfb
