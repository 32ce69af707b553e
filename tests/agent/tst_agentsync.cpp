// Integration tests of earshot-sync against the reference server, in a real Secret
// Service (scripts/with-keyring). Each test runs the built agent binary as a user or a
// script would and checks what ended up on disk, in the keychain and on the server.
#include "agenttesting.h"
#include "cachecheck.h"
#include "storeinspector.h"

#include "secrets/keychainsecretstore.h"
#include "store/database.h"

#include <QCoreApplication>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;
using namespace agenttesting;

namespace {

std::optional<QJsonObject> keychainSession(const QString &serverUrl)
{
    earshot::KeychainSecretStore keychain;
    auto secret = keychain.read(u"session:"_s + serverUrl);
    if (!secret || !secret->has_value())
        return std::nullopt;
    return QJsonDocument::fromJson(**secret).object();
}

// The store holds exactly the server's calls, intact, and every available recording is
// cached and verifies. Callers check QTest::currentTestFailed() if they go on afterwards.
void verifyMirrorEqualsServer(ServerView &server, const QString &dataDir)
{
    StoreInspector store(databasePath(dataDir));
    QCOMPARE(store.integrityCheck(), u"ok"_s);
    const auto serverCalls = server.calls();
    QCOMPARE(store.callsUpdatedAt(), ServerView::updatedAt(serverCalls));
    const CacheCheck cache = checkCache(store, cacheDir(dataDir));
    QVERIFY2(cache.problems.isEmpty(), qPrintable(cache.problems.join(u'\n')));
    QCOMPARE(cache.present, ServerView::availableRecordings(serverCalls));
}

} // namespace

class TstAgentSync : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();

    // The command line that scripts rely on.
    void helpDocumentsExitCodes();
    void usageErrorsExitWithTwo_data();
    void usageErrorsExitWithTwo();

    // 1. Sign-in keeps secrets in the keychain only.
    void loginKeepsSessionOnlyInKeychain();
    void loginWithBadPasswordFails();
    void loginWithoutKeychainFailsAndStoresNothing();

    // 2. and 3. Mirroring the demo server, then only what changed.
    void onceMirrorsDemoServer();
    void secondOnceFetchesOnlyChanges();
    void metadataOnlyDownloadsNoRecordings();

    // 4. The cursor is never ahead of its rows.
    void crashBeforeCommitNeverSavesCursorAheadOfRows();
    void killDuringSlowSyncEndsConsistent();

    // 5. Error paths.
    void serverDownExitsWithServerError();
    void unusableDataFolderIsSaidWithItsReason();
    void aFolderRunWithServerRemembersIt();
    void expiredAccessTokenIsRefreshedTransparently();
    void injectedServerErrorsAreRetried();
    void malformedRowFailsClearlyAndKeepsEarlierPages();

private:
    // A fresh data folder for the agent, signed in to server.
    std::unique_ptr<AgentProcess> signedInAgent(ServerView &server, QTemporaryDir &dataDir)
    {
        return agenttesting::signedInAgent(server, dataDir.path());
    }

    QTemporaryDir m_demoDataDir;
    std::unique_ptr<ServerView> m_demoServer;
};

void TstAgentSync::initTestCase()
{
    QVERIFY2(QFileInfo::exists(QStringLiteral(EARSHOT_SYNC_PATH)), "the agent binary is not built: " EARSHOT_SYNC_PATH);
    QString error;
    QVERIFY2(keychainWorks(&error), qPrintable(error));
}

void TstAgentSync::helpDocumentsExitCodes()
{
    const AgentProcess agent(QDir::tempPath());
    const AgentRun help = agent.run({u"--help"_s});
    QVERIFY2(help.exitCode == 0, help.describe().constData());
    for (const char *line : {"0   success", "2   usage error", "3   not signed in", "4   server unreachable",
                             "5   local store", "--once", "--interval", "--page-size", "--data-dir", "login", "logout",
                             "--parallel", "--bandwidth-limit", "--ca-file"})
        QVERIFY2(help.standardOutput.contains(line), line);
    const AgentRun version = agent.run({u"--version"_s});
    QCOMPARE(version.standardOutput.trimmed(), QByteArray("earshot-sync " EARSHOT_VERSION));
}

