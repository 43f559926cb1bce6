// What a stage worker runs: a plain function from a stage request to its result. Kept free of
// CAF so the real stages (actors/stages.hpp) and test doubles need no actor headers.
#pragma once

#include "messages/pipeline.hpp"

#include <functional>
#include <string>

namespace vfb {

/// Lets a stage report how far it is: a fraction in [0, 1] and a short note.
using progress_fn = std::function<void(double fraction, const std::string& note)>;

/// Runs one stage of a job. Failures are results (stage_result::finished with an outcome); an
/// exception escaping it becomes a transient failure.
using stage_function = std::function<stage_result(const stage_request&, const progress_fn&)>;

/// Returns the stage function for a new worker of a stage (called once per worker, so each may
/// keep per-thread resources such as a speech decoder).
using stage_function_factory = std::function<stage_function(stage_kind)>;

} // namespace vfb
