// The agent's transfer engine against the reference server, end to end with the built
// binary: resuming a large recording after kill -9 with a Range request, links that
// expire mid-download, bodies cut short or with the wrong hash never becoming "present",
// a recording that keeps failing being put off, and a cache that holds no plaintext.
#include "agenttesting.h"
#include "cachecheck.h"
#include "storeinspector.h"

#include "cache/encryptedcachewriter.h"
#include "testsupport/media_files.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QSqlQuery>
#include <QTest>
#include <QThread>

#include <csignal>
#include <functional>

using namespace Qt::StringLiterals;
using namespace agenttesting;

namespace {

constexpr qint64 kMiB = 1024 * 1024;
constexpr qint64 kChunk = 64 * 1024; // the cache format's chunk

// Plaintext bytes from the start that a partial cache file holds, read as the agent
// would on resume (every chunk authenticated).
qint64 contiguousBytesOf(const QString &path, const QByteArray &key, qint64 size)
{
    auto writer = earshot::EncryptedCacheWriter::resume(path, key, static_cast<quint64>(size));
    return writer ? (*writer)->contiguousPlaintextBytes() : -1;
}

// Kills the agent (SIGKILL, no clean-up) as soon as its partial file, looked at every
// 200 µs, satisfies due(bytes now, bytes when first seen); false if the agent ended first.
bool killWhenThePartial(QProcess &process, const QDir &cache, const std::function<bool(qint64, qint64)> &due)
{
    qint64 firstSeen = -1;
    QElapsedTimer waited;
    waited.start();
    while (waited.elapsed() < 30'000 && process.state() == QProcess::Running) {
        const QFileInfoList partials = cache.entryInfoList({u"*.part"_s}, QDir::Files);
        if (!partials.isEmpty()) {
            const qint64 bytes = partials.constFirst().size();
            if (firstSeen < 0)
                firstSeen = bytes;
            if (due(bytes, firstSeen)) {
                process.kill();
                process.waitForFinished();
                return true;
            }
        }
        QThread::usleep(200);
    }
    return false;
}

QString partialFileOf(const StoreInspector &store)
{
    const auto recordings = store.recordings();
    for (const StoredRecording &recording : recordings) {
        if (recording.cacheState == "partial"_L1)
            return recording.cacheFile;
    }
    return {};
}

// Rewrites manifest.tsv with another SHA-256 for one file, as a server whose metadata
// disagrees with its media would send it.
bool corruptManifestHash(const QString &dir, const QString &file)
{
    QFile manifest(QDir(dir).filePath(u"manifest.tsv"_s));
    if (!manifest.open(QIODevice::ReadOnly))
        return false;
    QList<QByteArray> lines = manifest.readAll().split('\n');
    manifest.close();
    bool changed = false;
    for (QByteArray &line : lines) {
        QList<QByteArray> fields = line.split('\t');
        if (fields.size() >= 6 && fields[0] == file.toUtf8()) {
            fields[5] = QByteArray(64, 'a');
            line = fields.join('\t');
            changed = true;
        }
    }
    return changed && manifest.open(QIODevice::WriteOnly | QIODevice::Truncate)
        && manifest.write(lines.join('\n')) > 0;
}

// A reference server with one call per media file (pseudo-random bytes of the given
// sizes), and an agent signed in to it in a fresh data folder.
struct OneCallPerFile
{
    QTemporaryDir media;
    QTemporaryDir dataDir;
    ServerView server;
    std::unique_ptr<AgentProcess> agent;
    QString problem;