void TstAgentSync::usageErrorsExitWithTwo_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::newRow("unknown option") << QStringList{u"--bogus"_s};
    QTest::newRow("unknown command") << QStringList{u"sync-now"_s};
    QTest::newRow("login without email") << QStringList{u"login"_s, u"--server"_s, u"http://127.0.0.1:9"_s};
    QTest::newRow("page size too big") << QStringList{u"--once"_s, u"--page-size"_s, u"1001"_s};
    QTest::newRow("interval zero") << QStringList{u"--interval"_s, u"0"_s};
    QTest::newRow("parallel zero") << QStringList{u"--once"_s, u"--parallel"_s, u"0"_s};
    QTest::newRow("parallel too many") << QStringList{u"--once"_s, u"--parallel"_s, u"33"_s};
    QTest::newRow("bandwidth not a number") << QStringList{u"--once"_s, u"--bandwidth-limit"_s, u"fast"_s};
    QTest::newRow("bandwidth for login")
        << QStringList{u"login"_s, u"--server"_s, u"http://127.0.0.1:9"_s, u"--email"_s, u"a@b.c"_s,
                       u"--bandwidth-limit"_s, u"1M"_s};
    QTest::newRow("CA file missing") << QStringList{u"--once"_s, u"--ca-file"_s, u"/nonexistent/ca.pem"_s};
    QTest::newRow("plain http to another host")
        << QStringList{u"--once"_s, u"--server"_s, u"http://earshot.example.com"_s};
}

void TstAgentSync::usageErrorsExitWithTwo()
{
    QFETCH(QStringList, arguments);
    QTemporaryDir dataDir;
    const AgentProcess agent(dataDir.path());
    const AgentRun run = agent.run(arguments + QStringList{u"--data-dir"_s, dataDir.path()});
    QVERIFY2(run.exitCode == 2, run.describe().constData());
    QVERIFY2(run.standardError.startsWith("earshot-sync: "), run.describe().constData());
}

void TstAgentSync::loginKeepsSessionOnlyInKeychain()
{
    ServerView server;
    QVERIFY2(server.start({u"--calls"_s, u"5"_s}), qPrintable(server.error()));
    QTemporaryDir dataDir;
    AgentProcess agent(dataDir.path());

    const AgentRun login = agent.login(server.url(), kEmail, kPassword);
    QVERIFY2(login.exitCode == 0, login.describe().constData());
    QVERIFY2(login.standardOutput.contains("Signed in"), login.describe().constData());
    QVERIFY2(login.standardOutput.contains(kEmail.toUtf8()), login.describe().constData());

    const auto session = keychainSession(server.url());
    QVERIFY2(session, "no session entry in the keychain after login");
    const QByteArray accessToken = session->value("access_token"_L1).toString().toUtf8();
    const QByteArray refreshToken = session->value("refresh_token"_L1).toString().toUtf8();
    QVERIFY(accessToken.size() >= 8);
    QVERIFY(refreshToken.size() >= 8);
    QCOMPARE(session->value("user"_L1).toObject().value("email"_L1).toString(), kEmail);

    // The server address is remembered in the data folder; no token is, anywhere in it,
    // not even after a sync has written the store.
    QVERIFY(QFile::exists(QDir(dataDir.path()).filePath(u"agent.ini"_s)));
    const AgentRun sync = agent.run({u"--data-dir"_s, dataDir.path(), u"--once"_s}); // server from agent.ini
    QVERIFY2(sync.exitCode == 0, sync.describe().constData());
    QCOMPARE(filesContaining(dataDir.path(), accessToken), QStringList());
    QCOMPARE(filesContaining(dataDir.path(), refreshToken), QStringList());
    QVERIFY(!sync.standardError.contains(accessToken));
    QVERIFY(!sync.standardError.contains(refreshToken));

    const AgentRun logout = agent.logout(server.url());
    QVERIFY2(logout.exitCode == 0, logout.describe().constData());
    QVERIFY2(!keychainSession(server.url()), "the session is still in the keychain after logout");
    const AgentRun afterLogout = agent.syncOnce(server.url());
    QVERIFY2(afterLogout.exitCode == kExitSignInAgain, afterLogout.describe().constData());
    QVERIFY2(afterLogout.standardError.contains("Not signed in"), afterLogout.describe().constData());
}

