// The pipeline coordinator's slot bookkeeping.
#include "actors/stage_slots.hpp"

#include <catch2/catch.hpp>

using namespace vfb;

namespace {

std::array<size_t, stage_count> slots(size_t download, size_t transcribe) {
  return {download, transcribe, 1, 1, 1};
}

} // namespace

TEST_CASE("a stage runs at most as many jobs as it has workers, FIFO") {
  stage_slots s{slots(2, 1)};
  for (uint64_t job = 1; job <= 4; ++job)
    s.enter(job, stage_kind::download);
  auto a = s.next();
  auto b = s.next();
  REQUIRE(a);
  REQUIRE(b);
  CHECK(a->job == 1);
  CHECK(b->job == 2);
  CHECK(a->worker != b->worker);
  CHECK_FALSE(s.next());
  CHECK(s.busy(stage_kind::download) == 2);
  CHECK(s.waiting(stage_kind::download) == 2);
  s.release(stage_kind::download, a->worker);
  auto c = s.next();
  REQUIRE(c);
  CHECK(c->job == 3);
  CHECK(c->worker == a->worker);
}

TEST_CASE("later stages go first") {
  stage_slots s{slots(1, 1)};
  s.enter(1, stage_kind::download);
  s.enter(2, stage_kind::post);
  s.enter(3, stage_kind::transcribe);
  CHECK(s.next()->job == 2);
  CHECK(s.next()->job == 3);
  CHECK(s.next()->job == 1);
  CHECK_FALSE(s.next());
}

TEST_CASE("stages are independent: a busy stage does not block another") {
  stage_slots s{slots(1, 1)};
  s.enter(1, stage_kind::transcribe);
  s.enter(2, stage_kind::transcribe);
  s.enter(3, stage_kind::download);
  CHECK(s.next()->job == 1);
  auto d = s.next();
  REQUIRE(d);
  CHECK(d->job == 3);
  CHECK(d->stage == stage_kind::download);
  CHECK_FALSE(s.next());
}

TEST_CASE("a dropped job no longer waits, and bad releases are caught") {
  stage_slots s{slots(1, 1)};
  s.enter(1, stage_kind::download);
  s.enter(2, stage_kind::download);
  s.drop(1);
  CHECK(s.next()->job == 2);
  CHECK_THROWS_AS(s.release(stage_kind::transcribe, 0), std::logic_error);
  CHECK_THROWS_AS(s.release(stage_kind::download, 5), std::logic_error);
  CHECK_THROWS_AS(stage_slots({0, 1, 1, 1, 1}), std::invalid_argument);
}
