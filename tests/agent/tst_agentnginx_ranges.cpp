// tst_agentnginx, answers the agent cannot use: nginx with ranges turned off answers a
// Range request with 200 and the whole file, a copy that shrank on the server answers
// 416, a link dies before the expiry the server announced (410 mid-download), and a copy
// replaced on the server while the agent held part of it (If-Range). None of them may put
// a wrong byte into a partial download, and each ends in a verified copy.
#include "tst_agentnginx.h"

#include "cachecheck.h"
#include "cuttingproxy.h"
#include "storeinspector.h"

#include "testsupport/media_files.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QSqlQuery>
#include <QTest>
#include <QUrlQuery>

using namespace Qt::StringLiterals;
using namespace agenttesting;

namespace nginxtest {

namespace {

// One call whose 8 MiB recording is `media/call.mp3`.
QByteArray writeOneRecording(const QTemporaryDir &media)
{
    QString error;
    if (earshot::testsupport::writeMediaFiles(media.path(), {u"call.mp3"_s}, {8 * kMiB}, &error).isEmpty()) {
        qWarning().noquote() << error;
        return {};
    }
    QFile file(QDir(media.path()).filePath(u"call.mp3"_s));
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

// Starts the agent slowly (2 MB/s), and kills it once its partial holds `atLeast` bytes.
// The partial's file name, or empty when that never happened.
QString killWithAPartial(AgentProcess &agent, const QString &serverUrl, const QString &dataDir, qint64 atLeast)
{
    QProcess process;
    agent.start(process, {u"--server"_s, serverUrl, u"--data-dir"_s, dataDir, u"--once"_s, u"--bandwidth-limit"_s,
                          u"2M"_s});
    QString partial;
    if (!process.waitForStarted() || waitForPartial(process, dataDir, atLeast, &partial) < 0)
        partial.clear();
    process.kill();
    process.waitForFinished();
    return partial;
}

} // namespace

void TstAgentNginx::rangeIgnoredByTheServerStartsOverInANewFile()
{
    QTemporaryDir media;
    const QByteArray content = writeOneRecording(media);
    QVERIFY(!content.isEmpty());
    m_nginx = std::make_unique<NginxServer>(media.path());
    QVERIFY2(m_nginx->start(), qPrintable(m_nginx->errorString()));
    QVERIFY(startServers(media.path(), media.path(), {u"--calls"_s, u"1"_s, u"--one-recording-per-file"_s},
                         u"http://127.0.0.1:%1/whole"_s.arg(m_nginx->port())));
    QTemporaryDir dataDir;
    auto agent = signedInAgent(*m_server, dataDir.path());
    QVERIFY(agent);
    const QString partial = killWithAPartial(*agent, m_server->url(), dataDir.path(), 2 * kMiB);
    QVERIFY2(!partial.isEmpty(), "the agent never had a partial download to kill");
    const qint64 onDisk = contiguousOnDisk(dataDir.path(), partial, content.size());
    QVERIFY2(onDisk > 0, qPrintable(u"%1 contiguous bytes on disk"_s.arg(onDisk)));

    const AgentRun resumed = agent->syncOnce(m_server->url());
    QVERIFY2(resumed.exitCode == 0, resumed.describe().constData());
    const auto gets = mediaGets(*m_nginx, "call.mp3");
    QCOMPARE(gets.size(), 3);
    // Asked to resume, nginx sent the whole file: the agent read none of it into the
    // partial and fetched the recording again, whole, into a new file.
    QCOMPARE(gets[1].range, "bytes=" + QByteArray::number(onDisk) + '-' + QByteArray::number(content.size() - 1));
    QCOMPARE(gets[1].status, 200);
    QCOMPARE(gets[2].range, QByteArray());
    QCOMPARE(gets[2].status, 200);
    QCOMPARE(gets[2].bodyBytesSent, content.size());
    const CacheCheck cache = checkCache(StoreInspector(databasePath(dataDir.path())), cacheDir(dataDir.path()));
    QVERIFY2(cache.problems.isEmpty(), qPrintable(cache.problems.join(u'\n')));
    QCOMPARE(cache.present, 1);
    QVERIFY(!QFileInfo::exists(QDir(cacheDir(dataDir.path())).filePath(partial)));
}

void TstAgentNginx::rangeNotSatisfiableLeavesThePartialAsItWas()
{
    QTemporaryDir media;
    const QByteArray content = writeOneRecording(media);
    QVERIFY(!content.isEmpty());
    QVERIFY(startServers(media.path(), media.path(), {u"--calls"_s, u"1"_s, u"--one-recording-per-file"_s}));
    QTemporaryDir dataDir;
    auto agent = signedInAgent(*m_server, dataDir.path());
    QVERIFY(agent);
    const QString partial = killWithAPartial(*agent, m_server->url(), dataDir.path(), 4 * kMiB);
    QVERIFY2(!partial.isEmpty(), "the agent never had a partial download to kill");
    const qint64 onDisk = contiguousOnDisk(dataDir.path(), partial, content.size());
    QVERIFY2(onDisk >= 2 * kMiB, qPrintable(u"%1 contiguous bytes on disk"_s.arg(onDisk)));

    // A partial that names no version (kept by an agent before version 9 of the store, or
    // from a server that sends no validators) resumes without If-Range; with one, nginx
    // would send the shrunken file whole instead (copyReplacedOnTheServerIsFetchedAgainWhole).
    {
        const StoreInspector store(databasePath(dataDir.path()));
        QVERIFY(QSqlQuery(store.connection()).exec(u"UPDATE recordings SET partial_validator = NULL"_s));
    }
    // The file on the server shrinks below what the agent has: its Range is past the end.
    const QString served = QDir(media.path()).filePath(u"call.mp3"_s);
    QVERIFY(QFile::resize(served, onDisk / 2));
    const AgentRun refused = agent->syncOnce(m_server->url());
    QVERIFY2(refused.exitCode == kExitServer, refused.describe().constData());
    QCOMPARE(mediaGets(*m_nginx, "call.mp3").constLast().status, 416);
    {
        StoreInspector store(databasePath(dataDir.path()));
        const StoredRecording row = store.recordings().constFirst();
        QCOMPARE(row.cacheState, u"partial"_s);
        QCOMPARE(row.cacheFile, partial);
        QVERIFY2(row.lastError.contains(u"HTTP 416"_s), qPrintable(row.lastError));
        QVERIFY(store.integrityCheck() == u"ok"_s);
        QSqlQuery(u"UPDATE recordings SET next_attempt_at = NULL"_s, store.connection()).exec();
    }
    QCOMPARE(contiguousOnDisk(dataDir.path(), partial, content.size()), onDisk); // not a byte touched

    // The server's copy is whole again: the download resumes where it stopped and verifies.
    QFile restore(served);
    QVERIFY(restore.open(QIODevice::WriteOnly | QIODevice::Truncate) && restore.write(content) == content.size());
    restore.close();
    const AgentRun resumed = agent->syncOnce(m_server->url());
    QVERIFY2(resumed.exitCode == 0, resumed.describe().constData());
    const NginxAccessEntry last = mediaGets(*m_nginx, "call.mp3").constLast();
    QCOMPARE(last.status, 206);
    QCOMPARE(rangeStart(last.range), onDisk);
    const CacheCheck cache = checkCache(StoreInspector(databasePath(dataDir.path())), cacheDir(dataDir.path()));
    QVERIFY2(cache.problems.isEmpty(), qPrintable(cache.problems.join(u'\n')));
    QCOMPARE(cache.present, 1);
}

void TstAgentNginx::copyReplacedOnTheServerIsFetchedAgainWhole_data()
{
    QTest::addColumn<bool>("viaNginx");
    QTest::newRow("reference server") << false;
    QTest::newRow("nginx secure_link") << true;
}

// The server replaces a recording while the agent holds part of it: the same size, other
// bytes, and no sha256 in the metadata to tell. The agent resumes with If-Range naming the
// version it holds; the server sends the whole new file instead, and the agent fetches it
// into a new file. Joining the two versions would have gone unnoticed.
void TstAgentNginx::copyReplacedOnTheServerIsFetchedAgainWhole()
{
    QFETCH(bool, viaNginx);
    QTemporaryDir media;
    const QByteArray content = writeOneRecording(media);
    QVERIFY(!content.isEmpty());
    const QStringList seed{u"--calls"_s, u"1"_s, u"--one-recording-per-file"_s, u"--without-sha256"_s};
    if (viaNginx) {
        QVERIFY(startServers(media.path(), media.path(), seed));
    } else {
        m_server = std::make_unique<ServerView>();
        QVERIFY2(m_server->start(QStringList{u"--recordings-dir"_s, media.path()} + seed), qPrintable(m_server->error()));
    }
    QTemporaryDir dataDir;
    auto agent = signedInAgent(*m_server, dataDir.path());
    QVERIFY(agent);
    const QString partial = killWithAPartial(*agent, m_server->url(), dataDir.path(), 2 * kMiB);
    QVERIFY2(!partial.isEmpty(), "the agent never had a partial download to kill");
    QVERIFY(contiguousOnDisk(dataDir.path(), partial, content.size()) >= 2 * kMiB);
    QByteArray held;
    {
        StoreInspector store(databasePath(dataDir.path()));
        QSqlQuery query(u"SELECT partial_validator, sha256 FROM recordings"_s, store.connection());
        QVERIFY(query.next());
        held = query.value(0).toString().toLatin1();
        QVERIFY2(held.startsWith('"'), held.constData()); // the server's ETag, kept before the kill
        QVERIFY(query.value(1).isNull());
    }

    const QString served = QDir(media.path()).filePath(u"call.mp3"_s);
    const QDateTime modified = QFileInfo(served).lastModified();
    QByteArray replaced = content;
    for (char &byte : replaced)
        byte = static_cast<char>(byte ^ 0x5a);
    QFile file(served);
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate) && file.write(replaced) == replaced.size());
    QVERIFY(file.setFileTime(modified.addSecs(60), QFileDevice::FileModificationTime));
    file.close();

