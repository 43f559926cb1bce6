// The `vfb` command line on CLI11: the command table (apps/command_table.cpp) becomes CLI11
// subcommands with their options and positionals; CLI11 parses, and this file turns the result
// into the `invocation` the commands read, with vfb's own help texts and one-line usage errors
// (exit code 2). Global options may come before or after the command.
#include "apps/cli.hpp"

#include "apps/command_table.hpp"
#include "text/numbers.hpp"

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>
#include <unistd.h>

namespace vfb::cli {

std::optional<std::string> invocation::value(const std::string& opt) const {
  auto it = options.find(opt);
  if (it == options.end() || it->second.empty())
    return std::nullopt;
  return it->second.back();
}

std::string invocation::required(const std::string& opt) const {
  auto v = value(opt);
  if (!v || v->empty())
    throw usage_error("missing " + opt + " (see --help)");
  return *v;
}

std::optional<int64_t> bounded_option(const invocation& inv, const std::string& opt, int64_t lo,
                                      int64_t hi) {
  auto v = inv.value(opt);
  if (!v)
    return std::nullopt;
  auto n = text::parse_int_in(*v, lo, hi);
  if (!n)
    throw usage_error(opt + " needs a number from " + std::to_string(lo) + " to " +
                      std::to_string(hi) + ", got '" + *v + "'");
  return n;
}

uint64_t parse_id(const std::string& text, const char* what) {
  auto id = text::parse_id(text);
  if (!id)
    throw usage_error("'" + text + "' is not a " + what + " id (a positive number)");
  return *id;
}

namespace {

/// An option as declared to CLI11, and where its values are found after parsing.
struct declared_option {
  std::string name;
  CLI::Option* option;
  bool is_flag;
};

/// A command's CLI11 subcommand with its declared options and positionals.
struct declared_command {
  const command* cmd;
  std::vector<declared_option> options;
  std::vector<CLI::Option*> positionals;
};

declared_option declare(CLI::App& app, const option_spec& spec) {
  if (spec.value_name.empty())
    return {spec.name, app.add_flag(spec.name, spec.help)->disable_flag_override(), true};
  auto* opt = app.add_option(spec.name, spec.help)
                  ->type_name(spec.value_name)
                  ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll); // the last one wins
  return {spec.name, opt, false};
}

/// The whole command line as CLI11 sees it.
class parser {
public:
  parser() {
    app_.require_subcommand(0, 1); // one command; later words are its arguments
    app_.allow_extras();           // unknown words are reported below, in vfb's words
    app_.fallthrough();            // global options may follow the command
    for (const auto& spec : global_options())
      globals_.push_back(declare(app_, spec));
    for (const auto& c : commands()) {
      CLI::App* parent = &app_;
      if (c.path.size() > 1) {
        auto it = groups_.find(c.path.front());
        if (it == groups_.end())
          it = groups_.emplace(c.path.front(), app_.add_subcommand(c.path.front())).first;
        parent = it->second;
      }
      auto* sub = parent->add_subcommand(c.path.back(), c.help.substr(0, c.help.find('\n')));
      declared_command d{&c, {}, {}};
      for (const auto& spec : c.options)
        d.options.push_back(declare(*sub, spec));
      for (const auto& p : c.positionals)
        d.positionals.push_back(sub->add_option(p.name, p.help));
      commands_.emplace(sub, std::move(d));
    }
  }

  CLI::App& app() { return app_; }

  /// The innermost subcommand given (the app itself when none).
  CLI::App* chosen() {
    CLI::App* at = &app_;
    while (!at->get_subcommands().empty())
      at = at->get_subcommands().front();
    return at;
  }

  const declared_command* command_of(CLI::App* sub) const {
    auto it = commands_.find(sub);
    return it == commands_.end() ? nullptr : &it->second;
  }

  /// The group word of a group subcommand ("follow"), or empty.
  std::string group_of(CLI::App* sub) const {
    for (const auto& [word, app] : groups_)
      if (app == sub)
        return word;
    return {};
  }

