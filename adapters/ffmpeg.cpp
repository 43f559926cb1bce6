#include "adapters/ffmpeg.hpp"

#include "adapters/process.hpp"

#include <fstream>
#include <sstream>

namespace vfb {

namespace {

uint32_t le32(const std::string& b, size_t at) {
  return static_cast<uint32_t>(static_cast<uint8_t>(b[at])) |
         static_cast<uint32_t>(static_cast<uint8_t>(b[at + 1])) << 8 |
         static_cast<uint32_t>(static_cast<uint8_t>(b[at + 2])) << 16 |
         static_cast<uint32_t>(static_cast<uint8_t>(b[at + 3])) << 24;
}

uint16_t le16(const std::string& b, size_t at) {
  return static_cast<uint16_t>(static_cast<uint8_t>(b[at]) | static_cast<uint8_t>(b[at + 1]) << 8);
}

std::string last_lines(const std::string& text, size_t n) {
  std::vector<std::string> lines;
  std::istringstream in{text};
  for (std::string l; std::getline(in, l);)
    if (!l.empty())
      lines.push_back(l);
  std::string out;
  for (size_t i = lines.size() > n ? lines.size() - n : 0; i < lines.size(); ++i)
    out += (out.empty() ? "" : " / ") + lines[i];
  return out;
}

} // namespace

void extract_audio(const ffmpeg_options& opts, const std::filesystem::path& in,
                   const std::filesystem::path& out_wav, const std::atomic<bool>* cancel) {
  process_options po;
  po.argv = {opts.program, "-nostdin",  "-y",  "-loglevel", "error",         "-i",
             in.string(),  "-vn",       "-ac", "1",         "-ar",           "16000",
             "-c:a",       "pcm_s16le", "-f",  "wav",       out_wav.string()};
  po.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(opts.timeout);
  po.cancel = cancel;
  auto r = run_process(po);
  if (!r.ok())
    throw ffmpeg_error("ffmpeg " + r.describe() +
                       (r.err.empty() ? std::string{} : ": " + last_lines(r.err, 2)));
}

std::vector<int16_t> read_wav_pcm16(const std::filesystem::path& wav) {
  std::ifstream in(wav, std::ios::binary);
  if (!in)
    throw ffmpeg_error("cannot read " + wav.string());
  std::string b((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto bad = [&](const std::string& why) { return ffmpeg_error(wav.string() + ": " + why); };
  if (b.size() < 12 || b.compare(0, 4, "RIFF") != 0 || b.compare(8, 4, "WAVE") != 0)
    throw bad("not a WAV file");
  bool format_ok = false;
  for (size_t at = 12; at + 8 <= b.size();) {
    auto id = b.substr(at, 4);
    size_t size = le32(b, at + 4);
    auto body = at + 8;
    if (body + size > b.size())
      size = b.size() - body; // a stream writer may leave the size unset: take the rest
    if (id == "fmt ") {
      if (size < 16)
        throw bad("truncated format chunk");
      auto format = le16(b, body), channels = le16(b, body + 2);
      auto rate = le32(b, body + 4);
      auto bits = le16(b, body + 14);
      if (format != 1 || channels != 1 || rate != 16000 || bits != 16)
        throw bad("expected 16-bit PCM, mono, 16 kHz; got format " + std::to_string(format) + ", " +
                  std::to_string(channels) + " channel(s), " + std::to_string(rate) + " Hz, " +
                  std::to_string(bits) + " bits");
      format_ok = true;
    } else if (id == "data") {
      if (!format_ok)
        throw bad("data before the format chunk");
      std::vector<int16_t> samples(size / 2);
      for (size_t i = 0; i < samples.size(); ++i)
        samples[i] = static_cast<int16_t>(le16(b, body + 2 * i));
      return samples;
    }
    at = body + size + (size & 1);
  }
  throw bad(format_ok ? "no data chunk" : "no format chunk");
}

} // namespace vfb