    const AgentRun resumed = agent->syncOnce(m_server->url());
    QVERIFY2(resumed.exitCode == 0, resumed.describe().constData());
    if (viaNginx) {
        const auto gets = mediaGets(*m_nginx, "call.mp3");
        QCOMPARE(gets.size(), 3);
        QCOMPARE(gets[1].ifRange, held);
        QVERIFY(rangeStart(gets[1].range) >= 2 * kMiB);
        QCOMPARE(gets[1].status, 200); // the version named is gone: the whole file instead
        QCOMPARE(gets[2].range, QByteArray());
        QCOMPARE(gets[2].status, 200);
        QCOMPARE(gets[2].bodyBytesSent, replaced.size());
    }
    const StoreInspector store(databasePath(dataDir.path()));
    const StoredRecording row = store.recordings().constFirst();
    QCOMPARE(row.cacheState, u"present"_s);
    QCOMPARE(decryptedDigest(QDir(cacheDir(dataDir.path())).filePath(row.cacheFile), cacheKeyOf(store)).sha256,
             QString::fromLatin1(QCryptographicHash::hash(replaced, QCryptographicHash::Sha256).toHex()));
    QVERIFY(!QFileInfo::exists(QDir(cacheDir(dataDir.path())).filePath(partial)));
}

// The server says a link lives five minutes, but nginx's signature dies after two seconds
// (a server clock ahead of the media store's, a cached link): the agent trusts the time it
// was given, meets 410 when it resumes after a network break, fetches a fresh link and
// resumes at the same byte.
void TstAgentNginx::linkRefusedBeforeItsAnnouncedExpiryIsRefreshedAndResumed()
{
    QTemporaryDir media;
    const QByteArray content = writeOneRecording(media);
    QVERIFY(!content.isEmpty());
    m_nginx = std::make_unique<NginxServer>(media.path());
    QVERIFY2(m_nginx->start(), qPrintable(m_nginx->errorString()));
    CuttingProxy proxy(m_nginx->port());
    QVERIFY(proxy.start());
    QVERIFY(startServers(media.path(), media.path(),
                         {u"--calls"_s, u"1"_s, u"--one-recording-per-file"_s, u"--url-lifetime"_s, u"2"_s},
                         u"http://127.0.0.1:%1/media"_s.arg(proxy.port())));
    QVERIFY(m_server->setFaults({{"claimed_url_lifetime"_L1, 300}}));
    QTemporaryDir dataDir;
    auto agent = signedInAgent(*m_server, dataDir.path());
    QVERIFY(agent);
    QVERIFY(m_server->resetStats());

    QProcess process;
    agent->start(process, {u"--server"_s, m_server->url(), u"--data-dir"_s, dataDir.path(), u"--once"_s,
                           u"--bandwidth-limit"_s, u"1M"_s});
    QVERIFY(process.waitForStarted());
    QTRY_COMPARE_WITH_TIMEOUT(proxy.connectionsSeen(), 1, 10'000);
    QTest::qWait(3000); // the signature has died; the agent believes the link good for minutes
    QCOMPARE(process.state(), QProcess::Running);
    proxy.cutAll();
    QVERIFY(process.waitForFinished(60'000));
    QVERIFY2(process.exitCode() == 0, process.readAllStandardError().right(3000).constData());

    const auto gets = mediaGets(*m_nginx, "call.mp3");
    QCOMPARE(gets.size(), 3);
    QCOMPARE(gets[0].range, QByteArray());
    const qint64 resumeAt = rangeStart(gets[1].range);
    QVERIFY(resumeAt > 0 && resumeAt % kChunk == 0);
    QCOMPARE(gets[1].status, 410); // the same link, refused before its announced expiry
    QCOMPARE(gets[2].status, 206);
    QCOMPARE(rangeStart(gets[2].range), resumeAt); // from the same byte
    QCOMPARE(gets[2].bodyBytesSent, content.size() - resumeAt);
    const auto expiresOf = [](const NginxAccessEntry &entry) {
        return QUrlQuery(QString::fromLatin1(entry.target.mid(entry.target.indexOf('?') + 1)))
            .queryItemValue(u"expires"_s);
    };
    QCOMPARE(expiresOf(gets[1]), expiresOf(gets[0]));
    QVERIFY(expiresOf(gets[2]) != expiresOf(gets[1]));
    QCOMPARE(requestCount(m_server->stats(), "POST /api/calls/{id}/recording/refresh"), 1);
    const CacheCheck cache = checkCache(StoreInspector(databasePath(dataDir.path())), cacheDir(dataDir.path()));
    QVERIFY2(cache.problems.isEmpty(), qPrintable(cache.problems.join(u'\n')));
    QCOMPARE(cache.present, 1);
}

} // namespace nginxtest
