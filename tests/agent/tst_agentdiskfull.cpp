// A full disk under the cache: the agent stops downloading with an error the user can act
// on, keeps the store consistent (every "present" row verifies, partials are kept) and
// resumes by itself once space returns. The same when the disk fills up while it saves
// the calls' metadata. The recordings come from the reference server, then from nginx
// behind secure_link. The data folder lives on a tiny tmpfs, so the
// test needs root to mount one; without root it is skipped with a message.
#include "agenttesting.h"
#include "cachecheck.h"
#include "storeinspector.h"

#include "testsupport/media_files.h"
#include "testsupport/nginx_server.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QTest>

#include <unistd.h>

using namespace Qt::StringLiterals;
using namespace agenttesting;

namespace {

constexpr qint64 kMiB = 1024 * 1024;

bool run(const QString &program, const QStringList &arguments)
{
    return QProcess::execute(program, arguments) == 0;
}

// Present rows decrypt to what the server said; nothing else is claimed.
QStringList presentRowsThatDoNotVerify(const QString &dataDir)
{
    StoreInspector store(databasePath(dataDir));
    const QByteArray key = cacheKeyOf(store);
    QStringList problems;
    const auto recordings = store.recordings();
    for (const StoredRecording &recording : recordings) {
        if (recording.cacheState != "present"_L1)
            continue;
        const DecryptedDigest digest = decryptedDigest(QDir(cacheDir(dataDir)).filePath(recording.cacheFile), key);
        if (digest.sha256 != recording.sha256 || digest.size != recording.sizeBytes)
            problems.append(u"%1: %2 %3"_s.arg(recording.id, digest.sha256, digest.error));
    }
    return problems;
}

qint64 countState(const QString &dataDir, const QString &state)
{
    StoreInspector store(databasePath(dataDir));
    const auto recordings = store.recordings();
    return std::count_if(recordings.cbegin(), recordings.cend(),
                         [&state](const StoredRecording &r) { return r.cacheState == state; });
}

} // namespace

class TstAgentDiskFull : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void initTestCase_data();
    void init();
    void cleanup();

    void onceStopsWithClearErrorAndNextRunResumes();
    void loopResumesByItselfWhenSpaceReturns();
    void loopWaitsOutAFullDiskWhileSavingCalls();

private:
    bool mountTinyDisk(const QString &size);

    QTemporaryDir m_media;
    std::unique_ptr<earshot::testsupport::NginxServer> m_nginx; // when it serves the recordings
    std::unique_ptr<QTemporaryDir> m_mountPoint;
    std::unique_ptr<ServerView> m_server;
    qint64 m_totalBytes = 0;
    bool m_mounted = false;
};

void TstAgentDiskFull::initTestCase()
{
    if (::geteuid() != 0)
        QSKIP("needs root to mount a small tmpfs as a full disk (run the agent tests as root, e.g. in the CI container)");
    QString error;
    QVERIFY2(keychainWorks(&error), qPrintable(error));
    // Four recordings of 3 MiB: two fit on the 8 MiB disk, the third fills it.
    const QStringList names{u"a.mp3"_s, u"b.mp3"_s, u"c.mp3"_s, u"d.mp3"_s};
    const auto files = earshot::testsupport::writeMediaFiles(m_media.path(), names, QList<qint64>(4, 3 * kMiB), &error);
    QVERIFY2(files.size() == 4, qPrintable(error));
    m_totalBytes = 12 * kMiB;
}

void TstAgentDiskFull::initTestCase_data()
{
    QTest::addColumn<bool>("nginx");
    QTest::newRow("reference server") << false;
    QTest::newRow("nginx") << true;
}

void TstAgentDiskFull::init()
{
    QFETCH_GLOBAL(bool, nginx);
    QStringList arguments{u"--calls"_s, u"4"_s, u"--one-recording-per-file"_s, u"--recordings-dir"_s, m_media.path()};
    if (nginx) {
        if (earshot::testsupport::NginxServer::executable().isEmpty())
            QSKIP("nginx is not installed (Debian: apt-get install nginx)");
        m_nginx = std::make_unique<earshot::testsupport::NginxServer>(m_media.path());
        QVERIFY2(m_nginx->start(), qPrintable(m_nginx->errorString()));
        arguments << u"--media-base-url"_s << m_nginx->baseUrl().toString() << u"--media-secret"_s << m_nginx->secret();
    }
    m_server = std::make_unique<ServerView>();
    QVERIFY2(m_server->start(arguments), qPrintable(m_server->error()));
    m_mountPoint = std::make_unique<QTemporaryDir>();
    QVERIFY2(mountTinyDisk(u"8m"_s), "cannot mount a tmpfs (mount -t tmpfs)");
}

