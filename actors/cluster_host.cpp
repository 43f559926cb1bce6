// The cluster host (actors/cluster_host.hpp).
#include "actors/cluster_host.hpp"

#include "actors/blocking_ask.hpp"
#include "actors/stage_worker.hpp"
#include "actors/stages.hpp"
#include "messages/errors.hpp"
#include "storage/artifact_store.hpp"
#include "storage/checkpoint_exchange.hpp"
#include "storage/media_json.hpp"
#include "storage/memory_store.hpp"

#include <spdlog/spdlog.h>

namespace vfb {

corpus_counts counts_of(const text::corpus_stats& stats, const std::vector<std::string>& terms) {
  corpus_counts out;
  out.documents = stats.documents;
  for (const auto& t : terms)
    if (auto it = stats.document_frequency.find(t); it != stats.document_frequency.end()) {
      out.terms.push_back(t);
      out.frequencies.push_back(it->second);
    }
  return out;
}

text::corpus_stats stats_of(const corpus_counts& counts) {
  text::corpus_stats out;
  out.documents = counts.documents;
  for (size_t i = 0; i < counts.terms.size() && i < counts.frequencies.size(); ++i)
    out.document_frequency[counts.terms[i]] = counts.frequencies[i];
  return out;
}

namespace {

/// Why the job's lease with `epoch` is not its current one ("" when it is), as the scheduler
/// sees it now. Asked from the host's own thread (it is detached), just before a stage runs.
std::string lease_problem(caf::actor_system& sys, const scheduler_actor& scheduler, uint64_t id,
                          uint64_t epoch) {
  auto [view, err] =
      blocking_ask<job_view>(sys, scheduler, std::chrono::seconds{30}, caf::get_atom::value, id);
  if (!view)
    return error_message(err);
  if (view->state != job_state::leased || view->epoch != epoch)
    return "the lease with epoch " + std::to_string(epoch) + " is gone (the job is " +
           std::string{to_string(view->state)} + ", epoch " + std::to_string(view->epoch) + ")";
  return {};
}

} // namespace

cluster_host_actor::behavior_type
cluster_host(cluster_host_actor::stateful_pointer<cluster_host_state> self,
             std::shared_ptr<const stage_environment> env, const stage_function_factory& stages,
             scheduler_actor scheduler, download_sink downloads) {
  auto& st = self->state;
  st.env = std::move(env);
  st.scheduler = std::move(scheduler);
  st.memory = stages(stage_kind::memory);
  st.post = stages(stage_kind::post);
  st.downloads = std::move(downloads);
  return {
      [=](checkpoint_atom, const ingest_job& job, const stage_checkpoint& cp) -> caf::result<bool> {
        try {
          import_checkpoint(*self->state.env->artifacts, job, cp);
        } catch (const checkpoint_error& e) {
          return make_error(errc::invalid, e.what());
        } catch (const std::exception& e) {
          return make_error(errc::storage_failure, e.what());
        }
        if (cp.stage == stage_kind::download && self->state.downloads) {
          // Auto-follow hears of a worker's download as of the node's own.
          if (auto d =
                  checkpoint_as<download_result>(*self->state.env->artifacts, job.id, cp.stage))
            self->send(self->state.downloads, download_completed{*d, job});
        }
        return true;
      },
      [=](checkpoint_atom, const ingest_job& job) {
        return export_checkpoints(*self->state.env->artifacts, job);
      },
      [=](stage_atom, const stage_request& req) -> caf::result<stage_result> {
        auto& st = self->state;
        if (req.stage != stage_kind::memory && req.stage != stage_kind::post)
          return make_error(errc::invalid, std::string{"the node runs only the memory and post "
                                                       "stages for workers, not "} +
                                               std::string{to_string(req.stage)});
        // Checked again now: the request may have waited behind other stages meanwhile.
        if (auto problem = lease_problem(self->home_system(), st.scheduler, req.job.id, req.epoch);
            !problem.empty())
          return make_error(errc::stale_lease,
                            "job " + std::to_string(req.job.id) + ": " + problem + "; its " +
                                std::string{to_string(req.stage)} + " stage does not run");
        const auto& work = req.stage == stage_kind::memory ? st.memory : st.post;
        return run_stage(work, req, [](double, const std::string&) {});
      },
      [=](corpus_atom, const std::string& tenant, const std::string& workspace,
          const std::vector<std::string>& terms) -> caf::result<corpus_counts> {
        try {
          return counts_of(self->state.env->memory->corpus(tenant, workspace, terms), terms);
        } catch (const std::exception& e) {
          return make_error(errc::storage_failure, e.what());
        }
      },
  };
}

} // namespace vfb
