// `vfb token create|ls|revoke`: the HTTP API's bearer tokens from the command line. The token
// text is printed once, by `create`; the store keeps only its hash, so `ls` cannot show it.
#include "actors/node.hpp"
#include "apps/cli.hpp"
#include "messages/time.hpp"
#include "storage/token_store.hpp"

#include <nlohmann/json.hpp>
#include <ostream>

namespace vfb::cli {

namespace {

token_store open_tokens(const context& ctx, bool read_only) {
  return token_store{tokens_options_for(ctx.config, ctx.data_dir, read_only)};
}

/// A token's record as `ls` and `revoke` show it: never the token text (nor its hash).
nlohmann::json to_json(const token_record& t) {
  return {{"id", t.id},
          {"tenant", t.tenant},
          {"workspace", t.workspace},
          {"role", std::string{to_string(t.role)}},
          {"label", t.label},
          {"created_at", iso_utc(t.created_at)},
          {"revoked_at", t.active() ? "" : iso_utc(t.revoked_at)},
          {"active", t.active()}};
}

} // namespace

int cmd_token_create(context& ctx) {
  auto role_text = ctx.inv.required("--role");
  auto role = parse_token_role(role_text);
  if (!role)
    throw usage_error("--role needs viewer or operator, got '" + role_text + "'");
  auto tenant = ctx.inv.required("--tenant");
  auto workspace = ctx.inv.required("--workspace");
  auto label = ctx.inv.value("--label").value_or("");
  created_token c;
  try {
    c = open_tokens(ctx, false).create(tenant, workspace, *role, label, now_millis());
  } catch (const std::invalid_argument& e) {
    throw usage_error(e.what());
  }
  const auto& r = c.record;
  if (ctx.json) {
    ctx.out << nlohmann::json{{"id", r.id},
                              {"token", c.token},
                              {"tenant", r.tenant},
                              {"workspace", r.workspace},
                              {"role", std::string{to_string(r.role)}}}
                   .dump()
            << '\n';
    return exit_ok;
  }
  ctx.out << "token " << r.id << " (" << to_string(r.role) << " of " << r.tenant << '/'
          << r.workspace << "):\n"
          << c.token << '\n'
          << "Store it now: it cannot be shown again (vfb keeps only its hash).\n";
  return exit_ok;
}

int cmd_token_ls(context& ctx) {
  std::vector<token_record> all;
  try {
    all = open_tokens(ctx, true).list(ctx.inv.value("--tenant").value_or(""),
                                      ctx.inv.value("--workspace").value_or(""));
  } catch (const storage_error& e) {
    if (e.kind() != store_failure::missing)
      throw;
  } catch (const std::invalid_argument& e) {
    throw usage_error(e.what());
  }
  if (ctx.json) {
    auto arr = nlohmann::json::array();
    for (const auto& t : all)
      arr.push_back(to_json(t));
    ctx.out << arr.dump() << '\n';
    return exit_ok;
  }
  if (all.empty()) {
    ctx.out << "no tokens\n";
    return exit_ok;
  }
  for (const auto& t : all) {
    ctx.out << t.id << "  " << t.tenant << '/' << t.workspace << "  " << to_string(t.role) << "  "
            << (t.active() ? std::string{"active"} : "revoked " + iso_utc(t.revoked_at))
            << ", created " << iso_utc(t.created_at);
    if (!t.label.empty())
      ctx.out << "  (" << t.label << ")";
    ctx.out << '\n';
  }
  return exit_ok;
}

int cmd_token_revoke(context& ctx) {
  auto id = parse_id(ctx.inv.words.at(0), "token");
  auto tokens = open_tokens(ctx, false);
  if (!tokens.revoke(id, now_millis())) {
    ctx.err << "vfb: no token " << id << '\n';
    return exit_refused;
  }
  auto t = tokens.get(id);
  if (ctx.json)
    ctx.out << to_json(*t).dump() << '\n';
  else
    ctx.out << "token " << id << " revoked (" << t->tenant << '/' << t->workspace << ", "
            << to_string(t->role) << ")\n";
  return exit_ok;
}

} // namespace vfb::cli
