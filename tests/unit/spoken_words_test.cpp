// Written text as it is spoken (text::spoken_words), which the recogniser's scoring compares.
#include "text/spoken_words.hpp"

#include <catch2/catch.hpp>

using namespace vfb::text;
using words = std::vector<std::string>;

TEST_CASE("numbers are spelt out as a speaker says them") {
  CHECK(spoken_words("press 1 now") == words{"press", "one", "now"});
  CHECK(spoken_words("15 or 40") == words{"fifteen", "or", "forty"});
  CHECK(spoken_words("dial 162") == words{"dial", "one", "hundred", "sixty", "two"});
  CHECK(spoken_words("500") == words{"five", "hundred"});
  CHECK(spoken_words("a 28.8 modem") == words{"a", "twenty", "eight", "point", "eight", "modem"});
  // Extensions and PINs: digit by digit; so is a number with a leading zero.
  CHECK(spoken_words("extension 1234") == words{"extension", "one", "two", "three", "four"});
  CHECK(spoken_words("007") == words{"zero", "zero", "seven"});
}

TEST_CASE("keys and abbreviations are read in full and the rest stays as written") {
  CHECK(spoken_words("separated by * then #") == words{"separated", "by", "star", "then", "pound"});
  CHECK(spoken_words("Mr. Dashwood and Mrs. Jennings, OK?") ==
        words{"mister", "dashwood", "and", "missus", "jennings", "okay"});
  // A full stop after a number is not a decimal point.
  CHECK(spoken_words("Press 9. Then 2") == words{"press", "nine", "then", "two"});
  CHECK(spoken_words("") == words{});
}