    bool start(const QStringList &files, const QList<qint64> &sizes, const QStringList &serverOptions = {})
    {
        if (earshot::testsupport::writeMediaFiles(media.path(), files, sizes, &problem).isEmpty())
            return false;
        return startServing(serverOptions);
    }
    // After the media folder was prepared by hand.
    bool startServing(const QStringList &serverOptions = {})
    {
        if (!server.start(QStringList{u"--calls"_s, QString::number(QDir(media.path()).entryList({u"*.mp3"_s}).size()),
                                      u"--one-recording-per-file"_s, u"--recordings-dir"_s, media.path()}
                          + serverOptions)) {
            problem = server.error();
            return false;
        }
        agent = signedInAgent(server, dataDir.path());
        if (!agent)
            problem = u"cannot sign in"_s;
        return agent != nullptr;
    }
    QString cache() const { return cacheDir(dataDir.path()); }
    // Starts one pass of the agent (--once) in the background, with `options` besides.
    void startOnce(QProcess &process, const QStringList &options = {})
    {
        agent->start(process, QStringList{u"--server"_s, server.url(), u"--data-dir"_s, dataDir.path(), u"--once"_s}
                                  + options);
    }
    StoreInspector store() const { return StoreInspector(databasePath(dataDir.path())); }
    // Runs the agent once more, to the end, and checks every present file.
    bool syncAgainVerified(QString *why)
    {
        const AgentRun run = agent->syncOnce(server.url());
        if (run.exitCode != 0) {
            *why = QString::fromUtf8(run.describe());
            return false;
        }
        const CacheCheck check = checkCache(store(), cache());
        *why = check.problems.join(u'\n');
        return check.problems.isEmpty();
    }
};

} // namespace

class TstAgentTransfers : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();

    void killDuringLargeRecordingResumesWithRange();
    void killEarlyAtFullSpeedStillResumes();
    void firstChunkIsStoredOnlyOnceItsVersionIsRecorded();
    void stopDuringDownloadKeepsThePartialForTheNextRun();
    void expiringLinkIsRefreshedAndResumesAtSameOffset();
    void bodyCutShortNeverBecomesPresent();
    void wrongSha256NeverBecomesPresent();
    void failingRecordingIsPutOffNotRetriedInALoop();
    void cacheHoldsNoPlaintext();
};

void TstAgentTransfers::initTestCase()
{
    QVERIFY2(QFileInfo::exists(QStringLiteral(EARSHOT_SYNC_PATH)), "the agent binary is not built: " EARSHOT_SYNC_PATH);
    QString error;
    QVERIFY2(keychainWorks(&error), qPrintable(error));
}

void TstAgentTransfers::killDuringLargeRecordingResumesWithRange()
{
    const qint64 size = 200 * kMiB;
    OneCallPerFile setup;
    QVERIFY2(setup.start({u"large.mp3"_s}, {size}), qPrintable(setup.problem));

    // Slowed down so that the kill lands in the middle, whatever the machine.
    QProcess process;
    setup.startOnce(process, {u"--bandwidth-limit"_s, u"50M"_s});
    QVERIFY(process.waitForStarted());
    QString partial;
    QElapsedTimer waited;
    waited.start();
    while (waited.elapsed() < 60'000 && process.state() == QProcess::Running) {
        StoreInspector store = setup.store();
        partial = partialFileOf(store);
        if (!partial.isEmpty() && QFileInfo(QDir(setup.cache()).filePath(partial)).size() >= size / 2)
            break;
        QTest::qWait(50);
    }
    QVERIFY2(process.state() == QProcess::Running, "the agent ended before the middle of the recording");
    QVERIFY2(!partial.isEmpty(), "the partial download was never recorded in the store");
    process.kill(); // SIGKILL: no clean-up of any kind
    process.waitForFinished();
    const qint64 servedBeforeKill = mediaBytesServed(setup.server.stats());

    StoreInspector store = setup.store();
    QCOMPARE(store.integrityCheck(), u"ok"_s);
    const qint64 onDisk = contiguousBytesOf(QDir(setup.cache()).filePath(partial), cacheKeyOf(store), size);
    QVERIFY2(onDisk >= size / 2 - kChunk, qPrintable(u"%1 bytes on disk"_s.arg(onDisk)));

    QVERIFY(setup.server.resetStats());
    QString why;
    QVERIFY2(setup.syncAgainVerified(&why), qPrintable(why));
    const QJsonObject stats = setup.server.stats();
    // One request, starting exactly where the partial ends: nothing before it came twice.
    QCOMPARE(requestCount(stats, "GET /media/{id}"), 1);
    QCOMPARE(mediaBytesServed(stats), size - onDisk);
    // The server counts what it handed to its socket, so this includes what sat in the
    // socket buffers at the kill (a few MB on loopback) besides the agent's own loss of less
    // than a chunk; tst_agentnginx tells the two apart. Starting over would be 100 MB.
    const qint64 refetched = servedBeforeKill - onDisk;
    qInfo() << "killed with" << onDisk << "bytes on disk," << servedBeforeKill << "sent by the server before the kill:"
            << refetched << "bytes re-fetched (" << double(refetched) * 100.0 / double(size) << "%)";
    QVERIFY2(refetched < 8 * kMiB, qPrintable(u"re-fetched %1 bytes"_s.arg(refetched)));

    QCOMPARE(checkCache(setup.store(), setup.cache()).present, 1);
}

