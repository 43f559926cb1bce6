#include "adapters/speaker_adaptation.hpp"

#include "adapters/process.hpp"
#include "text/files.hpp"

#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>
#include <system_error>
#include <unistd.h>
#include <unordered_set>

namespace vfb {

namespace fs = std::filesystem;

namespace {

/// The files of the acoustic model bw reads as they are (sendump and mdef are converted).
constexpr const char* copied_files[] = {"means", "variances", "transition_matrices", "noisedict",
                                        "feat.params"};

/// The last `n` lines of `text`, for an error message.
std::string last_lines(const std::string& text, size_t n) {
  size_t at = text.size();
  while (at > 0 && (text[at - 1] == '\n' || text[at - 1] == ' '))
    --at;
  size_t end = at;
  for (size_t seen = 0; at > 0; --at)
    if (text[at - 1] == '\n' && ++seen == n)
      break;
  return text.substr(at, end - at);
}

/// Runs a tool to its end; throws speech_error quoting the end of its log when it fails.
void run_tool(const adaptation_options& opts, std::vector<std::string> argv,
              const std::string& what) {
  process_options po;
  po.argv = std::move(argv);
  po.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(opts.timeout);
  po.cancel = opts.cancel;
  auto r = run_process(po);
  if (r.ok())
    return;
  auto log = last_lines(r.out + r.err, 4);
  throw speech_error(what + " " + r.describe() + (log.empty() ? "" : ": " + log));
}

fs::path hmm_dir(const adaptation_options& opts) {
  return opts.model_dir / "en-us";
}

uint32_t u32(const std::string& data, size_t& at) {
  if (at + 4 > data.size())
    throw speech_error("model file ends early");
  uint32_t v = 0;
  std::memcpy(&v, data.data() + at, 4);
  at += 4;
  return v;
}

} // namespace

std::string read_whole_file(const fs::path& p) {
  auto content = text::read_file(p);
  if (!content)
    throw speech_error(text::read_failure(p));
  return std::move(*content);
}

void replace_file_atomically(const fs::path& path, const std::string& data) {
  try {
    text::replace_file(path, data, false);
  } catch (const std::system_error& e) {
    throw speech_error(e.what());
  }
}

std::optional<std::string> adaptation_unavailable(const adaptation_options& opts) {
  for (const char* tool : {"bw", "mllr_solve"})
    if (::access((opts.sphinxtrain_dir / tool).c_str(), X_OK) != 0)
      return "sphinxtrain's " + std::string{tool} + " is not in " + opts.sphinxtrain_dir.string() +
             " (apt-get install sphinxtrain)";
  if (!find_program(opts.sphinx_fe))
    return opts.sphinx_fe + " not found (apt-get install sphinxbase-utils)";
  if (!find_program(opts.mdef_convert))
    return opts.mdef_convert + " not found (apt-get install pocketsphinx)";
  return std::nullopt;
}

mixture_weights read_sendump(const fs::path& sendump) {
  auto data = read_whole_file(sendump);
  size_t at = 0;
  // Length-prefixed header strings (a title, then "name value" lines) up to an empty one.
  uint32_t features = 0, clusters = 0, shift = 10;
  for (;;) {
    auto n = u32(data, at);
    if (n == 0)
      break;
    if (n > 4096 || at + n > data.size())
      throw speech_error(sendump.string() + " is not a sendump in this machine's byte order");
    std::istringstream line{std::string(data.data() + at, n).c_str()};
    at += n;
    std::string name;
    uint32_t value = 0;
    if (line >> name >> value) {
      if (name == "feature_count")
        features = value;
      else if (name == "cluster_count")
        clusters = value;
      else if (name == "mixw_shift")
        shift = value;
    }
  }
  if (clusters != 0 || features == 0)
    throw speech_error(sendump.string() + ": only unclustered sendump files are supported");
  mixture_weights w;
  w.features = features;
  w.codewords = u32(data, at);
  w.senones = u32(data, at);
  size_t count = static_cast<size_t>(features) * w.codewords * w.senones;
  if (data.size() - at < count)
    throw speech_error(sendump.string() + " ends early");
  // Stored [feature][codeword][senone]; bw wants [senone][feature][codeword], normalised.
  const double unit = -std::log(1.0001) * static_cast<double>(1u << shift);
  w.weights.resize(count);
  std::vector<double> row(w.codewords);
  for (uint32_t s = 0; s < w.senones; ++s)
    for (uint32_t f = 0; f < features; ++f) {
      double sum = 0;
      for (uint32_t c = 0; c < w.codewords; ++c) {
        auto q = static_cast<unsigned char>(
            data[at + (static_cast<size_t>(f) * w.codewords + c) * w.senones + s]);
        row[c] = std::exp(unit * q);
        sum += row[c];
      }
      for (uint32_t c = 0; c < w.codewords; ++c)
        w.weights[(static_cast<size_t>(s) * features + f) * w.codewords + c] =
            static_cast<float>(row[c] / sum);
    }
  return w;
}

void write_mixture_weights(const mixture_weights& w, const fs::path& out) {
  // sphinxtrain's s3 header, padded so the data starts 4-aligned; no checksum line.
  std::string header = "s3\nversion 1.0\n";
  const std::string end = "endhdr\n";
  if (auto pad = (header.size() + end.size()) & 3; pad != 0)
    header += std::string(4 - pad, ' ');
  header += end;
  std::string data = header;
  auto put = [&](const void* p, size_t n) { data.append(static_cast<const char*>(p), n); };
  const uint32_t magic = 0x11223344; // the byte order mark
  put(&magic, 4);
  uint32_t dims[] = {w.senones, w.features, w.codewords, static_cast<uint32_t>(w.weights.size())};
  put(dims, sizeof dims);
  put(w.weights.data(), w.weights.size() * sizeof(float));
  replace_file_atomically(out, data);
}

mixture_weights read_mixture_weights(const fs::path& file) {
  auto data = read_whole_file(file);
  auto end = data.find("endhdr\n");
  if (data.compare(0, 3, "s3\n") != 0 || end == std::string::npos)
    throw speech_error(file.string() + " is not a sphinxtrain model file");
  size_t at = end + 7;
  if (u32(data, at) != 0x11223344)
    throw speech_error(file.string() + " is in another byte order");
  mixture_weights w;
  w.senones = u32(data, at);
  w.features = u32(data, at);
  w.codewords = u32(data, at);
  auto count = u32(data, at);
  if (count != static_cast<size_t>(w.senones) * w.features * w.codewords ||
      data.size() - at < count * sizeof(float))
    throw speech_error(file.string() + " has inconsistent dimensions");
  w.weights.resize(count);
  std::memcpy(w.weights.data(), data.data() + at, count * sizeof(float));
  return w;
}

fs::path prepare_adaptation_model(const adaptation_options& opts) {
  if (auto missing = adaptation_unavailable(opts))
    throw speech_error(*missing);
  const auto& dir = opts.cache_dir;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec)
    throw speech_error("cannot create " + dir.string() + ": " + ec.message());
  auto hmm = hmm_dir(opts);
  for (const char* name : copied_files)
    if (!fs::exists(dir / name))
      replace_file_atomically(dir / name, read_whole_file(hmm / name));
  if (!fs::exists(dir / "mdef.txt")) {
    auto tmp = dir / (".mdef.txt." + std::to_string(::getpid()) + ".tmp"); // the tool writes it
    run_tool(opts, {opts.mdef_convert, "-text", (hmm / "mdef").string(), tmp.string()},
             "pocketsphinx_mdef_convert");
    fs::rename(tmp, dir / "mdef.txt", ec);
    if (ec)
      throw speech_error("cannot write " + (dir / "mdef.txt").string());
  }
  if (!fs::exists(dir / "mixture_weights"))
    write_mixture_weights(read_sendump(hmm / "sendump"), dir / "mixture_weights");
  return dir;
}

