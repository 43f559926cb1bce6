// `vfb cluster init` and `vfb cluster issue NAME`: the cluster's certificate authority and its
// members' certificates, in the node's data dir (adapters/cluster_certs).
#include "adapters/cluster_certs.hpp"
#include "apps/cli.hpp"

#include <nlohmann/json.hpp>

namespace vfb::cli {

namespace {

cluster_files files_of(const context& ctx) {
  return {ctx.data_dir / "cluster"};
}

nlohmann::json to_json(const cluster_identity& id) {
  return {{"name", id.name},
          {"certificate", id.cert.string()},
          {"key", id.key.string()},
          {"ca", id.ca.string()}};
}

/// Runs `make`; a cluster_error is the one-line refusal (exit 1), as the other commands do.
template <class Make> int with_cluster(context& ctx, Make make) {
  try {
    auto id = make();
    if (ctx.json)
      ctx.out << to_json(id).dump() << '\n';
    else
      ctx.out << id.name << ": certificate " << id.cert.string() << ", key " << id.key.string()
              << ", CA " << id.ca.string() << '\n';
    return exit_ok;
  } catch (const cluster_error& e) {
    ctx.err << "vfb: " << e.what() << '\n';
    return exit_refused;
  }
}

/// A name the command line gives: a usage error unless it can name a cluster member.
std::string member_name(const std::string& name) {
  if (!valid_cluster_name(name))
    throw usage_error("'" + name +
                      "' is not a cluster name: use 1 to 64 letters, digits, '.', '_' or '-'");
  return name;
}

} // namespace

int cmd_cluster_init(context& ctx) {
  auto name = member_name(ctx.inv.value("--name").value_or("node"));
  return with_cluster(ctx, [&] { return init_cluster(files_of(ctx), name); });
}

int cmd_cluster_issue(context& ctx) {
  auto out = std::filesystem::path{ctx.inv.value("--out").value_or("")};
  auto name = member_name(ctx.inv.words.at(0));
  return with_cluster(ctx, [&] { return issue_worker(files_of(ctx), name, out); });
}

} // namespace vfb::cli