void TstAgentDiskFull::cleanup()
{
    if (m_mounted)
        run(u"umount"_s, {u"-l"_s, m_mountPoint->path()});
    m_mounted = false;
    m_mountPoint.reset();
    m_server.reset();
    m_nginx.reset();
}

bool TstAgentDiskFull::mountTinyDisk(const QString &size)
{
    m_mounted = run(u"mount"_s, {u"-t"_s, u"tmpfs"_s, u"-o"_s, u"size="_s + size, u"tmpfs"_s, m_mountPoint->path()});
    return m_mounted;
}

void TstAgentDiskFull::onceStopsWithClearErrorAndNextRunResumes()
{
    const QString dataDir = m_mountPoint->path();
    auto agent = signedInAgent(*m_server, dataDir);
    QVERIFY(agent);

    const AgentRun full = agent->syncOnce(m_server->url(), {u"--parallel"_s, u"1"_s});
    QVERIFY2(full.exitCode == kExitLocalStore, full.describe().constData());
    QVERIFY2(full.standardError.contains("is full") && full.standardError.contains("Free some space"),
             full.describe().constData());
    {
        StoreInspector store(databasePath(dataDir));
        QCOMPARE(store.integrityCheck(), u"ok"_s);
    }
    QCOMPARE(presentRowsThatDoNotVerify(dataDir), QStringList());
    const qint64 presentBefore = countState(dataDir, u"present"_s);
    QVERIFY2(presentBefore >= 1 && presentBefore < 4, qPrintable(QString::number(presentBefore)));
    qInfo() << presentBefore << "recordings present when the disk filled up," << countState(dataDir, u"partial"_s)
            << "partial";

    QVERIFY(run(u"mount"_s, {u"-o"_s, u"remount,size=64m"_s, dataDir}));
    QVERIFY(m_server->resetStats());
    const AgentRun resumed = agent->syncOnce(m_server->url());
    QVERIFY2(resumed.exitCode == 0, resumed.describe().constData());
    // What was already on the disk was not fetched again.
    QVERIFY(mediaBytesServed(m_server->stats()) <= m_totalBytes - presentBefore * 3 * kMiB);
    StoreInspector store(databasePath(dataDir));
    QCOMPARE(store.integrityCheck(), u"ok"_s);
    QVERIFY(store.syncState(u"last_sync_error"_s).isEmpty());
    const CacheCheck cache = checkCache(store, cacheDir(dataDir));
    QVERIFY2(cache.problems.isEmpty(), qPrintable(cache.problems.join(u'\n')));
    QCOMPARE(cache.present, 4);
}