void TstAgentSync::loginWithBadPasswordFails()
{
    ServerView server;
    QVERIFY2(server.start({}), qPrintable(server.error()));
    QTemporaryDir dataDir;
    AgentProcess agent(dataDir.path());

    const AgentRun login = agent.login(server.url(), kEmail, "wrong password"_ba);
    QVERIFY2(login.exitCode == kExitSignInAgain, login.describe().constData());
    QVERIFY2(login.standardError.contains("did not accept the email address or password"), login.describe().constData());
    QVERIFY(!keychainSession(server.url()));
}

void TstAgentSync::loginWithoutKeychainFailsAndStoresNothing()
{
    ServerView server;
    QVERIFY2(server.start({}), qPrintable(server.error()));
    QTemporaryDir dataDir;
    AgentProcess agent(dataDir.path());
    agent.environment().insert(u"DBUS_SESSION_BUS_ADDRESS"_s, u"unix:path=/nonexistent"_s);

    QVERIFY(server.resetStats());
    const AgentRun login = agent.login(server.url(), kEmail, kPassword);
    QVERIFY2(login.exitCode == kExitSignInAgain, login.describe().constData());
    QVERIFY2(login.standardError.contains("keychain"), login.describe().constData());
    // The password never travelled, nothing was written locally, nothing is in the keychain.
    QCOMPARE(requestCount(server.stats(), "POST /api/auth/login"), 0);
    QCOMPARE(filesUnder(dataDir.path()), QStringList());
    QVERIFY(!keychainSession(server.url()));
}

void TstAgentSync::onceMirrorsDemoServer()
{
    m_demoServer = std::make_unique<ServerView>();
    QVERIFY2(m_demoServer->start({u"--demo"_s}), qPrintable(m_demoServer->error()));
    auto agent = signedInAgent(*m_demoServer, m_demoDataDir);
    QVERIFY(agent);

    const AgentRun sync = agent->syncOnce(m_demoServer->url());
    QVERIFY2(sync.exitCode == 0 && sync.exitStatus == QProcess::NormalExit, sync.describe().constData());
    qInfo() << "first --once on --demo took" << sync.milliseconds << "ms";

    const auto serverCalls = m_demoServer->calls();
    QVERIFY(serverCalls.size() >= 1000);
    StoreInspector store(databasePath(m_demoDataDir.path()));
    QCOMPARE(store.integrityCheck(), u"ok"_s);
    QCOMPARE(store.count(u"calls"_s), qint64(serverCalls.size()));
    QCOMPARE(store.callsUpdatedAt(), ServerView::updatedAt(serverCalls));
    QVERIFY(store.syncState(u"last_sync_error"_s).isEmpty());

    const CacheCheck cache = checkCache(store, cacheDir(m_demoDataDir.path()));
    QVERIFY2(cache.problems.isEmpty(), qPrintable(cache.problems.join(u'\n')));
    QCOMPARE(cache.present, ServerView::availableRecordings(serverCalls));
    QVERIFY(cache.present > 0);
    qInfo() << cache.present << "recordings present and verified," << cache.bytes << "bytes";
}

