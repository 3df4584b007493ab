#include "softcot/answer.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <vector>

#include "core/error.h"

namespace softcot {

Answer Answer::from_integer_text(std::string_view digits) {
  Answer a;
  a.kind = Kind::kInt;
  bool negative = false;
  if (!digits.empty() && (digits[0] == '-' || digits[0] == '+')) {
    negative = digits[0] == '-';
    digits.remove_prefix(1);
  }
  if (digits.empty()) throw bad_input("answer", "an integer needs digits");
  for (char c : digits) {
    if (c < '0' || c > '9') throw bad_input("answer", "not an integer: " + std::string(digits));
  }
  size_t first = digits.find_first_not_of('0');
  std::string magnitude = first == std::string_view::npos ? "0" : std::string(digits.substr(first));
  a.integer = (negative && magnitude != "0") ? "-" + magnitude : magnitude;
  return a;
}

Answer Answer::from_float(double value) {
  Answer a;
  a.kind = Kind::kFloat;
  a.real = value;
  return a;
}

Answer Answer::from_text(std::string value) {
  Answer a;
  a.kind = Kind::kText;
  a.text = std::move(value);
  return a;
}

Answer Answer::from_bool(bool value) {
  Answer a;
  a.kind = Kind::kBool;
  a.boolean = value;
  return a;
}

Answer Answer::from_json(const Json& value, const std::string& subject) {
  if (value.is_null()) return none();
  if (value.is_boolean()) return from_bool(value.get<bool>());
  if (value.is_number_integer()) return from_integer_text(value.dump());
  if (value.is_number_float()) return from_float(value.get<double>());
  if (value.is_string()) return from_text(value.get<std::string>());
  throw bad_input(subject, "an answer must be null, a boolean, a number or a string, not " +
                               std::string(value.type_name()));
}

std::string python_float_repr(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  // Shortest round-trip digits in scientific form: d[.ddd]e[+-]XX.
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::scientific);
  std::string sci(buf, end);
  const bool negative = sci[0] == '-';
  if (negative) sci.erase(0, 1);
  const size_t e_pos = sci.find('e');
  std::string digits = sci.substr(0, e_pos);
  digits.erase(std::remove(digits.begin(), digits.end(), '.'), digits.end());
  const int exponent = std::stoi(sci.substr(e_pos + 1));
  // Python's decpt: value = 0.DIGITS * 10^decpt.
  const int decpt = exponent + 1;
  std::string out;
  if (decpt <= -4 || decpt > 16) {
    out = digits.substr(0, 1);
    if (digits.size() > 1) out += "." + digits.substr(1);
    char exp_buf[16];
    std::snprintf(exp_buf, sizeof exp_buf, "e%c%02d", exponent < 0 ? '-' : '+', std::abs(exponent));
    out += exp_buf;
  } else if (decpt <= 0) {
    out = "0." + std::string(static_cast<size_t>(-decpt), '0') + digits;
  } else if (static_cast<size_t>(decpt) >= digits.size()) {
    out = digits + std::string(decpt - digits.size(), '0') + ".0";
  } else {
    out = digits.substr(0, decpt) + "." + digits.substr(decpt);
  }
  return negative ? "-" + out : out;
}

double python_round2(double value) {
  if (!std::isfinite(value)) return value;
  // glibc's printf rounds the exact binary value correctly, ties to even, like _Py_dg_dtoa
  // mode 3; strtod reads it back correctly rounded, like _Py_dg_strtod.
  int size = std::snprintf(nullptr, 0, "%.2f", value);
  std::vector<char> buf(static_cast<size_t>(size) + 1);
  std::snprintf(buf.data(), buf.size(), "%.2f", value);
  double rounded = std::strtod(buf.data(), nullptr);
  // Python keeps the sign of zero: round(-0.001, 2) is -0.0.
  if (rounded == 0) return std::copysign(0.0, value);
  return rounded;
}

std::string Answer::to_json() const {
  switch (kind) {
    case Kind::kNone: return "null";
    case Kind::kInt: return integer;
    case Kind::kBool: return boolean ? "true" : "false";
    case Kind::kText: return Json(text).dump();
    case Kind::kFloat:
      if (std::isnan(real)) return "NaN";
      if (std::isinf(real)) return real > 0 ? "Infinity" : "-Infinity";
      return python_float_repr(real);
  }
  return "null";
}

namespace {

// The exact integer value of an integral double, as decimal text ("-0" -> "0").
std::string integral_double_text(double value) {
  int size = std::snprintf(nullptr, 0, "%.0f", value);
  std::vector<char> buf(static_cast<size_t>(size) + 1);
  std::snprintf(buf.data(), buf.size(), "%.0f", value);
  std::string text(buf.data());
  return text == "-0" ? "0" : text;
}

bool is_numeric(const Answer& a) {
  return a.kind == Answer::Kind::kInt || a.kind == Answer::Kind::kFloat ||
         a.kind == Answer::Kind::kBool;
}

// Integer text of an int or bool answer (Python's bool is an int).
std::string integer_text(const Answer& a) {
  if (a.kind == Answer::Kind::kBool) return a.boolean ? "1" : "0";
  return a.integer;
}

}  // namespace

bool operator==(const Answer& a, const Answer& b) {
  using Kind = Answer::Kind;
  if (a.kind == Kind::kNone || b.kind == Kind::kNone) return a.kind == b.kind;
  if (a.kind == Kind::kText || b.kind == Kind::kText) {
    return a.kind == b.kind && a.text == b.text;
  }
  if (!is_numeric(a) || !is_numeric(b)) return false;
  if (a.kind == Kind::kFloat && b.kind == Kind::kFloat) return a.real == b.real;
  if (a.kind == Kind::kFloat || b.kind == Kind::kFloat) {
    const Answer& f = a.kind == Kind::kFloat ? a : b;
    const Answer& i = a.kind == Kind::kFloat ? b : a;
    // Python compares int and float exactly, never through a lossy conversion.
    if (!std::isfinite(f.real) || std::trunc(f.real) != f.real) return false;
    return integral_double_text(f.real) == integer_text(i);
  }
  return integer_text(a) == integer_text(b);
}

}  // namespace softcot
