// The agent's control socket end to end: the built earshot-sync in loop mode against the
// reference server, driven through the app's own IpcClient. Status answers while a slowed
// metadata pass runs; fetch_first, pause/resume, the bandwidth limit and pins act on real
// downloads and the real store; a recording the app opened is the last the quota evicts;
// server events start passes; a revoked session pauses the agent until the user signs in
// again.
#include "agenttesting.h"
#include "cachecheck.h"
#include "storeinspector.h"

#include "ipc/ipcclient.h"
#include "ipc/ipcprotocol.h"
#include "testsupport/media_files.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QSettings>
#include <QSqlQuery>
#include <QTest>

#include <functional>

using namespace Qt::StringLiterals;
using namespace agenttesting;
using earshot::IpcClient;

namespace {

constexpr qint64 kMiB = 1024 * 1024;

// A running agent in loop mode and a control connection to it that keeps every event.
class ControlledAgent
{
public:
    struct Event
    {
        QString name;
        QJsonObject data;
    };

    ControlledAgent(AgentProcess &agent, const QString &serverUrl, const QStringList &extraArguments)
        : m_client(earshot::ipc::socketPathFor(agent.dataDir()))
    {
        agent.start(m_process, QStringList{u"--server"_s, serverUrl, u"--data-dir"_s, agent.dataDir()} + extraArguments);
        QObject::connect(&m_client, &IpcClient::eventReceived, &m_client,
                         [this](const QString &name, const QJsonObject &data) { m_events.append({name, data}); });
    }
    ~ControlledAgent()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.terminate();
            if (!m_process.waitForFinished(20'000))
                m_process.kill();
        }
    }

    // Waits for the socket (the agent opens it once its store and session are loaded).
    bool connect()
    {
        QElapsedTimer waited;
        waited.start();
        while (waited.elapsed() < 30'000 && m_process.state() != QProcess::NotRunning) {
            if (m_client.waitForConnected(std::chrono::milliseconds(200)))
                return m_client.requestAndWait(u"subscribe"_s).hasValue();
            QTest::qWait(100);
        }
        qWarning() << "the agent's socket never answered;" << m_process.readAllStandardError().right(2000);
        return false;
    }

    earshot::Expected<QJsonObject> request(const QString &command, const QJsonObject &args = {})
    {
        return m_client.requestAndWait(command, args, std::chrono::seconds(20));
    }

    // The first event (from `from` on) named `name` that `matches`, waiting for it.
    std::optional<Event> waitForEvent(const QString &name, std::chrono::milliseconds timeout,
                                      const std::function<bool(const QJsonObject &)> &matches = {}, qsizetype from = 0)
    {
        QElapsedTimer waited;
        waited.start();
        for (;;) {
            for (qsizetype i = from; i < m_events.size(); ++i) {
                if (m_events[i].name == name && (!matches || matches(m_events[i].data)))
                    return m_events[i];
            }
            if (waited.elapsed() > timeout.count() || m_process.state() == QProcess::NotRunning)
                return std::nullopt;
            QTest::qWait(20);
        }
    }
    qsizetype eventCount() const { return m_events.size(); }
    QProcess &process() { return m_process; }
    QByteArray log() { return m_process.readAllStandardError().right(12000); }

private:
    QProcess m_process;
    IpcClient m_client;
    QList<Event> m_events;
};

// The first pass may end before the test subscribed: the status tells.
bool firstPassDone(ControlledAgent &controlled)
{
    return waitUntil([&] {
        const auto status = controlled.request(u"status"_s);
        return status && !status->value("last_sync_at"_L1).isNull() && !status->value("pass_running"_L1).toBool();
    }, std::chrono::seconds(60));
}

// A server with 20 calls and no recordings, and an agent in loop mode that mirrored them
// once and then passes only when something asks it to (an hour's interval).
struct MirroringAgent
{
    ServerView server;
    QTemporaryDir dataDir;
    std::unique_ptr<AgentProcess> agent;
    std::unique_ptr<ControlledAgent> controlled;

