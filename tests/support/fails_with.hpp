// For tests of the stores: the storage_error an operation throws, to check its kind and words.
#pragma once

#include "storage/store_error.hpp"

#include <catch2/catch.hpp>
#include <functional>
#include <stdexcept>

namespace vfb::test {

/// The storage_error that `f` throws; the test fails when it throws none.
inline storage_error fails_with(const std::function<void()>& f) {
  try {
    f();
  } catch (const storage_error& e) {
    return e;
  }
  FAIL("no storage_error");
  throw std::logic_error("unreachable");
}

} // namespace vfb::test
