#include "supervise/supervisor.h"

#include <algorithm>
#include <cmath>
#include <csignal>

#include "core/exit_codes.h"
#include "core/log.h"
#include "supervise/child_process.h"
#include "supervise/heartbeat.h"
#include "supervise/quarantine.h"
#include "supervise/signal_relay.h"

namespace softcot::supervise {

namespace {

bool is_stop_signal(int s) { return s == SIGTERM || s == SIGINT || s == SIGUSR1 || s == SIGUSR2; }

int64_t seconds_to_ns(double seconds) { return static_cast<int64_t>(std::llround(seconds * 1e9)); }

std::string at_sample(const AttemptRecord& a) {
  return a.sample_idx >= 0 ? " at sample " + std::to_string(a.sample_idx) : "";
}

// Everything one attempt needs from the supervisor's state.
struct AttemptContext {
  const SupervisorOptions& options;
  const std::vector<std::string>& argv;
  const SignalRelay& relay;
  HeartbeatSegment& heartbeat;
  int& stops_forwarded;  // how many stop signals have been passed on so far
};

void forward_new_stop_signals(AttemptContext& ctx, const ChildProcess& child) {
  if (ctx.relay.stop_count() <= ctx.stops_forwarded) return;
  const int signal_number = ctx.relay.stop_signal();
  ctx.stops_forwarded = ctx.relay.stop_count();
  spdlog::warn("received {}: forwarding it to the worker (pid {}) and starting nothing new",
               signal_name(signal_number), child.pid());
  child.signal_group(signal_number);
}

AttemptRecord run_attempt(AttemptContext& ctx, int number, const std::vector<std::string>& env) {
  HeartbeatRecord& beat = ctx.heartbeat.record();
  beat.reset();
  const int64_t start_ns = monotonic_ns();
  const int64_t hang_ns = seconds_to_ns(ctx.options.hang_timeout_seconds);
  const int64_t grace_ns = seconds_to_ns(ctx.options.kill_grace_seconds);
  int64_t abort_sent_ns = 0;
  bool kill_sent = false;

  AttemptRecord record;
  record.number = number;
  ChildProcess child(ctx.argv, env);
  for (;;) {
    forward_new_stop_signals(ctx, child);
    if (auto status = child.try_reap()) {
      record.outcome = classify_wait_status(*status);
      break;
    }
    if (hang_ns > 0) {
      const int64_t now = monotonic_ns();
      if (abort_sent_ns == 0) {
        // Before its first beat the worker gets hang_timeout from its start.
        const int64_t last_alive = std::max(start_ns, beat.last_beat_ns.load());
        if (now - last_alive > hang_ns) {
          const int64_t sample = beat.current_sample.load();
          spdlog::error("attempt {}: no heartbeat for {:.1f} s{}: sending SIGABRT to the worker",
                        number, (now - last_alive) / 1e9,
                        sample >= 0 ? " at sample " + std::to_string(sample) : "");
          child.signal_group(SIGABRT);
          abort_sent_ns = now;
          record.hang = true;
        }
      } else if (!kill_sent && now - abort_sent_ns > grace_ns) {
        spdlog::error("attempt {}: the worker outlived SIGABRT by {:.1f} s: sending SIGKILL", number,
                      ctx.options.kill_grace_seconds);
        child.signal_group(SIGKILL);
        kill_sent = true;
      }
    }
    ctx.relay.wait(ctx.options.poll_interval_ms);
  }
  record.seconds = (monotonic_ns() - start_ns) / 1e9;
  record.sample_idx = beat.current_sample.load();
  record.commits = beat.commits.load();
  record.heartbeat_seen = beat.beats.load() > 0;
  if (record.hang) {
    // However it died, a hang is a crash at that sample.
    ExitOutcome& o = record.outcome;
    o.kind = ExitKind::kCrash;
    if (o.crash_signal == 0) o.crash_signal = SIGABRT;
    o.cause = "hang (no heartbeat for " + std::to_string(std::lround(ctx.options.hang_timeout_seconds)) +
              " s), ended by " + o.cause;
  }
  return record;
}

std::vector<std::string> worker_environment(const HeartbeatSegment& heartbeat, int number,
                                            const AttemptRecord* previous_crash) {
  std::vector<std::string> env = {std::string(kHeartbeatEnv) + "=" + heartbeat.name(),
                                  std::string(kAttemptEnv) + "=" + std::to_string(number)};
  if (previous_crash != nullptr) {
    env.push_back(std::string(kLastCrashSignalEnv) + "=" +
                  std::to_string(previous_crash->outcome.crash_signal));
    env.push_back(std::string(kLastCrashCauseEnv) + "=" + previous_crash->outcome.cause);
  }
  return env;
}

// Sleeps `seconds` unless a stop signal comes first; returns false if one did.
bool sleep_unless_stopped(const SignalRelay& relay, double seconds) {
  const int64_t deadline = monotonic_ns() + seconds_to_ns(seconds);
  while (relay.stop_count() == 0) {
    const int64_t left_ns = deadline - monotonic_ns();
    if (left_ns <= 0) return true;
    relay.wait(static_cast<int>(std::min<int64_t>(left_ns / 1'000'000 + 1, 1000)));
  }
  return false;
}

}  // namespace

SupervisionResult run_supervised(const SupervisorOptions& options,
                                 const std::vector<std::string>& worker_argv) {
  SignalRelay relay;
  HeartbeatSegment heartbeat;
  RetryBudget budget(options.retry);
  SupervisionResult result;
  int stops_forwarded = 0;
  AttemptContext ctx{options, worker_argv, relay, heartbeat, stops_forwarded};
  const std::string command = format_command(worker_argv);

  for (int number = 1;; ++number) {
    if (relay.stop_count() > 0) {  // arrived during the retry delay: start nothing new
      result.stop_signal = relay.stop_signal();
      result.exit_code = exit_code::kPreempted;
      spdlog::warn("received {} between attempts: exiting preempted ({})",
                   signal_name(result.stop_signal), result.exit_code);
      return result;
    }
    const AttemptRecord* previous = result.attempts.empty() ? nullptr : &result.attempts.back();
    const auto env = worker_environment(heartbeat, number, previous);
    spdlog::info("attempt {}: starting {}", number, command);
    result.attempts.push_back(run_attempt(ctx, number, env));
    const AttemptRecord& attempt = result.attempts.back();
    const ExitOutcome& outcome = attempt.outcome;

    if (relay.stop_count() > 0) {
      result.stop_signal = relay.stop_signal();
      // A worker that died of the forwarded signal itself (it had no time to handle it,
      // or does not handle it), or crashed or hung after it (the watchdog's SIGABRT), was
      // stopped before committing anything in flight: the run is preempted, and the
      // crash, if real, is retried when the run resumes.
      result.exit_code = is_stop_signal(outcome.death_signal) || outcome.retried()
                             ? exit_code::kPreempted
                             : outcome.exit_code;
      spdlog::warn("attempt {} ended after a stop signal: {}; exiting with {}", number, outcome.cause,
                   result.exit_code);
      return result;
    }
    if (!outcome.retried()) {
      result.exit_code = outcome.exit_code;
      if (outcome.kind == ExitKind::kClean) {
        spdlog::info("attempt {} finished cleanly after {:.1f} s", number, attempt.seconds);
      } else {
        spdlog::warn("attempt {} ended: {}{}; not a crash, so not retried: exiting with {}", number,
                     outcome.cause, at_sample(attempt), result.exit_code);
      }
      return result;
    }
    const bool progress = attempt.commits > 0;
    if (!budget.record_crash(progress)) {
      result.exit_code = outcome.exit_code;
      spdlog::error("attempt {} ended: {}{}; no retries left ({} crashes in a row without progress): "
                    "exiting with {}",
                    number, outcome.cause, at_sample(attempt), budget.retries_used_since_progress(),
                    result.exit_code);
      return result;
    }
    const double delay = budget.next_delay_seconds();
    const std::string commits =
        attempt.heartbeat_seen ? fmt::format(", {} samples committed", attempt.commits) : "";
    spdlog::warn("attempt {} ended: {}{} after {:.1f} s{}; {}retrying in {:.1f} s ({} retries left)",
                 number, outcome.cause, at_sample(attempt), attempt.seconds, commits,
                 progress ? "progress, so the budget starts over; " : "", delay, budget.retries_left());
    sleep_unless_stopped(relay, delay);
  }
}

int supervise_worker(const SupervisorOptions& options, const std::vector<std::string>& worker_argv) {
  return run_supervised(options, worker_argv).exit_code;
}

}  // namespace softcot::supervise
