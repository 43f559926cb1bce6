// How the benchmarks read their command line: with CLI11, as vfb's own commands do, so that
// --help, unknown options and values that are not numbers are answered alike.
#pragma once

#include <CLI/CLI.hpp>
#include <iostream>
#include <optional>

namespace vfb::bench {

/// Parses argv into `app`'s options. The exit code when the program is to stop at once: 0
/// after printing --help, 2 after saying what is wrong with the command line; nullopt to go on.
inline std::optional<int> parse_options(CLI::App& app, int argc, char** argv) {
  try {
    app.parse(argc, argv);
    return std::nullopt;
  } catch (const CLI::CallForHelp&) {
    std::cout << app.help();
    return 0;
  } catch (const CLI::ParseError& e) {
    std::cerr << app.get_name() << ": " << e.what() << "\n" << app.help();
    return 2;
  }
}

} // namespace vfb::bench
