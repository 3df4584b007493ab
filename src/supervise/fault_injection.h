#pragma once
// Deliberate failures for testing the supervisor (and a user's own cluster setup).
// Always compiled in, inert unless SOFTCOT_FAULT is set. The value is comma-separated
// faults `KIND@SAMPLE` (every attempt at that sample) or `KIND@SAMPLExTIMES` (only the
// first TIMES attempts), e.g. `segv@5x2,hang@7`. docs/supervisor.md describes each kind.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace softcot::supervise {

inline constexpr const char* kFaultEnv = "SOFTCOT_FAULT";

enum class FaultKind {
  kSegv,   // a real SIGSEGV: a write through a null pointer
  kAbort,  // std::abort(): SIGABRT
  kHang,   // sleeps forever without heartbeats or stop checks, like a stuck kernel
  kKill,   // SIGKILL to itself, as the kernel's OOM killer does
  kOom,    // an allocation failure, reported as a crash-like error (exit 70)
};

struct Fault {
  FaultKind kind;
  int64_t sample_idx;
  int times;  // fires while attempt <= times; 0 = every attempt

  bool fires(int64_t idx, int attempt) const {
    return idx == sample_idx && (times == 0 || attempt <= times);
  }
};

const char* fault_kind_name(FaultKind kind);

// Throws a usage error naming SOFTCOT_FAULT and the bad item.
std::vector<Fault> parse_fault_spec(const std::string& spec);

// The faults in the environment, parsed once (a parse error is a usage error).
const std::vector<Fault>& faults_from_env();

// The first fault that fires for this sample and attempt.
std::optional<Fault> fault_for(const std::vector<Fault>& faults, int64_t sample_idx, int attempt);

// Called by the pipeline at the start of each sample, after the store's begin_sample()
// gave the attempt number (1 for the first start of this sample). Does nothing unless a
// fault fires; segv/abort/kill/hang never return, oom throws.
void maybe_inject_fault(int64_t sample_idx, int attempt);

// Carries out a fault now (exposed for tests that fork).
[[noreturn]] void inject_fault(const Fault& fault);

}  // namespace softcot::supervise
