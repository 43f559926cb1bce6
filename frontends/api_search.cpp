// GET /v1/memory/search: BM25 search over what the token's workspace has analysed, with
// phrases in quotes and filters by follow, channel, upload date and job.
#include "follows/search_filter.hpp"
#include "frontends/api_routes.hpp"
#include "frontends/job_results.hpp"
#include "messages/json.hpp"
#include "storage/memory_store.hpp"

namespace vfb {

void add_search_routes(api_router& router, search_routes deps) {
  auto memory = std::move(deps.memory);
  auto follows = std::move(deps.follows);
  router.add("GET", "/v1/memory/search", access::viewer,
             [memory, follows](const httplib::Request& req, const token_record& who) {
               memory_query q;
               q.text = req.get_param_value("q");
               if (q.text.empty())
                 throw bad_request("'q' is required");
               q.limit = static_cast<size_t>(query_number(req, "limit", 10, 1, 100));
               search_filter_words words{req.get_param_value("follow"),
                                         req.get_param_value("channel"),
                                         req.get_param_value("from"), req.get_param_value("to"),
                                         req.get_param_value("job")};
               try {
                 q.filter = make_search_filter(words, follows.get(), who.tenant, who.workspace);
               } catch (const std::invalid_argument& e) {
                 throw bad_request(e.what());
               }
               if (!memory)
                 throw api_error(503, "unavailable", "this node keeps no memory");
               auto arr = nlohmann::json::array();
               for (const auto& h : memory->search(who.tenant, who.workspace, q))
                 arr.push_back(hit_json(h));
               return json_reply(200, {{"hits", arr}});
             });
}

} // namespace vfb
