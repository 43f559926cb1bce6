// Written text as it is spoken, word by word, for scoring a recogniser: a reference transcript
// says "press 1" or "Mr. Dashwood" where the recogniser hears "press one" and "mister dashwood".
// Pure code: no CAF.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace vfb::text {

/// The terms of `written` (see `terms`) as a speaker says them: numbers spelt out ("15" is
/// "fifteen", "162" "one hundred sixty two", "28.8" "twenty eight point eight"; four digits or
/// more, like extensions and PINs, digit by digit: "1234" "one two three four"), the telephone
/// keys named ("*" "star", "#" "pound") and the common abbreviations read in full ("mr"
/// "mister", "mrs" "missus", "dr" "doctor", "ok" "okay").
std::vector<std::string> spoken_words(std::string_view written);

} // namespace vfb::text
