#include "api/retrypolicy.h"

#include <QLocale>
#include <QRandomGenerator>
#include <QTimeZone>
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

// Qt's RFC 2822 parser is no help here: it refuses the "GMT" that every HTTP date ends with.
QDateTime parseHttpDate(QString text)
{
    // The weekday is redundant, and checking it would refuse RFC 850's two-digit years.
    text = text.simplified();
    const qsizetype comma = text.indexOf(u',');
    text = comma >= 0 ? text.mid(comma + 1).trimmed() : text.section(u' ', 1);
    const QLocale c = QLocale::c(); // month names in English whatever the user's locale
    for (const QString &format : {u"dd MMM yyyy HH:mm:ss 'GMT'"_s,   // IMF-fixdate
                                  u"dd-MMM-yy HH:mm:ss 'GMT'"_s,     // RFC 850 (obsolete)
                                  u"MMM d HH:mm:ss yyyy"_s}) {       // asctime (obsolete)
        QDateTime when = c.toDateTime(text, format);
        if (!when.isValid())
            continue;
        if (when.date().year() < 1970) // RFC 850's two-digit year: this century
            when = when.addYears(100);
        return QDateTime(when.date(), when.time(), QTimeZone::utc());
    }
    return {};
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
    const QDateTime when = parseHttpDate(QString::fromLatin1(text));
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
