// The cluster's certificates: a certificate authority of its own (made by `vfb cluster init`
// in the node's data dir), the node's certificate, and one key and certificate per worker
// (`vfb cluster issue NAME`). Workers and node authenticate each other with these through CAF's
// OpenSSL module (mutual TLS: each side must present a certificate the cluster CA signed).
//
// Keys are EC P-256, written unencrypted with mode 0600 (the data dir is the node's secret;
// CAF reads the key file at start). Certificates carry the name as their common name and may be
// used as TLS client and server. Nothing is ever overwritten: a second `init` or an `issue` of
// a name already issued is an error. Plain C++ over OpenSSL (libcrypto), no CAF.
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>

namespace vfb {

/// A cluster setup problem, phrased for the user.
class cluster_error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// Where a node keeps its cluster files: DATA_DIR/cluster.
struct cluster_files {
  std::filesystem::path dir;
  std::filesystem::path ca_cert() const { return dir / "ca.pem"; }
  std::filesystem::path ca_key() const { return dir / "ca.key"; }
  std::filesystem::path node_cert() const { return dir / "node.pem"; }
  std::filesystem::path node_key() const { return dir / "node.key"; }
  /// Where `issue` puts a worker's files by default: one folder to copy to the worker.
  std::filesystem::path worker_dir(const std::string& name) const { return dir / "workers" / name; }
};

/// What an identity is made of: its certificate, its key, and the CA certificate it is checked
/// against (the peer's certificates must be signed by it).
struct cluster_identity {
  std::string name;
  std::filesystem::path cert;
  std::filesystem::path key;
  std::filesystem::path ca;
};

/// Whether `name` may name a node or worker: 1 to 64 of A-Z a-z 0-9 . _ - (it becomes a file
/// name and a certificate's common name).
bool valid_cluster_name(const std::string& name);

/// Makes the cluster CA (named "vfb cluster CA" and a random id) and the node's key and certificate
/// (common name `node_name`) in `files.dir`. Throws cluster_error when a cluster was made there
/// before (nothing is replaced), for a bad name, or when a file cannot be written.
cluster_identity init_cluster(const cluster_files& files, const std::string& node_name);

/// Issues a worker's key and certificate, signed by the cluster CA, into `out` (created; empty:
/// files.worker_dir(name)) as worker.pem, worker.key and a copy of ca.pem. Throws
/// cluster_error without a cluster CA, for a bad name, or when `out` already holds a worker's
/// files.
cluster_identity issue_worker(const cluster_files& files, const std::string& name,
                              const std::filesystem::path& out = {});

/// Why `cert` is not a certificate the CA in `ca` signed for TLS use now ("" when it is).
std::string check_certificate(const std::filesystem::path& cert, const std::filesystem::path& ca);

/// The common name of the certificate in `cert` (cluster_error when it cannot be read).
std::string certificate_name(const std::filesystem::path& cert);

} // namespace vfb