    bool start()
    {
        if (!server.start({u"--calls"_s, u"20"_s, u"--no-recordings"_s})) {
            qWarning().noquote() << server.error();
            return false;
        }
        agent = signedInAgent(server, dataDir.path());
        if (!agent)
            return false;
        controlled = std::make_unique<ControlledAgent>(*agent, server.url(), QStringList{u"--interval"_s, u"3600"_s});
        if (!controlled->connect())
            return false;
        if (firstPassDone(*controlled))
            return true;
        qWarning().noquote() << controlled->log();
        return false;
    }
};

// A server with `count` calls, each with its own MP3-looking recording of `bytes` bytes
// (in `media`), and a signed-in agent on a fresh data dir.
struct ServerWithClips
{
    QTemporaryDir media;
    ServerView server;
    QTemporaryDir dataDir;
    std::unique_ptr<AgentProcess> agent;

    bool start(int count, qint64 bytes)
    {
        QString error;
        QStringList names;
        for (int i = 0; i < count; ++i)
            names.append(u"clip%1.mp3"_s.arg(i));
        if (earshot::testsupport::writeMediaFiles(media.path(), names, QList<qint64>(count, bytes), &error).isEmpty()) {
            qWarning().noquote() << error;
            return false;
        }
        if (!server.start({u"--calls"_s, QString::number(count), u"--one-recording-per-file"_s,
                           u"--recordings-dir"_s, media.path()})) {
            qWarning().noquote() << server.error();
            return false;
        }
        agent = signedInAgent(server, dataDir.path());
        return agent != nullptr;
    }
};

qint64 presentRecordings(const QString &dataDir)
{
    qint64 present = 0;
    const auto recordings = StoreInspector(databasePath(dataDir)).recordings();
    for (const StoredRecording &recording : recordings)
        present += recording.cacheState == "present"_L1 ? 1 : 0;
    return present;
}

QStringList transferIds(const QJsonObject &progressOrStatus)
{
    QStringList ids;
    const QJsonArray transfers = progressOrStatus.value("transfers"_L1).toArray();
    for (const QJsonValue &transfer : transfers)
        ids.append(transfer.toObject().value("recording_id"_L1).toString());
    return ids;
}

} // namespace

class TstAgentControl : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();

    void statusAnswersDuringASlowMetadataPass();
    void controlsDownloads();
    void openedCopiesAreEvictedLast();
    void givenUpRecordingStillPlaysAtOnce();
    void damagedCopyIsCheckedRemovedAndFetchedAgain();
    void settingsGivenOnceAreRememberedByTheFolder();
    void serverEventStartsAPass();
    void playerRequestWhileTheServerIsAwayDoesNotStopLaterPasses();
    void revokedSessionWaitsForANewSignIn();
};

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

