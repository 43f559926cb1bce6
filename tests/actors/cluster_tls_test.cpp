// The cluster's network is mutual TLS: a worker with a certificate from the node's cluster CA
// reaches the node's scheduler; a client without a certificate, one whose certificate another
// cluster's CA signed, and one speaking plain TCP get no handle and deliver nothing.
// GCC 12 flags CAF 0.17's deserializer as maybe-uninitialized once inlined (as in remote_test).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#include "actors/cluster_gateway.hpp"
#include "actors/cluster_host.hpp"
#include "actors/cluster_tls.hpp"
#include "actors/node.hpp"
#include "actors/scheduler.hpp"
#include "actors/stages.hpp"
#include "messages/errors.hpp"
#include "messages/register.hpp"
#include "storage/artifact_store.hpp"
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
  // With hosts: the node's stores, and what its memory and post stand-ins were asked to do.
  std::shared_ptr<const stage_environment> env;
  cluster_host_actor stages_host, files_host;
  std::shared_ptr<std::vector<stage_request>> node_stages =
      std::make_shared<std::vector<stage_request>>();

  explicit tls_node(bool hosts = false) {
    net = std::make_unique<system_with>(
        [&](caf::actor_system_config& cfg) { configure_cluster_tls(cfg, id); });
    std::filesystem::create_directories(dir / "queue");
    sched = caf::actor_cast<scheduler_actor>(
        spawn_scheduler(*net->sys, test::open_queue(dir / "queue")));
    if (hosts) {
      env = open_stage_environment(vfb_config{}, dir / "data");
      auto seen = node_stages;
      stage_function_factory stand_ins = [seen](stage_kind) -> stage_function {
        return [seen](const stage_request& req, const progress_fn&) {
          seen->push_back(req); // one host runs stages, one at a time
          stage_result r;
          r.note = "stand-in";
          return r;
        };
      };
      for (auto* h : {&stages_host, &files_host})
        *h = net->sys->spawn<caf::detached>(cluster_host, env, stand_ins, sched, download_sink{});
    }
    gateway = net->sys->spawn(cluster_gateway, sched, stages_host, files_host);
    auto p = publish_gateway_tls(gateway, "127.0.0.1", 0);
    REQUIRE(p);
    port = *p;
  }
  /// Enqueues a job as the node's own front ends do (a worker cannot); its id.
  uint64_t enqueue(const ingest_job& j) {
    caf::scoped_actor self{*net->sys};
    uint64_t id = 0;
    self->request(sched, patience, enqueue_atom::value, j, false)
        .receive([&](const enqueue_result& r) { id = r.job_id; },
                 [](const caf::error& e) { FAIL(error_message(e)); });
    return id;
  }
  /// The job as the node's queue has it.
  job_view view(uint64_t id) {
    caf::scoped_actor self{*net->sys};
    job_view v;
    self->request(sched, patience, caf::get_atom::value, id)
        .receive([&](job_view& x) { v = std::move(x); },
                 [](const caf::error& e) { FAIL(error_message(e)); });
    return v;
  }
  ~tls_node() {
    // As a node stops: the gateway and the scheduler first, then the system. (Workers reach the
    // detached scheduler only through the gateway, so no remote handle keeps it alive.)
    caf::scoped_actor self{*net->sys};
    for (const auto& a :
         {caf::actor_cast<caf::actor>(gateway), caf::actor_cast<caf::actor>(stages_host),
          caf::actor_cast<caf::actor>(files_host), caf::actor_cast<caf::actor>(sched)}) {
      if (!a)
        continue;
      self->send_exit(a, caf::exit_reason::user_shutdown);
      self->wait_for(a);
    }
  }
};

/// A YouTube video job of acme/main.
ingest_job video_job() {
  ingest_job j;
  j.key = {"acme", "main", "youtube", "dQw4w9WgXcQ"};
  j.url = "https://www.youtube.com/watch?v=dQw4w9WgXcQ";
  return j;
}