void TstAgentTransfers::killEarlyAtFullSpeedStillResumes()
{
    const qint64 size = 128 * kMiB;
    OneCallPerFile setup;
    QVERIFY2(setup.start({u"large.mp3"_s}, {size}), qPrintable(setup.problem));

    // No limit: the kill lands a moment after the first bytes, before any progress report.
    QProcess process;
    setup.startOnce(process);
    QVERIFY(process.waitForStarted());
    const QDir cache(setup.cache());
    QVERIFY2(killWhenThePartial(process, cache, [](qint64 bytes, qint64) { return bytes >= 16 * kMiB; }),
             "the download ended before it could be killed");
    QFileInfoList partials = cache.entryInfoList({u"*.part"_s}, QDir::Files);
    QCOMPARE(partials.size(), 1);
    const qint64 onDisk = contiguousBytesOf(partials.constFirst().filePath(),
                                            cacheKeyOf(setup.store()), size);
    QVERIFY(onDisk >= 8 * kMiB);

    QVERIFY(setup.server.resetStats());
    QString why;
    QVERIFY2(setup.syncAgainVerified(&why), qPrintable(why));
    QCOMPARE(requestCount(setup.server.stats(), "GET /media/{id}"), 1);
    QCOMPARE(mediaBytesServed(setup.server.stats()), size - onDisk);
}

void TstAgentTransfers::firstChunkIsStoredOnlyOnceItsVersionIsRecorded()
{
    // The reference server sends an ETag. Killed the moment the first chunk reaches the
    // file, the agent must already have recorded the partial with that version: it is
    // what the next run sends as If-Range, so that bytes of a replaced file are never
    // joined to these.
    const qint64 size = 64 * kMiB;
    OneCallPerFile setup;
    QVERIFY2(setup.start({u"large.mp3"_s}, {size}), qPrintable(setup.problem));
    QProcess process;
    setup.startOnce(process);
    QVERIFY(process.waitForStarted());
    // First seen, the new partial holds its header and no chunk yet.
    QVERIFY2(killWhenThePartial(process, QDir(setup.cache()),
                                [](qint64 bytes, qint64 firstSeen) { return bytes > firstSeen; }),
             "the first chunk never reached the file while the agent ran");

    const StoreInspector store = setup.store();
    QSqlQuery query(u"SELECT cache_state, IFNULL(partial_validator, '') FROM recordings"_s, store.connection());
    QVERIFY(query.next());
    QCOMPARE(query.value(0).toString(), u"partial"_s);
    QVERIFY2(!query.value(1).toString().isEmpty(), "a chunk was on disk before the store named its version");

    QString why;
    QVERIFY2(setup.syncAgainVerified(&why), qPrintable(why));
}

