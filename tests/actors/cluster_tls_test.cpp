// The cluster's network is mutual TLS: a worker with a certificate from the node's cluster CA
// reaches the node's scheduler; a client without a certificate, one whose certificate another
// cluster's CA signed, and one speaking plain TCP get no handle and deliver nothing.
// GCC 12 flags CAF 0.17's deserializer as maybe-uninitialized once inlined (as in remote_test).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#include "actors/cluster_gateway.hpp"
#include "actors/cluster_tls.hpp"
#include "actors/scheduler.hpp"
#include "messages/errors.hpp"
#include "messages/register.hpp"
#include "storage/job_queue.hpp"
#include "tests/support/actor_systems.hpp"
#include "tests/support/inline_scheduler.hpp"
#include "tests/support/temp_dir.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/io/middleman.hpp>
#include <caf/openssl/manager.hpp>
#include <caf/scoped_actor.hpp>
#include <catch2/catch.hpp>
#include <memory>

using namespace vfb;

namespace {

constexpr auto patience = std::chrono::seconds{30}; // a failure bound, not a timing assertion

using system_with = test::threaded_system;

/// A node: its cluster CA, its scheduler published over TLS on loopback.
struct tls_node {
  test::temp_dir dir;
  cluster_files files{dir / "cluster"};
  cluster_identity id = init_cluster(files, "node");
  std::unique_ptr<system_with> net;
  scheduler_actor sched;
  cluster_gateway_actor gateway;
  uint16_t port = 0;

  tls_node() {
    net = std::make_unique<system_with>(
        [&](caf::actor_system_config& cfg) { configure_cluster_tls(cfg, id); });
    std::filesystem::create_directories(dir / "queue");
    sched = caf::actor_cast<scheduler_actor>(
        spawn_scheduler(*net->sys, test::open_queue(dir / "queue")));
    gateway = net->sys->spawn(cluster_gateway, sched, cluster_host_actor{});
    auto p = publish_gateway_tls(gateway, "127.0.0.1", 0);
    REQUIRE(p);
    port = *p;
  }
  ~tls_node() {
    // As a node stops: the gateway and the scheduler first, then the system. (Workers reach the
    // detached scheduler only through the gateway, so no remote handle keeps it alive.)
    caf::scoped_actor self{*net->sys};
    for (const auto& a :
         {caf::actor_cast<caf::actor>(gateway), caf::actor_cast<caf::actor>(sched)}) {
      self->send_exit(a, caf::exit_reason::user_shutdown);
      self->wait_for(a);
    }
  }
};

/// Whether `client` can use the node's scheduler: it connects and gets its stats.
bool reaches(
    system_with& client, const tls_node& node,
    const std::function<caf::expected<cluster_gateway_actor>(caf::actor_system&)>& connect) {
  auto remote = connect(*client.sys);
  if (!remote)
    return false;
  caf::scoped_actor self{*client.sys};
  bool answered = false;
  self->request(*remote, patience, stats_atom::value)
      .receive([&](const queue_stats&) { answered = true; }, [](const caf::error&) {});
  (void)node;
  return answered;
}

} // namespace

TEST_CASE("a worker with the cluster's certificate reaches the node's scheduler over TLS") {
  tls_node node;
  auto worker = issue_worker(node.files, "worker-1");
  system_with client{[&](caf::actor_system_config& cfg) { configure_cluster_tls(cfg, worker); }};
  CHECK(reaches(client, node, [&](caf::actor_system& sys) {
    return connect_gateway_tls(sys, "127.0.0.1", node.port);
  }));
}

TEST_CASE("a certificate from another cluster's CA is refused") {
  tls_node node;
  test::temp_dir other_dir;
  cluster_files other{other_dir / "cluster"};
  init_cluster(other, "node");
  auto stranger = issue_worker(other, "worker-1");
  system_with client{[&](caf::actor_system_config& cfg) { configure_cluster_tls(cfg, stranger); }};
  auto remote = connect_gateway_tls(*client.sys, "127.0.0.1", node.port);
  CHECK_FALSE(remote);
}

