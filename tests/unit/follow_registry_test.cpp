// The follow registry: one follow per channel per workspace, ids, listing, the due order, updates
// that move a follow in it, per-workspace settings, reopening, and the storage limits.
#include "storage/follow_registry.hpp"
#include "tests/support/fails_with.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <functional>
#include <thread>

using namespace vfb;

namespace {

follow_registry_options options_for(const test::temp_dir& dir) {
  follow_registry_options o;
  o.dir = dir / "follows";
  o.sync = false;
  return o;
}

follow_record follow(const std::string& channel, const std::string& tenant = "t",
                     const std::string& workspace = "w", millis next_refresh_at = 0) {
  follow_record f;
  f.tenant = tenant;
  f.workspace = workspace;
  f.channel_url = "https://www.youtube.com/@" + channel;
  f.source = "youtube";
  f.uploader = channel;
  f.next_refresh_at = next_refresh_at;
  return f;
}

/// Every field in words, so that whole records compare and mismatches read well.
std::string describe(const follow_record& f) {
  return std::to_string(f.id) + "|" + f.tenant + "|" + f.workspace + "|" + f.channel_url + "|" +
         f.source + "|" + f.uploader + "|" + std::to_string(static_cast<int>(f.origin)) + "|" +
         std::to_string(f.created_from_job) + "|" + std::to_string(f.created_at) + "|" +
         std::to_string(f.since) + "|" + std::to_string(f.limit) + "|" +
         (f.paused ? "paused" : "active") + "|" + std::to_string(f.last_listed_at) + "|" +
         std::to_string(f.next_refresh_at) + "|" + f.newest_id + "|" +
         std::to_string(f.newest_timestamp) + "|" + std::to_string(f.enqueued_total) + "|" +
         f.last_error + "|" + [&] {
           std::string ids;
           for (const auto& id : f.newest_ids)
             ids += "[" + id + "]";
           return ids;
         }();
}

/// The uploaders (our channel names) of `follows`, in order.
std::vector<std::string> names(const std::vector<follow_record>& follows) {
  std::vector<std::string> out;
  for (auto& f : follows)
    out.push_back(f.uploader);
  return out;
}

/// Entries of one named database of the registry in `dir`, read around the registry (closed).
size_t entries(const std::filesystem::path& dir, const char* name) {
  lmdb::env_options eo;
  eo.dir = dir;
  eo.read_only = true;
  lmdb::env env{eo};
  lmdb::txn t{env, false};
  lmdb::db d{t, name, false};
  return d.size(t);
}

} // namespace

TEST_CASE("follows: add assigns ids, times and dedupes per workspace") {
  test::temp_dir dir;
  follow_registry r{options_for(dir)};
  auto a = r.add(follow("alpha"), 1000);
  CHECK(a.created);
  CHECK(a.follow.id == 1);
  CHECK(a.follow.created_at == 1000);
  CHECK(a.follow.next_refresh_at == 1000); // unset: due at once
  auto b = r.add(follow("beta", "t", "w", 5000), 1100);
  CHECK(b.follow.id == 2);
  CHECK(b.follow.next_refresh_at == 5000); // set by the caller: kept

  auto again = follow("alpha");
  again.uploader = "someone else";
  again.paused = true;
  auto dup = r.add(again, 2000);
  CHECK_FALSE(dup.created);
  CHECK(describe(dup.follow) == describe(a.follow)); // the existing record, unchanged
  CHECK(describe(*r.get(1)) == describe(a.follow));
  CHECK(r.list().size() == 2);

  // The same channel elsewhere is another follow; a duplicate used up no id.
  CHECK(r.add(follow("alpha", "t", "w2"), 2100).follow.id == 3);
  CHECK(r.add(follow("alpha", "t2", "w"), 2200).follow.id == 4);
  CHECK(r.find("t", "w2", follow("alpha").channel_url)->id == 3);
  CHECK(r.find("t", "w", follow("alpha").channel_url)->id == 1);
  CHECK_FALSE(r.find("t", "w3", follow("alpha").channel_url));
  CHECK_FALSE(r.get(5));
  CHECK(r.check_invariants().empty());
}

