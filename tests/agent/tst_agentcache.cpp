// The offline cache's policy and the audit upload, end to end with the built agent against
// the reference server, with the recordings served by it and then by nginx behind
// secure_link: pins kept and fetched first, the quota kept by evicting the least
// recently used, retention from the server's policy (offline too), the start-up reconcile
// both ways, a lost cache key. The audit upload and the copies the server takes away are
// in tst_agentcache_server.cpp; the planner's rules on their own are tst_cachepolicy.
#include "tst_agentcache.h"

#include <QCoreApplication>

namespace cachetest {

void TstAgentCache::initTestCase()
{
    QVERIFY2(QFileInfo::exists(QStringLiteral(EARSHOT_SYNC_PATH)), "the agent binary is not built: " EARSHOT_SYNC_PATH);
    QString error;
    QVERIFY2(keychainWorks(&error), qPrintable(error));
}

void TstAgentCache::initTestCase_data()
{
    QTest::addColumn<bool>("nginx");
    QTest::newRow("reference server") << false;
    QTest::newRow("nginx") << true;
}

void TstAgentCache::init()
{
    QFETCH_GLOBAL(bool, nginx);
    if (nginx && NginxServer::executable().isEmpty())
        QSKIP("nginx is not installed (Debian: apt-get install nginx)");
    CacheScene::serveMediaFrom(nginx ? MediaServer::Nginx : MediaServer::Reference);
}

void TstAgentCache::cacheQuotaOptionIsChecked()
{
    const AgentProcess agent(QDir::tempPath());
    const AgentRun help = agent.run({u"--help"_s});
    QVERIFY2(help.standardOutput.contains("--cache-quota"), help.describe().constData());
    for (const QString &bad : {u"12X"_s, u"-1"_s, u"2000000000G"_s, u""_s}) {
        const AgentRun run = agent.run({u"--once"_s, u"--cache-quota"_s, bad});
        QVERIFY2(run.exitCode == 2 && run.standardError.contains("--cache-quota must be bytes"),
                 run.describe().constData());
    }
    const AgentRun login = agent.run({u"login"_s, u"--server"_s, u"http://127.0.0.1:1"_s, u"--email"_s, kEmail,
                                      u"--cache-quota"_s, u"1G"_s});
    QVERIFY2(login.exitCode == 2 && login.standardError.contains("belong"), login.describe().constData());
}

void TstAgentCache::quotaEvictionKeepsPinsAndAuditsEvictions()
{
    CacheScene scene;
    QVERIFY(scene.start(12));
    ServerView &server = scene.server;
    AgentProcess *agent = scene.agent.get();
    const QString dataPath = scene.data();
    const QList<ServerCall> calls = serverCalls(server);
    QCOMPARE(calls.size(), 12);
    // Two leads pinned: the oldest call's and a middle one's.
    const QStringList pinnedLeads{calls.last().leadId, calls[5].leadId};
    QVERIFY(pinLeads(dataPath, pinnedLeads));
    QSet<QString> pinned;
    QList<ServerCall> unpinned;
    for (const ServerCall &call : calls) {
        if (pinnedLeads.contains(call.leadId))
            pinned.insert(call.recordingId);
        else
            unpinned.append(call);
    }

    const AgentRun first = agent->syncOnce(server.url(), {u"--cache-quota"_s, u"1G"_s});
    QVERIFY2(first.exitCode == 0, first.describe().constData());
    {
        StoreInspector store(databasePath(dataPath));
        const auto states = cacheStates(store);
        QCOMPARE(std::count(states.cbegin(), states.cend(), u"present"_s), 12);
        // As the player would leave it: unpinned[0] played most recently, the last one longest ago.
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        for (qsizetype i = 0; i < unpinned.size(); ++i)
            QVERIFY(execute(store, u"UPDATE recordings SET last_accessed_at = ? WHERE id = ?"_s,
                            {now - (i + 1) * 60'000, unpinned[i].recordingId}));
    }

    // Room for the pins and three more: the three most recently used stay.
    constexpr int kKept = 3;
    const qint64 quota = (pinned.size() + kKept) * kRecordingBytes;
    QVERIFY(scene.resetStats());
    const AgentRun second = agent->syncOnce(server.url(), {u"--cache-quota"_s, QString::number(quota)});
    QVERIFY2(second.exitCode == 0, second.describe().constData());

    StoreInspector store(databasePath(dataPath));
    const auto states = cacheStates(store);
    for (const QString &id : std::as_const(pinned))
        QVERIFY2(states.value(id) == "present"_L1, qPrintable(u"pinned %1 is %2"_s.arg(id, states.value(id))));
    QSet<QString> evicted;
    for (qsizetype i = 0; i < unpinned.size(); ++i) {
        const QString &id = unpinned[i].recordingId;
        QCOMPARE(states.value(id), i < kKept ? u"present"_s : u"absent"_s);
        if (i >= kKept)
            evicted.insert(id);
    }
    // Nothing was downloaded to be evicted again.
    QCOMPARE(scene.mediaRequests(), 0);
    const CacheCheck check = checkCache(store, cacheDir(dataPath));
    QCOMPARE(check.present, pinned.size() + kKept);
    QCOMPARE(QDir(cacheDir(dataPath)).entryList(QDir::Files).size(), pinned.size() + kKept);

    // Every eviction audited with its reason, uploaded, and on the server.
    const auto events = deletionEvents(store);
    QSet<QString> audited;
    const QSet<QString> onServer = serverEventIds(server);
    for (const LocalAuditEvent &event : events) {
        QCOMPARE(event.reason, u"quota"_s);
        QVERIFY2(event.uploaded, qPrintable(event.eventId));
        QVERIFY(onServer.contains(event.eventId));
        audited.insert(event.recordingId);
    }
    QCOMPARE(audited, evicted);
    QCOMPARE(earshot::AuditLog(store.connection()).verifyChain(), QStringList());

    // The next pass finds the cache as it should be: nothing fetched, nothing evicted.
    QVERIFY(scene.resetStats());
    const AgentRun third = agent->syncOnce(server.url(), {u"--cache-quota"_s, QString::number(quota)});
    QVERIFY2(third.exitCode == 0, third.describe().constData());
    QCOMPARE(scene.mediaRequests(), 0);
    QCOMPARE(deletionEvents(StoreInspector(databasePath(dataPath))).size(), events.size());
}

void TstAgentCache::pinnedRecordingsAreFetchedBeforeNewerOnes()
{
    CacheScene scene;
    QVERIFY(scene.start(8));
    ServerView &server = scene.server;
    AgentProcess *agent = scene.agent.get();
    const QString dataPath = scene.data();
    const QList<ServerCall> calls = serverCalls(server);
    // The two oldest calls' leads: pinned, they must still come first.
    const QStringList pinnedLeads{calls[calls.size() - 1].leadId, calls[calls.size() - 2].leadId};
    QVERIFY(pinLeads(dataPath, pinnedLeads));
    QStringList expected, rest;
    for (const ServerCall &call : calls)
        (pinnedLeads.contains(call.leadId) ? expected : rest).append(call.id);
    expected += rest; // each part newest first

    QVERIFY(scene.resetStats());
    const AgentRun run = agent->syncOnce(server.url(), {u"--parallel"_s, u"1"_s});
    QVERIFY2(run.exitCode == 0, run.describe().constData());
    QStringList order;
    const QJsonArray links = server.stats().value("recording_links"_L1).toArray();
    for (const QJsonValue &callId : links) {
        if (!order.contains(callId.toString()))
            order.append(callId.toString());
    }
    QCOMPARE(order, expected);
}

void TstAgentCache::retentionDeletesOldCopiesAndReportsThem()
{
    CacheScene scene;
    QVERIFY(scene.start(10));
    ServerView &server = scene.server;
    AgentProcess *agent = scene.agent.get();
    const QString dataPath = scene.data();
    const QList<ServerCall> calls = serverCalls(server);
    // A retention period with calls on both sides of it.
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    int retentionDays = 0;
    for (qsizetype i = 0; i + 1 < calls.size() && retentionDays == 0; ++i) {
        const qint64 newerAge = (now - calls[i].startedAtMs) / kDayMs;
        const qint64 olderAge = (now - calls[i + 1].startedAtMs) / kDayMs;
        if (olderAge > newerAge + 1)
            retentionDays = static_cast<int>(newerAge + 1);
    }
    if (retentionDays == 0)
        QSKIP("the seeded calls happen to lie within a day of each other");
    const AgentRun first = agent->syncOnce(server.url());
    QVERIFY2(first.exitCode == 0, first.describe().constData());
    {
        // As if each copy had been cached as its call ended.
        StoreInspector store(databasePath(dataPath));
        QVERIFY(execute(store, u"UPDATE recordings SET cached_at = (SELECT started_at FROM calls WHERE id = call_id)"_s,
                        {}));
    }

    QVERIFY(server.adminPost(u"/__admin/policy"_s, {{u"local_retention_days"_s, retentionDays}}));
    QVERIFY(scene.resetStats());
    const AgentRun second = agent->syncOnce(server.url());
    QVERIFY2(second.exitCode == 0, second.describe().constData());

    StoreInspector store(databasePath(dataPath));
    const auto states = cacheStates(store);
    QSet<QString> expired;
    for (const ServerCall &call : calls) {
        const bool old = call.startedAtMs < now - retentionDays * kDayMs;
        QCOMPARE(states.value(call.recordingId), old ? u"absent"_s : u"present"_s);
        if (old)
            expired.insert(call.recordingId);
    }
    QVERIFY(!expired.isEmpty());
    QCOMPARE(scene.mediaRequests(), 0); // not fetched back
    const auto events = deletionEvents(store);
    QSet<QString> audited;
    const auto onServer = server.auditEvents();
    for (const LocalAuditEvent &event : events) {
        QCOMPARE(event.reason, u"retention"_s);
        QVERIFY(event.uploaded);
        audited.insert(event.recordingId);
        const auto found = std::find_if(onServer.cbegin(), onServer.cend(), [&event](const QJsonObject &e) {
            return e.value("event_id"_L1).toString() == event.eventId;
        });
        QVERIFY2(found != onServer.cend(), qPrintable(event.eventId));
        QCOMPARE(found->value("type"_L1).toString(), u"recording.deleted_local"_s);
        QCOMPARE(found->value("reason"_L1).toString(), u"retention"_s);
        QCOMPARE(found->value("recording_id"_L1).toString(), event.recordingId);
    }
    QCOMPARE(audited, expired);
    QCOMPARE(earshot::AuditLog(store.connection()).verifyChain(), QStringList());
    const CacheCheck check = checkCache(store, cacheDir(dataPath));
    QCOMPARE(check.present, calls.size() - expired.size());
    QCOMPARE(QDir(cacheDir(dataPath)).entryList(QDir::Files).size(), check.present); // the files went too
}

// Retention is the compliance team's rule, and a laptop that stays offline must follow it
// too: the period last read from the server is applied before any request, to copies and
// to partial downloads alike, and the deletions wait in the audit trail for the server.
void TstAgentCache::retentionHoldsWhileTheServerIsAway()
{
    constexpr int kDays = 3650; // every seeded call lies within it
    CacheScene scene;
    QVERIFY(scene.start(4));
    QVERIFY(scene.server.adminPost(u"/__admin/policy"_s, {{u"local_retention_days"_s, kDays}}));
    const AgentRun first = scene.agent->syncOnce(scene.server.url());
    QVERIFY2(first.exitCode == 0, first.describe().constData());
    const QDir cache(cacheDir(scene.data()));
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const qint64 longAgo = now - qint64(kDays + 400) * kDayMs;
    QStringList ids;
    QStringList files;
    {
        StoreInspector store(databasePath(scene.data()));
        for (const StoredRecording &recording : store.recordings()) {
            QCOMPARE(recording.cacheState, u"present"_s);
            ids.append(recording.id);
            files.append(recording.cacheFile);
        }
        QCOMPARE(ids.size(), 4);
        // 0: a copy cached longer ago than the period. 1: a copy within it. 2 and 3:
        // partial downloads of calls older than the period; 2 untouched since, 3 being
        // written now (the person plays that old call through the agent).
        QVERIFY(execute(store, u"UPDATE recordings SET cached_at = ? WHERE id = ?"_s, {longAgo, ids[0]}));
        for (int i : {2, 3}) {
            QVERIFY(QFile::rename(cache.filePath(files[i]), cache.filePath(files[i] + u".part"_s)));
            files[i] += u".part"_s;
            QVERIFY(execute(store, u"UPDATE recordings SET cache_state = 'partial', cache_file = ?, cached_bytes = 0, "
                                   "cached_at = NULL WHERE id = ?"_s, {files[i], ids[i]}));
            QVERIFY(execute(store, u"UPDATE calls SET started_at = ? WHERE id = (SELECT call_id FROM recordings "
                                   "WHERE id = ?)"_s, {longAgo, ids[i]}));
        }
        QFile untouched(cache.filePath(files[2]));
        QVERIFY(untouched.open(QIODevice::ReadWrite));
        QVERIFY(untouched.setFileTime(QDateTime::fromMSecsSinceEpoch(longAgo), QFileDevice::FileModificationTime));
    }

    scene.server.stop();
    const AgentRun offline = scene.agent->syncOnce(scene.server.url());
    QVERIFY2(offline.exitCode == kExitServer, offline.describe().constData());

    StoreInspector store(databasePath(scene.data()));
    const auto states = cacheStates(store);
    QCOMPARE(states.value(ids[0]), u"absent"_s);
    QCOMPARE(states.value(ids[1]), u"present"_s);
    QCOMPARE(states.value(ids[2]), u"absent"_s);
    QCOMPARE(states.value(ids[3]), u"partial"_s);
    const QStringList left = cache.entryList(QDir::Files);
    QCOMPARE(QSet<QString>(left.cbegin(), left.cend()), (QSet<QString>{files[1], files[3]}));
    const auto events = deletionEvents(store);
    QCOMPARE(events.size(), 1); // the copy; a partial download was never a copy the user had
    QCOMPARE(events[0].recordingId, ids[0]);
    QCOMPARE(events[0].reason, u"retention"_s);
    QVERIFY(!events[0].uploaded); // waiting for the server
    QCOMPARE(earshot::AuditLog(store.connection()).verifyChain(), QStringList());
}

void TstAgentCache::reconcileRepairsRowsAndRemovesStrays()
{
    CacheScene scene;
    QVERIFY(scene.startSynced(4));
    ServerView &server = scene.server;
    AgentProcess *agent = scene.agent.get();
    const QString dataPath = scene.data();

    const QDir cache(cacheDir(dataPath));
    QString missingId, damagedId;
    {
        StoreInspector store(databasePath(dataPath));
        const auto recordings = store.recordings();
        QCOMPARE(recordings.size(), 4);
        missingId = recordings[0].id;
        damagedId = recordings[1].id;
        QVERIFY(QFile::remove(cache.filePath(recordings[0].cacheFile)));
        QVERIFY(damageHeader(cache.filePath(recordings[1].cacheFile)));
    }
    // Files no row refers to: a finished one and a partial one, as a crash leaves them.
    const QString strayName = QUuid::createUuid().toString(QUuid::WithoutBraces) + u".mp3"_s;
    for (const QString &name : QStringList{strayName, strayName + u".part"_s}) {
        QFile stray(cache.filePath(name));
        QVERIFY(stray.open(QIODevice::WriteOnly));
        stray.write(QByteArray(1000, 's'));
    }

    QVERIFY(scene.resetStats());
    const AgentRun second = agent->syncOnce(server.url());
    QVERIFY2(second.exitCode == 0, second.describe().constData());
    QCOMPARE(scene.mediaRequests(), 2); // both fetched again

    StoreInspector store(databasePath(dataPath));
    const CacheCheck check = checkCache(store, cacheDir(dataPath));
    QVERIFY2(check.problems.isEmpty(), qPrintable(check.problems.join(u'\n')));
    QCOMPARE(check.present, 4);
    QVERIFY(!cache.exists(strayName));
    QVERIFY(!cache.exists(strayName + u".part"_s));
    QCOMPARE(cache.entryList(QDir::Files).size(), 4);
    const auto events = deletionEvents(store);
    QCOMPARE(events.size(), 2);
    QHash<QString, QString> reasons;
    for (const LocalAuditEvent &event : events)
        reasons.insert(event.recordingId, event.reason);
    QCOMPARE(reasons.value(missingId), u"missing_file"_s);
    QCOMPARE(reasons.value(damagedId), u"damaged_file"_s);
}

// The keychain loses the cache key (the person deleted it, or reset the keychain): the
// copies sealed with it can never be read again. The next run deletes them (audited),
// forgets the partial download sealed with it too, makes a new key, and fetches them all.
void TstAgentCache::lostCacheKeyIsReplacedAndCopiesFetchedAgain()
{
    CacheScene scene;
    QVERIFY(scene.startSynced(4));
    const QDir cache(cacheDir(scene.data()));
    QString oldKeyId;
    QString partialId;
    {
        StoreInspector store(databasePath(scene.data()));
        oldKeyId = store.syncState(u"cache_key_id"_s);
        QVERIFY(!oldKeyId.isEmpty());
        // One download was under way: its partial file holds chunks sealed with the old key.
        const StoredRecording partial = store.recordings().constLast();
        partialId = partial.id;
        QVERIFY(QFile::rename(cache.filePath(partial.cacheFile), cache.filePath(partial.cacheFile + u".part"_s)));
        QVERIFY(execute(store, u"UPDATE recordings SET cache_state = 'partial', cache_file = ?, cached_bytes = 65536 "
                               "WHERE id = ?"_s, QVariantList{QString(partial.cacheFile + u".part"_s), partialId}));
    }
    earshot::KeychainSecretStore keychain;
    const earshot::Status removed = keychain.remove(earshot::CacheKey::keychainEntry(oldKeyId));
    QVERIFY2(removed, qPrintable(removed.error()));

    QVERIFY(scene.resetStats());
    const AgentRun again = scene.agent->syncOnce(scene.server.url());
    QVERIFY2(again.exitCode == 0, again.describe().constData());
    QVERIFY2(again.standardError.contains("gone from the system keychain"), again.describe().constData());
    QCOMPARE(scene.mediaRequests(), 4); // every one fetched again, whole

    StoreInspector store(databasePath(scene.data()));
    const QString newKeyId = store.syncState(u"cache_key_id"_s);
    QVERIFY(!newKeyId.isEmpty() && newKeyId != oldKeyId);
    const CacheCheck check = checkCache(store, cacheDir(scene.data())); // decrypts each with the new key
    QVERIFY2(check.problems.isEmpty(), qPrintable(check.problems.join(u'\n')));
    QCOMPARE(check.present, 4);
    QCOMPARE(cache.entryList(QDir::Files).size(), 4);
    QSet<QString> audited;
    for (const LocalAuditEvent &event : deletionEvents(store)) {
        QCOMPARE(event.reason, u"key_lost"_s);
        audited.insert(event.recordingId);
    }
    QCOMPARE(audited.size(), 3); // the copies; a partial download is not a copy
    QVERIFY(!audited.contains(partialId));
}

} // namespace cachetest

int main(int argc, char *argv[])
{
    return agenttesting::runUnderKeyring(argc, argv, [](int count, char **arguments) {
        QCoreApplication app(count, arguments);
        cachetest::TstAgentCache test;
        QTEST_SET_MAIN_SOURCE_PATH
        return QTest::qExec(&test, count, arguments);
    });
}

