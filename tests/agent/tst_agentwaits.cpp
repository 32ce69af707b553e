// How long the agent waits before trying again: the API's backoff and its jitter, the
// server's Retry-After in both of its forms, and the event stream's own "retry:" wish,
// read by the Server-Sent Events parser beside the messages it hands on. And how long it
// waits on a download that crawls before giving up on it (StallWatch).
#include "api/retrypolicy.h"
#include "control/sseparser.h"
#include "transfer/stallwatch.h"

#include <QDateTime>
#include <QTest>
#include <QTimeZone>

#include <set>

using namespace Qt::StringLiterals;
using namespace std::chrono;
using namespace std::chrono_literals;
using namespace earshot;

class TstAgentWaits : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void backoffDoublesWithJitterUpToItsCeiling();
    void retryAfterIsHonouredWithinItsCap();
    void retryAfterReadsSecondsAndHttpDates();
    void eventStreamHandsOnMessagesAndKeepsRetry();
    void eventStreamIgnoresABadRetryField();
    void eventStreamRefusesAnEndlessLine();
    void stallNeedsAWholeWindowBelowTheFloor();
    void stallWindowStartsOverWhenHeldBack();
};

void TstAgentWaits::backoffDoublesWithJitterUpToItsCeiling()
{
    RetryPolicy policy;
    policy.firstDelay = 1000ms;
    policy.maxDelay = 60'000ms;
    const milliseconds bases[] = {1000ms, 2000ms, 4000ms, 8000ms, 16'000ms, 32'000ms, 60'000ms, 60'000ms};
    for (int attempt = 1; attempt <= 8; ++attempt) {
        const milliseconds base = bases[attempt - 1];
        std::set<qint64> seen;
        for (int draw = 0; draw < 200; ++draw) {
            const milliseconds delay = policy.delayAfter(attempt, std::nullopt);
            QVERIFY2(delay >= base && delay <= base + base / 4,
                     qPrintable(u"attempt %1 waited %2 ms"_s.arg(attempt).arg(delay.count())));
            seen.insert(delay.count());
        }
        // Jitter, not a constant: agents that failed together do not return together.
        QVERIFY2(seen.size() > 20, qPrintable(u"attempt %1 drew only %2 distinct delays"_s.arg(attempt).arg(seen.size())));
    }
}

void TstAgentWaits::retryAfterIsHonouredWithinItsCap()
{
    RetryPolicy policy;
    QCOMPARE(policy.delayAfter(1, seconds(5)), milliseconds(5000));
    QCOMPARE(policy.delayAfter(3, seconds(0)), milliseconds(0));
    // A server asking for an hour does not stall the agent for an hour.
    QCOMPARE(policy.delayAfter(1, hours(1)), duration_cast<milliseconds>(policy.maxRetryAfter));
}

void TstAgentWaits::retryAfterReadsSecondsAndHttpDates()
{
    const QDateTime now(QDate(2026, 11, 21), QTime(10, 0, 0), QTimeZone::utc());
    QCOMPARE(parseRetryAfter("120", now), std::optional<seconds>(120s));
    QCOMPARE(parseRetryAfter(" 7 ", now), std::optional<seconds>(7s));
    QCOMPARE(parseRetryAfter("Sat, 21 Nov 2026 10:00:30 GMT", now), std::optional<seconds>(30s));
    // The two obsolete forms a recipient must still accept.
    QCOMPARE(parseRetryAfter("Saturday, 21-Nov-26 10:01:00 GMT", now), std::optional<seconds>(60s));
    QCOMPARE(parseRetryAfter("Sat Nov 21 10:02:00 2026", now), std::optional<seconds>(120s));
    QCOMPARE(parseRetryAfter("Sun Nov  1 10:00:00 2026", now), std::optional<seconds>(0s));
    // A date already past means "now", not a negative wait.
    QCOMPARE(parseRetryAfter("Sat, 21 Nov 2026 09:00:00 GMT", now), std::optional<seconds>(0s));
    QCOMPARE(parseRetryAfter("", now), std::nullopt);
    QCOMPARE(parseRetryAfter("-5", now), std::nullopt);
    QCOMPARE(parseRetryAfter("soon", now), std::nullopt);
    QCOMPARE(parseRetryAfter("Sat, 21 Nov 2026 25:00:00 GMT", now), std::nullopt);
}

