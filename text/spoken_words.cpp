#include "text/spoken_words.hpp"

#include "text/tokenizer.hpp"

#include <algorithm>
#include <cctype>
#include <map>

namespace vfb::text {

namespace {

const char* const ones[] = {"zero",    "one",     "two",       "three",    "four",
                            "five",    "six",     "seven",     "eight",    "nine",
                            "ten",     "eleven",  "twelve",    "thirteen", "fourteen",
                            "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"};
const char* const tens[] = {"",      "",      "twenty",  "thirty", "forty",
                            "fifty", "sixty", "seventy", "eighty", "ninety"};

/// 0 to 999 in words, as a list ("one hundred sixty two": no "and", as recognisers write it).
void say_below_thousand(int n, std::vector<std::string>& out) {
  if (n >= 100) {
    out.emplace_back(ones[n / 100]);
    out.emplace_back("hundred");
    n %= 100;
    if (n == 0)
      return;
  }
  if (n < 20) {
    out.emplace_back(ones[n]);
    return;
  }
  out.emplace_back(tens[n / 10]);
  if (n % 10 != 0)
    out.emplace_back(ones[n % 10]);
}

void say_number(const std::string& digits, std::vector<std::string>& out) {
  if (digits.size() <= 3 && (digits.size() == 1 || digits[0] != '0')) {
    say_below_thousand(std::stoi(digits), out);
    return;
  }
  for (char d : digits) // an extension, a PIN, "007": digit by digit
    out.emplace_back(ones[d - '0']);
}

} // namespace

std::vector<std::string> spoken_words(std::string_view written) {
  // The keys and the decimal point become words before tokenising drops them.
  std::string text;
  for (size_t i = 0; i < written.size(); ++i) {
    char c = written[i];
    bool decimal_point = c == '.' && i > 0 && i + 1 < written.size() &&
                         std::isdigit(static_cast<unsigned char>(written[i - 1])) &&
                         std::isdigit(static_cast<unsigned char>(written[i + 1]));
    if (c == '*')
      text += " star ";
    else if (c == '#')
      text += " pound ";
    else if (decimal_point)
      text += " point ";
    else
      text += c;
  }
  static const std::map<std::string, std::string> in_full{
      {"mr", "mister"}, {"mrs", "missus"}, {"dr", "doctor"}, {"ok", "okay"}};
  std::vector<std::string> out;
  for (auto& w : terms(text)) {
    if (is_number(w))
      say_number(w, out);
    else if (auto full = in_full.find(w); full != in_full.end())
      out.push_back(full->second);
    else
      out.push_back(std::move(w));
  }
  return out;
}

} // namespace vfb::text
