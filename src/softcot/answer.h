#pragma once
// An answer as the reference's Python holds it: None, int, float, str or bool. Equality and
// vote keys follow Python's `==` (18 == 18.0, True == 1); printing follows json.dumps /
// repr (`18`, `18.0`, `"A"`, `true`, `null`), so records read exactly like the reference's.
#include <string>
#include <string_view>

#include "core/json_file.h"

namespace softcot {

struct Answer {
  enum class Kind { kNone, kInt, kFloat, kText, kBool };
  Kind kind = Kind::kNone;
  std::string integer;  // kInt: optional '-', then decimal digits without leading zeros
  double real = 0;      // kFloat
  std::string text;     // kText (UTF-8)
  bool boolean = false; // kBool

  static Answer none() { return {}; }
  static Answer from_integer_text(std::string_view digits);  // "-0012" -> -12; throws on junk
  static Answer from_float(double value);
  static Answer from_text(std::string value);
  static Answer from_bool(bool value);
  // A JSON scalar (as in a data row or an answer_json field); throws bad_input on arrays/objects.
  static Answer from_json(const Json& value, const std::string& subject);

  bool is_none() const { return kind == Kind::kNone; }
  std::string to_json() const;  // canonical JSON text, as json.dumps prints the Python value
};

bool operator==(const Answer& a, const Answer& b);  // Python's ==
inline bool operator!=(const Answer& a, const Answer& b) { return !(a == b); }

// Python's repr(float): shortest round-trip digits, scientific outside 1e-4 <= |x| < 1e16,
// 'inf'/'nan'. json.dumps prints the same except Infinity/-Infinity/NaN.
std::string python_float_repr(double value);

// Python's round(x, 2): the double rounded correctly (half to even on its exact binary value)
// to two decimals, then read back.
double python_round2(double value);

}  // namespace softcot
