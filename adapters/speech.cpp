#include "adapters/speech.hpp"

#include "adapters/process.hpp"
#include "adapters/voice_activity.hpp"
#include "adapters/vtt.hpp"
#include "text/files.hpp"
#include "text/spoken_words.hpp"
#include "text/tokenizer.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <pocketsphinx.h>
#include <sphinxbase/ckd_alloc.h>
#include <sphinxbase/ngram_model.h>
#include <sstream>
#include <unistd.h>

namespace vfb {

namespace {

constexpr int sample_rate = 16000;
constexpr int frames_per_second = 100; // pocketsphinx's default frame rate
constexpr size_t max_utterance = 25 * sample_rate;
constexpr size_t min_utterance = 15 * sample_rate;
constexpr int64_t pause_ms = 300;
constexpr size_t words_per_segment = 12;

struct word {
  std::string text;
  int64_t start_ms;
  int64_t end_ms;
};

/// Where to cut a span [from, end) longer than max_utterance: at the quietest 10 ms between 15
/// and 25 s on.
size_t quietest_cut(const std::vector<int16_t>& pcm, size_t from) {
  constexpr size_t frame = sample_rate / 100;
  size_t best = from + max_utterance;
  double quietest = 1e300;
  for (size_t at = from + min_utterance; at + frame <= from + max_utterance; at += frame) {
    double energy = mean_power(pcm, at, at + frame);
    if (energy < quietest) {
      quietest = energy;
      best = at + frame / 2;
    }
  }
  return best;
}

/// What is decoded as one utterance: spans of speech, in order, the silence between them left
/// out (at most max_utterance samples in all).
using utterance_spans = std::vector<sample_span>;

/// The recording's speech (speech_spans) in utterances: spans longer than max_utterance are cut
/// at their quietest moment; consecutive spans are decoded together while they fit, because the
/// recogniser normalises its features per utterance and short ones give it too little to go on.
std::vector<utterance_spans> utterances(const std::vector<int16_t>& pcm) {
  std::vector<sample_span> pieces;
  for (auto span : speech_spans(pcm)) {
    while (span.end - span.begin > max_utterance) {
      auto cut = quietest_cut(pcm, span.begin);
      pieces.push_back({span.begin, cut});
      span.begin = cut;
    }
    pieces.push_back(span);
  }
  std::vector<utterance_spans> out;
  size_t length = 0;
  for (auto& p : pieces) {
    if (out.empty() || length + (p.end - p.begin) > max_utterance) {
      out.emplace_back();
      length = 0;
    }
    out.back().push_back(p);
    length += p.end - p.begin;
  }
  return out;
}

/// The time in the recording of sample `at` of an utterance's decoded audio.
int64_t recording_ms(const utterance_spans& u, size_t at) {
  for (const auto& p : u) {
    if (at < p.end - p.begin)
      return static_cast<int64_t>(p.begin + at) * 1000 / sample_rate;
    at -= p.end - p.begin;
  }
  return static_cast<int64_t>(u.back().end) * 1000 / sample_rate;
}

/// A recognised word without pocketsphinx's markers: "(2)" alternates; nullopt for silence and
/// fillers (<s>, </s>, <sil>, [NOISE], ++UH++).
std::optional<std::string> spoken(const char* w) {
  std::string s = w != nullptr ? w : "";
  if (s.empty() || s[0] == '<' || s[0] == '[' || s[0] == '+')
    return std::nullopt;
  if (auto paren = s.find('('); paren != std::string::npos)
    s.erase(paren);
  return s.empty() ? std::nullopt : std::optional<std::string>{s};
}

std::vector<transcript_segment> group(const std::vector<word>& words) {
  std::vector<transcript_segment> out;
  size_t in_segment = 0;
  for (auto& w : words) {
    bool fresh = out.empty() || w.start_ms - out.back().end_ms >= pause_ms ||
                 in_segment == words_per_segment;
    if (fresh) {
      out.push_back({w.start_ms, w.end_ms, w.text});
      in_segment = 1;
    } else {
      out.back().text += " " + w.text;
      out.back().end_ms = w.end_ms;
      ++in_segment;
    }
  }
  return out;
}

} // namespace

struct speech_recognizer::impl {
  cmd_ln_t* config = nullptr;
  ps_decoder_t* decoder = nullptr;
  std::string default_search; // the general language model's search
  double context_weight = 0;
  double confidence = -1;                            // of the last transcribe
  std::vector<speech_recognizer::utterance> decoded; // of the last transcribe
  std::string transform;                             // the speaker transform in use; empty: none