TEST_CASE("follows: every field survives storage and a reopen") {
  test::temp_dir dir;
  follow_record f = follow("full", "tenant", "workspace", 77);
  f.id = 999; // assigned by add: ignored
  f.source = "generic";
  f.origin = job_origin::backfill;
  f.created_from_job = 42;
  f.created_at = 5; // assigned by add: overwritten
  f.since = -123;
  f.limit = 4000000000u;
  f.paused = true;
  f.last_listed_at = 11;
  f.newest_id = "dQw4w9WgXcQ";
  f.newest_timestamp = 1700000000000;
  f.enqueued_total = uint64_t{1} << 40;
  f.last_error = "HTTP 429";
  f.newest_ids = {"dQw4w9WgXcQ", "", "stream00001"};
  std::string stored;
  {
    follow_registry r{options_for(dir)};
    auto added = r.add(f, 3000).follow;
    f.id = 1;
    f.created_at = 3000;
    CHECK(describe(added) == describe(f));
    stored = describe(*r.get(1));
    CHECK(stored == describe(f));
  }
  follow_registry r{options_for(dir)};
  CHECK(describe(*r.get(1)) == stored);
  CHECK(r.add(follow("next"), 4000).follow.id == 2); // ids continue after a reopen
  CHECK(r.check_invariants().empty());
}

TEST_CASE("follows: list filters by tenant and workspace, oldest first") {
  test::temp_dir dir;
  follow_registry r{options_for(dir)};
  // Channel names in reverse alphabetical order: the by_channel index would list them backwards.
  r.add(follow("zulu", "t", "w"), 1);
  r.add(follow("yankee", "t", "w2"), 2);
  r.add(follow("xray", "t1", "w"), 3); // "t" is a prefix of "t1" but not its tenant
  r.add(follow("whiskey", "t", "w"), 4);
  r.add(follow("victor", "t", "ww"), 5);

  CHECK(names(r.list()) == std::vector<std::string>{"zulu", "yankee", "xray", "whiskey", "victor"});
  CHECK(names(r.list("t")) == std::vector<std::string>{"zulu", "yankee", "whiskey", "victor"});
  CHECK(names(r.list("t", "w")) == std::vector<std::string>{"zulu", "whiskey"});
  CHECK(names(r.list("t", "w2")) == std::vector<std::string>{"yankee"});
  CHECK(names(r.list("t1")) == std::vector<std::string>{"xray"});
  CHECK(r.list("t2").empty());
  CHECK(r.list("t", "nope").empty());
  CHECK(r.list({}, "w").size() == 5); // no tenant: all, whatever the workspace
}

TEST_CASE("follows: due lists unpaused follows that are due, soonest first, up to the limit") {
  test::temp_dir dir;
  follow_registry r{options_for(dir)};
  r.add(follow("c300", "t", "w", 300), 1);
  r.add(follow("b100", "t", "w", 100), 1);
  r.add(follow("e1000", "t", "w", 1000), 1);
  r.add(follow("a200", "t2", "w", 200), 1);
  auto paused = follow("p50", "t", "w", 50);
  paused.paused = true;
  r.add(paused, 1);
  r.add(follow("neg", "t", "w", -10), 1); // before the epoch still sorts first

  CHECK(names(r.due(250)) == std::vector<std::string>{"neg", "b100", "a200"});
  CHECK(names(r.due(300)) == std::vector<std::string>{"neg", "b100", "a200", "c300"});
  CHECK(names(r.due(250, 2)) == std::vector<std::string>{"neg", "b100"});
  CHECK(r.due(250, 0).empty());
  CHECK(r.due(-11).empty());
  CHECK(r.due(5000).size() == 5); // never the paused one
  CHECK(r.check_invariants().empty());
}

