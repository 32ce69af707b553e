#pragma once

#include <QByteArray>
#include <QDateTime>

#include <atomic>
#include <chrono>
#include <optional>

namespace earshot {

// How often and how patiently a failed request is tried again. Only retryable failures
// (429, 5xx, a broken or stalled connection) are retried, and a Retry-After longer than
// maxRetryAfter ends the attempt instead of being waited out: the next pass comes anyway.
struct RetryPolicy
{
    int maxAttempts = 8;
    std::chrono::milliseconds firstDelay{250};
    std::chrono::milliseconds maxDelay{8000};
    std::chrono::seconds maxRetryAfter{30};

    // The wait before attempt number `attempt + 1` (attempt counts from 1).
    std::chrono::milliseconds delayAfter(int attempt, std::optional<std::chrono::seconds> retryAfter) const;
};

// An HTTP date in any of the three forms RFC 9110 says a recipient must accept, in UTC;
// invalid when unreadable.
QDateTime parseHttpDate(QString text);

// Retry-After as seconds, from either form the HTTP spec allows (delta-seconds or an
// HTTP date); nullopt when absent or unreadable.
std::optional<std::chrono::seconds> parseRetryAfter(const QByteArray &value, const QDateTime &now);

// Sleeps in short slices; false when a stop was requested meanwhile.
bool sleepUnlessStopped(std::chrono::milliseconds duration, const std::atomic<bool> *stopRequested);

} // namespace earshot