namespace {

/// Empties `dir` (a tool's earlier run may have left files) and makes its `subdirs`.
void fresh_work_dir(const fs::path& dir, std::initializer_list<const char*> subdirs) {
  std::error_code ec;
  fs::remove_all(dir, ec);
  for (const char* sub : subdirs)
    fs::create_directories(dir / sub, ec);
  if (ec)
    throw speech_error("cannot create " + dir.string() + ": " + ec.message());
}

/// The name of the `i`th utterance in a tool's file list.
std::string utterance_id(size_t i) {
  auto digits = std::to_string(i);
  return "u" + std::string(digits.size() < 5 ? 5 - digits.size() : 0, '0') + digits;
}

/// The words of pocketsphinx's dictionary (alternate pronunciations' "(2)" left out).
std::unordered_set<std::string> dictionary_words(const fs::path& dict) {
  std::ifstream in{dict};
  if (!in)
    throw speech_error("cannot read the dictionary " + dict.string());
  std::unordered_set<std::string> words;
  for (std::string line; std::getline(in, line);) {
    auto word = line.substr(0, line.find_first_of(" \t("));
    if (!word.empty())
      words.insert(word);
  }
  return words;
}

} // namespace

void compute_features(const adaptation_options& opts,
                      const std::vector<adaptation_utterance>& utterances,
                      const std::vector<fs::path>& mfc, const fs::path& work_dir) {
  if (mfc.size() != utterances.size())
    throw speech_error("compute_features: one feature file per utterance");
  if (utterances.empty())
    return;
  auto model = prepare_adaptation_model(opts);
  fresh_work_dir(work_dir, {"raw", "mfc"});
  std::error_code ec;
  std::string fileids;
  for (size_t i = 0; i < utterances.size(); ++i) {
    const auto& pcm = utterances[i].pcm;
    replace_file_atomically(
        work_dir / "raw" / (utterance_id(i) + ".raw"),
        std::string(reinterpret_cast<const char*>(pcm.data()), pcm.size() * sizeof(int16_t)));
    fileids += utterance_id(i) + "\n";
  }
  replace_file_atomically(work_dir / "fileids", fileids);
  auto w = [&](const char* name) { return (work_dir / name).string(); };
  // The features exactly as the decoder computes them (the model's feat.params, 16 kHz).
  run_tool(opts,
           {opts.sphinx_fe, "-argfile", (model / "feat.params").string(), "-samprate", "16000",
            "-c", w("fileids"), "-di", w("raw"), "-ei", "raw", "-do", w("mfc"), "-eo", "mfc",
            "-raw", "yes", "-input_endian", "little"},
           "sphinx_fe");
  for (size_t i = 0; i < utterances.size(); ++i) {
    fs::rename(work_dir / "mfc" / (utterance_id(i) + ".mfc"), mfc[i], ec);
    if (ec)
      throw speech_error("sphinx_fe wrote no features for " + mfc[i].string() + ": " +
                         ec.message());
  }
  fs::remove_all(work_dir, ec);
}

