// The cluster's CA and identities: what `vfb cluster init` and `vfb cluster issue` write, that
// the certificates check out against their own CA only, and that nothing is ever replaced.
#include "adapters/cluster_certs.hpp"
#include "adapters/host_port.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>
#include <fstream>

using namespace vfb;
namespace fs = std::filesystem;

namespace {

fs::perms mode_of(const fs::path& p) {
  return fs::status(p).permissions() & fs::perms::all;
}

std::string read(const fs::path& p) {
  std::ifstream in{p, std::ios::binary};
  return {std::istreambuf_iterator<char>{in}, {}};
}

} // namespace

TEST_CASE("cluster init makes a CA and the node's identity, signed by it, keys private") {
  test::temp_dir tmp;
  cluster_files files{tmp / "cluster"};
  auto node = init_cluster(files, "node-1");
  CHECK(node.name == "node-1");
  CHECK(node.cert == files.node_cert());
  CHECK(check_certificate(files.node_cert(), files.ca_cert()).empty());
  CHECK(certificate_name(files.node_cert()) == "node-1");
  CHECK_THAT(certificate_name(files.ca_cert()), Catch::StartsWith("vfb cluster CA "));
  auto private_file = fs::perms::owner_read | fs::perms::owner_write;
  CHECK(mode_of(files.ca_key()) == private_file);
  CHECK(mode_of(files.node_key()) == private_file);
  CHECK(mode_of(files.dir) == fs::perms::owner_all);
  CHECK_THAT(read(files.node_key()), Catch::StartsWith("-----BEGIN PRIVATE KEY-----"));
  // The CA signs; it is no TLS peer itself.
  CHECK_FALSE(check_certificate(files.ca_cert(), files.ca_cert()).empty());
}

TEST_CASE("a second init keeps the existing CA") {
  test::temp_dir tmp;
  cluster_files files{tmp / "cluster"};
  init_cluster(files, "node");
  auto ca_before = read(files.ca_cert());
  CHECK_THROWS_WITH(init_cluster(files, "node"), Catch::Contains("before; its CA is kept"));
  CHECK(read(files.ca_cert()) == ca_before);
}

TEST_CASE("issued workers check out against their cluster's CA and no other") {
  test::temp_dir tmp;
  cluster_files ours{tmp / "ours"};
  cluster_files theirs{tmp / "theirs"};
  init_cluster(ours, "node");
  init_cluster(theirs, "node");
  auto w = issue_worker(ours, "worker-a");
  CHECK(w.cert == ours.worker_dir("worker-a") / "worker.pem");
  CHECK(read(w.ca) == read(ours.ca_cert())); // the folder is all a worker needs
  CHECK(check_certificate(w.cert, ours.ca_cert()).empty());
  CHECK(certificate_name(w.cert) == "worker-a");
  CHECK(mode_of(w.key) == (fs::perms::owner_read | fs::perms::owner_write));
  auto why = check_certificate(w.cert, theirs.ca_cert());
  CHECK_FALSE(why.empty());
  CHECK_THAT(why, Catch::Contains("unable to get local issuer certificate"));

  // Issued to a folder of the caller's choosing; a second issue there replaces nothing.
  auto elsewhere = issue_worker(ours, "worker-b", tmp / "out");
  CHECK(elsewhere.key == tmp / "out" / "worker.key");
  auto key_before = read(elsewhere.key);
  CHECK_THROWS_WITH(issue_worker(ours, "worker-c", tmp / "out"),
                    Catch::Contains("already holds a worker's certificate"));
  CHECK(read(elsewhere.key) == key_before);
}

TEST_CASE("bad names, a missing CA and unreadable files are clear errors") {
  test::temp_dir tmp;
  cluster_files files{tmp / "cluster"};
  CHECK_THROWS_WITH(issue_worker(files, "w"), Catch::Contains("run `vfb cluster init`"));
  for (const char* bad : {"", "..", "a/b", "has space", "ünïcode"}) {
    INFO(bad);
    CHECK_FALSE(valid_cluster_name(bad));
    CHECK_THROWS_AS(init_cluster(files, bad), cluster_error);
  }
  CHECK(valid_cluster_name("worker-1.rack_2"));
  CHECK_FALSE(valid_cluster_name(std::string(65, 'a')));
  CHECK_FALSE(fs::exists(files.ca_cert())); // nothing was made by the refused calls
  init_cluster(files, "node");
  { std::ofstream{tmp / "junk.pem"} << "not a certificate\n"; }
  CHECK_THAT(check_certificate(tmp / "junk.pem", files.ca_cert()),
             Catch::Contains("holds no certificate"));
  CHECK_THAT(check_certificate(tmp / "missing.pem", files.ca_cert()),
             Catch::Contains("cannot read"));
}

TEST_CASE("a node's address as people write it: HOST:PORT, IPv6 in brackets") {
  auto a = parse_host_port("node.example:7420");
  REQUIRE(a);
  CHECK(a->host == "node.example");
  CHECK(a->port == 7420);
  auto v6 = parse_host_port("[::1]:7420");
  REQUIRE(v6);
  CHECK(v6->host == "::1");
  CHECK(parse_host_port("10.0.0.2:1")->port == 1);
  for (const char* bad :
       {"", "node", ":7420", "node:", "node:0", "node:65536", "node:74x", "::1:7420", "[::1]",
        "[]:7420", "a b:7420", "user@node:7420", "http://node:7420", "node:+7420", "node: 7420"}) {
    INFO(bad);
    CHECK_FALSE(parse_host_port(bad));
  }
}
