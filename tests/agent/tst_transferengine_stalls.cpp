// tst_transferengine, stalls: a server that sends its head and then nothing, or trickles
// below the floor, is given up on and the download resumes later from its last whole
// chunk; a download the agent itself holds back (the bandwidth limit) is never a stall.
// The window is shortened from 30 s to keep the test quick.
#include "tst_transferengine.h"

#include <QElapsedTimer>

using namespace std::chrono_literals;

namespace transferenginetest {

void TstTransferEngine::silenceAfterTheHeadIsAStall()
{
    const auto sink = partialWithFourChunks();
    m_settings.connection.stallTime = 2s;
    m_server->script({{Answer::Silent, 0, {}, 0}});
    QElapsedTimer clock;
    clock.start();
    const MediaOutcome outcome = transferInto(sink, 4 * kChunk, kMiB);
    const qint64 waited = clock.elapsed();
    QCOMPARE(outcome.kind, MediaOutcome::Kind::Network);
    QVERIFY2(outcome.message.contains(u"stalled: less than 1024 bytes per second for 2 s"_s), qPrintable(outcome.message));
    QCOMPARE(outcome.deliveredEnd, 4 * kChunk);
    // One window, plus up to one more for the window that began before the head.
    QVERIFY2(waited >= 1900 && waited < 8000, qPrintable(u"gave up after %1 ms"_s.arg(waited)));
    QVERIFY(keepsItsFourChunks(sink));
}

void TstTransferEngine::tricklingBelowTheFloorIsAStall()
{
    const auto sink = partialWithFourChunks();
    m_settings.connection.stallTime = 1s;
    m_settings.slowestBytesPerSecond = 64 * 1024;
    m_server->setThrottle(16 * 1024); // bytes keep coming, but a quarter of the floor
    const MediaOutcome outcome = transferInto(sink, 4 * kChunk, kMiB);
    QCOMPARE(outcome.kind, MediaOutcome::Kind::Network);
    QVERIFY2(outcome.message.contains(u"stalled"_s), qPrintable(outcome.message));
    QVERIFY2(outcome.deliveredEnd >= 4 * kChunk && outcome.deliveredEnd < kMiB,
             qPrintable(u"delivered up to %1"_s.arg(outcome.deliveredEnd)));
}

void TstTransferEngine::heldBackByTheBandwidthLimitIsNotAStall()
{
    m_settings.connection.stallTime = 1s;
    m_settings.slowestBytesPerSecond = 64 * 1024;
    addRecording(256 * 1024);
    // The limit holds the download to half the floor: the agent's doing, not the server's.
    auto engine = makeEngine(32 * 1024);
    QVERIFY(engine);
    QElapsedTimer clock;
    clock.start();
    QVERIFY(engine->queueDue());
    QVERIFY(runUntilIdle(*engine, 60'000));
    const auto report = engine->takeReport();
    QVERIFY2(report.failed == 0, qPrintable(report.lastFailure));
    QCOMPARE(report.downloaded, 1);
    QCOMPARE(m_server->requests().size(), 1);
    qInfo() << "256 KiB at a 32 KiB/s limit took" << clock.elapsed() << "ms in one request";
    QVERIFY2(clock.elapsed() >= 5000, qPrintable(u"%1 ms: faster than the limit"_s.arg(clock.elapsed())));
}

void TstTransferEngine::stalledDownloadResumesWhereItStopped()
{
    m_settings.connection.stallTime = 2s;
    addRecording();
    m_server->script({{Answer::CutShort, 0, {}, 300'000}, {Answer::Silent, 0, {}, 0}});
    auto engine = makeEngine();
    QVERIFY(engine);
    QVERIFY(engine->queueDue());
    QVERIFY(runUntilIdle(*engine, 60'000));
    QCOMPARE(engine->takeReport().downloaded, 1);
    const auto requests = m_server->requests();
    QCOMPARE(requests.size(), 3);
    // Cut short at four whole chunks, silent from there, then the rest from the same byte.
    QCOMPARE(requests[1].range, "bytes=262144-1048575"_ba);
    QCOMPARE(requests[2].range, "bytes=262144-1048575"_ba);
    QVERIFY2(requests[2].elapsedMs - requests[1].elapsedMs >= 1900,
             qPrintable(u"the silent answer was given up after %1 ms"_s.arg(requests[2].elapsedMs - requests[1].elapsedMs)));
    QCOMPARE(row().cacheState, u"present"_s);
}

} // namespace transferenginetest
