#pragma once

#include "domain/call.h"

#include <QDateTime>
#include <QString>

// Calls for the store's tests, built in code: call n has lead n % 7, agent n % 3, list
// n % 2 unless n % 4 == 0 (Manual Dial), outcome "connected" when n is even and
// "no_answer" when odd, and a recording when n is even.
namespace earshot::testing {

inline Call makeCall(int n, qint64 startedAtMs)
{
    using namespace Qt::StringLiterals;
    Call call;
    call.id = u"call-%1"_s.arg(n);
    call.lead = {u"lead-%1"_s.arg(n % 7), u"Lead %1"_s.arg(n % 7), u"+1 555 01%1"_s.arg(n % 7, 2, 10, QChar(u'0'))};
    call.agent = {u"agent-%1"_s.arg(n % 3), u"Agent %1"_s.arg(n % 3)};
    if (n % 4 != 0)
        call.list = DialList{u"list-%1"_s.arg(n % 2), u"List %1"_s.arg(n % 2)};
    call.direction = n % 5 == 0 ? Direction::Inbound : Direction::Outbound;
    call.outcome = n % 2 == 0 ? u"connected"_s : u"no_answer"_s;
    call.startedAt = QDateTime::fromMSecsSinceEpoch(startedAtMs, Qt::UTC);
    call.durationSeconds = n;
    call.updatedAt = u"2026-11-20T00:00:00Z"_s;
    if (n % 2 == 0)
        call.recording = Recording{u"rec-%1"_s.arg(n), u"wav"_s, 1000 + n, 10, QString(64, u'a'), 1,
                                   RecordingStatus::Available};
    return call;
}

inline CallsPage pageOf(QList<Call> calls, const QString &cursor, bool hasMore = true)
{
    CallsPage page;
    page.calls = std::move(calls);
    page.nextCursor = cursor;
    page.hasMore = hasMore;
    return page;
}

} // namespace earshot::testing
