// The external transcriber's output: parse_whisper_lines (its standard output) never crashes
// and keeps only segments with text that start at or after 0 and end at or after their start;
// split_command (its configured command line) throws only speech_error.
#include "adapters/speech.hpp"
#include "fuzz/fuzz_check.hpp"

using namespace vfb;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto in = fuzz::text(data, size);
  for (const auto& s : parse_whisper_lines(in)) {
    fuzz::require(s.start_ms >= 0 && s.start_ms <= s.end_ms, "a segment's start <= end");
    fuzz::require(!s.text.empty(), "a segment has text");
  }
  try {
    split_command(std::string{in});
  } catch (const speech_error&) {
  }
  return 0;
}