TEST_CASE("follows: update moves a follow in the due order and keeps its identity") {
  test::temp_dir dir;
  follow_registry r{options_for(dir)};
  auto a = r.add(follow("a", "t", "w", 100), 1).follow;
  auto b = r.add(follow("b", "t", "w", 200), 1).follow;
  auto c = r.add(follow("c", "t", "w", 300), 1).follow;
  REQUIRE(names(r.due(1000)) == std::vector<std::string>{"a", "b", "c"});

  a.next_refresh_at = 400;
  a.last_listed_at = 90;
  a.newest_id = "vid9";
  a.enqueued_total = 3;
  CHECK(r.update(a));
  CHECK(names(r.due(1000)) == std::vector<std::string>{"b", "c", "a"});
  CHECK(names(r.due(350)) == std::vector<std::string>{"b", "c"});
  CHECK(describe(*r.get(a.id)) == describe(a));

  b.paused = true;
  CHECK(r.update(b));
  CHECK(names(r.due(1000)) == std::vector<std::string>{"c", "a"});
  b.paused = false;
  b.next_refresh_at = 50;
  CHECK(r.update(b));
  CHECK(names(r.due(1000)) == std::vector<std::string>{"b", "c", "a"});

  for (auto change : std::vector<std::function<void(follow_record&)>>{
           [](follow_record& f) { f.tenant = "t2"; }, [](follow_record& f) { f.workspace = "w2"; },
           [](follow_record& f) { f.channel_url += "x"; }}) {
    auto moved = c;
    change(moved);
    moved.next_refresh_at = 1;
    CHECK_THROWS_AS(r.update(moved), std::invalid_argument);
    CHECK(describe(*r.get(c.id)) == describe(c)); // nothing of the update stored
  }
  CHECK(names(r.due(1000)) == std::vector<std::string>{"b", "c", "a"});
  CHECK(r.find("t", "w", c.channel_url)->id == c.id);

  auto unknown = c;
  unknown.id = 99;
  CHECK_FALSE(r.update(unknown));
  CHECK_FALSE(r.get(99));
  CHECK(r.list().size() == 3);
  CHECK(r.check_invariants().empty());
}

TEST_CASE("follows: modify changes the stored follow in one transaction, so no change is lost") {
  test::temp_dir dir;
  follow_registry r{options_for(dir)};
  auto f = r.add(follow("a"), 1).follow;
  // Two writers at once, as the refresher (recording listings) and `vfb follow pause/resume`
  // are: each changes its own fields. A read followed by a separate update would write back a
  // stale copy and lose the other writer's changes.
  constexpr int rounds = 500;
  int refused = 0; // Catch's assertions are not for other threads: counted, checked after join
  auto listings = std::thread([&] {
    for (int i = 0; i < rounds; ++i)
      refused += r.modify(f.id, [](follow_record& x) { ++x.enqueued_total; }) ? 0 : 1;
  });
  int refused_here = 0; // no REQUIRE before the join: a throw would leave the thread running
  for (int i = 0; i < rounds; ++i)
    refused_here += r.modify(f.id,
                             [](follow_record& x) {
                               x.paused = !x.paused;
                               x.next_refresh_at += 1;
                             })
                        ? 0
                        : 1;
  listings.join();
  CHECK(refused == 0);
  CHECK(refused_here == 0);
  auto stored = *r.get(f.id);
  CHECK(stored.enqueued_total == rounds);
  CHECK(stored.next_refresh_at == f.next_refresh_at + rounds);
  CHECK_FALSE(stored.paused); // an even number of toggles
  CHECK(names(r.due(f.next_refresh_at + rounds)) == std::vector<std::string>{"a"});
  CHECK(r.check_invariants().empty());

  bool called = false;
  CHECK_FALSE(r.modify(99, [&](follow_record&) { called = true; }));
  CHECK_FALSE(called);
  CHECK_THROWS_AS(r.modify(f.id, [](follow_record& x) { x.id = 7; }), std::invalid_argument);
  CHECK_THROWS_AS(r.modify(f.id, [](follow_record& x) { x.tenant = "other"; }),
                  std::invalid_argument);
  CHECK(describe(*r.get(f.id)) == describe(stored)); // nothing of a refused change stored
}

