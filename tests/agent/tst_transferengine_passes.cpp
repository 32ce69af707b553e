// tst_transferengine, whole passes: a bandwidth limit over all transfers together, and
// the windows of the recordings due that a pass reads from a large store.
#include "tst_transferengine.h"

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QSqlQuery>

namespace transferenginetest {

void TstTransferEngine::bandwidthLimitHoldsForAllTransfersTogether()
{
    addRecordings(8, 256 * 1024);
    auto engine = makeEngine(kMiB);
    QVERIFY(engine);
    QElapsedTimer clock;
    clock.start();
    QVERIFY(engine->queueDue());
    QVERIFY(runUntilIdle(*engine));
    const qint64 limited = clock.elapsed();
    QCOMPARE(engine->takeReport().downloaded, 8);
    qInfo() << "2 MiB in 8 recordings, 4 at a time, at 1 MiB/s took" << limited << "ms";
    QVERIFY2(limited >= 1700, qPrintable(u"%1 ms: faster than the limit"_s.arg(limited)));

    // Lifted while downloads run (as the control socket does): the rest goes at full speed.
    QSqlQuery(u"UPDATE recordings SET cache_state = 'absent', cache_file = NULL"_s, m_store->connection()).exec();
    engine->setBandwidthLimit(100 * 1024);
    QVERIFY(engine->queueDue());
    QTest::qWait(500);
    engine->setBandwidthLimit(0);
    clock.restart();
    QVERIFY(runUntilIdle(*engine, 10'000));
    QVERIFY2(clock.elapsed() < 5000, qPrintable(u"%1 ms after lifting the limit"_s.arg(clock.elapsed())));
    QCOMPARE(engine->takeReport().downloaded, 8);
}

// A store of a million calls has far more due than one look should read: a pass takes
// the newest in windows, and the next window once the last one's downloads are in.
void TstTransferEngine::aPassTakesWindowAfterWindowUntilNothingIsDue()
{
    addRecordings(5, 64 * 1024);
    // The newest fails, and is due again at once (as after a short backoff): the pass
    // still goes on to the older ones, and queues it only once.
    QFile::remove(m_dir->filePath(u"media/rec1.mp3"_s));
    QVERIFY(execute(m_store->connection(),
                    u"CREATE TEMP TRIGGER due_again AFTER UPDATE OF next_attempt_at ON recordings "
                    "WHEN NEW.id = 'rec-1' AND NEW.next_attempt_at IS NOT NULL "
                    "BEGIN UPDATE recordings SET next_attempt_at = NULL WHERE id = 'rec-1'; END"_s));
    auto engine = makeEngine(0, 2);
    QVERIFY(engine);
    QSignalSpy idle(engine.get(), &TransferEngine::idle);
    const auto queued = engine->queueDue();
    QVERIFY(queued);
    QCOMPARE(*queued, 2);
    QVERIFY(engine->mayHaveMoreDue()); // what the status reports as more_due: "2+"
    QVERIFY(idle.wait(30'000));
    QVERIFY(!engine->mayHaveMoreDue());
    QTest::qWait(200); // idle() comes once
    QCOMPARE(idle.count(), 1);
    const TransferReport report = engine->takeReport();
    QCOMPARE(report.queued, 5);
    QCOMPARE(report.downloaded, 4);
    QSqlQuery present(u"SELECT count(*) FROM recordings WHERE cache_state = 'present'"_s, m_store->connection());
    QVERIFY(present.next());
    QCOMPARE(present.value(0).toInt(), 4);
    QVERIFY(execute(m_store->connection(), u"DROP TRIGGER due_again"_s));

    // A policy that admits two (as a full quota would): the second window admits nothing,
    // and idle() still comes once.
    QVERIFY(execute(m_store->connection(), u"UPDATE recordings SET cache_state = 'absent', cache_file = NULL, "
                                           "next_attempt_at = NULL WHERE id <> 'rec-1'"_s));
    QVERIFY(execute(m_store->connection(), u"UPDATE recordings SET status = 'unavailable' WHERE id = 'rec-1'"_s));
    engine.reset();
    engine = makeEngine(0, 2, [](QList<TransferCandidate> due, const TransferLedger &) {
        due.removeIf([](const TransferCandidate &c) { return c.recordingId != "rec-2"_L1 && c.recordingId != "rec-3"_L1; });
        return due;
    });
    QVERIFY(engine);
    QSignalSpy idleOnce(engine.get(), &TransferEngine::idle);
    QVERIFY(engine->queueDue());
    QVERIFY(idleOnce.wait(30'000));
    QTest::qWait(200);
    QCOMPARE(idleOnce.count(), 1);
    QCOMPARE(engine->takeReport().downloaded, 2);
}

} // namespace transferenginetest
