// tst_agentcache, the server's side of the cache: local deletions' audit events wait
// while the server is down and are sent once; rejected ones keep the server's error; copies
// the server withdraws, and those of calls it deletes, go and are audited.
#include "tst_agentcache.h"

namespace cachetest {

void TstAgentCache::auditEventsWaitWhileTheServerIsDown()
{
    CacheScene scene;
    QVERIFY(scene.startSynced(3));
    ServerView &server = scene.server;
    AgentProcess *agent = scene.agent.get();
    const QString dataPath = scene.data();
    {
        // A copy damaged while the agent was not running: the next start removes it.
        StoreInspector store(databasePath(dataPath));
        QVERIFY(damageHeader(QDir(cacheDir(dataPath)).filePath(store.recordings().constFirst().cacheFile)));
    }

    server.stop();
    const AgentRun offline = agent->syncOnce(server.url());
    QVERIFY2(offline.exitCode == kExitServer, offline.describe().constData());
    QString eventId;
    {
        StoreInspector store(databasePath(dataPath));
        const auto events = deletionEvents(store);
        QCOMPARE(events.size(), 1);
        QVERIFY(!events[0].uploaded);
        QVERIFY(events[0].serverError.isEmpty());
        eventId = events[0].eventId;
    }

    QVERIFY2(server.restart(), qPrintable(server.error()));
    const AgentRun online = agent->syncOnce(server.url());
    QVERIFY2(online.exitCode == 0, online.describe().constData());
    StoreInspector store(databasePath(dataPath));
    const auto events = deletionEvents(store);
    QCOMPARE(events.size(), 1);
    QVERIFY(events[0].uploaded);
    QVERIFY(serverEventIds(server).contains(eventId));
    QCOMPARE(earshot::AuditLog(store.connection()).verifyChain(), QStringList());
    QSqlQuery pending(u"SELECT count(*) FROM audit_events WHERE uploaded_at IS NULL"_s, store.connection());
    QVERIFY(pending.next());
    QCOMPARE(pending.value(0).toLongLong(), 0);
}

void TstAgentCache::rejectedEventsKeepTheServersErrorAndAreNotResent()
{
    CacheScene scene;
    QVERIFY(scene.startSynced(3));
    const QString dataPath = scene.data();
    {
        StoreInspector store(databasePath(dataPath));
        const auto recordings = store.recordings();
        for (qsizetype i = 0; i < 2; ++i)
            QVERIFY(damageHeader(QDir(cacheDir(dataPath)).filePath(recordings[i].cacheFile)));
    }
    scene.server.stop();
    const AgentRun offline = scene.agent->syncOnce(scene.server.url());
    QVERIFY2(offline.exitCode == kExitServer, offline.describe().constData());
    QString tampered, intact;
    {
        // Someone edits a recorded event before it is uploaded: its hash no longer fits.
        StoreInspector store(databasePath(dataPath));
        const auto events = deletionEvents(store);
        QCOMPARE(events.size(), 2);
        tampered = events[0].eventId;
        intact = events[1].eventId;
        QVERIFY(execute(store, u"UPDATE audit_events SET reason = 'nothing to see' WHERE event_id = ?"_s, {tampered}));
        QCOMPARE(earshot::AuditLog(store.connection()).verifyChain().size(), 1);
    }

    QVERIFY2(scene.server.restart(), qPrintable(scene.server.error()));
    const AgentRun online = scene.agent->syncOnce(scene.server.url());
    QVERIFY2(online.exitCode == 0, online.describe().constData());
    {
        StoreInspector store(databasePath(dataPath));
        const auto events = deletionEvents(store);
        QCOMPARE(events[0].eventId, tampered);
        QVERIFY(!events[0].uploaded);
        QCOMPARE(events[0].serverError, u"hash_mismatch"_s);
        QVERIFY(events[1].uploaded);
        const QSet<QString> onServer = serverEventIds(scene.server);
        QVERIFY(onServer.contains(intact));
        QVERIFY(!onServer.contains(tampered));
    }

    // Not sent again and again: the next pass has nothing to upload.
    QVERIFY(scene.resetStats());
    const AgentRun again = scene.agent->syncOnce(scene.server.url());
    QVERIFY2(again.exitCode == 0, again.describe().constData());
    QCOMPARE(requestCount(scene.server.stats(), "POST /api/audit/events"), 0);
}

void TstAgentCache::copiesWithdrawnOnTheServerAreDeletedAndReported()
{
    CacheScene scene;
    QVERIFY(scene.startSynced(4));
    const QString dataPath = scene.data();
    const QList<ServerCall> calls = serverCalls(scene.server);
    const QString withdrawn = calls[1].recordingId;
    // And one withdrawn while only part of it had come: its partial goes too, unaudited.
    const QString withdrawnPartial = calls[2].recordingId;
    {
        StoreInspector store(databasePath(dataPath));
        const QString file = store.recordingColumn(withdrawnPartial, u"cache_file"_s).toString();
        const QDir cache(cacheDir(dataPath));
        QVERIFY(QFile::rename(cache.filePath(file), cache.filePath(file + u".part"_s)));
        QVERIFY(execute(store, u"UPDATE recordings SET cache_state = 'partial', cache_file = ? WHERE id = ?"_s,
                        {QString(file + u".part"_s), withdrawnPartial}));
    }
    for (const QString &id : {withdrawn, withdrawnPartial})
        QVERIFY(scene.server.adminPost(u"/__admin/recordings/%1/status"_s.arg(id), {{u"status"_s, u"unavailable"_s}}));

    const AgentRun second = scene.agent->syncOnce(scene.server.url());
    QVERIFY2(second.exitCode == 0, second.describe().constData());
    StoreInspector store(databasePath(dataPath));
    const auto states = cacheStates(store);
    QCOMPARE(states.value(withdrawn), u"absent"_s);
    QCOMPARE(states.value(withdrawnPartial), u"absent"_s);
    QCOMPARE(std::count(states.cbegin(), states.cend(), u"present"_s), 2);
    const auto events = deletionEvents(store);
    QCOMPARE(events.size(), 1);
    QCOMPARE(events[0].recordingId, withdrawn);
    QCOMPARE(events[0].reason, u"deleted_on_server"_s);
    QVERIFY(events[0].uploaded);
    QVERIFY(serverEventIds(scene.server).contains(events[0].eventId));
    const CacheCheck check = checkCache(store, cacheDir(dataPath));
    QCOMPARE(check.present, 2);
    QCOMPARE(QDir(cacheDir(dataPath)).entryList(QDir::Files).size(), 2); // the files went too
}

// The tombstone of a call whose recording is cached takes the copy away inside the
// mirror's page transaction; its recording.deleted_local event commits with it.
void TstAgentCache::copiesOfCallsDeletedOnTheServerAreAudited()
{
    CacheScene scene;
    QVERIFY(scene.startSynced(3));
    const QString dataPath = scene.data();
    const QList<ServerCall> calls = serverCalls(scene.server);
    const ServerCall deleted = calls[0];
    QVERIFY(scene.server.adminPost(u"/__admin/calls/%1/delete"_s.arg(deleted.id), {}));

    const AgentRun second = scene.agent->syncOnce(scene.server.url());
    QVERIFY2(second.exitCode == 0, second.describe().constData());
    StoreInspector store(databasePath(dataPath));
    const auto states = cacheStates(store);
    QVERIFY(!states.contains(deleted.recordingId));
    QCOMPARE(std::count(states.cbegin(), states.cend(), u"present"_s), 2);
    const auto events = deletionEvents(store);
    QCOMPARE(events.size(), 1);
    QCOMPARE(events[0].recordingId, deleted.recordingId);
    QCOMPARE(events[0].reason, u"deleted_on_server"_s);
    QVERIFY(events[0].uploaded);
    const auto onServer = scene.server.auditEvents();
    const auto found = std::find_if(onServer.cbegin(), onServer.cend(), [&events](const QJsonObject &e) {
        return e.value("event_id"_L1).toString() == events[0].eventId;
    });
    QVERIFY(found != onServer.cend());
    QCOMPARE(found->value("type"_L1).toString(), u"recording.deleted_local"_s);
    QCOMPARE(found->value("reason"_L1).toString(), u"deleted_on_server"_s);
    QCOMPARE(found->value("call_id"_L1).toString(), deleted.id);
    QCOMPARE(found->value("recording_id"_L1).toString(), deleted.recordingId);
    QCOMPARE(earshot::AuditLog(store.connection()).verifyChain(), QStringList());
    const CacheCheck check = checkCache(store, cacheDir(dataPath));
    QCOMPARE(check.present, 2);
    QCOMPARE(QDir(cacheDir(dataPath)).entryList(QDir::Files).size(), 2); // the files went too
}

} // namespace cachetest
