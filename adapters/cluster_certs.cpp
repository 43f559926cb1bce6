// The cluster's certificate authority and identities, over OpenSSL 3's libcrypto.
#include "adapters/cluster_certs.hpp"

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <memory>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <system_error>
#include <unistd.h>

namespace vfb {

namespace fs = std::filesystem;

namespace {

constexpr long ca_days = 3650;      // the CA outlives its certificates
constexpr long identity_days = 825; // re-issue a worker's certificate within about two years

struct pkey_free {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct x509_free {
  void operator()(X509* p) const { X509_free(p); }
};
struct store_free {
  void operator()(X509_STORE* p) const { X509_STORE_free(p); }
};
struct store_ctx_free {
  void operator()(X509_STORE_CTX* p) const { X509_STORE_CTX_free(p); }
};
using pkey_ptr = std::unique_ptr<EVP_PKEY, pkey_free>;
using x509_ptr = std::unique_ptr<X509, x509_free>;

/// OpenSSL's reason for the last failure, for the message.
std::string openssl_reason() {
  auto code = ERR_get_error();
  ERR_clear_error();
  if (code == 0)
    return "unknown OpenSSL error";
  char buf[256];
  ERR_error_string_n(code, buf, sizeof buf);
  return buf;
}

[[noreturn]] void fail(const std::string& what) {
  throw cluster_error(what + ": " + openssl_reason());
}

pkey_ptr new_key() {
  pkey_ptr key{EVP_EC_gen("P-256")};
  if (!key)
    fail("cannot make a key");
  return key;
}

void add_extension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (ext == nullptr)
    fail("cannot make a certificate extension");
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

/// A certificate for `key` named `name`, signed by `issuer_key` (as `issuer`; null: itself).
x509_ptr make_certificate(const std::string& name, EVP_PKEY* key, X509* issuer,
                          EVP_PKEY* issuer_key, bool is_ca) {
  x509_ptr cert{X509_new()};
  if (!cert)
    fail("cannot make a certificate");
  X509_set_version(cert.get(), 2); // v3
  unsigned char serial[16];
  if (RAND_bytes(serial, sizeof serial) != 1)
    fail("cannot draw a serial number");
  serial[0] &= 0x7f; // a positive number
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
  BN_free(bn);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600); // an hour of clock skew
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), (is_ca ? ca_days : identity_days) * 86400L);
  X509_set_pubkey(cert.get(), key);
  auto* subject = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(subject, "O", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>("vfb cluster"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(name.c_str()), -1, -1, 0);
  X509* signer = issuer != nullptr ? issuer : cert.get();
  X509_set_issuer_name(cert.get(), X509_get_subject_name(signer));
  if (is_ca) {
    add_extension(cert.get(), signer, NID_basic_constraints, "critical,CA:TRUE,pathlen:0");
    add_extension(cert.get(), signer, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    add_extension(cert.get(), signer, NID_basic_constraints, "critical,CA:FALSE");
    add_extension(cert.get(), signer, NID_key_usage, "critical,digitalSignature");
    add_extension(cert.get(), signer, NID_ext_key_usage, "serverAuth,clientAuth");
  }
  add_extension(cert.get(), signer, NID_subject_key_identifier, "hash");
  if (X509_sign(cert.get(), issuer_key, EVP_sha256()) == 0)
    fail("cannot sign the certificate of " + name);
  return cert;
}

/// Opens `path` for writing only if it does not exist yet, with `mode`.
FILE* create_new(const fs::path& path, mode_t mode) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0)
    throw cluster_error("cannot create " + path.string() + ": " + std::strerror(errno));
  FILE* f = ::fdopen(fd, "w");
  if (f == nullptr) {
    ::close(fd);
    throw cluster_error("cannot write " + path.string() + ": " + std::strerror(errno));
  }
  return f;
}

/// Writes a PEM file: written whole and fsynced, or removed.
template <class Write> void write_pem(const fs::path& path, mode_t mode, Write write) {
  FILE* f = create_new(path, mode);
  bool ok = write(f) == 1 && std::fflush(f) == 0 && ::fsync(::fileno(f)) == 0;
  ok = std::fclose(f) == 0 && ok;
  if (!ok) {
    std::error_code ec;
    fs::remove(path, ec);
    throw cluster_error("cannot write " + path.string());
  }
}

void write_key(const fs::path& path, EVP_PKEY* key) {
  write_pem(path, 0600, [&](FILE* f) {
    return PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr);
  });
}

void write_cert(const fs::path& path, X509* cert) {
  write_pem(path, 0644, [&](FILE* f) { return PEM_write_X509(f, cert); });
}

/// Reads the first PEM object `read` finds in `path`; `what` names it in the error.
template <class Ptr, class Read> Ptr read_pem(const fs::path& path, Read read, const char* what) {
  FILE* f = std::fopen(path.c_str(), "r");
  if (f == nullptr)
    throw cluster_error("cannot read " + path.string() + ": " + std::strerror(errno));
  Ptr p{read(f, nullptr, nullptr, nullptr)};
  std::fclose(f);
  if (!p)
    throw cluster_error(path.string() + " holds no " + what);
  return p;
}