std::string estimate_transform(const adaptation_options& opts,
                               const std::vector<adaptation_utterance>& utterances,
                               const std::string& prior, const fs::path& work_dir) {
  std::error_code ec;
  auto features = work_dir.string() + ".features";
  fs::remove_all(features, ec);
  fs::create_directories(features, ec);
  std::vector<fs::path> mfc;
  std::vector<utterance_features> heard;
  for (size_t i = 0; i < utterances.size(); ++i) {
    mfc.push_back(fs::path{features} / (utterance_id(i) + ".mfc"));
    heard.push_back({mfc.back(), utterances[i].words});
  }
  compute_features(opts, utterances, mfc, work_dir);
  auto out = estimate_transform(opts, heard, prior, work_dir);
  fs::remove_all(features, ec);
  return out;
}

std::string estimate_transform(const adaptation_options& opts,
                               const std::vector<utterance_features>& utterances,
                               const std::string& prior, const fs::path& work_dir) {
  auto model = prepare_adaptation_model(opts);
  auto dict = opts.model_dir / "cmudict-en-us.dict";
  auto known = dictionary_words(dict);
  fresh_work_dir(work_dir, {"mfc", "accum"});
  std::error_code ec;
  std::string fileids, transcription;
  size_t n = 0;
  for (const auto& u : utterances) {
    std::string words;
    for (const auto& w : u.words)
      if (known.count(w) != 0)
        words += w + " ";
    if (words.empty())
      continue; // nothing to align
    auto id = utterance_id(n++);
    // bw wants its features in one directory, named as the transcription names them.
    auto linked = work_dir / "mfc" / (id + ".mfc");
    fs::create_hard_link(u.mfc, linked, ec);
    if (ec && !fs::copy_file(u.mfc, linked, ec))
      throw speech_error("cannot read the features " + u.mfc.string() + ": " + ec.message());
    fileids += id + "\n";
    transcription += "<s> " + words + "</s> (" + id + ")\n";
  }
  if (n == 0)
    throw speech_error("nothing to adapt to: no utterance has words the dictionary knows");
  replace_file_atomically(work_dir / "fileids", fileids);
  replace_file_atomically(work_dir / "transcription", transcription);
  auto w = [&](const char* name) { return (work_dir / name).string(); };
  auto m = [&](const char* name) { return (model / name).string(); };
  // The model pocketsphinx decodes with, its features as feat.params describes them.
  const std::pair<std::string, std::string> bw_args[] = {{"-hmmdir", model.string()},
                                                         {"-meanfn", m("means")},
                                                         {"-varfn", m("variances")},
                                                         {"-mixwfn", m("mixture_weights")},
                                                         {"-tmatfn", m("transition_matrices")},
                                                         {"-moddeffn", m("mdef.txt")},
                                                         {"-ts2cbfn", ".ptm."},
                                                         {"-feat", "1s_c_d_dd"},
                                                         {"-svspec", "0-12/13-25/26-38"},
                                                         {"-cmn", "batch"},
                                                         {"-agc", "none"},
                                                         {"-varnorm", "no"},
                                                         {"-dictfn", dict.string()},
                                                         {"-fdictfn", m("noisedict")},
                                                         {"-ctlfn", w("fileids")},
                                                         {"-lsnfn", w("transcription")},
                                                         {"-cepdir", w("mfc")},
                                                         {"-accumdir", w("accum")}};
  std::vector<std::string> bw{(opts.sphinxtrain_dir / "bw").string()};
  for (const auto& [name, value] : bw_args)
    bw.insert(bw.end(), {name, value});
  if (!prior.empty()) {
    replace_file_atomically(work_dir / "prior.mllr", prior);
    bw.insert(bw.end(), {"-mllrmat", w("prior.mllr")});
  }
  run_tool(opts, bw, "bw");
  run_tool(opts,
           {(opts.sphinxtrain_dir / "mllr_solve").string(), "-meanfn", m("means"), "-varfn",
            m("variances"), "-outmllrfn", w("out.mllr"), "-accumdir", w("accum")},
           "mllr_solve");
  auto out = read_whole_file(work_dir / "out.mllr");
  if (out.empty())
    throw speech_error("mllr_solve wrote an empty transform");
  return out;
}

} // namespace vfb