void TstAgentSync::secondOnceFetchesOnlyChanges()
{
    QVERIFY2(m_demoServer, "needs onceMirrorsDemoServer");
    StoreInspector before(databasePath(m_demoDataDir.path()));
    const QList<StoredRecording> recordings = before.recordings();
    // Change three calls and delete one whose recording is in the cache.
    QStringList changed;
    QString deleted;
    StoredRecording deletedRecording;
    for (const StoredRecording &recording : recordings) {
        if (deleted.isEmpty() && recording.cacheState == "present"_L1) {
            deleted = recording.callId;
            deletedRecording = recording;
        } else if (changed.size() < 3) {
            changed.append(recording.callId);
        }
    }
    QVERIFY(!deleted.isEmpty());
    QCOMPARE(changed.size(), 3);
    const QString deletedFile = QDir(cacheDir(m_demoDataDir.path())).filePath(deletedRecording.cacheFile);
    QVERIFY(QFile::exists(deletedFile));

    QVERIFY(m_demoServer->resetStats());
    for (int i = 0; i < changed.size(); ++i) {
        const QString outcome = u"tst_outcome_%1"_s.arg(i);
        QVERIFY(m_demoServer->adminPost(u"/__admin/calls/%1/update"_s.arg(changed[i]), {{u"outcome"_s, outcome}}));
    }
    QVERIFY(m_demoServer->adminPost(u"/__admin/calls/%1/delete"_s.arg(deleted), {}));

    AgentProcess agent(m_demoDataDir.path());
    const AgentRun sync = agent.syncOnce(m_demoServer->url());
    QVERIFY2(sync.exitCode == 0, sync.describe().constData());

    const QJsonObject stats = m_demoServer->stats();
    QCOMPARE(requestCount(stats, "GET /api/calls"), 1);
    QCOMPARE(stats.value("call_rows_served"_L1).toInteger(), 4);

    StoreInspector after(databasePath(m_demoDataDir.path()));
    for (int i = 0; i < changed.size(); ++i)
        QCOMPARE(after.callColumn(changed[i], u"outcome"_s), u"tst_outcome_%1"_s.arg(i));
    QVERIFY(after.callColumn(deleted, u"id"_s).isEmpty());
    const auto remaining = after.recordings();
    QVERIFY(std::none_of(remaining.cbegin(), remaining.cend(),
                         [&](const StoredRecording &r) { return r.id == deletedRecording.id; }));
    QVERIFY2(!QFile::exists(deletedFile), "the deleted call's recording is still in the cache");
    QCOMPARE(after.callsUpdatedAt(), ServerView::updatedAt(m_demoServer->calls()));
}

void TstAgentSync::metadataOnlyDownloadsNoRecordings()
{
    ServerView server;
    QVERIFY2(server.start({u"--calls"_s, u"300"_s}), qPrintable(server.error()));
    QTemporaryDir dataDir;
    auto agent = signedInAgent(server, dataDir);
    QVERIFY(agent);
    QVERIFY(server.resetStats());

    const AgentRun sync = agent->syncOnce(server.url(), {u"--metadata-only"_s});
    QVERIFY2(sync.exitCode == 0, sync.describe().constData());
    const auto serverCalls = server.calls();
    QVERIFY(ServerView::availableRecordings(serverCalls) > 0);
    StoreInspector store(databasePath(dataDir.path()));
    QCOMPARE(store.integrityCheck(), u"ok"_s);
    QCOMPARE(store.callsUpdatedAt(), ServerView::updatedAt(serverCalls));
    QVERIFY(!store.recordings().isEmpty());
    const QJsonObject stats = server.stats();
    QCOMPARE(stats.value("media_bytes_served"_L1).toInteger(), 0);
    QCOMPARE(filesUnder(cacheDir(dataDir.path())), QStringList());

    // A pass without the option fetches what the metadata-only one left.
    const AgentRun full = agent->syncOnce(server.url());
    QVERIFY2(full.exitCode == 0, full.describe().constData());
    verifyMirrorEqualsServer(server, dataDir.path());
}

