// The token store: tokens verify until revoked, only their hashes reach the disk, listing,
// reopening, read-only opening, and refused input.
#include "storage/token_store.hpp"
#include "tests/support/fails_with.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>

using namespace vfb;

namespace {

token_store_options options_for(const test::temp_dir& dir) {
  token_store_options o;
  o.dir = dir / "tokens";
  o.sync = false;
  return o;
}

std::vector<uint64_t> ids(const std::vector<token_record>& tokens) {
  std::vector<uint64_t> out;
  for (auto& t : tokens)
    out.push_back(t.id);
  return out;
}

std::string file_bytes(const std::filesystem::path& file) {
  std::ifstream in{file, std::ios::binary};
  return {std::istreambuf_iterator<char>{in}, std::istreambuf_iterator<char>{}};
}

} // namespace

TEST_CASE("tokens: create returns a token that verifies to its record") {
  test::temp_dir dir;
  token_store s{options_for(dir)};
  auto c = s.create("acme", "research", token_role::operator_, "ci bot", 1000);
  CHECK_THAT(c.token, Catch::StartsWith("vfb_"));
  CHECK(c.token.size() == 4 + 43);
  CHECK(c.token.find_first_not_of("vfb_ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                  "0123456789-") == std::string::npos);
  CHECK(c.record.id == 1);
  CHECK(c.record.tenant == "acme");
  CHECK(c.record.workspace == "research");
  CHECK(c.record.role == token_role::operator_);
  CHECK(c.record.label == "ci bot");
  CHECK(c.record.created_at == 1000);
  CHECK(c.record.active());

  auto v = s.verify(c.token);
  REQUIRE(v);
  CHECK(v->id == 1);
  CHECK(v->tenant == "acme");
  CHECK(v->workspace == "research");
  CHECK(v->role == token_role::operator_);
  CHECK(v->label == "ci bot");

  auto other = s.create("acme", "research", token_role::viewer, "", 2000);
  CHECK(other.record.id == 2);
  CHECK(other.token != c.token);
  REQUIRE(s.verify(other.token));
  CHECK(s.verify(other.token)->role == token_role::viewer);
  CHECK(s.verify(c.token)->id == 1);
}

TEST_CASE("tokens: the token text is stored nowhere, only its hash") {
  test::temp_dir dir;
  auto o = options_for(dir);
  std::vector<std::string> texts;
  {
    token_store s{o};
    for (int i = 0; i < 5; ++i)
      texts.push_back(s.create("t", "w", token_role::viewer, "label", i).token);
  }
  auto bytes = file_bytes(o.dir / "data.mdb");
  REQUIRE_FALSE(bytes.empty());
  CHECK(bytes.find("label") != std::string::npos); // the file is what we think it is
  for (auto& text : texts) {
    CHECK(bytes.find(text) == std::string::npos);
    CHECK(bytes.find(text.substr(4)) == std::string::npos); // nor without its prefix
  }
}

TEST_CASE("tokens: verify refuses wrong, truncated, foreign, empty and revoked tokens") {
  test::temp_dir dir;
  token_store s{options_for(dir)};
  auto c = s.create("t", "w", token_role::operator_, "", 1);
  REQUIRE(s.verify(c.token));

  auto wrong = c.token;
  wrong.back() = wrong.back() == 'A' ? 'B' : 'A';
  CHECK_FALSE(s.verify(wrong));
  CHECK_FALSE(s.verify(c.token.substr(0, c.token.size() - 1)));
  CHECK_FALSE(s.verify(c.token + "A"));
  CHECK_FALSE(s.verify("xyz_" + c.token.substr(4)));
  CHECK_FALSE(s.verify(c.token.substr(4)));
  CHECK_FALSE(s.verify(""));
  CHECK_FALSE(s.verify("vfb_"));
  CHECK_FALSE(s.verify(std::string(c.token.size(), '\0')));

  CHECK(s.revoke(c.record.id, 50));
  CHECK_FALSE(s.verify(c.token));
  auto r = s.get(c.record.id);
  REQUIRE(r);
  CHECK(r->revoked_at == 50);
  CHECK_FALSE(r->active());
  // Revoking again changes nothing, not even the time.
  CHECK(s.revoke(c.record.id, 60));
  CHECK(s.get(c.record.id)->revoked_at == 50);
  CHECK_FALSE(s.verify(c.token));
}

TEST_CASE("tokens: revoke and get of an unknown id") {
  test::temp_dir dir;
  token_store s{options_for(dir)};
  CHECK_FALSE(s.revoke(1, 10));
  CHECK_FALSE(s.get(1));
  s.create("t", "w", token_role::viewer, "", 1);
  CHECK_FALSE(s.revoke(2, 10));
  CHECK_FALSE(s.revoke(0, 10));
  CHECK(s.get(1));
}

TEST_CASE("tokens: list filters by tenant and workspace, oldest first, revoked ones too") {
  test::temp_dir dir;
  token_store s{options_for(dir)};
  s.create("acme", "w1", token_role::viewer, "", 1);      // 1
  s.create("globex", "w1", token_role::viewer, "", 2);    // 2
  s.create("acme", "w2", token_role::operator_, "", 3);   // 3
  s.create("acme", "w1", token_role::operator_, "", 4);   // 4
  s.create("acme-corp", "w1", token_role::viewer, "", 5); // 5: not a prefix match of acme
  s.revoke(4, 10);
  CHECK(ids(s.list()) == std::vector<uint64_t>{1, 2, 3, 4, 5});
  CHECK(ids(s.list("acme")) == std::vector<uint64_t>{1, 3, 4});
  CHECK(ids(s.list("acme", "w1")) == std::vector<uint64_t>{1, 4});
  CHECK(ids(s.list("globex", "w2")).empty());
  CHECK(ids(s.list("nobody")).empty());
  CHECK(ids(s.list("", "w1")) == std::vector<uint64_t>{1, 2, 3, 4, 5}); // workspace ignored
  CHECK(s.list("acme", "w1")[1].revoked_at == 10);
}

TEST_CASE("tokens: everything survives a reopen and ids are not reused") {
  test::temp_dir dir;
  auto o = options_for(dir);
  std::string a, b;
  {
    token_store s{o};
    a = s.create("t", "w", token_role::operator_, "first", 100).token;
    b = s.create("t", "w", token_role::viewer, "second", 200).token;
    s.revoke(2, 300);
  }
  {
    token_store s{o};
    auto v = s.verify(a);
    REQUIRE(v);
    CHECK(v->id == 1);
    CHECK(v->label == "first");
    CHECK(v->created_at == 100);
    CHECK_FALSE(s.verify(b));
    CHECK(s.get(2)->revoked_at == 300);
    CHECK(s.create("t", "w", token_role::viewer, "", 400).record.id == 3);
  }
  o.read_only = true;
  token_store ro{o};
  CHECK(ro.verify(a));
  CHECK(ids(ro.list()) == std::vector<uint64_t>{1, 2, 3});
  auto e = test::fails_with([&] { ro.create("t", "w", token_role::viewer, "", 1); });
  CHECK(e.kind() == store_failure::io);
  CHECK_THAT(e.what(), Catch::Contains("read-only"));
  CHECK_THROWS_AS(ro.revoke(1, 1), storage_error);
  CHECK(ro.verify(a));
}

TEST_CASE("tokens: read-only opening of a missing store creates nothing") {
  test::temp_dir dir;
  auto o = options_for(dir);
  o.read_only = true;
  auto missing = test::fails_with([&] { token_store s{o}; });
  CHECK(missing.kind() == store_failure::missing);
  CHECK_FALSE(std::filesystem::exists(o.dir));
}

TEST_CASE("tokens: roles in words") {
  CHECK(to_string(token_role::viewer) == "viewer");
  CHECK(to_string(token_role::operator_) == "operator");
  CHECK(parse_token_role("viewer") == token_role::viewer);
  CHECK(parse_token_role("operator") == token_role::operator_);
  CHECK_FALSE(parse_token_role("admin"));
  CHECK_FALSE(parse_token_role(""));
  CHECK_FALSE(parse_token_role("Viewer"));
}

TEST_CASE("tokens: invalid input is refused and stores nothing") {
  test::temp_dir dir;
  token_store s{options_for(dir)};
  std::string zero{"a\0b", 3};
  std::string big(401, 'x');
  CHECK_THROWS_AS(s.create("", "w", token_role::viewer, "", 1), std::invalid_argument);
  CHECK_THROWS_AS(s.create("t", "", token_role::viewer, "", 1), std::invalid_argument);
  CHECK_THROWS_AS(s.create(zero, "w", token_role::viewer, "", 1), std::invalid_argument);
  CHECK_THROWS_AS(s.create("t", zero, token_role::viewer, "", 1), std::invalid_argument);
  CHECK_THROWS_AS(s.create("t", "w", token_role::viewer, zero, 1), std::invalid_argument);
  CHECK_THROWS_AS(s.create(big, "w", token_role::viewer, "", 1), std::invalid_argument);
  CHECK_THROWS_AS(s.create("t", big, token_role::viewer, "", 1), std::invalid_argument);
  CHECK_THROWS_AS(s.create("t", "w", token_role::viewer, big, 1), std::invalid_argument);
  CHECK_THROWS_AS(s.create("t", "w", static_cast<token_role>(7), "", 1), std::invalid_argument);
  CHECK_THROWS_AS(s.list(zero), std::invalid_argument);
  CHECK_THROWS_AS(s.list("t", big), std::invalid_argument);
  CHECK(s.list().empty());
  // The limits themselves are fine.
  std::string most(400, 'x');
  CHECK(s.create(most, most, token_role::viewer, most, 1).record.id == 1);
}
