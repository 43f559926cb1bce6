// Mutual TLS for the cluster over CAF 0.17's OpenSSL module (actors/cluster_tls.hpp).
#include "actors/cluster_tls.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/io/middleman.hpp>
#include <caf/openssl/manager.hpp>
#include <caf/openssl/publish.hpp>
#include <caf/openssl/remote_actor.hpp>
#include <filesystem>

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
  cfg.load<caf::io::middleman>();
  cfg.load<caf::openssl::manager>();
}

caf::expected<uint16_t> publish_gateway_tls(const cluster_gateway_actor& gateway,
                                            const std::string& host, uint16_t port) {
  return caf::openssl::publish(caf::actor_cast<scheduler_actor>(gateway), port, host.c_str());
}

caf::expected<scheduler_actor> connect_scheduler_tls(caf::actor_system& sys,
                                                     const std::string& host, uint16_t port) {
  return caf::openssl::remote_actor<scheduler_actor>(sys, host, port);
}

} // namespace vfb