void TstAgentWaits::eventStreamHandsOnMessagesAndKeepsRetry()
{
    QList<QByteArray> messages;
    int opened = 0;
    SseParser parser([&](const QByteArray &data) { messages.append(data); }, [&] { ++opened; });
    QCOMPARE(parser.reconnectDelay(), std::nullopt);
    // As the reference server opens its stream, split at awkward places.
    const QByteArray stream = ": connected\r\nretry: 3000\n\nid: 1\ndata: {\"type\":\"call_updated\"}\n\n"
                              ": heartbeat\n\nid: 2\ndata: first\ndata:second\n\n";
    for (qsizetype at = 0; at < stream.size(); at += 7)
        QVERIFY(parser.write(QByteArrayView(stream).sliced(at, std::min<qsizetype>(7, stream.size() - at))));
    QCOMPARE(opened, 1);
    QCOMPARE(messages, (QList<QByteArray>{"{\"type\":\"call_updated\"}", "first\nsecond"}));
    QCOMPARE(parser.reconnectDelay(), std::optional<milliseconds>(3000ms));
    QVERIFY(parser.write("retry:250\n"));
    QCOMPARE(parser.reconnectDelay(), std::optional<milliseconds>(250ms));
}

void TstAgentWaits::eventStreamIgnoresABadRetryField()
{
    SseParser parser([](const QByteArray &) {}, {});
    QVERIFY(parser.write("retry: 1500\n"));
    for (const char *bad : {"retry: soon\n", "retry: -1\n", "retry: 1.5\n", "retry:\n", "retry: 99999999999999\n"}) {
        QVERIFY(parser.write(bad));
        QCOMPARE(parser.reconnectDelay(), std::optional<milliseconds>(1500ms));
    }
}

void TstAgentWaits::eventStreamRefusesAnEndlessLine()
{
    SseParser parser([](const QByteArray &) {}, {});
    const QByteArray endless = "data: " + QByteArray(SseParser::kMaxLineBytes + 1, 'x');
    QVERIFY(!parser.write(endless));
    QVERIFY2(parser.errorString().contains(u"longer than"_s), qPrintable(parser.errorString()));
}

void TstAgentWaits::stallNeedsAWholeWindowBelowTheFloor()
{
    StallWatch watch(30s, 1024);
    const StallWatch::Clock::time_point t0{};
    QVERIFY(!watch.isStalled(0, false, t0)); // the first look starts the window
    QVERIFY(!watch.isStalled(0, false, t0 + 29s));
    // 30 KiB in 30 s is exactly the floor: not stalled, and a new window starts.
    QVERIFY(!watch.isStalled(30 * 1024, false, t0 + 30s));
    QVERIFY(!watch.isStalled(31 * 1024, false, t0 + 45s));
    QVERIFY(watch.isStalled(31 * 1024, false, t0 + 60s)); // 1 KiB in the second window
}

void TstAgentWaits::stallWindowStartsOverWhenHeldBack()
{
    StallWatch watch(10s, 1024);
    const StallWatch::Clock::time_point t0{};
    QVERIFY(!watch.isStalled(0, false, t0));
    // Paused at the next look (the disk or the bandwidth limit): nothing counts.
    QVERIFY(!watch.isStalled(0, true, t0 + 9s));
    QVERIFY(!watch.isStalled(0, false, t0 + 18s));
    // Paused and resumed between two looks counts too.
    watch.noteHeldBack();
    QVERIFY(!watch.isStalled(0, false, t0 + 20s));
    QVERIFY(!watch.isStalled(0, false, t0 + 29s));
    QVERIFY(watch.isStalled(0, false, t0 + 30s));
}

QTEST_GUILESS_MAIN(TstAgentWaits)
#include "tst_agentwaits.moc"