  bool known(const std::string& w) const {
    char* phones = ps_lookup_word(decoder, w.c_str());
    if (phones == nullptr)
      return false;
    ckd_free(phones);
    return true;
  }

  /// Makes the search "context" current: the general model interpolated with a unigram model
  /// of `words`. False (the general search stays) when that cannot be built.
  bool use_context(const std::vector<std::string>& words) {
    if (words.empty())
      return false;
    // The unigram model as ARPA text: every word (and the sentence end) equally likely.
    char path[] = "/tmp/vfb-context-lm-XXXXXX";
    int fd = ::mkstemp(path);
    if (fd < 0)
      return false;
    ::close(fd);
    {
      std::ofstream arpa{path};
      auto logp = std::log10(1.0 / static_cast<double>(words.size() + 1));
      arpa << "\\data\\\nngram 1=" << words.size() + 2 << "\n\n\\1-grams:\n-99 <s>\n"
           << logp << " </s>\n";
      for (const auto& w : words)
        arpa << logp << ' ' << w << '\n';
      arpa << "\n\\end\\\n";
    }
    ngram_model_t* own = ngram_model_read(config, path, NGRAM_ARPA, ps_get_logmath(decoder));
    std::remove(path);
    ngram_model_t* general = ps_get_lm(decoder, default_search.c_str());
    if (own == nullptr || general == nullptr) {
      if (own != nullptr)
        ngram_model_free(own);
      return false;
    }
    ngram_model_t* models[] = {ngram_model_retain(general), own};
    char general_name[] = "general", own_name[] = "context";
    char* names[] = {general_name, own_name};
    float32 weights[] = {static_cast<float32>(1 - context_weight),
                         static_cast<float32>(context_weight)};
    ngram_model_t* set = ngram_model_set_init(config, models, names, weights, 2);
    // The set and the search keep references of their own.
    ngram_model_free(models[0]);
    ngram_model_free(models[1]);
    if (set == nullptr)
      return false;
    bool ok = ps_set_lm(decoder, "context", set) == 0 && ps_set_search(decoder, "context") == 0;
    ngram_model_free(set);
    if (!ok)
      ps_set_search(decoder, default_search.c_str());
    return ok;
  }

