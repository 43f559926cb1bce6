// The cluster's network: CAF's middleman with its OpenSSL module, set up for mutual TLS with the
// cluster's certificates (adapters/cluster_certs). Each side presents its certificate and
// accepts only a peer whose certificate the cluster CA signed (CAF 0.17 sets SSL_VERIFY_PEER
// and SSL_VERIFY_FAIL_IF_NO_PEER_CERT once a certificate is configured, and refuses anonymous
// ciphers then), so a peer without one, or with one from another CA, or speaking plain TCP,
// never completes the handshake: it gets no actor handle and delivers no message.
#pragma once

#include "adapters/cluster_certs.hpp"
#include "messages/actors.hpp"

#include <caf/fwd.hpp>
#include <cstdint>
#include <string>

namespace vfb {

/// Sets up `cfg` for the cluster: loads CAF's middleman and OpenSSL module and configures `id`'s
/// certificate and key, trusting `id.ca` alone. Throws cluster_error when a file is missing or
/// the certificate is not one the CA signed and valid now (CAF would only fail at the first
/// connection).
void configure_cluster_tls(caf::actor_system_config& cfg, const cluster_identity& id);

/// Publishes a node's cluster gateway (actors/cluster_gateway.hpp: the scheduler's interface,
/// never the detached scheduler itself) on `host`:`port` (0: a free port) over TLS; the port,
/// or why not.
caf::expected<uint16_t> publish_gateway_tls(const cluster_gateway_actor& gateway,
                                            const std::string& host, uint16_t port);

/// Stops accepting workers on `port` (connections already made stay until the gateway exits).
void unpublish_gateway_tls(caf::actor_system& sys, const cluster_gateway_actor& gateway,
                           uint16_t port);

/// The gateway a node published at `host`:`port`, over TLS; an error when the connection or
/// the handshake fails (a certificate the node's CA did not sign, or none).
caf::expected<cluster_gateway_actor> connect_gateway_tls(caf::actor_system& sys,
                                                         const std::string& host, uint16_t port);

} // namespace vfb
