#include "api/retrypolicy.h"

#include <QRandomGenerator>
#include <QThread>

#include <algorithm>

using namespace Qt::StringLiterals;
using namespace std::chrono;

namespace earshot {

milliseconds RetryPolicy::delayAfter(int attempt, std::optional<seconds> retryAfter) const
{
    if (retryAfter)
        return std::min<milliseconds>(*retryAfter, maxRetryAfter);
    const int doublings = std::clamp(attempt - 1, 0, 16);
    const milliseconds exponential = std::min<milliseconds>(firstDelay * (1LL << doublings), maxDelay);
    // Up to 25% jitter, so that many agents do not retry in lockstep after an outage.
    const auto jitter = milliseconds(QRandomGenerator::global()->bounded(static_cast<qint64>(exponential.count() / 4 + 1)));
    return exponential + jitter;
}

std::optional<seconds> parseRetryAfter(const QByteArray &value, const QDateTime &now)
{
    const QByteArray text = value.trimmed();
    if (text.isEmpty())
        return std::nullopt;
    bool isNumber = false;
    const qint64 delta = text.toLongLong(&isNumber);
    if (isNumber)
        return delta >= 0 ? std::optional<seconds>(seconds(delta)) : std::nullopt;
    const QDateTime when = QDateTime::fromString(QString::fromLatin1(text), Qt::RFC2822Date);
    if (!when.isValid())
        return std::nullopt;
    return seconds(std::max<qint64>(0, now.secsTo(when)));
}

bool sleepUnlessStopped(milliseconds duration, const std::atomic<bool> *stopRequested)
{
    constexpr milliseconds slice{50};
    for (milliseconds slept{0}; slept < duration; slept += slice) {
        if (stopRequested && stopRequested->load())
            return false;
        QThread::msleep(static_cast<unsigned long>(std::min(slice, duration - slept).count()));
    }
    return !(stopRequested && stopRequested->load());
}

} // namespace earshot
