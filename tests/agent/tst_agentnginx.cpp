// The agent against a real static file server: nginx behind secure_link, with the
// reference server handing out the links, the way production backends put a CDN or an
// object store behind the API. Resume after kill -9 with a Range request, a link that
// expires while the network breaks mid-download, a wrong SHA-256, a body cut short by a
// network that then stays down, connection reuse, https, and encrypted copies of real
// audio. What nginx did is read from its access log.
#include "tst_agentnginx.h"

#include "agenttesting.h"
#include "cachecheck.h"
#include "cuttingproxy.h"
#include "storeinspector.h"

#include "cache/encryptedcachewriter.h"
#include "testsupport/media_files.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QSet>
#include <QSqlQuery>
#include <QTest>
#include <QUrlQuery>

#include <csignal>

using namespace Qt::StringLiterals;
using namespace agenttesting;

namespace nginxtest {

QList<NginxAccessEntry> mediaGets(const NginxServer &nginx, const QByteArray &pathPart)
{
    QList<NginxAccessEntry> gets;
    const auto log = nginx.accessLog();
    for (const NginxAccessEntry &entry : log) {
        if (entry.method == "GET" && entry.path().contains(pathPart))
            gets.append(entry);
    }
    return gets;
}

qint64 rangeStart(const QByteArray &range)
{
    return range.startsWith("bytes=") ? range.mid(6, range.indexOf('-') - 6).toLongLong() : -1;
}

// Bytes waiting in the kernel on a loopback TCP connection to serverPort: what the server
// side has not sent yet (tx_queue of its socket) and what the client has not read yet
// (rx_queue of the client's socket), from /proc/net/tcp. -1 when there is no such
// connection.
qint64 bytesInKernelQueues(quint16 serverPort)
{
    QFile table(u"/proc/net/tcp"_s);
    if (!table.open(QIODevice::ReadOnly))
        return -1;
    qint64 queued = -1;
    const QList<QByteArray> lines = table.readAll().split('\n');
    for (const QByteArray &line : lines) {
        const QList<QByteArray> fields = line.simplified().split(' ');
        if (fields.size() < 5 || fields[3] != "01") // 01: ESTABLISHED
            continue;
        const quint16 localPort = static_cast<quint16>(fields[1].split(':').value(1).toUInt(nullptr, 16));
        const quint16 remotePort = static_cast<quint16>(fields[2].split(':').value(1).toUInt(nullptr, 16));
        const QList<QByteArray> queues = fields[4].split(':');
        if (localPort == serverPort)
            queued = std::max<qint64>(queued, 0) + queues.value(0).toLongLong(nullptr, 16); // tx_queue
        else if (remotePort == serverPort)
            queued = std::max<qint64>(queued, 0) + queues.value(1).toLongLong(nullptr, 16); // rx_queue
    }
    return queued;
}

qint64 waitForPartial(QProcess &process, const QString &dataDir, qint64 atLeast, QString *partial)
{
    QElapsedTimer waited;
    waited.start();
    while (waited.elapsed() < 60'000 && process.state() == QProcess::Running) {
        StoreInspector store(databasePath(dataDir));
        const auto recordings = store.recordings();
        for (const StoredRecording &recording : recordings) {
            if (recording.cacheState != "partial"_L1)
                continue;
            *partial = recording.cacheFile;
            const qint64 size = QFileInfo(QDir(cacheDir(dataDir)).filePath(recording.cacheFile)).size();
            if (size >= atLeast)
                return size;
        }
        QTest::qWait(50);
    }
    return -1;
}

qint64 contiguousOnDisk(const QString &dataDir, const QString &partial, qint64 size)
{
    const StoreInspector store(databasePath(dataDir));
    auto writer = earshot::EncryptedCacheWriter::resume(QDir(cacheDir(dataDir)).filePath(partial), cacheKeyOf(store),
                                                        static_cast<quint64>(size));
    if (!writer) {
        qWarning().noquote() << writer.error();
        return -1;
    }
    return (*writer)->contiguousPlaintextBytes();
}



void TstAgentNginx::initTestCase()
{
    if (NginxServer::executable().isEmpty())
        QSKIP("nginx is not installed (Debian: apt-get install nginx)");
    QVERIFY2(QFileInfo::exists(QStringLiteral(EARSHOT_SYNC_PATH)), "the agent binary is not built: " EARSHOT_SYNC_PATH);
    QString error;
    QVERIFY2(keychainWorks(&error), qPrintable(error));
}

bool TstAgentNginx::startServers(const QString &root, const QString &dir, const QStringList &extra,
                                 const QString &mediaBase, const TestCertificates *tls)
{
    m_server.reset();
    // One serving https is never reused: the next test may want another certificate.
    const bool servesHttps = m_nginx && m_nginx->baseUrl().scheme() == u"https"_s;
    if (!m_nginx || m_nginx->rootDir() != root || !m_nginx->isRunning() || servesHttps || tls) {
        m_nginx = std::make_unique<NginxServer>(root);
        if (tls)
            m_nginx->serveTls(tls->serverCertificate(), tls->serverKey());
        if (!m_nginx->start()) {
            qWarning().noquote() << m_nginx->errorString();
            return false;
        }
    }
    const QString base = mediaBase.isEmpty() ? m_nginx->baseUrl().toString() : mediaBase;
    const QString subfolder = QDir(root).relativeFilePath(dir);
    QStringList arguments{u"--recordings-dir"_s, dir, u"--media-base-url"_s,
                          subfolder == u"."_s ? base : base + u'/' + subfolder, u"--media-secret"_s,
                          m_nginx->secret()};
    m_server = std::make_unique<ServerView>();
    if (!m_server->start(arguments + extra)) {
        qWarning().noquote() << m_server->error();
        return false;
    }
    return true;
}

void TstAgentNginx::killDuringLargeRecordingResumesWithRange()
{
    QTemporaryDir media;
    QString error;
    const qint64 size = 200 * kMiB;
    const QString big = QDir(media.path()).filePath(u"big"_s);
    QVERIFY2(!earshot::testsupport::writeMediaFiles(big, {u"large.mp3"_s}, {size}, &error).isEmpty(), qPrintable(error));
    QVERIFY(startServers(media.path(), big, {u"--calls"_s, u"1"_s, u"--one-recording-per-file"_s}));
    QTemporaryDir dataDir;
    auto agent = signedInAgent(*m_server, dataDir.path());
    QVERIFY(agent);

    QProcess process;
    agent->start(process, {u"--server"_s, m_server->url(), u"--data-dir"_s, dataDir.path(), u"--once"_s,
                           u"--bandwidth-limit"_s, u"50M"_s});
    QVERIFY(process.waitForStarted());
    QString partial;
    QVERIFY2(waitForPartial(process, dataDir.path(), size / 2, &partial) > 0, "the agent never got halfway");
    // Frozen first, so that what sits in the kernel's socket queues can be told apart
    // from what the agent had read: only the latter counts as the agent's loss.
    ::kill(static_cast<pid_t>(process.processId()), SIGSTOP);
    qint64 inKernel = -2;
    for (qint64 previous = -3; inKernel != previous;) {
        previous = inKernel;
        QTest::qWait(200);
        inKernel = bytesInKernelQueues(m_nginx->port());
    }
    process.kill();
    process.waitForFinished();
    QTRY_COMPARE_WITH_TIMEOUT(mediaGets(*m_nginx, "large.mp3").size(), 1, 10'000);
    const NginxAccessEntry first = mediaGets(*m_nginx, "large.mp3").constFirst();

    StoreInspector store(databasePath(dataDir.path()));
    QCOMPARE(store.integrityCheck(), u"ok"_s);
    const qint64 onDisk = contiguousOnDisk(dataDir.path(), partial, size);
    QVERIFY(onDisk >= 0);

    const AgentRun resumed = agent->syncOnce(m_server->url());
    QVERIFY2(resumed.exitCode == 0, resumed.describe().constData());
    const auto gets = mediaGets(*m_nginx, "large.mp3");
    QCOMPARE(gets.size(), 2);
    QCOMPARE(first.range, QByteArray());
    QCOMPARE(gets[1].status, 206);
    QCOMPARE(gets[1].range, "bytes=" + QByteArray::number(onDisk) + '-' + QByteArray::number(size - 1));
    QCOMPARE(gets[1].bodyBytesSent, size - onDisk);
    // Re-fetched: what nginx sent before the kill beyond what was kept on disk. Of it, what
    // sat in the socket queues never reached the agent; the rest is what the agent lost.
    // The agent stores each chunk as it fills and pauses only just after storing one, so
    // that is under a chunk (the one it was filling, or, while paused for the bandwidth
    // limit, the rest of a delivery and the buffer libcurl reads meanwhile), except in the
    // instant a chunk is being sealed: then that chunk and the rest of its receive buffer.
    const qint64 refetched = first.bodyBytesSent - onDisk;
    const qint64 agentLost = refetched - inKernel;
    qInfo() << "nginx sent" << first.bodyBytesSent << "bytes before the kill," << onDisk << "were on disk:"
            << refetched << "bytes re-fetched (" << double(refetched) * 100.0 / double(size) << "%), of which"
            << inKernel << "were still in the socket queues and" << agentLost << "had reached the agent";
    QVERIFY(inKernel >= 0);
    QVERIFY2(agentLost >= 0 && agentLost < kChunk + kReceiveBuffer,
             qPrintable(u"the agent lost %1 bytes"_s.arg(agentLost)));

    const CacheCheck cache = checkCache(StoreInspector(databasePath(dataDir.path())), cacheDir(dataDir.path()));
    QVERIFY2(cache.problems.isEmpty(), qPrintable(cache.problems.join(u'\n')));
}

void TstAgentNginx::linkExpiringWhileTheNetworkBreaksIsRefreshedAndResumed()
{
    QTemporaryDir media;
    QString error;
    const qint64 size = 16 * kMiB;
    QVERIFY(!earshot::testsupport::writeMediaFiles(media.path(), {u"call.mp3"_s}, {size}, &error).isEmpty());
    // The links point at a proxy in front of nginx, which the test cuts mid-download.
    m_nginx = std::make_unique<NginxServer>(media.path());
    QVERIFY2(m_nginx->start(), qPrintable(m_nginx->errorString()));
    CuttingProxy proxy(m_nginx->port());
    QVERIFY(proxy.start());
    QVERIFY(startServers(media.path(), media.path(), {u"--calls"_s, u"1"_s, u"--one-recording-per-file"_s,
                                                       u"--url-lifetime"_s, u"2"_s},
                         u"http://127.0.0.1:%1/media"_s.arg(proxy.port())));
    QTemporaryDir dataDir;
    auto agent = signedInAgent(*m_server, dataDir.path());
    QVERIFY(agent);
    QVERIFY(m_server->resetStats());

    QProcess process;
    agent->environment().insert(u"QT_LOGGING_RULES"_s, u"earshot.*.debug=true"_s);
    agent->start(process, {u"--server"_s, m_server->url(), u"--data-dir"_s, dataDir.path(), u"--once"_s,
                           u"--bandwidth-limit"_s, u"2M"_s});
    QVERIFY(process.waitForStarted());
    QTRY_COMPARE_WITH_TIMEOUT(proxy.connectionsSeen(), 1, 10'000);
    QTest::qWait(3000); // the 2 s link has expired; the download goes on over the open connection
    QCOMPARE(process.state(), QProcess::Running);
    proxy.cutAll();
    QVERIFY(process.waitForFinished(60'000));
    const QByteArray log = process.readAllStandardError();
    QVERIFY2(process.exitCode() == 0, log.right(3000).constData());
    QVERIFY2(log.contains("media/call.mp3?[redacted]") && !log.contains("md5="), "a signed URL's query reached the log");

    const auto gets = mediaGets(*m_nginx, "call.mp3");
    QCOMPARE(gets.size(), 2);
    QCOMPARE(gets[0].range, QByteArray());
    const qint64 resumedAt = rangeStart(gets[1].range);
    qInfo() << "cut after nginx sent" << gets[0].bodyBytesSent << "bytes; resumed at" << resumedAt;
    QCOMPARE(gets[1].status, 206);
    QVERIFY(resumedAt > 0 && resumedAt % kChunk == 0 && resumedAt <= gets[0].bodyBytesSent);
    QCOMPARE(gets[1].bodyBytesSent, size - resumedAt);
    // With a fresh link: the first one had expired when the network broke.
    QVERIFY(QUrlQuery(QString::fromLatin1(gets[1].target.mid(gets[1].target.indexOf('?') + 1))).queryItemValue(u"expires"_s)
            != QUrlQuery(QString::fromLatin1(gets[0].target.mid(gets[0].target.indexOf('?') + 1))).queryItemValue(u"expires"_s));
    QVERIFY(requestCount(m_server->stats(), "POST /api/calls/{id}/recording/refresh") >= 1);

    const CacheCheck cache = checkCache(StoreInspector(databasePath(dataDir.path())), cacheDir(dataDir.path()));
    QVERIFY2(cache.problems.isEmpty(), qPrintable(cache.problems.join(u'\n')));
    QCOMPARE(cache.present, 1);
}

void TstAgentNginx::wrongSha256NeverBecomesPresent()
{
    QTemporaryDir media;
    QString error;
    QVERIFY(!earshot::testsupport::writeMediaFiles(media.path(), {u"bad.mp3"_s}, {500'000}, &error).isEmpty());
    QFile manifest(QDir(media.path()).filePath(u"manifest.tsv"_s));
    QVERIFY(manifest.open(QIODevice::ReadWrite));
    QByteArray text = manifest.readAll();
    const qsizetype sha = text.lastIndexOf('\t') + 1;
    text.replace(sha, 64, QByteArray(64, 'b'));
    QVERIFY(manifest.seek(0) && manifest.write(text) == text.size());
    manifest.close();
    QVERIFY(startServers(media.path(), media.path(), {u"--calls"_s, u"1"_s, u"--one-recording-per-file"_s}));
    QTemporaryDir dataDir;
    auto agent = signedInAgent(*m_server, dataDir.path());
    QVERIFY(agent);

    const AgentRun sync = agent->syncOnce(m_server->url());
    QVERIFY2(sync.exitCode == kExitServer, sync.describe().constData());
    QCOMPARE(mediaGets(*m_nginx, "bad.mp3").constFirst().status, 200); // nginx served it whole
    StoreInspector store(databasePath(dataDir.path()));
    const StoredRecording recording = store.recordings().constFirst();
    QCOMPARE(recording.cacheState, u"absent"_s);
    QVERIFY2(recording.lastError.contains("SHA-256"_L1), qPrintable(recording.lastError));
    QCOMPARE(filesUnder(cacheDir(dataDir.path())), QStringList());
}

void TstAgentNginx::bodyCutShortNeverBecomesPresent()
{
    QTemporaryDir media;
    QString error;
    const qint64 size = 8 * kMiB;
    QVERIFY(!earshot::testsupport::writeMediaFiles(media.path(), {u"cut.mp3"_s}, {size}, &error).isEmpty());
    // nginx announces the whole length; the network between it and the agent then goes.
    m_nginx = std::make_unique<NginxServer>(media.path());
    QVERIFY2(m_nginx->start(), qPrintable(m_nginx->errorString()));
    CuttingProxy proxy(m_nginx->port());
    QVERIFY(proxy.start());
    QVERIFY(startServers(media.path(), media.path(), {u"--calls"_s, u"1"_s, u"--one-recording-per-file"_s},
                         u"http://127.0.0.1:%1/media"_s.arg(proxy.port())));
    QTemporaryDir dataDir;
    auto agent = signedInAgent(*m_server, dataDir.path());
    QVERIFY(agent);

    QProcess process;
    agent->start(process, {u"--server"_s, m_server->url(), u"--data-dir"_s, dataDir.path(), u"--once"_s,
                           u"--bandwidth-limit"_s, u"2M"_s});
    QVERIFY(process.waitForStarted());
    QString partial;
    QVERIFY(waitForPartial(process, dataDir.path(), 1 * kMiB, &partial) > 0);
    proxy.setDown(true);
    proxy.cutAll();
    QVERIFY(process.waitForFinished(120'000));
    const QByteArray log = process.readAllStandardError();
    QVERIFY2(process.exitCode() == kExitServer, log.right(3000).constData());

    // nginx answered 200 with the whole length (the proxy read it all); the agent got part.
    const auto gets = mediaGets(*m_nginx, "cut.mp3");
    QCOMPARE(gets.size(), 1);
    QCOMPARE(gets[0].status, 200);
    {
        StoreInspector store(databasePath(dataDir.path()));
        const StoredRecording recording = store.recordings().constFirst();
        QCOMPARE(recording.cacheState, u"partial"_s);
        QVERIFY(recording.cacheFile.endsWith(u".part"_s));
        QVERIFY(store.recordingColumn(recording.id, u"cached_bytes"_s).toLongLong() < size);
        QVERIFY2(recording.lastError.contains(u"broke off"_s), qPrintable(recording.lastError));
        // Only the partial: no file under the final name, nothing said present.
        QCOMPARE(filesUnder(cacheDir(dataDir.path())), QStringList{QDir(cacheDir(dataDir.path())).filePath(recording.cacheFile)});
    }

    // The network is back, and the 30 s before the retry have passed (as the store is told):
    // the next run fetches the rest, and the whole verifies.
    proxy.setDown(false);
    {
        StoreInspector store(databasePath(dataDir.path()));
        QVERIFY(store.recordings().constFirst().nextAttemptAt > QDateTime::currentMSecsSinceEpoch());
        QSqlQuery due(store.connection());
        QVERIFY(due.exec(u"UPDATE recordings SET next_attempt_at = NULL"_s));
    }
    const AgentRun resumed = agent->syncOnce(m_server->url());
    QVERIFY2(resumed.exitCode == 0, resumed.describe().constData());
    const auto after = mediaGets(*m_nginx, "cut.mp3");
    QCOMPARE(after.constLast().status, 206);
    QVERIFY(rangeStart(after.constLast().range) > 0);
    const CacheCheck cache = checkCache(StoreInspector(databasePath(dataDir.path())), cacheDir(dataDir.path()));
    QVERIFY2(cache.problems.isEmpty(), qPrintable(cache.problems.join(u'\n')));
    QCOMPARE(cache.present, 1);
}

void TstAgentNginx::transfersShareConnectionsAndRunInParallel()
{
    QTemporaryDir media;
    QString error;
    QStringList names;
    for (int i = 0; i < 40; ++i)
        names.append(u"rec-%1.mp3"_s.arg(i, 2, 10, QChar(u'0')));
    QVERIFY(!earshot::testsupport::writeMediaFiles(media.path(), names, QList<qint64>(40, 256 * 1024), &error).isEmpty());
    QVERIFY(startServers(media.path(), media.path(), {u"--calls"_s, u"40"_s, u"--one-recording-per-file"_s}));
    QTemporaryDir dataDir;
    auto agent = signedInAgent(*m_server, dataDir.path());
    QVERIFY(agent);

    const AgentRun sync = agent->syncOnce(m_server->url(), {u"--parallel"_s, u"4"_s});
    QVERIFY2(sync.exitCode == 0, sync.describe().constData());
    const auto gets = mediaGets(*m_nginx, "/rec-");
    QCOMPARE(gets.size(), 40);
    QSet<qint64> connections;
    qint64 mostRequestsOnOne = 0;
    for (const NginxAccessEntry &entry : gets) {
        QCOMPARE(entry.status, 200);
        connections.insert(entry.connection);
        mostRequestsOnOne = std::max(mostRequestsOnOne, entry.connectionRequests);
    }
    qInfo() << gets.size() << "requests over" << connections.size() << "connections, up to" << mostRequestsOnOne
            << "on one";
    QVERIFY2(connections.size() >= 2, "the transfers did not run in parallel");
    QVERIFY2(connections.size() <= 8, "connections were not reused");
    QVERIFY(mostRequestsOnOne >= 5);
    const CacheCheck cache = checkCache(StoreInspector(databasePath(dataDir.path())), cacheDir(dataDir.path()));
    QVERIFY2(cache.problems.isEmpty(), qPrintable(cache.problems.join(u'\n')));
    QCOMPARE(cache.present, 40);
}

void TstAgentNginx::realAudioIsCachedEncrypted()
{
    const QString fixtures = QStringLiteral(EARSHOT_FIXTURE_RECORDINGS_DIR);
    QVERIFY(startServers(fixtures, fixtures, {u"--calls"_s, u"150"_s}));
    QTemporaryDir dataDir;
    auto agent = signedInAgent(*m_server, dataDir.path());
    QVERIFY(agent);
    const AgentRun sync = agent->syncOnce(m_server->url());
    QVERIFY2(sync.exitCode == 0, sync.describe().constData());
    QVERIFY(!mediaGets(*m_nginx, "/media/").isEmpty());

    StoreInspector store(databasePath(dataDir.path()));
    const CacheCheck cache = checkCache(store, cacheDir(dataDir.path()));
    QVERIFY2(cache.problems.isEmpty(), qPrintable(cache.problems.join(u'\n')));
    QVERIFY(cache.present > 20);
    const QStringList clips = QDir(fixtures).entryList({u"*.wav"_s, u"*.mp3"_s, u"*.m4a"_s, u"*.aac"_s, u"*.ogg"_s,
                                                        u"*.opus"_s},
                                                       QDir::Files);
    for (const QString &clip : clips) {
        QFile file(QDir(fixtures).filePath(clip));
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray content = file.readAll();
        QCOMPARE(filesContaining(dataDir.path(), content.left(16)), QStringList());
        QCOMPARE(filesContaining(dataDir.path(), content.mid(content.size() / 2, 64)), QStringList());
    }
}

// The media store behind a company CA: without that CA, or with another, the agent refuses
// the certificate and keeps nothing; with it (--ca-file, added to the system's CAs, and
// remembered by the data folder) every recording comes over HTTP/2, the transfers sharing
// a connection.
void TstAgentNginx::httpsIsVerifiedAgainstTheExtraCaAndMultiplexed()
{
    TestCertificates certificates;
    QVERIFY2(certificates.create(), qPrintable(certificates.errorString()));
    QTemporaryDir media;
    QString error;
    QStringList names;
    for (int i = 0; i < 12; ++i)
        names.append(u"tls-%1.mp3"_s.arg(i, 2, 10, QChar(u'0')));
    QVERIFY2(!earshot::testsupport::writeMediaFiles(media.path(), names, QList<qint64>(12, 256 * 1024), &error)
                  .isEmpty(),
             qPrintable(error));
    QVERIFY(startServers(media.path(), media.path(), {u"--calls"_s, u"12"_s, u"--one-recording-per-file"_s}, {},
                         &certificates));
    QCOMPARE(m_nginx->baseUrl().scheme(), u"https"_s);

    // Refused with no extra CA, and with the wrong one: nothing kept, the reason stored.
    TestCertificates otherCompany;
    QVERIFY2(otherCompany.create(), qPrintable(otherCompany.errorString()));
    const std::pair<QStringList, QString> refusals[] = {
        {{}, u"give the agent that CA with --ca-file"_s},
        {{u"--ca-file"_s, otherCompany.caCertificate()}, u"nor the one given with --ca-file issued it"_s},
    };
    for (const auto &[arguments, reason] : refusals) {
        QTemporaryDir untrustingDir;
        auto untrusting = signedInAgent(*m_server, untrustingDir.path());
        QVERIFY(untrusting);
        const AgentRun refused = untrusting->syncOnce(m_server->url(), arguments);
        QVERIFY2(!refused.crashed() && !refused.timedOut, refused.describe().constData());
        StoreInspector store(databasePath(untrustingDir.path()));
        QCOMPARE(store.integrityCheck(), u"ok"_s);
        const auto recordings = store.recordings();
        QCOMPARE(recordings.size(), 12);
        qInfo().noquote() << "refused:" << recordings.constFirst().lastError;
        for (const StoredRecording &recording : recordings) {
            QVERIFY2(recording.cacheState != u"present"_s, qPrintable(recording.id));
            QVERIFY2(recording.lastError.contains(u"was refused"_s) && recording.lastError.contains(reason),
                     qPrintable(recording.id + u": "_s + recording.lastError));
        }
    }
    QCOMPARE(mediaGets(*m_nginx, "/tls-").size(), 0); // no request got past the handshake

    QTemporaryDir trustingDir;
    auto trusting = signedInAgent(*m_server, trustingDir.path());
    QVERIFY(trusting);
    // The CA is given once, on a run that fetches no recordings; the run that downloads them
    // names only the data folder, as the app starts the agent: the folder remembers the CA.
    const AgentRun configure = trusting->syncOnce(
        m_server->url(), {u"--ca-file"_s, certificates.caCertificate(), u"--parallel"_s, u"4"_s, u"--metadata-only"_s});
    QVERIFY2(configure.exitCode == 0, configure.describe().constData());
    QCOMPARE(mediaGets(*m_nginx, "/tls-").size(), 0);
    const AgentRun sync = trusting->run({u"--data-dir"_s, trustingDir.path(), u"--once"_s});
    QVERIFY2(sync.exitCode == 0, sync.describe().constData());
    const auto gets = mediaGets(*m_nginx, "/tls-");
    QCOMPARE(gets.size(), 12);
    QSet<qint64> connections;
    for (const NginxAccessEntry &entry : gets) {
        QCOMPARE(entry.status, 200);
        QCOMPARE(entry.protocol, QByteArray("HTTP/2.0"));
        connections.insert(entry.connection);
    }
    qInfo() << gets.size() << "requests over HTTP/2 on" << connections.size() << "connections";
    // PIPEWAIT puts them all on the first connection (one, in practice); a second may open
    // while the first is still in its handshake.
    QVERIFY2(connections.size() <= 2, "the transfers did not share HTTP/2 connections");
    const CacheCheck cache = checkCache(StoreInspector(databasePath(trustingDir.path())), cacheDir(trustingDir.path()));
    QVERIFY2(cache.problems.isEmpty(), qPrintable(cache.problems.join(u'\n')));
    QCOMPARE(cache.present, 12);
}

// Trusting the issuer is not enough: a certificate made out to another host name is
// refused, and the message does not send the user looking for a CA file.
void TstAgentNginx::aCertificateForAnotherHostIsRefusedWithoutAskingForACa()
{
    TestCertificates otherHost;
    QVERIFY2(otherHost.create({u"DNS:media.example"_s}), qPrintable(otherHost.errorString()));
    QTemporaryDir media;
    QString error;
    QVERIFY2(!earshot::testsupport::writeMediaFiles(media.path(), {u"host-0.mp3"_s, u"host-1.mp3"_s},
                                                   {64 * 1024, 64 * 1024}, &error)
                  .isEmpty(),
             qPrintable(error));
    QVERIFY(startServers(media.path(), media.path(), {u"--calls"_s, u"2"_s, u"--one-recording-per-file"_s}, {},
                         &otherHost));
    QTemporaryDir dataDir;
    auto agent = signedInAgent(*m_server, dataDir.path());
    QVERIFY(agent);
    const AgentRun refused = agent->syncOnce(m_server->url(), {u"--ca-file"_s, otherHost.caCertificate()});
    QVERIFY2(!refused.crashed() && !refused.timedOut, refused.describe().constData());
    const auto recordings = StoreInspector(databasePath(dataDir.path())).recordings();
    QCOMPARE(recordings.size(), 2);
    qInfo().noquote() << "refused:" << recordings.constFirst().lastError;
    for (const StoredRecording &recording : recordings) {
        QVERIFY2(recording.cacheState != u"present"_s, qPrintable(recording.id));
        QVERIFY2(recording.lastError.contains(u"was refused"_s) && !recording.lastError.contains(u"--ca-file"_s),
                 qPrintable(recording.id + u": "_s + recording.lastError));
    }
    QCOMPARE(mediaGets(*m_nginx, "/host-").size(), 0);
}

} // namespace nginxtest

int main(int argc, char *argv[])
{
    return runUnderKeyring(argc, argv, [](int count, char **arguments) {
        QCoreApplication application(count, arguments);
        nginxtest::TstAgentNginx test;
        QTEST_SET_MAIN_SOURCE_PATH
        return QTest::qExec(&test, count, arguments);
    });
}