  ~impl() {
    if (decoder != nullptr)
      ps_free(decoder);
    if (config != nullptr)
      cmd_ln_free_r(config);
  }
};

speech_recognizer::speech_recognizer(const speech_options& opts) : impl_(std::make_unique<impl>()) {
  auto hmm = opts.model_dir / "en-us";
  auto lm = opts.model_dir / "en-us.lm.bin";
  auto dict = opts.model_dir / "cmudict-en-us.dict";
  for (auto& p : {hmm, lm, dict}) {
    std::error_code ec;
    if (!std::filesystem::exists(p, ec))
      throw speech_error("speech model missing: " + p.string() +
                         " (install pocketsphinx-en-us or set speech.model_dir)");
  }
  // -remove_silence no: pocketsphinx's own silence removal drops frames, and with them every
  // later word's time shifts (by a second after two seconds of silence); speech_spans leaves
  // out the silence instead, and keeps the times. The second, flat-lexicon pass
  // (-fwdflat) stays: without it LibriVox had 2 errors fewer in 71 words, but the Asterisk
  // prompts 36 more in 3,286 (transcribe_bench, "no-fwdflat").
  std::vector<std::string> args{
      "-hmm",        hmm.string(), "-lm",       lm.string(),       "-dict",
      dict.string(), "-logfn",     "/dev/null", "-remove_silence", "no"};
  // decoder_args come in pairs; one that names an option of vfb's replaces its value
  // (pocketsphinx refuses an option given twice).
  for (size_t i = 0; i < opts.decoder_args.size(); i += 2) {
    const auto& name = opts.decoder_args[i];
    auto value = i + 1 < opts.decoder_args.size() ? opts.decoder_args[i + 1] : std::string{};
    auto own = std::find(args.begin(), args.end(), name);
    if (own != args.end() && own + 1 != args.end())
      *(own + 1) = value;
    else
      args.insert(args.end(), {name, value});
  }
  std::vector<char*> argv;
  for (auto& a : args)
    argv.push_back(a.data());
  impl_->config =
      cmd_ln_parse_r(nullptr, ps_args(), static_cast<int32>(argv.size()), argv.data(), TRUE);
  if (impl_->config == nullptr)
    throw speech_error("pocketsphinx rejected its configuration");
  impl_->decoder = ps_init(impl_->config);
  if (impl_->decoder == nullptr)
    throw speech_error("pocketsphinx could not load the models in " + opts.model_dir.string());
  impl_->default_search = ps_get_search(impl_->decoder);
  impl_->context_weight = opts.context_weight;
}

std::vector<std::string> speech_recognizer::context_words(std::string_view context) {
  std::vector<std::string> out;
  for (auto& w : text::content_terms(context))
    if (std::find(out.begin(), out.end(), w) == out.end() && impl_->known(w))
      out.push_back(std::move(w));
  return out;
}

speech_recognizer::~speech_recognizer() = default;

const std::vector<speech_recognizer::utterance>& speech_recognizer::last_utterances() const {
  return impl_->decoded;
}

namespace {

/// The identity transform of the shape of `transform` (sphinxtrain's MLLR text: classes,
/// streams, then per stream its length, the matrix A, the offset b and the variance scale h).
std::string identity_like(const std::string& transform) {
  std::istringstream in{transform};
  int classes = 0, streams = 0;
  if (!(in >> classes >> streams) || classes < 1 || streams < 1)
    throw speech_error("a speaker transform with no streams");
  std::vector<int> lengths;
  for (int s = 0; s < streams; ++s) {
    int n = 0;
    if (!(in >> n) || n < 1 || n > 256)
      throw speech_error("a speaker transform with a bad stream length");
    lengths.push_back(n);
    double skip = 0;
    for (int i = 0; i < n * n + 2 * n; ++i)
      in >> skip;
  }
  std::ostringstream out;
  out << classes << "\n" << streams << "\n";
  for (int c = 0; c < classes; ++c)
    for (int n : lengths) {
      out << n << "\n";
      for (int i = 0; i < n; ++i) {
        for (int j = 0; j < n; ++j)
          out << (i == j ? "1.0 " : "0.0 ");
        out << "\n";
      }
      for (int j = 0; j < n; ++j)
        out << "0.0 ";
      out << "\n";
      for (int j = 0; j < n; ++j)
        out << "1.0 ";
      out << "\n";
    }
  return out.str();
}

} // namespace

void speech_recognizer::set_transform(const std::string& transform) {
  if (transform == impl_->transform)
    return;
  // pocketsphinx applies a transform to the means it reloads from the model, so the identity
  // brings back the unadapted model exactly.
  auto text = transform.empty() ? identity_like(impl_->transform) : transform;
  char path[] = "/tmp/vfb-mllr-XXXXXX";
  int fd = ::mkstemp(path);
  if (fd < 0)
    throw speech_error("cannot write a speaker transform to /tmp");
  ::close(fd);
  {
    std::ofstream out{path};
    out << text;
  }
  ps_mllr_t* mllr = ps_mllr_read(path);
  std::remove(path);
  if (mllr == nullptr)
    throw speech_error("pocketsphinx could not read the speaker transform");
  ps_update_mllr(impl_->decoder, mllr); // the decoder keeps it
  impl_->transform = transform;
}

double speech_recognizer::confidence() const {
  return impl_->confidence;
}

std::vector<transcript_segment> speech_recognizer::transcribe(const std::vector<int16_t>& pcm,
                                                              const speech_progress& progress,
                                                              const std::atomic<bool>* cancel,
                                                              std::string_view context) {
  std::vector<word> words;
  auto* ps = impl_->decoder;
  // With biasing off (speech_options::context_weight 0) not even the words are looked up.
  bool biased = impl_->context_weight > 0 && impl_->use_context(context_words(context));
  struct restore { // the next recording starts from the general model again
    impl* m;
    bool on;
    ~restore() {
      if (on)
        ps_set_search(m->decoder, m->default_search.c_str());
    }
  } back{impl_.get(), biased};
  std::vector<int16_t> audio;
  double posterior_sum = 0;
  size_t posterior_words = 0;
  impl_->decoded.clear();
  for (const auto& u : utterances(pcm)) {
    if (cancel != nullptr && cancel->load())
      break;
    audio.clear();
    for (const auto& p : u)
      audio.insert(audio.end(), pcm.begin() + static_cast<std::ptrdiff_t>(p.begin),
                   pcm.begin() + static_cast<std::ptrdiff_t>(p.end));
    if (ps_start_utt(ps) < 0)
      throw speech_error("pocketsphinx could not start an utterance");
    // The whole utterance at once (full_utt): pocketsphinx then normalises the cepstrum over
    // all of it instead of estimating it live, which matters a lot for short recordings.
    ps_process_raw(ps, audio.data(), audio.size(), FALSE, TRUE);
    ps_end_utt(ps);
    constexpr size_t samples_per_frame = sample_rate / frames_per_second;
    auto& heard = impl_->decoded.emplace_back(utterance{u, {}}).words;
    for (auto* seg = ps_seg_iter(ps); seg != nullptr; seg = ps_seg_next(seg)) {
      auto text = spoken(ps_seg_word(seg));
      if (!text)
        continue;
      int sf = 0, ef = 0;
      ps_seg_frames(seg, &sf, &ef);
      int32 ascr = 0, lscr = 0, lback = 0;
      // The word's posterior probability in the utterance's lattice (log base of logmath).
      posterior_sum += logmath_exp(ps_get_logmath(ps), ps_seg_prob(seg, &ascr, &lscr, &lback));
      ++posterior_words;
      heard.push_back(*text);
      words.push_back({*text, recording_ms(u, static_cast<size_t>(sf) * samples_per_frame),
                       recording_ms(u, static_cast<size_t>(ef + 1) * samples_per_frame)});
    }
    if (progress)
      progress(static_cast<double>(u.back().end) / static_cast<double>(pcm.size()));
  }
  // The silence after the last words is done too.
  if (progress && !(cancel != nullptr && cancel->load()))
    progress(1.0);
  impl_->confidence =
      posterior_words == 0 ? -1 : posterior_sum / static_cast<double>(posterior_words);
  return group(words);
}

std::vector<std::string> split_command(const std::string& command) {
  std::vector<std::string> words;
  std::string cur;
  bool in_word = false, quoted = false;
  for (size_t i = 0; i < command.size(); ++i) {
    char c = command[i];
    if (c == '\\' && i + 1 < command.size()) {
      cur.push_back(command[++i]);
      in_word = true;
    } else if (c == '"') {
      quoted = !quoted;
      in_word = true;
    } else if ((c == ' ' || c == '\t') && !quoted) {
      if (in_word)
        words.push_back(std::move(cur));
      cur.clear();
      in_word = false;
    } else {
      cur.push_back(c);
      in_word = true;
    }
  }
  if (quoted)
    throw speech_error("speech.external_command has an unterminated quote");
  if (in_word)
    words.push_back(std::move(cur));
  return words;
}

namespace {

std::optional<int64_t> whisper_time(const std::string& s) {
  int h = 0, m = 0, sec = 0, ms = 0;
  char tail = 0;
  if (std::sscanf(s.c_str(), "%d:%d:%d.%d%c", &h, &m, &sec, &ms, &tail) != 4)
    return std::nullopt;
  if (h < 0 || m < 0 || m > 59 || sec < 0 || sec > 59 || ms < 0 || ms > 999)
    return std::nullopt; // not a time, and negative ones would go backwards

  return ((static_cast<int64_t>(h) * 60 + m) * 60 + sec) * 1000 + ms;
}

} // namespace

std::vector<transcript_segment> parse_whisper_lines(std::string_view out) {
  std::vector<transcript_segment> segs;
  std::istringstream in{std::string{out}};
  for (std::string line; std::getline(in, line);) {
    if (line.size() < 2 || line[0] != '[')
      continue;
    auto close = line.find(']');
    auto arrow = line.find(" --> ");
    if (close == std::string::npos || arrow == std::string::npos || arrow > close)
      continue;
    auto start = whisper_time(line.substr(1, arrow - 1));
    auto end = whisper_time(line.substr(arrow + 5, close - arrow - 5));
    auto text = line.substr(close + 1);
    text.erase(0, text.find_first_not_of(" \t"));
    if (start && end && *start <= *end && !text.empty())
      segs.push_back({*start, *end, text});
  }
  return segs;
}

std::vector<transcript_segment> transcribe_external(const speech_options& opts,
                                                    const std::filesystem::path& wav,
                                                    const std::filesystem::path& work_dir,
                                                    const std::atomic<bool>* cancel) {
  auto out_prefix = (work_dir / "external-transcript").string();
  process_options po;
  for (auto word : split_command(opts.external_command)) {
    for (auto [token, value] :
         {std::pair<std::string, std::string>{"{wav}", wav.string()}, {"{out}", out_prefix}})
      for (size_t at; (at = word.find(token)) != std::string::npos;)
        word.replace(at, token.size(), value);
    po.argv.push_back(std::move(word));
  }
  if (po.argv.empty())
    throw speech_error("speech.external_command is empty");
  po.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(opts.timeout);
  po.cancel = cancel;
  auto r = run_process(po);
  if (!r.ok())
    throw speech_error("external transcriber " + r.describe() +
                       (r.err.empty() ? std::string{} : ": " + r.err.substr(0, 300)));
  if (auto vtt = text::read_file(out_prefix + ".vtt")) {
    try {
      return parse_vtt(*vtt).segments;
    } catch (const vtt_error& e) {
      throw speech_error(std::string{"external transcriber wrote bad WebVTT: "} + e.what());
    }
  }
  return parse_whisper_lines(r.out);
}

double word_error_rate(const std::string& reference, const std::string& hypothesis) {
  auto count = word_errors(reference, hypothesis);
  if (count.words == 0)
    return count.errors == 0 ? 0.0 : 1.0;
  return static_cast<double>(count.errors) / static_cast<double>(count.words);
}

word_errors_count word_errors(const std::string& reference, const std::string& hypothesis) {
  // Both as spoken: "press 1" said as "press one" is no error.
  auto ref = text::spoken_words(reference);
  auto hyp = text::spoken_words(hypothesis);
  std::vector<size_t> prev(hyp.size() + 1), cur(hyp.size() + 1);
  for (size_t j = 0; j <= hyp.size(); ++j)
    prev[j] = j;
  for (size_t i = 1; i <= ref.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= hyp.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ref[i - 1] != hyp[j - 1])});
    std::swap(prev, cur);
  }
  return {prev[hyp.size()], ref.size()};
}

} // namespace vfb