void TstAgentSync::crashBeforeCommitNeverSavesCursorAheadOfRows()
{
    ServerView server;
    // Pages more than MetadataSync::kCommitIntervalMs apart: pages 1 and 2 commit
    // together before page 3 arrives, whatever the machine's load.
    QVERIFY2(server.start({u"--calls"_s, u"1500"_s, u"--latency-ms"_s, u"1100"_s}), qPrintable(server.error()));
    QTemporaryDir dataDir;
    auto agent = signedInAgent(server, dataDir);
    QVERIFY(agent);
    QStringList allIndexes; // of a store that was never synced
    {
        QTemporaryDir emptyDir;
        QVERIFY(earshot::Database::open(databasePath(emptyDir.path())));
        allIndexes = StoreInspector(databasePath(emptyDir.path())).indexNames();
    }
    QVERIFY(allIndexes.contains(u"calls_by_started"_s));

    // What the first two pages of 500 hold, as the server hands them out.
    const auto first = server.page({}, 500);
    QVERIFY(first && first->hasMore);
    const auto second = server.page(first->nextCursor, 500);
    QVERIFY(second && second->hasMore);
    QHash<QString, QString> firstTwoPages = first->updatedAt;
    firstTwoPages.insert(second->updatedAt);

    agent->environment().insert(u"EARSHOT_SYNC_ABORT_BEFORE_COMMIT"_s, u"3"_s);
    const AgentRun crashed = agent->syncOnce(server.url(), {u"--page-size"_s, u"500"_s});
    QVERIFY2(crashed.crashed() || crashed.exitCode != 0, crashed.describe().constData());
    {
        StoreInspector store(databasePath(dataDir.path()));
        QCOMPARE(store.integrityCheck(), u"ok"_s);
        QCOMPARE(store.count(u"calls"_s), 1000);
        QCOMPARE(store.callsUpdatedAt(), firstTwoPages);
        QCOMPARE(store.syncState(u"calls_cursor"_s), second->nextCursor);
        // The first fill died before it could build its indexes; the store says so.
        QVERIFY(!store.syncState(u"deferred_indexes"_s).isEmpty());
        QVERIFY(!store.indexNames().contains(u"calls_by_started"_s));
        // A fill checks no reference per row. Rows that a defect in the writer would leave,
        // pointing at nothing, must not survive its end.
        QSqlQuery plant(store.connection());
        QVERIFY(plant.exec(u"PRAGMA foreign_keys = OFF"_s));
        QVERIFY2(plant.exec(u"INSERT INTO calls(id, lead_id, agent_id, direction, outcome, started_at, duration_seconds, "
                            "updated_at) VALUES ('planted', 'no-such-lead', 'no-such-agent', 'inbound', 'connected', "
                            "0, 1, 'x')"_s),
                 qPrintable(plant.lastError().text()));
    }

    agent->environment().remove(u"EARSHOT_SYNC_ABORT_BEFORE_COMMIT"_s);
    QVERIFY(server.setFaults({{u"latency_ms"_s, 0}}));
    const AgentRun resumed = agent->syncOnce(server.url(), {u"--page-size"_s, u"500"_s});
    QVERIFY2(resumed.exitCode == 0, resumed.describe().constData());
    // The planted row is gone and the mirror started over, checked row by row this time.
    QVERIFY2(resumed.standardError.contains("rows that referred to nothing; syncing again"),
             resumed.describe().constData());
    verifyMirrorEqualsServer(server, dataDir.path());
    StoreInspector store(databasePath(dataDir.path()));
    QCOMPARE(store.indexNames(), allIndexes);
    QVERIFY(store.syncState(u"deferred_indexes"_s).isEmpty());
}

void TstAgentSync::killDuringSlowSyncEndsConsistent()
{
    ServerView server;
    QVERIFY2(server.start({u"--calls"_s, u"400"_s, u"--latency-ms"_s, u"15"_s}), qPrintable(server.error()));
    QTemporaryDir dataDir;
    auto agent = signedInAgent(server, dataDir);
    QVERIFY(agent);

    // Three kills at random moments (metadata pages or downloads, whatever is under way),
    // each run starting from what the previous one left behind.
    for (int round = 1; round <= 3; ++round) {
        QProcess process;
        agent->start(process, {u"--server"_s, server.url(), u"--data-dir"_s, dataDir.path(), u"--once"_s,
                               u"--page-size"_s, u"25"_s});
        QVERIFY(process.waitForStarted());
        const int killAfterMs = static_cast<int>(QRandomGenerator::system()->bounded(300, 3000));
        QTest::qWait(killAfterMs);
        const bool stillRunning = process.state() == QProcess::Running;
        process.kill(); // SIGKILL: no clean-up of any kind
        process.waitForFinished();
        StoreInspector store(databasePath(dataDir.path()));
        qInfo() << "round" << round << "killed after" << killAfterMs << "ms"
                << (stillRunning ? "while running" : "(had already exited)") << "with" << store.count(u"calls"_s)
                << "calls stored and" << filesUnder(cacheDir(dataDir.path())).size() << "files in the cache";
        QCOMPARE(store.integrityCheck(), u"ok"_s);
    }

    QVERIFY(server.setFaults({{u"latency_ms"_s, 0}}));
    const AgentRun restarted = agent->syncOnce(server.url(), {u"--page-size"_s, u"25"_s});
    QVERIFY2(restarted.exitCode == 0, restarted.describe().constData());
    verifyMirrorEqualsServer(server, dataDir.path());
}