TEST_CASE("follows: remove drops a follow from every index and ids are not reused") {
  test::temp_dir dir;
  follow_registry r{options_for(dir)};
  auto a = r.add(follow("a"), 10).follow;
  auto b = r.add(follow("b"), 20).follow;
  CHECK(r.remove(b.id));
  CHECK_FALSE(r.remove(b.id));
  CHECK_FALSE(r.get(b.id));
  CHECK_FALSE(r.find("t", "w", b.channel_url));
  CHECK(names(r.list()) == std::vector<std::string>{"a"});
  CHECK(names(r.due(100)) == std::vector<std::string>{"a"});
  CHECK(r.check_invariants().empty());

  auto again = r.add(follow("b"), 30);
  CHECK(again.created);
  CHECK(again.follow.id == 3);
  CHECK(r.remove(a.id));
  CHECK(names(r.list()) == std::vector<std::string>{"b"});
  CHECK(r.check_invariants().empty());
}

TEST_CASE("follows: auto-follow settings per workspace, inherit removes the entry") {
  CHECK(to_string(auto_follow_setting::on) == "on");
  CHECK(to_string(auto_follow_setting::off) == "off");
  CHECK(to_string(auto_follow_setting::inherit) == "inherit");
  for (auto s : {auto_follow_setting::on, auto_follow_setting::off, auto_follow_setting::inherit})
    CHECK(parse_auto_follow_setting(to_string(s)) == s);
  CHECK_FALSE(parse_auto_follow_setting("ON"));
  CHECK_FALSE(parse_auto_follow_setting(""));
  CHECK_FALSE(parse_auto_follow_setting("yes"));

  test::temp_dir dir;
  auto o = options_for(dir);
  {
    follow_registry r{o};
    CHECK(r.setting("t", "w") == auto_follow_setting::inherit);
    r.set_setting("t", "w", auto_follow_setting::on);
    r.set_setting("t", "w2", auto_follow_setting::off);
    CHECK(r.setting("t", "w") == auto_follow_setting::on);
    CHECK(r.setting("t", "w2") == auto_follow_setting::off);
    CHECK(r.setting("t2", "w") == auto_follow_setting::inherit);
    r.set_setting("t", "w", auto_follow_setting::off);
    CHECK(r.setting("t", "w") == auto_follow_setting::off);
  }
  CHECK(entries(o.dir, "settings") == 2);
  {
    follow_registry r{o};
    CHECK(r.setting("t", "w") == auto_follow_setting::off); // survives a reopen
    r.set_setting("t", "w", auto_follow_setting::inherit);
    CHECK(r.setting("t", "w") == auto_follow_setting::inherit);
    CHECK(r.setting("t", "w2") == auto_follow_setting::off);
    r.set_setting("t", "nothing set", auto_follow_setting::inherit);
    CHECK(r.check_invariants().empty());
  }
  CHECK(entries(o.dir, "settings") == 1);
}

TEST_CASE("follows: read-only opening") {
  test::temp_dir dir;
  auto o = options_for(dir);
  o.read_only = true;
  auto missing = test::fails_with([&] { follow_registry r{o}; });
  CHECK(missing.kind() == store_failure::missing);
  CHECK_FALSE(std::filesystem::exists(o.dir)); // read-only creates nothing

  o.read_only = false;
  {
    follow_registry r{o};
    r.add(follow("a", "t", "w", 100), 1);
    r.set_setting("t", "w", auto_follow_setting::on);
  }
  o.read_only = true;
  follow_registry ro{o};
  CHECK(names(ro.list("t")) == std::vector<std::string>{"a"});
  CHECK(names(ro.due(100)) == std::vector<std::string>{"a"});
  CHECK(ro.setting("t", "w") == auto_follow_setting::on);
  CHECK(ro.check_invariants().empty());
  auto e = test::fails_with([&] { ro.add(follow("b"), 2); });
  CHECK(e.kind() == store_failure::io);
  CHECK_THAT(e.what(), Catch::Contains("read-only"));
  CHECK_THROWS_AS(ro.set_setting("t", "w", auto_follow_setting::off), storage_error);
  CHECK(ro.setting("t", "w") == auto_follow_setting::on);
}

