#include "tests/support/process.hpp"

#include "adapters/process.hpp"

#include <stdexcept>

namespace vfb::test {

process_result run_process(const std::vector<std::string>& argv,
                           const std::map<std::string, std::string>& env,
                           const std::string& input) {
  process_options o;
  o.argv = argv;
  o.env = env;
  o.stdin_data = input;
  auto r = vfb::run_process(o);
  if (r.spawn_failed)
    throw std::runtime_error(r.error);
  process_result out;
  out.exit_code = r.signal != 0 ? 128 + r.signal : r.exit_code;
  out.out = std::move(r.out);
  out.err = std::move(r.err);
  return out;
}

} // namespace vfb::test
