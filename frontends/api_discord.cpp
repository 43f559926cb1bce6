// POST /discord/interactions: Discord's slash commands, open to Discord alone by its Ed25519
// signature (no bearer token). Pings and refusals are answered here; commands go to the bridge,
// which answers within Discord's 3 seconds and does the work later (discord_bridge.hpp).
#include "adapters/discord_interactions.hpp"
#include "frontends/api_routes.hpp"
#include "frontends/discord_bridge.hpp"

#include <chrono>

namespace vfb {

void add_discord_routes(api_router& router, discord_routes deps) {
  auto s = std::make_shared<discord_routes>(std::move(deps));
  router.add("POST", "/discord/interactions", access::open,
             [s](const httplib::Request& req, const token_record&) {
               const auto& key = s->public_key;
               if (key.empty() || !s->bridge)
                 throw api_error(404, "not_found", "no such endpoint");
               using namespace std::chrono;
               auto now = duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
               auto check = verify_interaction_signature(
                   key, req.get_header_value("X-Signature-Ed25519"),
                   req.get_header_value("X-Signature-Timestamp"), req.body, now);
               if (check != signature_check::ok)
                 throw api_error(401, "unauthorized",
                                 std::string{"interaction signature: "} + to_string(check));
               interaction in;
               try {
                 in = parse_interaction(req.body);
               } catch (const discord_error& e) {
                 throw bad_request(e.what());
               }
               if (in.type == interaction_type::ping)
                 return json_reply(200, pong());
               if (in.type != interaction_type::application_command)
                 return json_reply(200, message_response("vfb only answers slash commands.", true));
               return json_reply(200, s->bridge->answer(in));
             });
}

} // namespace vfb