TEST_CASE("follows: a tiny map grows and nothing is lost") {
  test::temp_dir dir;
  auto o = options_for(dir);
  o.initial_map_size = size_t{64} << 10;
  const int n = 1500;
  {
    follow_registry r{o};
    for (int i = 0; i < n; ++i) {
      auto f = follow("channel-" + std::to_string(i) + std::string(60, 'x'), "t",
                      "w" + std::to_string(i % 3), 1000 + (i * 7919) % 5000);
      f.last_error = std::string(100, 'e');
      REQUIRE(r.add(f, 1).follow.id == static_cast<uint64_t>(i + 1));
    }
    CHECK(r.list().size() == n);
  }
  // The data file never exceeds the map: a bigger one proves the map grew.
  CHECK(std::filesystem::file_size(o.dir / "data.mdb") > (size_t{64} << 10));
  follow_registry r{o};
  auto all = r.list();
  REQUIRE(all.size() == n);
  for (int i = 0; i < n; ++i)
    CHECK(all[i].id == static_cast<uint64_t>(i + 1));
  auto due = r.due(1'000'000, n);
  REQUIRE(due.size() == n);
  for (size_t i = 1; i < due.size(); ++i)
    CHECK(due[i - 1].next_refresh_at <= due[i].next_refresh_at);
  CHECK(r.list("t", "w1").size() == n / 3);
  CHECK(r.check_invariants().empty());
}

TEST_CASE("follows: invalid keys are refused and store nothing") {
  test::temp_dir dir;
  follow_registry r{options_for(dir)};
  std::string zero{"a\0b", 3};
  std::vector<follow_record> bad;
  for (auto part :
       {&follow_record::tenant, &follow_record::workspace, &follow_record::channel_url}) {
    for (auto value : {std::string{}, zero, std::string(401, 'x')}) {
      auto f = follow("ok");
      f.*part = value;
      bad.push_back(f);
    }
  }
  // Each part fits, but the key they make does not.
  bad.push_back(follow("ok", std::string(200, 't'), std::string(200, 'w')));
  for (auto& f : bad)
    CHECK_THROWS_AS(r.add(f, 1), std::invalid_argument);
  CHECK(r.list().empty());
  CHECK(r.due(100).empty());

  CHECK_THROWS_AS(r.find("t", zero, "c"), std::invalid_argument);
  CHECK_THROWS_AS(r.find("", "w", "c"), std::invalid_argument);
  CHECK_THROWS_AS(r.set_setting("t", "", auto_follow_setting::on), std::invalid_argument);
  CHECK_THROWS_AS(r.set_setting(zero, "w", auto_follow_setting::on), std::invalid_argument);
  CHECK_THROWS_AS(r.setting("t", std::string(401, 'w')), std::invalid_argument);
  CHECK_THROWS_AS(r.list(zero), std::invalid_argument);

  // Refusals used up no id.
  CHECK(r.add(follow("ok"), 1).follow.id == 1);
  CHECK(r.check_invariants().empty());
}

TEST_CASE("follows: check_invariants finds indexes that disagree with the follows") {
  test::temp_dir dir;
  auto o = options_for(dir);
  uint64_t kept = 0;
  {
    follow_registry r{o};
    r.add(follow("a", "t", "w", 100), 1);
    kept = r.add(follow("b", "t", "w", 200), 1).follow.id;
    REQUIRE(r.check_invariants().empty());
  }
  {
    // Damage the indexes behind the registry's back: lose one channel entry, one due entry.
    lmdb::env_options eo;
    eo.dir = o.dir;
    eo.map_size = o.initial_map_size;
    lmdb::env env{eo};
    lmdb::txn t{env, true};
    lmdb::db by_channel{t, "by_channel", false};
    lmdb::db due{t, "due", false};
    {
      // Cursors of a write transaction must be closed before it commits.
      lmdb::cursor c{t, by_channel};
      REQUIRE(c.first());
      c.del();
      lmdb::cursor d{t, due};
      REQUIRE(d.last());
      d.del();
    }
    t.commit();
  }
  follow_registry r{o};
  auto problems = r.check_invariants();
  REQUIRE(problems.size() == 2);
  CHECK_THAT(problems[0], Catch::Contains("missing from by_channel"));
  CHECK_THAT(problems[1],
             Catch::Contains("follow " + std::to_string(kept) + " is missing from the due index"));
}
