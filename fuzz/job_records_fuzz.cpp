// The job queue's stored bytes (first input byte: 0 a job record, 1 a counts key) decode or
// throw codec::decode_error, never anything undefined; a decoded record encodes to bytes that
// decode to the same record.
#include "fuzz/fuzz_check.hpp"
#include "storage/codec.hpp"
#include "storage/job_queue_layout.hpp"

using namespace vfb;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto [which, bytes] = fuzz::select(fuzz::text(data, size));
  try {
    if (which % 2 == 0) {
      auto once = queue_layout::encode_record(queue_layout::decode_record(bytes));
      fuzz::require(queue_layout::encode_record(queue_layout::decode_record(once)) == once,
                    "a job record round-trips");
    } else {
      queue_layout::parse_count_key(bytes);
    }
  } catch (const codec::decode_error&) {
  }
  return 0;
}
