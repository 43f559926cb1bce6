#include "apps/cli.hpp"

#include <iostream>

int main(int argc, char** argv) {
  return vfb::cli::run(argc, argv, std::cout, std::cerr);
}
