// Mutual TLS for the cluster over CAF 0.17's OpenSSL module (actors/cluster_tls.hpp).
#include "actors/cluster_tls.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/io/middleman.hpp>
#include <caf/openssl/manager.hpp>
#include <caf/openssl/publish.hpp>
#include <caf/openssl/remote_actor.hpp>
#include <dlfcn.h>
#include <filesystem>
#include <openssl/err.h>
#include <openssl/ssl.h>

// CAF 0.17's OpenSSL module calls SSL_get_error after SSL_read, SSL_write, SSL_accept and
// SSL_connect without emptying the thread's OpenSSL error queue first, which OpenSSL requires
// ("the current thread's error queue must be empty before the TLS/SSL I/O operation is
// attempted"). All connections share the middleman's thread, so the error one connection left
// behind (a worker that died, a peer whose certificate was refused) made the next operation of
// another, healthy connection look failed, and the node dropped every worker's connection
// (reproduced: each SIGKILL of one worker disconnected the others). These definitions take the
// place of libssl's for every caller in the process (the executable's symbols come first) and
// empty the queue before each operation, then call libssl's own.
namespace {

template <class F> F next_definition(const char* name) {
  auto f = reinterpret_cast<F>(::dlsym(RTLD_NEXT, name));
  if (f == nullptr)
    std::abort(); // libssl is linked: this cannot happen
  return f;
}

} // namespace

extern "C" {

int SSL_read(SSL* ssl, void* buf, int num) {
  static auto real = next_definition<int (*)(SSL*, void*, int)>("SSL_read");
  ERR_clear_error();
  return real(ssl, buf, num);
}

int SSL_write(SSL* ssl, const void* buf, int num) {
  static auto real = next_definition<int (*)(SSL*, const void*, int)>("SSL_write");
  ERR_clear_error();
  return real(ssl, buf, num);
}

int SSL_accept(SSL* ssl) {
  static auto real = next_definition<int (*)(SSL*)>("SSL_accept");
  ERR_clear_error();
  return real(ssl);
}

int SSL_connect(SSL* ssl) {
  static auto real = next_definition<int (*)(SSL*)>("SSL_connect");
  ERR_clear_error();
  return real(ssl);
}

} // extern "C"

namespace vfb {

void configure_cluster_tls(caf::actor_system_config& cfg, const cluster_identity& id) {
  for (const auto& file : {id.cert, id.key, id.ca}) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(file, ec))
      throw cluster_error("the cluster file " + file.string() +
                          " is missing (see `vfb cluster init` and `vfb cluster issue`)");
  }
  // A certificate the CA did not sign (or one expired) would only fail at the first handshake,
  // on the peer's side; say so here, where the files are named.
  if (auto why = check_certificate(id.cert, id.ca); !why.empty())
    throw cluster_error(id.cert.string() + " is not a certificate of the cluster in " +
                        id.ca.string() + ": " + why);
  cfg.openssl_certificate = id.cert.string();
  cfg.openssl_key = id.key.string();
  cfg.openssl_cafile = id.ca.string();
  // A connection whose peer went silent (a cut cable, a frozen machine) is noticed within
  // seconds rather than when TCP gives up: both sides send CAF's heartbeats and drop a peer
  // that sent nothing for the timeout. The worker then reconnects and the node marks it gone.
  cfg.set("middleman.heartbeat-interval", caf::timespan{std::chrono::seconds{2}});
  cfg.set("middleman.connection-timeout", caf::timespan{std::chrono::seconds{15}});
  cfg.load<caf::io::middleman>();
  cfg.load<caf::openssl::manager>();
}

caf::expected<uint16_t> publish_gateway_tls(const cluster_gateway_actor& gateway,
                                            const std::string& host, uint16_t port) {
  // SO_REUSEADDR: a node that restarts gets its port back at once (its workers come back to
  // it there), although the old connections linger in TIME_WAIT.
  return caf::openssl::publish(gateway, port, host.c_str(), true);
}

void unpublish_gateway_tls(caf::actor_system& sys, const cluster_gateway_actor& gateway,
                           uint16_t port) {
  // caf::openssl::unpublish does not compile in 0.17 (it sends an atom the manager does not
  // take); this is the message it should send.
  caf::anon_send(sys.openssl_manager().actor_handle(), caf::unpublish_atom::value,
                 gateway.address(), port);
}

caf::expected<cluster_gateway_actor> connect_gateway_tls(caf::actor_system& sys,
                                                         const std::string& host, uint16_t port) {
  return caf::openssl::remote_actor<cluster_gateway_actor>(sys, host, port);
}

} // namespace vfb
