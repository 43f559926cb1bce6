#include "adapters/ffmpeg.hpp"

#include "adapters/process.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace vfb {

namespace {

uint32_t le32(const unsigned char* b) {
  return static_cast<uint32_t>(b[0]) | static_cast<uint32_t>(b[1]) << 8 |
         static_cast<uint32_t>(b[2]) << 16 | static_cast<uint32_t>(b[3]) << 24;
}

uint16_t le16(const unsigned char* b) {
  return static_cast<uint16_t>(b[0] | b[1] << 8);
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

/// A path as ffmpeg's file protocol URL: "-x.mp4" is no option, "concat:a|b" no protocol.
std::string file_url(const std::filesystem::path& p) {
  return "file:" + p.string();
}

/// Runs an ffmpeg tool; throws ffmpeg_error with its last complaint unless it succeeded.
process_result run_tool(const std::string& what, process_options po) {
  auto r = run_process(po);
  if (!r.ok())
    throw ffmpeg_error(what + " " + r.describe() +
                       (r.err.empty() ? std::string{} : ": " + last_lines(r.err, 2)));
  return r;
}

} // namespace

void extract_audio(const ffmpeg_options& opts, const std::filesystem::path& in,
                   const std::filesystem::path& out_wav, const std::atomic<bool>* cancel) {
  process_options po;
  po.argv = {opts.program, "-nostdin",       "-y",   "-loglevel", "error",
             "-i",         file_url(in),     "-vn",  "-ac",       "1",
             "-ar",        "16000",          "-c:a", "pcm_s16le", "-f",
             "wav",        file_url(out_wav)};
  po.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(opts.timeout);
  po.cancel = cancel;
  run_tool("ffmpeg", po);
}

double probe_duration(const ffmpeg_options& opts, const std::filesystem::path& media) {
  process_options po;
  po.argv = {opts.probe_program,
             "-v",
             "error",
             "-show_entries",
             "format=duration",
             "-of",
             "default=noprint_wrappers=1:nokey=1",
             "-i",
             file_url(media)};
  po.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(opts.timeout);
  auto r = run_tool("ffprobe", po);
  char* end = nullptr;
  double seconds = std::strtod(r.out.c_str(), &end);
  if (end == r.out.c_str() || !(seconds >= 0))
    throw ffmpeg_error("ffprobe names no duration for " + media.string() + " (said \"" +
                       last_lines(r.out, 1) + "\")");
  return seconds;
}

std::vector<int16_t> read_wav_pcm16(const std::filesystem::path& wav) {
  std::ifstream in(wav, std::ios::binary);
  std::error_code ec;
  auto file_size = std::filesystem::file_size(wav, ec);
  if (!in || ec)
    throw ffmpeg_error("cannot read " + wav.string());
  auto bad = [&](const std::string& why) { return ffmpeg_error(wav.string() + ": " + why); };
  unsigned char riff[12];
  if (!in.read(reinterpret_cast<char*>(riff), sizeof riff) ||
      std::string(riff, riff + 4) != "RIFF" || std::string(riff + 8, riff + 12) != "WAVE")
    throw bad("not a WAV file");
  bool format_ok = false;
  unsigned char header[8];
  while (in.read(reinterpret_cast<char*>(header), sizeof header)) {
    std::string id(header, header + 4);
    uint64_t body = static_cast<uint64_t>(in.tellg());
    uint64_t size = le32(header + 4);
    if (body + size > file_size)
      size = file_size - body; // a stream writer may leave the size unset: take the rest
    if (id == "fmt ") {
      if (size < 16)
        throw bad("truncated format chunk");
      unsigned char fmt[40] = {};
      in.read(reinterpret_cast<char*>(fmt),
              static_cast<std::streamsize>(std::min<uint64_t>(size, sizeof fmt)));
      auto format = le16(fmt), channels = le16(fmt + 2), bits = le16(fmt + 14);
      auto rate = le32(fmt + 4);
      // WAVE_FORMAT_EXTENSIBLE: the real format is the first two bytes of the subformat GUID.
      if (format == 0xFFFE && size >= 26)
        format = le16(fmt + 24);
      if (format != 1 || channels != 1 || rate != 16000 || bits != 16)
        throw bad("expected 16-bit PCM, mono, 16 kHz; got format " + std::to_string(format) + ", " +
                  std::to_string(channels) + " channel(s), " + std::to_string(rate) + " Hz, " +
                  std::to_string(bits) + " bits");
      format_ok = true;
    } else if (id == "data") {
      if (!format_ok)
        throw bad("data before the format chunk");
      std::vector<int16_t> samples(size / 2);
      if (!in.read(reinterpret_cast<char*>(samples.data()),
                   static_cast<std::streamsize>(samples.size() * 2)))
        throw bad("cannot read the samples");
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
      for (auto& s : samples) // WAV samples are little-endian
        s = static_cast<int16_t>(__builtin_bswap16(static_cast<uint16_t>(s)));
#endif
      return samples;
    }
    in.seekg(static_cast<std::streamoff>(body + size + (size & 1)));
  }
  throw bad(format_ok ? "no data chunk" : "no format chunk");
}

} // namespace vfb