  /// What CLI11 did not place: unknown options and surplus words ("--" itself left out).
  std::vector<std::string> extras() {
    std::vector<std::string> out;
    for (auto& word : app_.remaining(true))
      if (word != "--")
        out.push_back(word);
    return out;
  }

  /// The commands' view of what was given.
  invocation invocation_for(const declared_command& d) const {
    invocation inv;
    for (auto* p : d.positionals)
      for (const auto& word : p->results())
        inv.words.push_back(word);
    auto collect = [&](const declared_option& o) {
      if (o.option->count() == 0)
        return;
      if (o.is_flag)
        inv.options[o.name].assign(o.option->count(), std::string{});
      else
        inv.options[o.name] = o.option->results();
    };
    for (const auto& o : globals_)
      collect(o);
    for (const auto& o : d.options)
      collect(o);
    return inv;
  }

  /// A command's --help: the usage line, the text, and the options and positionals as
  /// declared (CLI11 lists them).
  std::string help_of(const declared_command& d, CLI::App* sub) const {
    auto listing = formatter_.make_positionals(sub) + formatter_.make_groups(sub, {});
    return "Usage: " + d.cmd->usage + "\n\n" + d.cmd->help + "\n" + listing;
  }

  /// `vfb GROUP --help`: each subcommand's usage and the first line of its help.
  std::string group_help(const std::string& group) const {
    std::string out = "Usage: vfb " + group + " SUBCOMMAND [options]\n\nSubcommands:\n";
    for (auto& c : commands())
      if (c.path.size() > 1 && c.path.front() == group)
        out += "  " + c.usage + "\n      " + c.help.substr(0, c.help.find('\n')) + "\n";
    return out + "\nvfb " + group + " SUBCOMMAND --help explains one of them; vfb --help lists " +
           "the global options.\n";
  }

private:
  CLI::App app_{"vfb - video follow & backfill", "vfb"};
  CLI::Formatter formatter_;
  std::vector<declared_option> globals_;
  std::map<std::string, CLI::App*> groups_;
  std::map<CLI::App*, declared_command> commands_;
};

/// CLI11's complaint about an option's value, in vfb's words.
std::string option_problem(const CLI::ArgumentMismatch& e) {
  std::string what = e.what();
  auto name = what.substr(0, what.find_first_of(": "));
  if (name.rfind("-", 0) != 0) // CLI11 names a flag without its dashes here
    name = "--" + name;
  if (what.find("flag override") != std::string::npos)
    return name + " takes no value";
  if (what.find("missing") != std::string::npos)
    return name + " needs a value";
  return what;
}

std::filesystem::path home_path(const char* rel) {
  const char* home = std::getenv("HOME");
  return std::filesystem::path(home != nullptr ? home : "/") / rel;
}

vfb_config load(const invocation& inv) {
  std::filesystem::path file;
  if (auto c = inv.value("--config"))
    file = *c;
  else if (const char* env = std::getenv("VFB_CONFIG"); env != nullptr && *env != '\0')
    file = env;
  else if (auto def = home_path(".config/vfb/vfb.conf"); std::filesystem::exists(def))
    file = def;
  std::map<std::string, std::string> overrides;
  if (auto it = inv.options.find("--set"); it != inv.options.end())
    for (auto& kv : it->second) {
      auto eq = kv.find('=');
      if (eq == std::string::npos || eq == 0)
        throw usage_error("--set needs SECTION.KEY=VALUE, got '" + kv + "'");
      overrides[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
  return load_config(file, overrides, process_environment());
}

std::filesystem::path data_dir(const invocation& inv, const vfb_config& cfg) {
  if (auto d = inv.value("--data-dir"))
    return *d;
  if (const char* env = std::getenv("VFB_DATA_DIR"); env != nullptr && *env != '\0')
    return env;
  if (!cfg.storage.data_dir.empty())
    return cfg.storage.data_dir;
  return home_path(".local/share/vfb");
}

/// Help asked for with --help (or -h): the global text, a group's list, or a command's own.
int print_help(parser& p, std::ostream& out) {
  auto* sub = p.chosen();
  if (auto* d = p.command_of(sub))
    out << p.help_of(*d, sub);
  else if (auto group = p.group_of(sub); !group.empty())
    out << p.group_help(group);
  else
    out << global_help;
  return exit_ok;
}

/// Checks what CLI11 could not place against the command's usage; usage_error when wrong.
void check_arguments(const declared_command& d, const std::vector<std::string>& extras,
                     size_t given) {
  const auto& cmd = *d.cmd;
  for (const auto& word : extras)
    if (word.size() > 1 && word[0] == '-')
      throw usage_error("unknown option " + word.substr(0, word.find('=')) +
                        " (usage: " + cmd.usage + ")");
  // Positional slots left empty, yet words CLI11 could not place: they came before the command.
  if (!extras.empty() && given < cmd.positionals.size())
    throw usage_error("unknown command '" + extras.front() + "' (see vfb --help)");
  auto positionals = given + extras.size();
  auto least = cmd.required_positionals;
  auto most = cmd.positionals.size();
  if (positionals < least || positionals > most)
    throw usage_error("expected " +
                      (least == most ? std::to_string(least)
                                     : std::to_string(least) + " to " + std::to_string(most)) +
                      " argument" + (most == 1 ? "" : "s") + " (usage: " + cmd.usage + ")");
}

/// The first word CLI11 could not place (not an option), if any.
std::optional<std::string> first_word(const std::vector<std::string>& extras) {
  for (const auto& word : extras)
    if (word.size() < 2 || word[0] != '-')
      return word;
  return std::nullopt;
}

/// `--tenant=` with nothing after the `=`: CLI11 would take the next argument as the value,
/// so an empty value is refused here, as a value every option needs.
void refuse_empty_values(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string_view arg{argv[i]};
    if (arg == "--")
      return; // what follows is positional (a URL that looks like an option)
    if (arg.size() > 3 && arg.substr(0, 2) == "--" && arg.find('=') == arg.size() - 1)
      throw usage_error(std::string{arg.substr(0, arg.size() - 1)} + " needs a value");
  }
}

} // namespace

int run(int argc, char** argv, std::ostream& out, std::ostream& err) {
  try {
    parser p;
    refuse_empty_values(argc, argv);
    try {
      p.app().parse(argc, argv);
    } catch (const CLI::CallForHelp&) {
      return print_help(p, out);
    } catch (const CLI::ArgumentMismatch& e) {
      throw usage_error(option_problem(e));
    } catch (const CLI::ParseError& e) {
      throw usage_error(e.what());
    }
    auto* sub = p.chosen();
    auto extras = p.extras();
    auto word = first_word(extras);
    if (sub == &p.app()) { // no command
      if (word == "help") {
        out << global_help;
        return exit_ok;
      }
      if (word)
        throw usage_error("unknown command '" + *word + "' (see vfb --help)");
      err << global_help;
      return exit_usage;
    }
    auto* d = p.command_of(sub);
    if (d == nullptr) { // a group without a known subcommand
      auto group = p.group_of(sub);
      if (word == "help") { // vfb help GROUP
        out << p.group_help(group);
        return exit_ok;
      }
      if (word)
        throw usage_error("unknown command '" + group + " " + *word + "' (see vfb " + group +
                          " --help)");
      err << p.group_help(group);
      return exit_usage;
    }
    auto inv = p.invocation_for(*d);
    if (word == "help") // vfb help COMMAND
      return print_help(p, out);
    check_arguments(*d, extras, inv.words.size());
    auto cfg = load(inv);
    auto dir = data_dir(inv, cfg);
    context ctx{inv,
                cfg,
                dir,
                out,
                err,
                inv.has("--json"),
                &out == &std::cout && ::isatty(STDOUT_FILENO) == 1};
    return d->cmd->run(ctx);
  } catch (const usage_error& e) {
    err << "vfb: " << e.what() << "\n";
    return exit_usage;
  } catch (const config_error& e) {
    err << "vfb: config: " << e.what() << "\n";
    return exit_usage;
  } catch (const std::exception& e) {
    err << "vfb: " << e.what() << "\n";
    return exit_usage;
  }
}

} // namespace vfb::cli