x509_ptr read_cert(const fs::path& path) {
  return read_pem<x509_ptr>(path, PEM_read_X509, "certificate");
}

pkey_ptr read_key(const fs::path& path) {
  return read_pem<pkey_ptr>(path, PEM_read_PrivateKey, "private key");
}

void check_name(const std::string& name) {
  if (!valid_cluster_name(name))
    throw cluster_error("'" + name +
                        "' is not a cluster name: use 1 to 64 letters, digits, '.', '_' or '-'");
}

/// Makes a key and a certificate signed by the CA, written as `cert_path` and `key_path`.
void issue(const std::string& name, X509* ca, EVP_PKEY* ca_key, const fs::path& cert_path,
           const fs::path& key_path) {
  auto key = new_key();
  auto cert = make_certificate(name, key.get(), ca, ca_key, false);
  write_key(key_path, key.get());
  write_cert(cert_path, cert.get());
}

} // namespace

bool valid_cluster_name(const std::string& name) {
  if (name.empty() || name.size() > 64 || name == "." || name == "..")
    return false;
  for (unsigned char c : name)
    if (!std::isalnum(c) && c != '.' && c != '_' && c != '-')
      return false;
  return true;
}

cluster_identity init_cluster(const cluster_files& files, const std::string& node_name) {
  check_name(node_name);
  std::error_code ec;
  if (fs::exists(files.ca_cert(), ec) || fs::exists(files.ca_key(), ec))
    throw cluster_error("a cluster was made in " + files.dir.string() +
                        " before; its CA is kept (remove the folder to start a new cluster)");
  fs::create_directories(files.dir, ec);
  if (ec)
    throw cluster_error("cannot create " + files.dir.string() + ": " + ec.message());
  fs::permissions(files.dir, fs::perms::owner_all, fs::perm_options::replace, ec);
  auto ca_key = new_key();
  // A name of its own per cluster: a certificate from another cluster then names an issuer
  // this one does not know, which is what its rejection says.
  unsigned char id[4];
  if (RAND_bytes(id, sizeof id) != 1)
    fail("cannot draw the cluster's id");
  char hex[9];
  std::snprintf(hex, sizeof hex, "%02x%02x%02x%02x", id[0], id[1], id[2], id[3]);
  auto ca = make_certificate(std::string{"vfb cluster CA "} + hex, ca_key.get(), nullptr,
                             ca_key.get(), true);
  write_key(files.ca_key(), ca_key.get());
  write_cert(files.ca_cert(), ca.get());
  issue(node_name, ca.get(), ca_key.get(), files.node_cert(), files.node_key());
  return {node_name, files.node_cert(), files.node_key(), files.ca_cert()};
}

cluster_identity issue_worker(const cluster_files& files, const std::string& name,
                              const fs::path& out) {
  check_name(name);
  std::error_code ec;
  if (!fs::exists(files.ca_key(), ec))
    throw cluster_error("no cluster CA in " + files.dir.string() + " (run `vfb cluster init`)");
  auto ca = read_cert(files.ca_cert());
  auto ca_key = read_key(files.ca_key());
  auto dir = out.empty() ? files.worker_dir(name) : out;
  cluster_identity id{name, dir / "worker.pem", dir / "worker.key", dir / "ca.pem"};
  if (fs::exists(id.cert, ec) || fs::exists(id.key, ec))
    throw cluster_error(dir.string() + " already holds a worker's certificate; nothing replaced");
  fs::create_directories(dir, ec);
  if (ec)
    throw cluster_error("cannot create " + dir.string() + ": " + ec.message());
  fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, ec);
  issue(name, ca.get(), ca_key.get(), id.cert, id.key);
  if (!fs::exists(id.ca, ec))
    write_cert(id.ca, ca.get());
  return id;
}

std::string check_certificate(const fs::path& cert_path, const fs::path& ca_path) {
  try {
    auto cert = read_cert(cert_path);
    auto ca = read_cert(ca_path);
    std::unique_ptr<X509_STORE, store_free> store{X509_STORE_new()};
    std::unique_ptr<X509_STORE_CTX, store_ctx_free> ctx{X509_STORE_CTX_new()};
    if (!store || !ctx || X509_STORE_add_cert(store.get(), ca.get()) != 1 ||
        X509_STORE_CTX_init(ctx.get(), store.get(), cert.get(), nullptr) != 1)
      return "cannot check certificates: " + openssl_reason();
    X509_STORE_CTX_set_purpose(ctx.get(), X509_PURPOSE_SSL_CLIENT);
    if (X509_verify_cert(ctx.get()) != 1)
      return X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx.get()));
    return {};
  } catch (const cluster_error& e) {
    return e.what();
  }
}

std::string certificate_name(const fs::path& path) {
  auto cert = read_cert(path);
  char buf[256];
  int n =
      X509_NAME_get_text_by_NID(X509_get_subject_name(cert.get()), NID_commonName, buf, sizeof buf);
  if (n < 0)
    throw cluster_error(path.string() + " names no common name");
  return std::string(buf, static_cast<size_t>(n));
}

} // namespace vfb
