// tst_agentcontrol, the recordings the app tells the agent about: those it opened (the
// quota evicts them last), one the agent gave up on that the player asks for all the
// same, and a copy the player could not read.
#include "tst_agentcontrol.h"

#include "cachecheck.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QSqlQuery>

using namespace Qt::StringLiterals;
using namespace agenttesting;

namespace controltest {

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
        const QList<LocalAuditEvent> audit = deletionEvents(store);
        QCOMPARE(audit.size(), 1);
        QCOMPARE(audit.constFirst().recordingId, hurt.id);
        QCOMPARE(audit.constFirst().reason, u"damaged_file"_s);
    }

    const auto fine = controlled.request(u"recording_damaged"_s, {{"recording_id"_L1, sound.id}});
    QVERIFY2(fine.hasValue(), qPrintable(fine.error()));
    QVERIFY(!fine->value("damaged"_L1).toBool());
    QCOMPARE(StoreInspector(databasePath(dataPath)).recordingColumn(sound.id, u"cache_file"_s).toString(),
             sound.cacheFile);
    QVERIFY(!controlled.request(u"recording_damaged"_s, {{"recording_id"_L1, u"rec_nonexistent"_s}}).hasValue());
}

} // namespace controltest