void TstAgentSync::serverDownExitsWithServerError()
{
    ServerView server;
    QVERIFY2(server.start({u"--calls"_s, u"5"_s}), qPrintable(server.error()));
    QTemporaryDir dataDir;
    auto agent = signedInAgent(server, dataDir);
    QVERIFY(agent);
    server.stop();

    const AgentRun sync = agent->syncOnce(server.url());
    QVERIFY2(sync.exitCode == kExitServer, sync.describe().constData());
    QVERIFY2(sync.standardError.contains(QByteArray("Cannot reach the Earshot server at " + server.url().toUtf8())), sync.describe().constData());
    StoreInspector store(databasePath(dataDir.path()));
    QVERIFY(store.syncState(u"last_sync_error"_s).contains("Cannot reach"_L1));
}

void TstAgentSync::unusableDataFolderIsSaidWithItsReason()
{
    QTemporaryDir scratch;
    const QString file = scratch.filePath(u"not-a-folder"_s);
    QFile blocker(file);
    QVERIFY(blocker.open(QIODevice::WriteOnly));
    blocker.close();
    const QStringList sync{u"--server"_s, u"http://127.0.0.1:1"_s, u"--once"_s};

    const AgentRun onAFile = AgentProcess(file).run(QStringList{u"--data-dir"_s, file} + sync);
    QVERIFY2(onAFile.exitCode == kExitLocalStore, onAFile.describe().constData());
    QVERIFY2(onAFile.standardError.contains("is a file, not a folder"), onAFile.describe().constData());

    const QString under = file + u"/data"_s;
    const AgentRun underAFile = AgentProcess(under).run(QStringList{u"--data-dir"_s, under} + sync);
    QVERIFY2(underAFile.exitCode == kExitLocalStore, underAFile.describe().constData());
    // The system's reason, not the advice for a folder another agent holds.
    QVERIFY2(underAFile.standardError.contains("(Not a directory)"), underAFile.describe().constData());
    QVERIFY2(!underAFile.standardError.contains("Stop it first"), underAFile.describe().constData());
}

void TstAgentSync::aFolderRunWithServerRemembersIt()
{
    // Signed in through another folder: the session is the keychain's, per server.
    ServerView server;
    QVERIFY2(server.start({u"--calls"_s, u"3"_s}), qPrintable(server.error()));
    QTemporaryDir signedInDir;
    QVERIFY(signedInAgent(server, signedInDir));
    QTemporaryDir otherDir;
    const AgentProcess other(otherDir.path());
    const AgentRun first = other.syncOnce(server.url(), {u"--metadata-only"_s});
    QVERIFY2(first.exitCode == 0, first.describe().constData());
    // The app starts the agent with --data-dir alone.
    const AgentRun again = other.run({u"--data-dir"_s, otherDir.path(), u"--once"_s, u"--metadata-only"_s});
    QVERIFY2(again.exitCode == 0, again.describe().constData());
}

void TstAgentSync::expiredAccessTokenIsRefreshedTransparently()
{
    ServerView server;
    QVERIFY2(server.start({u"--calls"_s, u"30"_s, u"--token-lifetime"_s, u"1"_s}), qPrintable(server.error()));
    QTemporaryDir dataDir;
    auto agent = signedInAgent(server, dataDir);
    QVERIFY(agent);
    const auto before = keychainSession(server.url());
    QVERIFY(before);
    QTest::qWait(1500); // the saved access token has expired now

    QVERIFY(server.resetStats());
    const AgentRun sync = agent->syncOnce(server.url(), {u"--page-size"_s, u"5"_s});
    QVERIFY2(sync.exitCode == 0, sync.describe().constData());
    QVERIFY(requestCount(server.stats(), "POST /api/auth/refresh") >= 1);
    const auto after = keychainSession(server.url());
    QVERIFY(after);
    QVERIFY2(after->value("access_token"_L1) != before->value("access_token"_L1),
             "the refreshed session was not saved to the keychain");

    verifyMirrorEqualsServer(server, dataDir.path());
}

