#include "supervise/fault_injection.h"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <csignal>
#include <cstdlib>

#include "core/error.h"
#include "core/log.h"

namespace softcot::supervise {

namespace {

constexpr FaultKind kAllKinds[] = {FaultKind::kSegv, FaultKind::kAbort, FaultKind::kHang,
                                   FaultKind::kKill, FaultKind::kOom};

Error fault_usage(const std::string& item, const std::string& why) {
  return Error(ErrorKind::kUsage, kFaultEnv,
               "bad fault '" + item + "': " + why +
                   " (expected KIND@SAMPLE or KIND@SAMPLExTIMES, KIND one of segv, abort, hang, "
                   "kill, oom)");
}

// A whole-string decimal parse; false on anything else (sign, spaces, overflow).
template <typename T>
bool parse_number(std::string_view text, T& value) {
  if (text.empty()) return false;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc() && end == text.data() + text.size();
}

Fault parse_one(const std::string& item) {
  const size_t at = item.find('@');
  if (at == std::string::npos) throw fault_usage(item, "no '@'");
  const std::string kind_text = item.substr(0, at);
  std::optional<FaultKind> kind;
  for (FaultKind k : kAllKinds) {
    if (kind_text == fault_kind_name(k)) kind = k;
  }
  if (!kind) throw fault_usage(item, "unknown kind '" + kind_text + "'");

  std::string_view rest = std::string_view(item).substr(at + 1);
  Fault fault{*kind, 0, 0};
  const size_t x = rest.find('x');
  if (!parse_number(rest.substr(0, x), fault.sample_idx) || fault.sample_idx < 0) {
    throw fault_usage(item, "the sample is not a non-negative integer");
  }
  if (x != std::string_view::npos && (!parse_number(rest.substr(x + 1), fault.times) || fault.times < 1)) {
    throw fault_usage(item, "TIMES is not a positive integer");
  }
  return fault;
}

// Opaque to the optimiser, so the write below is a real store to address 0 (a SIGSEGV),
// not undefined behaviour the compiler may turn into a trap instruction.
volatile int* volatile g_null_target = nullptr;

}  // namespace

const char* fault_kind_name(FaultKind kind) {
  switch (kind) {
    case FaultKind::kSegv: return "segv";
    case FaultKind::kAbort: return "abort";
    case FaultKind::kHang: return "hang";
    case FaultKind::kKill: return "kill";
    case FaultKind::kOom: return "oom";
  }
  return "?";
}

std::vector<Fault> parse_fault_spec(const std::string& spec) {
  std::vector<Fault> faults;
  size_t start = 0;
  while (start <= spec.size()) {
    const size_t comma = std::min(spec.find(',', start), spec.size());
    const std::string item = spec.substr(start, comma - start);
    if (item.empty()) {
      if (!spec.empty()) throw fault_usage(item, "empty item");
    } else {
      faults.push_back(parse_one(item));
    }
    start = comma + 1;
  }
  return faults;
}

const std::vector<Fault>& faults_from_env() {
  static const std::vector<Fault> faults = [] {
    const char* spec = std::getenv(kFaultEnv);
    return spec == nullptr ? std::vector<Fault>{} : parse_fault_spec(spec);
  }();
  return faults;
}

std::optional<Fault> fault_for(const std::vector<Fault>& faults, int64_t sample_idx, int attempt) {
  for (const Fault& f : faults) {
    if (f.fires(sample_idx, attempt)) return f;
  }
  return std::nullopt;
}

void maybe_inject_fault(int64_t sample_idx, int attempt) {
  const auto& faults = faults_from_env();
  if (faults.empty()) return;
  if (auto fault = fault_for(faults, sample_idx, attempt)) {
    spdlog::warn("injecting fault {}@{} (attempt {} at sample {})", fault_kind_name(fault->kind),
                 fault->sample_idx, attempt, sample_idx);
    inject_fault(*fault);
  }
}

void inject_fault(const Fault& fault) {
  const std::string where = "sample " + std::to_string(fault.sample_idx);
  switch (fault.kind) {
    case FaultKind::kSegv:
      std::signal(SIGSEGV, SIG_DFL);  // a crash handler must not turn this into something else
      *g_null_target = 1;
      std::raise(SIGSEGV);  // unreachable unless page 0 is mapped
      break;
    case FaultKind::kAbort:
      std::abort();
    case FaultKind::kKill:
      std::raise(SIGKILL);
      break;
    case FaultKind::kHang:
      for (;;) ::sleep(60);  // no heartbeat, no stop check: only the watchdog ends this
    case FaultKind::kOom:
      // Not a real exhaustion: filling memory on a shared node hurts other jobs.
      throw Error(ErrorKind::kCrashLike, where, "out of memory (injected fault oom)");
  }
  std::_Exit(70);
}

}  // namespace softcot::supervise
