#pragma once
// Exit codes of every softcot subcommand. The supervisor and the Slurm template decide
// whether to retry from these alone, so they are part of the user-facing contract
// (docs/troubleshooting.md lists them).
namespace softcot::exit_code {
inline constexpr int kOk = 0;
inline constexpr int kFailure = 1;        // a run-time failure that a retry will not fix
inline constexpr int kUsage = 2;          // bad flags: never retried
inline constexpr int kBadInput = 65;      // malformed model/data/checkpoint (EX_DATAERR): never retried
inline constexpr int kCrashLike = 70;     // e.g. a sticky CUDA error (EX_SOFTWARE): retried like a crash
inline constexpr int kIo = 74;            // disk full, read-only directory (EX_IOERR): never retried
inline constexpr int kPreempted = 75;     // stopped by SIGTERM/INT/USR1/USR2 after committing (EX_TEMPFAIL)
}  // namespace softcot::exit_code