void TstAgentSync::injectedServerErrorsAreRetried()
{
    ServerView server;
    QVERIFY2(server.start({u"--calls"_s, u"20"_s, u"--seed"_s, u"7"_s}), qPrintable(server.error()));
    QTemporaryDir dataDir;
    auto agent = signedInAgent(server, dataDir);
    QVERIFY(agent);

    QVERIFY(server.setFaults({{u"error_rate"_s, 0.3}}));
    QVERIFY(server.resetStats());
    const AgentRun sync = agent->syncOnce(server.url(), {u"--page-size"_s, u"5"_s});
    QVERIFY2(sync.exitCode == 0, sync.describe().constData());
    const QJsonObject stats = server.stats();
    qInfo() << "injected errors:" << stats.value("injected_errors"_L1).toInteger() << "run took" << sync.milliseconds << "ms";
    QVERIFY2(stats.value("injected_errors"_L1).toInteger() > 0, QJsonDocument(stats).toJson().constData());
    QVERIFY(server.setFaults({{u"error_rate"_s, 0}}));

    verifyMirrorEqualsServer(server, dataDir.path());
}

void TstAgentSync::malformedRowFailsClearlyAndKeepsEarlierPages()
{
    ServerView server;
    QVERIFY2(server.start({u"--calls"_s, u"200"_s, u"--no-recordings"_s}), qPrintable(server.error()));
    QTemporaryDir dataDir;
    auto agent = signedInAgent(server, dataDir);
    QVERIFY(agent);
    QVERIFY2(agent->syncOnce(server.url(), {u"--metadata-only"_s}).exitCode == 0, "the first sync failed");

    // Rows come in update order: two good changes, then a row that breaks the contract,
    // one a page with --page-size 1.
    const QStringList ids = ServerView::updatedAt(server.calls()).keys();
    QVERIFY(ids.size() >= 3);
    QVERIFY(server.adminPost(u"/__admin/calls/%1/update"_s.arg(ids[0]), {{u"outcome"_s, u"tst_first"_s}}));
    QVERIFY(server.adminPost(u"/__admin/calls/%1/update"_s.arg(ids[1]), {{u"outcome"_s, u"tst_second"_s}}));
    QVERIFY(server.adminPost(u"/__admin/calls/%1/update"_s.arg(ids[2]), {{u"direction"_s, u"sideways"_s}}));
    const QString cursorBefore = StoreInspector(databasePath(dataDir.path())).syncState(u"calls_cursor"_s);

    const AgentRun broken = agent->syncOnce(server.url(), {u"--metadata-only"_s, u"--page-size"_s, u"1"_s});
    QVERIFY2(broken.exitCode == kExitServer, broken.describe().constData());
    // The message names the record and the field, so that the server team can fix it.
    QVERIFY2(broken.standardError.contains(ids[2].toUtf8()) && broken.standardError.contains("\"direction\""),
             broken.describe().constData());
    {
        StoreInspector store(databasePath(dataDir.path()));
        QCOMPARE(store.integrityCheck(), u"ok"_s);
        QCOMPARE(store.count(u"calls"_s), 200);
        QCOMPARE(store.callColumn(ids[0], u"outcome"_s), u"tst_first"_s);
        QCOMPARE(store.callColumn(ids[1], u"outcome"_s), u"tst_second"_s);
        QVERIFY(store.callColumn(ids[2], u"direction"_s) != "sideways"_L1);
        const QString cursor = store.syncState(u"calls_cursor"_s);
        QVERIFY(cursor != cursorBefore); // moved past the good pages, and no further:
        const auto next = server.page(cursor, 1);
        QVERIFY(next && next->updatedAt.contains(ids[2]));
        QVERIFY(store.syncState(u"last_sync_error"_s).contains(ids[2]));
    }

    QVERIFY(server.adminPost(u"/__admin/calls/%1/update"_s.arg(ids[2]), {{u"direction"_s, u"inbound"_s}}));
    const AgentRun fixed = agent->syncOnce(server.url(), {u"--metadata-only"_s, u"--page-size"_s, u"1"_s});
    QVERIFY2(fixed.exitCode == 0, fixed.describe().constData());
    StoreInspector store(databasePath(dataDir.path()));
    QCOMPARE(store.callsUpdatedAt(), ServerView::updatedAt(server.calls()));
    QCOMPARE(store.callColumn(ids[2], u"direction"_s), u"inbound"_s);
}

int main(int argc, char *argv[])
{
    return runUnderKeyring(argc, argv, [](int count, char **arguments) {
        QCoreApplication application(count, arguments);
        TstAgentSync test;
        QTEST_SET_MAIN_SOURCE_PATH
        return QTest::qExec(&test, count, arguments);
    });
}

#include "tst_agentsync.moc"
