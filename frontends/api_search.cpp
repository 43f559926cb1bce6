// GET /v1/memory/search: BM25 search over what the token's workspace has analysed.
#include "frontends/api_routes.hpp"
#include "frontends/job_results.hpp"
#include "messages/json.hpp"
#include "storage/memory_store.hpp"

namespace vfb {

void add_search_routes(api_router& router, search_routes deps) {
  auto memory = std::move(deps.memory);
  router.add("GET", "/v1/memory/search", access::viewer,
             [memory](const httplib::Request& req, const token_record& who) {
               auto q = req.get_param_value("q");
               if (q.empty())
                 throw bad_request("'q' is required");
               auto limit = static_cast<size_t>(query_number(req, "limit", 10, 1, 100));
               if (!memory)
                 throw api_error(503, "unavailable", "this node keeps no memory");
               auto arr = nlohmann::json::array();
               for (const auto& h : memory->search(who.tenant, who.workspace, q, limit))
                 arr.push_back(hit_json(h));
               return json_reply(200, {{"hits", arr}});
             });
}

} // namespace vfb