void TstAgentDiskFull::loopResumesByItselfWhenSpaceReturns()
{
    const QString dataDir = m_mountPoint->path();
    auto agent = signedInAgent(*m_server, dataDir);
    QVERIFY(agent);
    QProcess process;
    agent->start(process, {u"--server"_s, m_server->url(), u"--data-dir"_s, dataDir, u"--interval"_s, u"3600"_s});
    QVERIFY(process.waitForStarted());

    QElapsedTimer waited;
    waited.start();
    QString error;
    while (waited.elapsed() < 30'000 && !error.contains("is full"_L1)) {
        QTest::qWait(100);
        StoreInspector store(databasePath(dataDir));
        error = store.syncState(u"last_sync_error"_s);
    }
    QVERIFY2(error.contains("is full"_L1), qPrintable(u"last_sync_error: "_s + error));
    QVERIFY2(error.contains("downloads resume automatically"_L1), qPrintable(error));
    QCOMPARE(process.state(), QProcess::Running); // a full disk does not end the agent

    QVERIFY(run(u"mount"_s, {u"-o"_s, u"remount,size=64m"_s, dataDir}));
    // The next pass is an hour away: only the agent's own check of the disk brings it.
    QTRY_VERIFY_WITH_TIMEOUT(countState(dataDir, u"present"_s) == 4, 30'000);
    process.terminate();
    QVERIFY(process.waitForFinished(30'000));
    QCOMPARE(process.exitCode(), 0);

    StoreInspector store(databasePath(dataDir));
    QCOMPARE(store.integrityCheck(), u"ok"_s);
    QVERIFY(store.syncState(u"last_sync_error"_s).isEmpty());
    const CacheCheck cache = checkCache(store, cacheDir(dataDir));
    QVERIFY2(cache.problems.isEmpty(), qPrintable(cache.problems.join(u'\n')));
}

void TstAgentDiskFull::loopWaitsOutAFullDiskWhileSavingCalls()
{
    QFETCH_GLOBAL(bool, nginx);
    if (nginx)
        QSKIP("metadata only: no media server plays a part");
    // Metadata only, more of it than the 8 MiB disk holds.
    constexpr int kCalls = 100'000;
    ServerView server;
    QVERIFY2(server.start({u"--calls"_s, QString::number(kCalls), u"--no-recordings"_s}), qPrintable(server.error()));
    const QString dataDir = m_mountPoint->path();
    auto agent = signedInAgent(server, dataDir);
    QVERIFY(agent);
    QProcess process;
    agent->start(process, {u"--server"_s, server.url(), u"--data-dir"_s, dataDir, u"--interval"_s, u"3600"_s,
                           u"--metadata-only"_s});
    QVERIFY(process.waitForStarted());

    QByteArray log;
    QElapsedTimer waited;
    waited.start();
    while (waited.elapsed() < 60'000 && !log.contains("is full") && process.state() == QProcess::Running) {
        process.waitForReadyRead(100);
        log += process.readAllStandardError();
    }
    process.waitForFinished(0);
    log += process.readAllStandardError();
    if (!log.contains("Free some space"))
        qWarning().noquote() << log.right(3000);
    QVERIFY2(log.contains("is full") && log.contains("Free some space"), "no disk-full error in the agent's log");
    QTest::qWait(500);
    log += process.readAllStandardError();
    if (process.state() != QProcess::Running)
        qWarning().noquote() << log.right(3000);
    QVERIFY2(process.state() == QProcess::Running, "a full disk ended the agent");
    {
        StoreInspector store(databasePath(dataDir));
        QCOMPARE(store.integrityCheck(), u"ok"_s);
        qInfo() << store.count(u"calls"_s) << "calls saved when the disk filled up";
        QVERIFY(store.count(u"calls"_s) < kCalls);
    }

    QVERIFY(run(u"mount"_s, {u"-o"_s, u"remount,size=256m"_s, dataDir}));
    // The next pass is an hour away: only the agent's own check of the disk brings it.
    QTRY_VERIFY_WITH_TIMEOUT(StoreInspector(databasePath(dataDir)).count(u"calls"_s) == kCalls, 60'000);
    QTRY_VERIFY_WITH_TIMEOUT(StoreInspector(databasePath(dataDir)).syncState(u"last_sync_error"_s).isEmpty(), 30'000);
    process.terminate();
    QVERIFY(process.waitForFinished(30'000));
    QCOMPARE(process.exitCode(), 0);
    StoreInspector store(databasePath(dataDir));
    QCOMPARE(store.integrityCheck(), u"ok"_s);
    QCOMPARE(store.count(u"calls"_s), qint64(kCalls));
    // The first fill ended as one that had room does: with the list's indexes.
    const QStringList indexes = store.indexNames();
    QVERIFY2(indexes.contains(u"calls_by_started"_s) && indexes.contains(u"calls_by_lead"_s), qPrintable(indexes.join(u' ')));
}

int main(int argc, char *argv[])
{
    return runUnderKeyring(argc, argv, [](int count, char **arguments) {
        QCoreApplication application(count, arguments);
        TstAgentDiskFull test;
        QTEST_SET_MAIN_SOURCE_PATH
        return QTest::qExec(&test, count, arguments);
    });
}

#include "tst_agentdiskfull.moc"
