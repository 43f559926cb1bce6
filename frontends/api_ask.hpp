// Asking the node's actors from an HTTP handler: httplib's request threads are not CAF's, so
// each request waits on a scoped actor of its own with a timeout (actors/blocking_ask.hpp), and
// a failed or late answer becomes the matching API error (503 on timeout, 404, 409, ...).
#pragma once

#include "actors/blocking_ask.hpp"
#include "frontends/http_helpers.hpp"

#include <chrono>
#include <utility>

namespace vfb {

struct api_asker {
  caf::actor_system* sys = nullptr;
  /// How long a request waits for an actor's answer before it answers 503.
  std::chrono::milliseconds timeout{30'000};

  /// Asks `dest` and waits (on this httplib thread) for its answer of type T.
  template <class T, class Handle, class... Ts> T ask(const Handle& dest, Ts&&... xs) const {
    return ask_within<T>(timeout, dest, std::forward<Ts>(xs)...);
  }

  /// As ask(), waiting up to `within` (a channel listing takes longer than a queue query).
  template <class T, class Handle, class... Ts>
  T ask_within(std::chrono::milliseconds within, const Handle& dest, Ts&&... xs) const {
    if (!dest)
      throw api_error(503, "unavailable", "this node does not run that service");
    auto [out, err] = blocking_ask<T>(*sys, dest, within, std::forward<Ts>(xs)...);
    if (!out)
      throw from_caf(err);
    return std::move(*out);
  }
};

} // namespace vfb