/// Whether `client` can use the node's gateway: it connects and gets the list of workers.
bool reaches(
    system_with& client, const tls_node& node,
    const std::function<caf::expected<cluster_gateway_actor>(caf::actor_system&)>& connect) {
  auto remote = connect(*client.sys);
  if (!remote)
    return false;
  caf::scoped_actor self{*client.sys};
  bool answered = false;
  self->request(*remote, patience, cluster_atom::value)
      .receive([&](const std::vector<worker_info>&) { answered = true; }, [](const caf::error&) {});
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
  auto id = node.enqueue(video_job());
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

TEST_CASE("a worker's results reach the node only for the lease it holds, about the job as the "
          "queue has it") {
  tls_node node{true};
  auto w1 = issue_worker(node.files, "w1");
  auto w2 = issue_worker(node.files, "w2");
  system_with c1{[&](caf::actor_system_config& cfg) { configure_cluster_tls(cfg, w1); }};
  system_with c2{[&](caf::actor_system_config& cfg) { configure_cluster_tls(cfg, w2); }};
  auto g1 = connect_gateway_tls(*c1.sys, "127.0.0.1", node.port);
  auto g2 = connect_gateway_tls(*c2.sys, "127.0.0.1", node.port);
  REQUIRE(g1);
  REQUIRE(g2);
  caf::scoped_actor s1{*c1.sys};
  caf::scoped_actor s2{*c2.sys};
  auto fail = [](const caf::error& e) { FAIL(error_message(e)); };
  // Each worker's report binds its connection to its name.
  s1->send(*g1, heartbeat_atom::value, worker_report{"w1", "host-1 (pid 1)", 0, 0});
  s2->send(*g2, heartbeat_atom::value, worker_report{"w2", "host-2 (pid 2)", 0, 0});
  auto j = video_job();
  REQUIRE(node.enqueue(j) != 0);
  std::vector<lease> leases;
  s1->request(*g1, patience, lease_atom::value, std::string{"w1"}, uint32_t{1}, millis{60'000})
      .receive([&](std::vector<lease>& ls) { leases = std::move(ls); }, fail);
  REQUIRE(leases.size() == 1);
  auto id = leases[0].job_id;
  auto epoch = leases[0].epoch;
  j.id = id;
  CHECK(node.view(id).worker == "worker:w1");
  auto refused = [](const caf::error& e) {
    INFO(error_message(e));
    CHECK(e.code() == static_cast<uint8_t>(errc::stale_lease));
  };
  stage_checkpoint cp{stage_kind::download, R"({"title":"Talk","media_path":"/w1/media.mp4"})", ""};
  // The holder with its epoch: taken, and stored in the node's artifacts.
  s1->request(*g1, patience, checkpoint_atom::value, id, epoch, cp)
      .receive([](bool taken) { CHECK(taken); }, fail);
  CHECK(node.env->artifacts->checkpoint(id, stage_kind::download));
  // Another epoch, or another worker with the holder's epoch: refused, nothing run or read.
  s1->request(*g1, patience, checkpoint_atom::value, id, epoch + 1, cp)
      .receive([](bool) { FAIL("a stale checkpoint was taken"); }, refused);
  s2->request(*g2, patience, checkpoint_atom::value, id, epoch)
      .receive([](const std::vector<stage_checkpoint>&) { FAIL("another worker read them"); },
               refused);
  s2->request(*g2, patience, stage_atom::value, stage_request{stage_kind::post, j, epoch})
      .receive([](const stage_result&) { FAIL("another worker's post ran"); }, refused);
  s2->request(*g2, patience, corpus_atom::value, id, epoch, std::vector<std::string>{"x"})
      .receive([](const corpus_counts&) { FAIL("another worker counted terms"); }, refused);
  // The holder reads back what the node keeps.
  s1->request(*g1, patience, checkpoint_atom::value, id, epoch)
      .receive(
          [](const std::vector<stage_checkpoint>& got) {
            REQUIRE(got.size() == 1);
            CHECK(got[0].stage == stage_kind::download);
          },
          fail);
  // A stage request naming another tenant runs with the job as the queue has it.
  auto forged = j;
  forged.key.tenant = "victim";
  forged.key.workspace = "secrets";
  s1->request(*g1, patience, stage_atom::value, stage_request{stage_kind::memory, forged, epoch})
      .receive([](const stage_result& r) { CHECK(r.note == "stand-in"); }, fail);
  REQUIRE(node.node_stages->size() == 1);
  CHECK(node.node_stages->at(0).job.key.tenant == "acme");
  CHECK(node.node_stages->at(0).job.key.workspace == "main");
  // Once the job is done, the lease is gone for every request.
  s1->request(*g1, patience, complete_atom::value, id, epoch, job_outcome::done())
      .receive([](job_state s) { CHECK(s == job_state::done); }, fail);
  s1->request(*g1, patience, stage_atom::value, stage_request{stage_kind::post, j, epoch})
      .receive([](const stage_result&) { FAIL("a post ran after the job was done"); }, refused);
  CHECK(node.node_stages->size() == 1);
}
