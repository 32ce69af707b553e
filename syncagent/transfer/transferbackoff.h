#pragma once

#include <QtGlobal>

#include <chrono>

// How long the engine waits before it tries a recording again.
namespace earshot::transferbackoff {

constexpr int kMaxRedirects = 5;
// Transient failures in a row, without progress, before the pass gives up on a recording.
constexpr int kRetriesPerPass = 4;
// Times a recording's file is dropped and fetched again whole within one pass (its copy
// on the server changed, or ranges turned out unsupported) before the attempt fails.
constexpr int kStartsOverPerPass = 2;
// Passes that failed before the agent gives up on a recording (gave_up_at) and puts it
// off for much longer; the player can still ask for it at once.
constexpr int kAttemptsBeforeGivingUp = 5;
constexpr std::chrono::seconds kFirstBackoff{30};
constexpr std::chrono::seconds kMaxBackoff{3600};
constexpr std::chrono::seconds kRetryGivenUpAfter{12 * 3600};
constexpr std::chrono::seconds kFirstPendingPoll{30};
constexpr std::chrono::seconds kMaxPendingPoll{1800};

qint64 nowMs();
// first x 2^previous, capped, plus up to 25% jitter so that many agents do not come
// back in lockstep; in milliseconds.
qint64 delayMs(std::chrono::seconds first, std::chrono::seconds cap, int previous);

} // namespace earshot::transferbackoff