TEST_CASE("a TLS client without a certificate is refused") {
  tls_node node;
  system_with client{[](caf::actor_system_config& cfg) {
    cfg.load<caf::io::middleman>();
    cfg.load<caf::openssl::manager>(); // TLS, but no certificate: anonymous ciphers only
  }};
  auto remote = connect_gateway_tls(*client.sys, "127.0.0.1", node.port);
  CHECK_FALSE(remote);
}

TEST_CASE("a plain TCP client is refused") {
  tls_node node;
  system_with client{[](caf::actor_system_config& cfg) { cfg.load<caf::io::middleman>(); }};
  auto remote = client.sys->middleman().remote_actor<scheduler_actor>("127.0.0.1", node.port);
  CHECK_FALSE(remote);
}

TEST_CASE("a certificate and a CA that do not belong together are a clear error at start") {
  test::temp_dir tmp;
  cluster_files ours{tmp / "ours"};
  cluster_files theirs{tmp / "theirs"};
  init_cluster(ours, "node");
  init_cluster(theirs, "node");
  auto mixed = issue_worker(ours, "w");
  mixed.ca = theirs.ca_cert();
  caf::actor_system_config cfg;
  CHECK_THROWS_WITH(configure_cluster_tls(cfg, mixed),
                    Catch::Contains("is not a certificate of the cluster") &&
                        Catch::Contains("unable to get local issuer certificate"));
}

TEST_CASE("missing cluster files are a clear error before any connection") {
  test::temp_dir tmp;
  caf::actor_system_config cfg;
  cluster_identity id{"w", tmp / "w.pem", tmp / "w.key", tmp / "ca.pem"};
  CHECK_THROWS_WITH(configure_cluster_tls(cfg, id),
                    Catch::Contains("w.pem is missing") && Catch::Contains("vfb cluster issue"));
}

TEST_CASE("a worker leases, completes and hears job events through the node's gateway") {
  tls_node node;
  auto worker = issue_worker(node.files, "worker-1");
  system_with client{[&](caf::actor_system_config& cfg) { configure_cluster_tls(cfg, worker); }};
  auto remote = connect_gateway_tls(*client.sys, "127.0.0.1", node.port);
  REQUIRE(remote);
  caf::scoped_actor self{*client.sys};
  auto fail = [](const caf::error& e) { FAIL(error_message(e)); };
  self->send(*remote, subscribe_atom::value, caf::actor_cast<job_event_sink>(self));
  ingest_job j;
  j.key = {"acme", "main", "youtube", "dQw4w9WgXcQ"};
  j.url = "https://www.youtube.com/watch?v=dQw4w9WgXcQ";
  uint64_t id = 0;
  self->request(*remote, patience, enqueue_atom::value, j, false)
      .receive([&](const enqueue_result& r) { id = r.job_id; }, fail);
  REQUIRE(id != 0);
  std::vector<lease> leases;
  self->request(*remote, patience, lease_atom::value, std::string{"worker-1"}, uint32_t{1},
                millis{60'000})
      .receive([&](std::vector<lease>& ls) { leases = std::move(ls); }, fail);
  REQUIRE(leases.size() == 1);
  CHECK(leases[0].job_id == id);
  self->request(*remote, patience, complete_atom::value, id, leases[0].epoch, job_outcome::done())
      .receive([&](job_state s) { CHECK(s == job_state::done); }, fail);
  // A stale epoch is refused through the gateway as from the scheduler itself.
  self->request(*remote, patience, complete_atom::value, id, leases[0].epoch + 1,
                job_outcome::done())
      .receive(
          [](job_state) { FAIL("a stale completion was accepted"); },
          [](const caf::error& e) { CHECK(e.code() == static_cast<uint8_t>(errc::stale_lease)); });
  // The subscription hears the job's way to done, in order.
  std::vector<job_state> seen;
  while (seen.empty() || seen.back() != job_state::done)
    self->receive([&](const job_event& ev) { seen.push_back(ev.state); },
                  caf::after(patience) >> [&] { FAIL("no job event"); });
  CHECK(seen.back() == job_state::done);
}
