// The agent's control socket end to end: the built earshot-sync in loop mode against the
// reference server, driven through the app's own IpcClient. Status answers while a slowed
// metadata pass runs; fetch_first, pause/resume, the bandwidth limit and pins act on real
// downloads and the real store; settings the data folder remembers; server events start
// passes; a revoked session pauses the agent until the user signs in again. What the app
// says about recordings it opened is in tst_agentcontrol_recordings.cpp.
#include "tst_agentcontrol.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QFile>
#include <QSettings>
#include <QSqlQuery>

using namespace Qt::StringLiterals;
using namespace agenttesting;

namespace controltest {

void TstAgentControl::initTestCase()
{
    QVERIFY2(QFileInfo::exists(QStringLiteral(EARSHOT_SYNC_PATH)), "the agent binary is not built: " EARSHOT_SYNC_PATH);
    QString error;
    QVERIFY2(keychainWorks(&error), qPrintable(error));
}

void TstAgentControl::statusAnswersDuringASlowMetadataPass()
{
    ServerView server;
    QVERIFY2(server.start({u"--calls"_s, u"2000"_s, u"--no-recordings"_s}), qPrintable(server.error()));
    QTemporaryDir dataDir;
    auto agent = signedInAgent(server, dataDir.path());
    QVERIFY(agent);
    // 20 pages, each answered after 400 ms: a pass of about 8 s or more.
    QVERIFY(server.setFaults({{"latency_ms"_L1, 400}}));
    ControlledAgent controlled(*agent, server.url(), {u"--page-size"_s, u"100"_s, u"--interval"_s, u"3600"_s});
    QVERIFY(controlled.connect());

    QVERIFY(waitUntil([&] { return StoreInspector(databasePath(dataDir.path())).count(u"calls"_s) > 0; },
                      std::chrono::seconds(30)));
    QElapsedTimer pass;
    pass.start();
    qint64 slowest = 0;
    int answered = 0;
    while (StoreInspector(databasePath(dataDir.path())).count(u"calls"_s) < 1500) {
        QElapsedTimer timer;
        timer.start();
        const auto status = controlled.request(u"status"_s);
        slowest = std::max(slowest, timer.elapsed());
        QVERIFY2(status.hasValue(), qPrintable(status.error()));
        QCOMPARE(status->value("state"_L1).toString(), u"online"_s);
        ++answered;
        QTest::qWait(100);
        QVERIFY2(pass.elapsed() < 90'000, "the pass never got through the pages");
    }
    const auto during = controlled.request(u"status"_s);
    QVERIFY(during.hasValue());
    QVERIFY2(during->value("pass_running"_L1).toBool(), "the pass ended before the answers were measured");
    QVERIFY(controlled.request(u"sync_now"_s).hasValue()); // runs right after the one under way
    qInfo() << answered << "status answers during a pass of" << pass.elapsed() << "ms and more; the slowest took"
            << slowest << "ms";
    // Generous for a loaded machine, but far below one page's delay times the pages left.
    QVERIFY2(slowest < 2000, qPrintable(u"a status answer took %1 ms"_s.arg(slowest)));

    // A second agent on the same data folder says why it cannot start.
    const AgentRun second = agent->syncOnce(server.url());
    QCOMPARE(second.exitCode, kExitLocalStore);
    QVERIFY2(second.standardError.contains("already running"), second.describe().constData());

    const auto bad = controlled.request(u"set_bandwidth_limit"_s, {{"bytes_per_second"_L1, u"fast"_s}});
    QVERIFY(!bad.hasValue());
    const auto unknown = controlled.request(u"make_coffee"_s);
    QVERIFY(!unknown.hasValue());

    QVERIFY(controlled.request(u"shutdown"_s).hasValue());
    QVERIFY(controlled.process().waitForFinished(30'000));
    QCOMPARE(controlled.process().exitStatus(), QProcess::NormalExit);
    QCOMPARE(controlled.process().exitCode(), 0);
    QCOMPARE(StoreInspector(databasePath(dataDir.path())).integrityCheck(), u"ok"_s);
}

void TstAgentControl::controlsDownloads()
{
    const int count = 6;
    ServerWithClips scene;
    QVERIFY(scene.start(count, 3 * kMiB));
    ServerView &server = scene.server;
    QTemporaryDir &dataDir = scene.dataDir;
    AgentProcess *agent = scene.agent.get();
    // 18 MiB at 1 MiB/s, two at a time: the downloads take long enough to be steered.
    ControlledAgent controlled(*agent, server.url(),
                               {u"--interval"_s, u"3600"_s, u"--parallel"_s, u"2"_s, u"--bandwidth-limit"_s, u"1M"_s});
    QVERIFY(controlled.connect());

    // fetch_first: a recording still waiting in the queue gets its range first.
    const auto progress = controlled.waitForEvent(u"progress"_s, std::chrono::seconds(60), [](const QJsonObject &data) {
        return data.value("transfers_underway"_L1).toInt() >= 1;
    });
    QVERIFY2(progress, controlled.log().constData());
    const QStringList underway = transferIds(progress->data);
    QString waiting;
    const auto recordings = StoreInspector(databasePath(dataDir.path())).recordings();
    for (const StoredRecording &recording : recordings) {
        if (!underway.contains(recording.id) && recording.cacheState != "present"_L1)
            waiting = recording.id;
    }
    QVERIFY2(!waiting.isEmpty(), "every recording was already under way");
    QElapsedTimer fetchTimer;
    fetchTimer.start();
    const auto fetched = controlled.request(u"fetch_first"_s, {{"recording_id"_L1, waiting},
                                                               {"offset"_L1, 1 * kMiB},
                                                               {"length"_L1, 65536}});
    QVERIFY2(fetched.hasValue(), qPrintable(fetched.error()));
    const auto ready = controlled.waitForEvent(u"range_ready"_s, std::chrono::seconds(60), [&](const QJsonObject &data) {
        return data.value("recording_id"_L1).toString() == waiting;
    });
    QVERIFY2(ready, controlled.log().constData());
    qInfo() << "the range arrived after" << fetchTimer.elapsed() << "ms";
    QCOMPARE(ready->data.value("offset"_L1).toInteger(), 1 * kMiB);
    QCOMPARE(ready->data.value("length"_L1).toInteger(), 65536);
    const qint64 presentAtRange = presentRecordings(dataDir.path());
    QVERIFY2(presentAtRange < count, controlled.log().prepend("the range arrived only after every recording was cached: ").constData());
    const auto missing = controlled.request(u"fetch_first"_s, {{"recording_id"_L1, u"rec_nonexistent"_s}});
    QVERIFY(!missing.hasValue());

    // pause: transfers stop, the partials stay on disk and in the store. (Once a download
    // is far enough in to leave one.)
    QVERIFY(controlled.waitForEvent(u"progress"_s, std::chrono::seconds(30), [](const QJsonObject &data) {
        const QJsonArray transfers = data.value("transfers"_L1).toArray();
        return std::any_of(transfers.begin(), transfers.end(), [](const QJsonValue &transfer) {
            return transfer.toObject().value("bytes_done"_L1).toInteger() >= 512 * 1024;
        });
    }, controlled.eventCount()));
    const auto paused = controlled.request(u"pause"_s);
    QVERIFY(paused.hasValue());
    QCOMPARE(paused->value("state"_L1).toString(), u"paused"_s);
    QVERIFY(waitUntil([&] {
        const auto status = controlled.request(u"status"_s);
        return status && status->value("transfers_underway"_L1).toInt() == 0;
    }, std::chrono::seconds(20)));
    QTest::qWait(300);
    const qint64 servedWhenPaused = mediaBytesServed(server.stats());
    qint64 partials = 0;
    for (const StoredRecording &recording : StoreInspector(databasePath(dataDir.path())).recordings()) {
        if (recording.cacheState == "partial"_L1) {
            ++partials;
            QVERIFY(QFileInfo::exists(QDir(cacheDir(dataDir.path())).filePath(recording.cacheFile)));
        }
    }
    QVERIFY2(partials >= 1, "pausing kept no partial download");
    qint64 cachedWhenPaused = 0;
    {
        StoreInspector store(databasePath(dataDir.path()));
        QSqlQuery cached(u"SELECT sum(cached_bytes) FROM recordings"_s, store.connection());
        QVERIFY(cached.next());
        cachedWhenPaused = cached.value(0).toLongLong();
    }
    QVERIFY(!controlled.request(u"fetch_first"_s, {{"recording_id"_L1, waiting}}).hasValue());
    QTest::qWait(1500);
    QCOMPARE(mediaBytesServed(server.stats()), servedWhenPaused);
    const auto pausedStatus = controlled.request(u"status"_s);
    QVERIFY(pausedStatus.hasValue());
    QCOMPARE(pausedStatus->value("state"_L1).toString(), u"paused"_s);

    // The limit goes; resume finishes everything from the partials.
    const auto unlimited = controlled.request(u"set_bandwidth_limit"_s, {{"bytes_per_second"_L1, 0}});
    QVERIFY2(unlimited.hasValue(), qPrintable(unlimited.error()));
    QCOMPARE(controlled.request(u"status"_s)->value("bandwidth_limit"_L1).toInteger(), 0);
    const qsizetype beforeResume = controlled.eventCount();
    QVERIFY(controlled.request(u"resume"_s).hasValue());
    QVERIFY2(controlled.waitForEvent(u"sync_completed"_s, std::chrono::seconds(60), {}, beforeResume),
             controlled.log().constData());
    QCOMPARE(presentRecordings(dataDir.path()), count);
    // Resumed, not started over: after the pause the server sent only what was missing
    // (give or take the chunk each partial ends in).
    const qint64 servedAfterResume = mediaBytesServed(server.stats()) - servedWhenPaused;
    qInfo() << cachedWhenPaused << "bytes cached at the pause;" << servedAfterResume << "served after it";
    QVERIFY2(servedAfterResume <= count * 3 * kMiB - cachedWhenPaused + count * 65536,
             qPrintable(u"%1 bytes served after the pause, %2 were cached"_s.arg(servedAfterResume).arg(cachedWhenPaused)));
    QVERIFY(controlled.waitForEvent(u"recording_cached"_s, std::chrono::seconds(1)));

    // pin and unpin write the pins table. The call pinned is the oldest, and the server
    // keeps local copies for a day less than its age: the pin's answer says it cannot keep it.
    QString callId;
    qint64 oldestStartMs = 0;
    {
        StoreInspector store(databasePath(dataDir.path()));
        QSqlQuery oldest(u"SELECT id, started_at FROM calls ORDER BY started_at LIMIT 1"_s, store.connection());
        QVERIFY(oldest.next());
        callId = oldest.value(0).toString();
        oldestStartMs = oldest.value(1).toLongLong();
    }
    constexpr qint64 kDayMs = 24 * 3600 * 1000;
    const qint64 ageDays = (QDateTime::currentMSecsSinceEpoch() - oldestStartMs) / kDayMs;
    QVERIFY2(ageDays >= 2, "the generated calls go back weeks; the oldest must be older than two days");
    const qint64 retentionDays = ageDays - 1;
    QVERIFY(server.adminPost(u"/__admin/policy"_s, {{u"local_retention_days"_s, retentionDays}}));
    const qsizetype beforePolicyPass = controlled.eventCount();
    QVERIFY(controlled.request(u"sync_now"_s).hasValue());
    QVERIFY2(controlled.waitForEvent(u"sync_completed"_s, std::chrono::seconds(60), {}, beforePolicyPass),
             controlled.log().constData());
    const auto callPinned =
        controlled.request(u"pin"_s, {{"kind"_L1, u"call"_s}, {"id"_L1, callId}, {"label"_L1, u"Keep"_s}});
    QVERIFY2(callPinned.hasValue(), qPrintable(callPinned.error()));
    QCOMPARE(callPinned->value("retention_days"_L1).toInteger(), retentionDays);
    QCOMPARE(callPinned->value("recordings"_L1).toInt(), 1);
    QCOMPARE(callPinned->value("older_than_retention"_L1).toInt(), 1);
    const auto filterPinned = controlled.request(
        u"pin"_s, {{"kind"_L1, u"filter"_s}, {"filter"_L1, QJsonObject{{"outcome"_L1, u"connected"_s}}}});
    QVERIFY2(filterPinned.hasValue(), qPrintable(filterPinned.error()));
    {
        StoreInspector store(databasePath(dataDir.path()));
        QCOMPARE(store.count(u"pins"_s), 2);
        QSqlQuery query(u"SELECT target FROM pins WHERE kind = 'call'"_s, store.connection());
        QVERIFY(query.next());
        QCOMPARE(query.value(0).toString(), callId);
    }
    QVERIFY(controlled.request(u"unpin"_s, {{"kind"_L1, u"call"_s}, {"id"_L1, callId}}).hasValue());
    QCOMPARE(StoreInspector(databasePath(dataDir.path())).count(u"pins"_s), 1);
    QVERIFY(!controlled.request(u"pin"_s, {{"kind"_L1, u"planet"_s}, {"id"_L1, callId}}).hasValue());

    QVERIFY(controlled.request(u"shutdown"_s).hasValue());
    QVERIFY(controlled.process().waitForFinished(30'000));
    QCOMPARE(controlled.process().exitCode(), 0);
}

// The app starts the agent with --data-dir alone: the settings its user gave earlier, on a
// command line or over the socket, must still hold. A broken value is ignored, loudly.
void TstAgentControl::settingsGivenOnceAreRememberedByTheFolder()
{
    ServerView server;
    QVERIFY2(server.start({u"--calls"_s, u"5"_s, u"--no-recordings"_s}), qPrintable(server.error()));
    QTemporaryDir dataDir;
    auto agent = signedInAgent(server, dataDir.path());
    QVERIFY(agent);
    const AgentRun once = agent->syncOnce(server.url(), {u"--parallel"_s, u"3"_s, u"--bandwidth-limit"_s, u"2M"_s,
                                                         u"--cache-quota"_s, u"5M"_s});
    QVERIFY2(once.exitCode == 0, once.describe().constData());
    const auto settingsOf = [&](const QStringList &arguments) -> std::optional<QJsonObject> {
        ControlledAgent controlled(*agent, server.url(), arguments);
        if (!controlled.connect())
            return std::nullopt;
        auto status = controlled.request(u"status"_s);
        if (!status)
            return std::nullopt;
        // The person lowers the limit in the app.
        if (arguments.isEmpty()
            && !controlled.request(u"set_bandwidth_limit"_s, {{"bytes_per_second"_L1, 1024 * 1024}}).hasValue())
            return std::nullopt;
        if (!controlled.request(u"shutdown"_s).hasValue() || !controlled.process().waitForFinished(30'000))
            return std::nullopt;
        status->insert("log"_L1, QString::fromUtf8(controlled.log()));
        return *status;
    };
    const auto numbers = [](const QJsonObject &status) {
        return QList<qint64>{status.value("parallel"_L1).toInteger(), status.value("bandwidth_limit"_L1).toInteger(),
                             status.value("cache_quota"_L1).toInteger(), status.value("interval_seconds"_L1).toInteger()};
    };

    const auto first = settingsOf({u"--interval"_s, u"900"_s});
    QVERIFY(first);
    QCOMPARE(numbers(*first), (QList<qint64>{3, 2 * 1024 * 1024, 5 * 1024 * 1024, 900}));
    // As the app starts it: nothing but the folder (and the server, remembered at login).
    const auto second = settingsOf({});
    QVERIFY(second);
    QCOMPARE(numbers(*second), (QList<qint64>{3, 2 * 1024 * 1024, 5 * 1024 * 1024, 900}));
    const auto third = settingsOf({u"--parallel"_s, u"2"_s});
    QVERIFY(third);
    QCOMPARE(numbers(*third), (QList<qint64>{2, 1024 * 1024, 5 * 1024 * 1024, 900}));

    {
        QSettings ini(QDir(dataDir.path()).filePath(u"agent.ini"_s), QSettings::IniFormat);
        QCOMPARE(ini.value(u"sync/parallel"_s).toInt(), 2);
        ini.setValue(u"sync/parallel"_s, u"ninety"_s);
        ini.setValue(u"sync/cache_quota"_s, -5);
    }
    const auto broken = settingsOf({});
    QVERIFY(broken);
    QCOMPARE(numbers(*broken), (QList<qint64>{4, 1024 * 1024, 10LL * 1024 * 1024 * 1024, 900}));
    const QString log = broken->value("log"_L1).toString();
    QVERIFY2(log.contains(u"ignoring parallel = ninety"_s) && log.contains(u"ignoring cache_quota = -5"_s),
             qPrintable(log));
}

void TstAgentControl::serverEventStartsAPass()
{
    MirroringAgent mirroring;
    QVERIFY(mirroring.start());
    ControlledAgent &controlled = *mirroring.controlled;
    QVERIFY(waitUntil([&] {
        const auto status = controlled.request(u"status"_s);
        return status && status->value("server_events"_L1).toString() == "connected"_L1;
    }, std::chrono::seconds(30)));

    const QString callId = mirroring.server.calls().keys().constFirst();
    const qsizetype before = controlled.eventCount();
    QVERIFY(mirroring.server.adminPost(u"/__admin/calls/%1/update"_s.arg(callId), {{"outcome"_L1, u"voicemail"_s}}));
    // The interval is an hour: only the event can have started this pass.
    QVERIFY2(controlled.waitForEvent(u"sync_completed"_s, std::chrono::seconds(30), {}, before),
             controlled.log().constData());
    QCOMPARE(StoreInspector(databasePath(mirroring.dataDir.path())).callColumn(callId, u"outcome"_s), u"voicemail"_s);
}

void TstAgentControl::playerRequestWhileTheServerIsAwayDoesNotStopLaterPasses()
{
    // Recordings larger than the quota: nothing is cached unless the player asks.
    QTemporaryDir media;
    QString error;
    QVERIFY2(!earshot::testsupport::writeMediaFiles(media.path(), {u"a.mp3"_s, u"b.mp3"_s}, {2 * kMiB, 2 * kMiB}, &error)
                  .isEmpty(),
             qPrintable(error));
    ServerView server;
    QVERIFY2(server.start({u"--calls"_s, u"2"_s, u"--one-recording-per-file"_s, u"--recordings-dir"_s, media.path()}),
             qPrintable(server.error()));
    QTemporaryDir dataDir;
    auto agent = signedInAgent(server, dataDir.path());
    QVERIFY(agent);
    ControlledAgent controlled(*agent, server.url(), {u"--interval"_s, u"3600"_s, u"--cache-quota"_s, u"1M"_s});
    QVERIFY(controlled.connect());
    QVERIFY2(firstPassDone(controlled), controlled.log().constData());
    const QString recording = StoreInspector(databasePath(dataDir.path())).recordings().constFirst().id;

    // The server goes away; the player's request fails with the reason, not a timeout.
    server.stop();
    qsizetype from = controlled.eventCount();
    QVERIFY(controlled.request(u"fetch_first"_s, {{"recording_id"_L1, recording}, {"length"_L1, 65536}}).hasValue());
    const auto failed = controlled.waitForEvent(u"range_failed"_s, std::chrono::seconds(30), {}, from);
    QVERIFY2(failed, controlled.log().constData());
    const QString message = failed->data.value("message"_L1).toString();
    QVERIFY2(message.contains(u"Cannot reach the Earshot server"_s), qPrintable(message));
    // The lost event channel starts a pass (the interval is an hour), which finds no
    // server: the status says offline, the word the app shows.
    QVERIFY2(waitUntil([&] {
        const auto status = controlled.request(u"status"_s);
        return status && status->value("state"_L1).toString() == "offline"_L1;
    }, std::chrono::seconds(30)), controlled.log().constData());

    // Back: the player's next request is served at once, and the next pass succeeds.
    QVERIFY2(server.restart(), qPrintable(server.error()));
    from = controlled.eventCount();
    QVERIFY(controlled.request(u"fetch_first"_s, {{"recording_id"_L1, recording}, {"length"_L1, 65536}}).hasValue());
    QVERIFY2(controlled.waitForEvent(u"range_ready"_s, std::chrono::seconds(30), {}, from), controlled.log().constData());
    from = controlled.eventCount();
    QVERIFY(controlled.request(u"sync_now"_s).hasValue());
    QVERIFY2(controlled.waitForEvent(u"sync_completed"_s, std::chrono::seconds(30), {}, from),
             controlled.log().constData());
    const auto status = controlled.request(u"status"_s);
    QVERIFY(status);
    QVERIFY2(status->value("last_sync_error"_L1).isNull(), qPrintable(status->value("last_sync_error"_L1).toString()));
}

void TstAgentControl::revokedSessionWaitsForANewSignIn()
{
    MirroringAgent mirroring;
    QVERIFY(mirroring.start());
    ServerView &server = mirroring.server;
    const QTemporaryDir &dataDir = mirroring.dataDir;
    AgentProcess &agent = *mirroring.agent;
    ControlledAgent &controlled = *mirroring.controlled;

    // The server revokes the session: the access token and the refresh token stop working.
    QVERIFY(server.adminPost(u"/__admin/tokens/expire"_s, {{"refresh"_L1, true}}));
    QVERIFY(controlled.request(u"sync_now"_s).hasValue());
    const auto required = controlled.waitForEvent(u"auth_required"_s, std::chrono::seconds(30));
    QVERIFY2(required, controlled.log().constData());
    QVERIFY(required->data.value("message"_L1).toString().contains("earshot-sync login"_L1));
    const auto status = controlled.request(u"status"_s);
    QVERIFY(status.hasValue());
    QCOMPARE(status->value("state"_L1).toString(), u"auth_required"_s);
    QVERIFY(!controlled.request(u"sync_now"_s).hasValue());
    QTest::qWait(500);
    QCOMPARE(controlled.process().state(), QProcess::Running);

    // Meanwhile the server gets a new call; the user signs in again; the agent carries on.
    QVERIFY(server.adminPost(u"/__admin/calls"_s, {{"count"_L1, 1}}));
    const qsizetype before = controlled.eventCount();
    const AgentRun login = agent.login(server.url(), kEmail, kPassword);
    QVERIFY2(login.exitCode == 0, login.describe().constData());
    QVERIFY2(controlled.waitForEvent(u"sync_completed"_s, std::chrono::seconds(30), {}, before),
             controlled.log().constData());
    QCOMPARE(controlled.request(u"status"_s)->value("state"_L1).toString(), u"online"_s);
    QCOMPARE(StoreInspector(databasePath(dataDir.path())).count(u"calls"_s), 21);

    QVERIFY(controlled.request(u"shutdown"_s).hasValue());
    QVERIFY(controlled.process().waitForFinished(30'000));
    QCOMPARE(controlled.process().exitCode(), 0);
}

} // namespace controltest

int main(int argc, char *argv[])
{
    return runUnderKeyring(argc, argv, [](int count, char **arguments) {
        QCoreApplication application(count, arguments);
        controltest::TstAgentControl test;
        QTEST_SET_MAIN_SOURCE_PATH
        return QTest::qExec(&test, count, arguments);
    });
}