void TstAgentControl::openedCopiesAreEvictedLast()
{
    constexpr int kCount = 6;
    constexpr qint64 kBytes = 256 * 1024;
    ServerWithClips scene;
    QVERIFY(scene.start(kCount, kBytes));
    ServerView &server = scene.server;
    QTemporaryDir &dataDir = scene.dataDir;
    AgentProcess *agent = scene.agent.get();
    QStringList order; // the order the quota would evict them in, first to go first
    {
        ControlledAgent controlled(*agent, server.url(), {u"--interval"_s, u"3600"_s});
        QVERIFY(controlled.connect());
        QVERIFY2(waitUntil([&] { return presentRecordings(dataDir.path()) == kCount; }, std::chrono::seconds(60)),
                 controlled.log().constData());

        {
            StoreInspector store(databasePath(dataDir.path()));
            QSqlQuery query(store.connection());
            QVERIFY(query.exec(u"SELECT r.id FROM recordings r JOIN calls c ON c.id = r.call_id "
                               "ORDER BY IFNULL(r.last_accessed_at, r.cached_at), c.started_at"_s));
            while (query.next())
                order.append(query.value(0).toString());
        }
        QCOMPARE(order.size(), kCount);

        // The person plays the two that would go first.
        const qint64 before = QDateTime::currentMSecsSinceEpoch();
        for (const QString &id : {order[0], order[1]}) {
            const auto opened = controlled.request(u"recording_opened"_s, {{"recording_id"_L1, id}});
            QVERIFY2(opened.hasValue(), qPrintable(opened.error()));
        }
        const qint64 after = QDateTime::currentMSecsSinceEpoch();
        for (const QString &id : {order[0], order[1]}) {
            const qint64 usedAt = StoreInspector(databasePath(dataDir.path()))
                                      .recordingColumn(id, u"last_accessed_at"_s).toLongLong();
            QVERIFY2(usedAt >= before && usedAt <= after, qPrintable(u"%1 used at %2"_s.arg(id).arg(usedAt)));
        }
        const auto unknown = controlled.request(u"recording_opened"_s, {{"recording_id"_L1, u"rec_nonexistent"_s}});
        QVERIFY(!unknown.hasValue());
        QVERIFY2(unknown.error().contains(u"no recording rec_nonexistent"_s), qPrintable(unknown.error()));
        QVERIFY(!controlled.request(u"recording_opened"_s, {}).hasValue());

        QVERIFY(controlled.request(u"shutdown"_s).hasValue());
        QVERIFY(controlled.process().waitForFinished(30'000));
        QCOMPARE(controlled.process().exitCode(), 0);
    }

    // Room for three: the two played and the one cached last of the others stay.
    QVERIFY(server.resetStats());
    const AgentRun smaller = agent->syncOnce(server.url(), {u"--cache-quota"_s, QString::number(3 * kBytes)});
    QVERIFY2(smaller.exitCode == 0, smaller.describe().constData());
    QSet<QString> present;
    const auto recordings = StoreInspector(databasePath(dataDir.path())).recordings();
    for (const StoredRecording &recording : recordings) {
        if (recording.cacheState == "present"_L1)
            present.insert(recording.id);
    }
    QCOMPARE(present, (QSet<QString>{order[0], order[1], order[kCount - 1]}));
    // The evicted ones are not fetched again to be evicted once more.
    QCOMPARE(requestCount(server.stats(), "GET /media/{id}"), 0);
}

// The agent gives up on a recording whose downloads keep failing until hours later; that
// is its own state, not the server's, and the person who presses Play is served at once.
void TstAgentControl::givenUpRecordingStillPlaysAtOnce()
{
    constexpr qint64 kBytes = 256 * 1024;
    ServerWithClips scene;
    QVERIFY(scene.start(1, kBytes));
    ServerView &server = scene.server;
    QTemporaryDir &dataDir = scene.dataDir;
    AgentProcess *agent = scene.agent.get();
    QVERIFY(server.setFaults({{"drop_body_after"_L1, 0}}));
    for (int pass = 1; pass <= 5; ++pass) {
        const AgentRun sync = agent->syncOnce(server.url());
        QVERIFY2(sync.exitCode == kExitServer, sync.describe().constData());
        StoreInspector store(databasePath(dataDir.path()));
        QSqlQuery(u"UPDATE recordings SET next_attempt_at = 1 WHERE gave_up_at IS NULL"_s, store.connection()).exec();
    }
    const StoredRecording gaveUp = StoreInspector(databasePath(dataDir.path())).recordings().constFirst();
    QVERIFY(gaveUp.gaveUpAt > 0);
    QCOMPARE(gaveUp.status, u"available"_s);
    QVERIFY(gaveUp.nextAttemptAt > QDateTime::currentMSecsSinceEpoch() + 11 * 3600'000LL);

    // The server is mended. The agent's passes leave the recording alone until its next
    // try, hours away...
    QVERIFY(server.setFaults({{"drop_body_after"_L1, QJsonValue::Null}}));
    QVERIFY(server.resetStats());
    ControlledAgent controlled(*agent, server.url(), {u"--interval"_s, u"3600"_s});
    QVERIFY(controlled.connect());
    QVERIFY2(firstPassDone(controlled), controlled.log().constData());
    QCOMPARE(requestCount(server.stats(), "GET /media/{id}"), 0);
    // ...but the player's request goes ahead, and the copy it completes clears the give-up.
    const qsizetype from = controlled.eventCount();
    const auto fetched = controlled.request(u"fetch_first"_s, {{"recording_id"_L1, gaveUp.id}, {"length"_L1, 65536}});
    QVERIFY2(fetched.hasValue(), qPrintable(fetched.error()));
    QVERIFY2(controlled.waitForEvent(u"range_ready"_s, std::chrono::seconds(30), {}, from), controlled.log().constData());
    QVERIFY2(controlled.waitForEvent(u"recording_cached"_s, std::chrono::seconds(30), {}, from),
             controlled.log().constData());
    const StoredRecording cached = StoreInspector(databasePath(dataDir.path())).recordings().constFirst();
    QCOMPARE(cached.cacheState, u"present"_s);
    QCOMPARE(cached.gaveUpAt, 0);
    QCOMPARE(cached.attempts, 0);
    QVERIFY(cached.lastError.isEmpty());
}

// The app could not read a cached copy. The agent reads it whole itself: a damaged copy
// goes (audited as damaged_file) and comes again at once; a sound one stays.
void TstAgentControl::damagedCopyIsCheckedRemovedAndFetchedAgain()
{
    constexpr qint64 kBytes = 256 * 1024;
    ServerWithClips scene;
    QVERIFY(scene.start(2, kBytes));
    const QString dataPath = scene.dataDir.path();
    ControlledAgent controlled(*scene.agent, scene.server.url(), {u"--interval"_s, u"3600"_s});
    QVERIFY(controlled.connect());
    QVERIFY2(waitUntil([&] { return presentRecordings(dataPath) == 2; }, std::chrono::seconds(60)),
             controlled.log().constData());
    const QList<StoredRecording> recordings = StoreInspector(databasePath(dataPath)).recordings();
    const StoredRecording &hurt = recordings[0];
    const StoredRecording &sound = recordings[1];
    {
        QFile file(QDir(cacheDir(dataPath)).filePath(hurt.cacheFile));
        QVERIFY(file.open(QIODevice::ReadWrite));
        QVERIFY(file.seek(file.size() / 2));
        QVERIFY(file.write("\xde\xad\xbe\xef", 4) == 4);
    }

    QVERIFY(scene.server.resetStats());
    const qsizetype from = controlled.eventCount();
    const auto verdict = controlled.request(u"recording_damaged"_s, {{"recording_id"_L1, hurt.id}});
    QVERIFY2(verdict.hasValue(), qPrintable(verdict.error()));
    QVERIFY(verdict->value("damaged"_L1).toBool());
    QVERIFY2(!verdict->value("problem"_L1).toString().isEmpty(), "a damaged copy says what is wrong");
    QVERIFY2(controlled.waitForEvent(u"recording_cached"_s, std::chrono::seconds(30),
                                     [&](const QJsonObject &data) {
                                         return data.value("recording_id"_L1).toString() == hurt.id;
                                     }, from),
             controlled.log().constData());
    QCOMPARE(requestCount(scene.server.stats(), "GET /media/{id}"), 1);
    {
        StoreInspector store(databasePath(dataPath));
        const CacheCheck check = checkCache(store, cacheDir(dataPath));
        QVERIFY2(check.problems.isEmpty(), qPrintable(check.problems.join(u'\n')));
        QCOMPARE(check.present, 2);
        QSqlQuery audit(u"SELECT recording_id, reason FROM audit_events WHERE type = 'recording.deleted_local'"_s,
                        store.connection());
        QVERIFY(audit.next());
        QCOMPARE(audit.value(0).toString(), hurt.id);
        QCOMPARE(audit.value(1).toString(), u"damaged_file"_s);
        QVERIFY(!audit.next());
    }

    const auto fine = controlled.request(u"recording_damaged"_s, {{"recording_id"_L1, sound.id}});
    QVERIFY2(fine.hasValue(), qPrintable(fine.error()));
    QVERIFY(!fine->value("damaged"_L1).toBool());
    QCOMPARE(StoreInspector(databasePath(dataPath)).recordingColumn(sound.id, u"cache_file"_s).toString(),
             sound.cacheFile);
    QVERIFY(!controlled.request(u"recording_damaged"_s, {{"recording_id"_L1, u"rec_nonexistent"_s}}).hasValue());
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

int main(int argc, char *argv[])
{
    return runUnderKeyring(argc, argv, [](int count, char **arguments) {
        QCoreApplication application(count, arguments);
        TstAgentControl test;
        QTEST_SET_MAIN_SOURCE_PATH
        return QTest::qExec(&test, count, arguments);
    });
}

#include "tst_agentcontrol.moc"