void TstAgentTransfers::stopDuringDownloadKeepsThePartialForTheNextRun()
{
    const qint64 size = 40 * kMiB;
    OneCallPerFile setup;
    QVERIFY2(setup.start({u"call.mp3"_s}, {size}), qPrintable(setup.problem));

    QProcess process;
    setup.startOnce(process, {u"--bandwidth-limit"_s, u"8M"_s});
    QVERIFY(process.waitForStarted());
    QTest::qWait(1500);
    QCOMPARE(process.state(), QProcess::Running);
    process.terminate(); // SIGTERM: the agent stops cleanly
    QVERIFY(process.waitForFinished(30'000));
    QCOMPARE(process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(process.exitCode(), 128 + SIGTERM);

    qint64 cachedBytes = 0;
    {
        StoreInspector store = setup.store();
        QCOMPARE(store.integrityCheck(), u"ok"_s);
        const QString partial = partialFileOf(store);
        QVERIFY2(!partial.isEmpty(), "the stopped download was not kept for the next run");
        QSqlQuery query(u"SELECT cached_bytes FROM recordings"_s, store.connection());
        QVERIFY(query.next());
        cachedBytes = query.value(0).toLongLong();
        QCOMPARE(contiguousBytesOf(QDir(setup.cache()).filePath(partial), cacheKeyOf(store), size), cachedBytes);
        QVERIFY(cachedBytes > 0 && cachedBytes < size);
    }
    QVERIFY(setup.server.resetStats());
    QString why;
    QVERIFY2(setup.syncAgainVerified(&why), qPrintable(why));
    QCOMPARE(requestCount(setup.server.stats(), "GET /media/{id}"), 1);
    QCOMPARE(mediaBytesServed(setup.server.stats()), size - cachedBytes);
}

void TstAgentTransfers::expiringLinkIsRefreshedAndResumesAtSameOffset()
{
    const qint64 size = 12 * kMiB;
    const qint64 cutAfter = 3'000'000; // not a chunk boundary: each cut loses a partial chunk
    // Links live 2 s; every response is cut after 3 MB, which takes 1.5 s at the agent's
    // limit: each resume needs a fresh link, and happens at the last whole chunk.
    OneCallPerFile setup;
    QVERIFY2(setup.start({u"call.mp3"_s}, {size}, {u"--url-lifetime"_s, u"2"_s, u"--drop-body-after"_s, QString::number(cutAfter)}), qPrintable(setup.problem));
    QVERIFY(setup.server.resetStats());

    setup.agent->environment().insert(u"QT_LOGGING_RULES"_s, u"earshot.*.debug=true"_s);
    const AgentRun sync = setup.agent->syncOnce(setup.server.url(), {u"--bandwidth-limit"_s, u"2M"_s});
    QVERIFY2(sync.exitCode == 0, sync.describe().constData());
    const QJsonObject stats = setup.server.stats();
    qInfo().noquote() << QJsonDocument(stats).toJson(QJsonDocument::Compact);

    // Where each request must start if every resume continues at the last whole chunk.
    qint64 expectedBytes = 0;
    qint64 expectedRequests = 0;
    for (qint64 offset = 0;;) {
        const qint64 got = std::min(cutAfter, size - offset);
        expectedBytes += got;
        ++expectedRequests;
        if (offset + got == size)
            break;
        offset += got / kChunk * kChunk;
    }
    QCOMPARE(requestCount(stats, "GET /media/{id}"), expectedRequests);
    QCOMPARE(mediaBytesServed(stats), expectedBytes);
    QVERIFY2(requestCount(stats, "POST /api/calls/{id}/recording/refresh") >= 1,
             "the expired link was never refreshed");
    // Every request and refresh was logged (debug on), none with the link's signature.
    QVERIFY(sync.standardError.contains("/recording/refresh"));
    QVERIFY2(!sync.standardError.contains("sig=") && !sync.standardError.contains("nonce="),
             "a signed URL's query reached the log");

    const CacheCheck cache = checkCache(setup.store(), setup.cache());
    QVERIFY2(cache.problems.isEmpty(), qPrintable(cache.problems.join(u'\n')));
    QCOMPARE(cache.present, 1);
}

void TstAgentTransfers::bodyCutShortNeverBecomesPresent()
{
    // Every body ends early though its Content-Length promised more.
    ServerView server;
    QVERIFY2(server.start({u"--calls"_s, u"12"_s, u"--drop-body-after"_s, u"1000"_s}), qPrintable(server.error()));
    QTemporaryDir dataDir;
    auto agent = signedInAgent(server, dataDir.path());
    QVERIFY(agent);

    const AgentRun sync = agent->syncOnce(server.url());
    QVERIFY2(sync.exitCode == kExitServer, sync.describe().constData());
    QVERIFY2(sync.standardError.contains("could not be downloaded"), sync.describe().constData());

    StoreInspector store(databasePath(dataDir.path()));
    QCOMPARE(store.integrityCheck(), u"ok"_s);
    const auto recordings = store.recordings();
    QVERIFY(std::any_of(recordings.cbegin(), recordings.cend(),
                        [](const StoredRecording &r) { return r.status == "available"_L1; }));
    for (const StoredRecording &recording : recordings) {
        QVERIFY2(recording.cacheState != "present"_L1, qPrintable(recording.id));
        if (recording.status == "available"_L1) {
            QVERIFY2(recording.lastError.contains("broke off"_L1), qPrintable(recording.lastError));
            QVERIFY(recording.nextAttemptAt > QDateTime::currentMSecsSinceEpoch());
        }
    }
    // Not even one whole chunk arrived: nothing is kept.
    QCOMPARE(filesUnder(cacheDir(dataDir.path())), QStringList());
}

void TstAgentTransfers::wrongSha256NeverBecomesPresent()
{
    OneCallPerFile setup;
    QString error;
    QVERIFY(!earshot::testsupport::writeMediaFiles(setup.media.path(), {u"good.mp3"_s, u"bad.mp3"_s},
                                                   {300'000, 300'000}, &error)
                 .isEmpty());
    QVERIFY(corruptManifestHash(setup.media.path(), u"bad.mp3"_s));
    QVERIFY2(setup.startServing(), qPrintable(setup.problem));

    const AgentRun sync = setup.agent->syncOnce(setup.server.url());
    QVERIFY2(sync.exitCode == kExitServer, sync.describe().constData());
    StoreInspector store = setup.store();
    QCOMPARE(store.integrityCheck(), u"ok"_s);
    int present = 0;
    const auto recordings = store.recordings();
    for (const StoredRecording &recording : recordings) {
        if (recording.sha256 == QString(64, u'a')) {
            QCOMPARE(recording.cacheState, u"absent"_s);
            QVERIFY(recording.cacheFile.isEmpty());
            QVERIFY2(recording.lastError.contains("SHA-256"_L1), qPrintable(recording.lastError));
        } else {
            QCOMPARE(recording.cacheState, u"present"_s);
            ++present;
        }
    }
    QCOMPARE(present, 1);
    // The bad download left no file behind.
    QCOMPARE(filesUnder(setup.cache()).size(), 1);
}

void TstAgentTransfers::failingRecordingIsPutOffNotRetriedInALoop()
{
    OneCallPerFile setup;
    QVERIFY2(setup.start({u"one.mp3"_s}, {100'000}, {u"--drop-body-after"_s, u"0"_s}), qPrintable(setup.problem));

    qint64 requestsPerPass = -1;
    for (int pass = 1; pass <= 5; ++pass) {
        QVERIFY(setup.server.resetStats());
        const AgentRun sync = setup.agent->syncOnce(setup.server.url());
        QVERIFY2(sync.exitCode == kExitServer, sync.describe().constData());
        const qint64 requests = requestCount(setup.server.stats(), "GET /media/{id}");
        QVERIFY2(requests >= 2 && requests <= 6, qPrintable(u"%1 media requests in pass %2"_s.arg(requests).arg(pass)));
        requestsPerPass = requests;
        StoreInspector store = setup.store();
        const StoredRecording recording = store.recordings().constFirst();
        QCOMPARE(recording.attempts, pass);
        QVERIFY(recording.nextAttemptAt > QDateTime::currentMSecsSinceEpoch());
        // Given up after five: the agent's own state, apart from the server's, which stays.
        QCOMPARE(recording.status, u"available"_s);
        QCOMPARE(recording.gaveUpAt > 0, pass == 5);
        if (pass == 5)
            QVERIFY(recording.nextAttemptAt > QDateTime::currentMSecsSinceEpoch() + 11 * 3600'000LL);
        // Instead of waiting out the backoff, the test makes the next try due now.
        QSqlQuery(u"UPDATE recordings SET next_attempt_at = 1"_s, store.connection()).exec();
    }
    qInfo() << requestsPerPass << "media requests per pass";
    // Given up on: the store keeps why, and the next try is hours away.
    {
        StoreInspector store = setup.store();
        QSqlQuery(u"UPDATE recordings SET next_attempt_at = %1"_s.arg(QDateTime::currentMSecsSinceEpoch() + 6 * 3600'000LL),
                  store.connection())
            .exec();
        QVERIFY(!store.recordings().constFirst().lastError.isEmpty());
    }
    QVERIFY(setup.server.resetStats());
    const AgentRun later = setup.agent->syncOnce(setup.server.url());
    QVERIFY2(later.exitCode == 0, later.describe().constData());
    QCOMPARE(requestCount(setup.server.stats(), "GET /media/{id}"), 0);
}

void TstAgentTransfers::cacheHoldsNoPlaintext()
{
    ServerView server;
    QVERIFY2(server.start({u"--calls"_s, u"200"_s}), qPrintable(server.error()));
    QTemporaryDir dataDir;
    auto agent = signedInAgent(server, dataDir.path());
    QVERIFY(agent);
    const AgentRun sync = agent->syncOnce(server.url());
    QVERIFY2(sync.exitCode == 0, sync.describe().constData());

    StoreInspector store(databasePath(dataDir.path()));
    const CacheCheck cache = checkCache(store, cacheDir(dataDir.path()));
    QVERIFY2(cache.problems.isEmpty(), qPrintable(cache.problems.join(u'\n')));
    QVERIFY(cache.present > 20);

    // What plaintext would give away: each clip's first 16 bytes (magic and header) and a
    // 64-byte run from its middle, long enough never to occur in ciphertext by chance.
    QList<QByteArray> samples;
    const QDir fixtures(QStringLiteral(EARSHOT_FIXTURE_RECORDINGS_DIR));
    const QStringList clips = fixtures.entryList({u"*.wav"_s, u"*.mp3"_s, u"*.m4a"_s, u"*.aac"_s, u"*.ogg"_s, u"*.opus"_s},
                                                 QDir::Files);
    QVERIFY(clips.size() > 10);
    for (const QString &clip : clips) {
        QFile file(fixtures.filePath(clip));
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray content = file.readAll();
        samples.append(content.left(16));
        samples.append(content.mid(content.size() / 2, 64));
    }
    const QList<QByteArray> magics{"RIFF"_ba, "OggS"_ba, "ID3"_ba, "ftyp"_ba, "\xff\xf1"_ba, "\xff\xfb"_ba};
    const QStringList files = filesUnder(cacheDir(dataDir.path()));
    QCOMPARE(files.size(), cache.present);
    for (const QString &path : files) {
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray content = file.readAll();
        QVERIFY2(content.startsWith("ESCACHE1"), qPrintable(path));
        for (const QByteArray &magic : magics)
            QVERIFY2(content.indexOf(magic) < 0 || content.indexOf(magic) > 8, qPrintable(path + u" starts like audio"_s));
        for (const QByteArray &sample : std::as_const(samples))
            QVERIFY2(!content.contains(sample), qPrintable(path + u" holds plaintext"_s));
    }
    // Nowhere else in the data folder either (the store, the WAL, leftovers).
    for (const QByteArray &sample : std::as_const(samples))
        QCOMPARE(filesContaining(dataDir.path(), sample), QStringList());
}

int main(int argc, char *argv[])
{
    return runUnderKeyring(argc, argv, [](int count, char **arguments) {
        QCoreApplication application(count, arguments);
        TstAgentTransfers test;
        QTEST_SET_MAIN_SOURCE_PATH
        return QTest::qExec(&test, count, arguments);
    });
}

#include "tst_agenttransfers.moc"
