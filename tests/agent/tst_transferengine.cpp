// The transfer engine in process, against a media server that misbehaves on purpose:
// what a transfer does with a 200 to a Range request, a 416, a wrong Content-Range or a
// body cut short (never a byte in the wrong place), how the engine recovers (start over
// deliberately, refresh an expired link and resume at the same byte, honour Retry-After),
// and the player's ranges fetched ahead of everything without fetching anything twice.
#include "tst_transferengine.h"

namespace transferenginetest {

QByteArray randomBytes(qint64 size)
{
    QByteArray bytes(size, Qt::Uninitialized);
    QRandomGenerator generator(7);
    generator.fillRange(reinterpret_cast<quint32 *>(bytes.data()), size / 4);
    return bytes;
}

QString sha256(const QByteArray &bytes)
{
    return QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
}

QByteArray contiguousPlaintext(const QString &path, const QByteArray &key, qint64 size)
{
    auto writer = EncryptedCacheWriter::resume(path, key, static_cast<quint64>(size));
    if (!writer)
        return {};
    const qint64 contiguous = (*writer)->contiguousPlaintextBytes();
    writer->reset();
    auto reader = EncryptedCacheReader::open(path, key);
    return reader ? (*reader)->read(contiguous) : QByteArray();
}

void TstTransferEngine::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(QDir().mkpath(m_dir->filePath(u"media"_s)));
    m_cacheDir = m_dir->filePath(u"cache"_s);
    QVERIFY(QDir().mkpath(m_cacheDir));
    m_server = std::make_unique<HostileMediaServer>(m_dir->filePath(u"media"_s));
    QVERIFY(m_server->start());
    m_links = std::make_unique<FakeLinks>(*m_server);
    auto store = Database::open(m_dir->filePath(u"earshot.sqlite"_s));
    QVERIFY2(store, qPrintable(store.error()));
    m_store = std::move(store).value();
    m_key = CacheCipher::generateKey();
    m_settings = MediaTransferSettings{}; // a test may have shortened the stall window
    m_settings.connection.userAgent = "tst_transferengine";
}

void TstTransferEngine::cleanup()
{
    m_pool.waitForDone();
    m_store.reset();
    m_links.reset();
    m_server.reset();
    m_dir.reset();
}

void TstTransferEngine::addRecording(qint64 size, bool withSha256)
{
    m_content = randomBytes(size);
    QFile file(m_dir->filePath(u"media/rec.mp3"_s));
    QVERIFY(file.open(QIODevice::WriteOnly) && file.write(m_content) == size);
    m_links->fileOfCall.insert(u"call-1"_s, u"rec.mp3"_s);

    Call call;
    call.id = u"call-1"_s;
    call.lead = {u"lead-1"_s, u"Lead"_s, u"+15550100"_s};
    call.agent = {u"agent-1"_s, u"Agent"_s};
    call.outcome = u"connected"_s;
    call.startedAt = QDateTime::currentDateTimeUtc();
    call.durationSeconds = 60;
    call.updatedAt = u"2026-11-21T00:00:00Z"_s;
    call.recording = Recording{u"rec-1"_s, u"mp3"_s, size, 60, withSha256 ? sha256(m_content) : QString(), 1,
                               RecordingStatus::Available};
    CallsPage page;
    page.calls.append(call);
    CallMirror mirror(m_store->connection());
    QVERIFY(mirror.applyPage(page));
}

void TstTransferEngine::addRecordings(int count, qint64 size)
{
    CallsPage page;
    for (int i = 1; i <= count; ++i) {
        const QByteArray content = randomBytes(size);
        QFile file(m_dir->filePath(u"media/rec%1.mp3"_s.arg(i)));
        QVERIFY(file.open(QIODevice::WriteOnly) && file.write(content) == size);
        m_links->fileOfCall.insert(u"call-%1"_s.arg(i), u"rec%1.mp3"_s.arg(i));
        Call call;
        call.id = u"call-%1"_s.arg(i);
        call.lead = {u"lead-1"_s, u"Lead"_s, u"+15550100"_s};
        call.agent = {u"agent-1"_s, u"Agent"_s};
        call.outcome = u"connected"_s;
        call.startedAt = QDateTime::currentDateTimeUtc().addSecs(-i);
        call.updatedAt = u"2026-11-21T00:00:00Z"_s;
        call.recording = Recording{u"rec-%1"_s.arg(i), u"mp3"_s, size, 60, sha256(content), 1, RecordingStatus::Available};
        page.calls.append(call);
    }
    QVERIFY(CallMirror(m_store->connection()).applyPage(page));
}

std::unique_ptr<TransferEngine> TstTransferEngine::makeEngine(qint64 bandwidthLimit, int dueWindow,
                                                             decltype(TransferOptions::admitDue) admitDue)
{
    TransferOptions options;
    options.bandwidthLimit = bandwidthLimit;
    options.dueWindow = dueWindow;
    options.admitDue = std::move(admitDue);
    options.media = m_settings;
    auto engine = std::make_unique<TransferEngine>(options, m_key, m_cacheDir, m_store->connection(), *m_links);
    return engine->start() ? std::move(engine) : nullptr;
}

std::optional<TransferReport> TstTransferEngine::runOnePass()
{
    auto engine = makeEngine();
    if (!engine || !engine->queueDue() || !runUntilIdle(*engine))
        return std::nullopt;
    return engine->takeReport();
}

bool TstTransferEngine::runUntilIdle(TransferEngine &engine, int timeoutMs)
{
    if (engine.isIdle())
        return true;
    QSignalSpy idle(&engine, &TransferEngine::idle);
    return idle.wait(timeoutMs);
}

TstTransferEngine::StoredRow TstTransferEngine::row()
{
    QSqlQuery query(u"SELECT cache_state, IFNULL(cache_file, ''), IFNULL(last_error, '') FROM recordings"_s,
                    m_store->connection());
    if (!query.next())
        return {};
    return {query.value(0).toString(), query.value(1).toString(), query.value(2).toString()};
}

std::shared_ptr<CacheFileSink> TstTransferEngine::partialWithFourChunks()
{
    addRecording();
    const CacheFileSpec spec{m_cacheDir, u"partial.mp3.part"_s, u"partial.mp3"_s, m_key, kMiB, sha256(m_content)};
    auto sink = CacheFileSink::create(m_pool, spec, {}, {});
    QSemaphore opened;
    sink->open(true, [&opened](const CacheFileOpened &) { opened.release(); });
    opened.acquire();
    m_server->script({{Answer::CutShort, 0, {}, 300'000}});
    const MediaOutcome cut = transferInto(sink, 0, kMiB);
    if (cut.kind != MediaOutcome::Kind::Network || cut.deliveredEnd != 4 * kChunk)
        qWarning() << "the first transfer ended" << int(cut.kind) << "at" << cut.deliveredEnd;
    return sink;
}

MediaOutcome TstTransferEngine::transferInto(const std::shared_ptr<CacheFileSink> &sink, qint64 first, qint64 end)
{
    MediaOutcome outcome;
    QSemaphore done;
    {
        CurlMultiLoop loop([&](std::shared_ptr<MediaTransfer> transfer) {
            outcome = transfer->outcome();
            done.release();
        });
        loop.start();
        auto transfer = std::make_shared<MediaTransfer>(
            MediaSpan{m_server->url(u"rec.mp3"_s), first, end, static_cast<qint64>(m_content.size()), kChunk, {}}, sink,
            m_settings);
        if (!transfer->prepare())
            return outcome;
        loop.add(transfer);
        done.acquire();
    }
    QSemaphore written;
    sink->afterWrites([&written](bool) { written.release(); });
    written.acquire();
    return outcome;
}

bool TstTransferEngine::keepsItsFourChunks(const std::shared_ptr<CacheFileSink> &sink)
{
    sink->close(false);
    m_pool.waitForDone();
    return contiguousPlaintext(QDir(m_cacheDir).filePath(u"partial.mp3.part"_s), m_key, kMiB) == m_content.left(4 * kChunk);
}

void TstTransferEngine::bodyCutShortKeepsOnlyWholeChunks()
{
    // 300,000 bytes arrived: four whole chunks are kept, the fifth is fetched again.
    QVERIFY(keepsItsFourChunks(partialWithFourChunks()));
}

void TstTransferEngine::rangeAnsweredWith200WritesNothing()
{
    const auto sink = partialWithFourChunks();
    m_server->script({{Answer::IgnoreRange, 0, {}, 0}});
    const MediaOutcome outcome = transferInto(sink, 4 * kChunk, kMiB);
    QCOMPARE(outcome.kind, MediaOutcome::Kind::RangeIgnored);
    QCOMPARE(outcome.deliveredEnd, 4 * kChunk);
    QCOMPARE(m_server->requests().last().range, "bytes=262144-1048575"_ba);
    QVERIFY(keepsItsFourChunks(sink));
}

void TstTransferEngine::rangeAnsweredWith416WritesNothing()
{
    const auto sink = partialWithFourChunks();
    m_server->script({{Answer::RangeNotSatisfiable, 0, {}, 0}});
    const MediaOutcome outcome = transferInto(sink, 4 * kChunk, kMiB);
    QCOMPARE(outcome.kind, MediaOutcome::Kind::HttpError);
    QCOMPARE(outcome.status, 416);
    QVERIFY(keepsItsFourChunks(sink));
}

void TstTransferEngine::wrongContentRangeWritesNothing()
{
    const auto sink = partialWithFourChunks();
    m_server->script({{Answer::WrongContentRange, 0, {}, 0}});
    const MediaOutcome outcome = transferInto(sink, 4 * kChunk, kMiB);
    QCOMPARE(outcome.kind, MediaOutcome::Kind::Mismatch);
    QVERIFY2(outcome.message.contains("Content-Range"_L1), qPrintable(outcome.message));
    QVERIFY(keepsItsFourChunks(sink));
}

void TstTransferEngine::ignoredRangeStartsOverDeliberately()
{
    addRecording();
    m_server->script({{Answer::CutShort, 0, {}, 300'000}, {Answer::IgnoreRange, 0, {}, 0}});
    auto engine = makeEngine();
    QVERIFY(engine);
    QVERIFY(engine->queueDue());
    QVERIFY(runUntilIdle(*engine));
    const TransferReport report = engine->takeReport();
    QCOMPARE(report.downloaded, 1);
    const auto requests = m_server->requests();
    QCOMPARE(requests.size(), 3);
    QCOMPARE(requests[0].range, QByteArray());
    QCOMPARE(requests[1].range, "bytes=262144-1048575"_ba); // answered 200: abandoned at the head
    QCOMPARE(requests[2].range, QByteArray());               // a new file, from the start
    const StoredRow stored = row();
    QCOMPARE(stored.cacheState, u"present"_s);
    engine.reset();
    QCOMPARE(contiguousPlaintext(QDir(m_cacheDir).filePath(stored.cacheFile), m_key, kMiB), m_content);
    QCOMPARE(QDir(m_cacheDir).entryList(QDir::Files), QStringList{stored.cacheFile});
}

void TstTransferEngine::expiredLinkIsRefreshedAndResumedAtTheSameByte()
{
    addRecording();
    m_server->script({{Answer::CutShort, 0, {}, 300'000}, {Answer::Status, 410, {}, 0}});
    auto engine = makeEngine();
    QVERIFY(engine);
    QVERIFY(engine->queueDue());
    QVERIFY(runUntilIdle(*engine));
    QCOMPARE(engine->takeReport().downloaded, 1);
    QCOMPARE(m_links->links, 1);
    QCOMPARE(m_links->refreshes, 1);
    const auto requests = m_server->requests();
    QCOMPARE(requests.size(), 3);
    QCOMPARE(requests[1].range, "bytes=262144-1048575"_ba);
    QCOMPARE(requests[1].status, 410);
    QCOMPARE(requests[2].range, "bytes=262144-1048575"_ba); // the same byte, with the fresh link
    QVERIFY(requests[2].query != requests[1].query);
    QCOMPARE(row().cacheState, u"present"_s);
}

void TstTransferEngine::retryAfterIsHonoured()
{
    addRecording();
    m_server->script({{Answer::Status, 503, "2", 0}});
    auto engine = makeEngine();
    QVERIFY(engine);
    QVERIFY(engine->queueDue());
    QVERIFY(runUntilIdle(*engine));
    QCOMPARE(engine->takeReport().downloaded, 1);
    const auto requests = m_server->requests();
    QCOMPARE(requests.size(), 2);
    QVERIFY2(requests[1].elapsedMs - requests[0].elapsedMs >= 1900,
             qPrintable(u"tried again after %1 ms"_s.arg(requests[1].elapsedMs - requests[0].elapsedMs)));
}

// A redirect of the media server is followed hop by hop: onward on this computer, yes;
// to plain http on another host, never (the signed link would cross the network in clear).
void TstTransferEngine::redirectsGoOnlyWhereAllowed()
{
    addRecording(256 * 1024);
    m_server->script({{Answer::Redirect, 0, {}, 0, "http://media.example.com/media/rec.mp3?sig=leaked"}});
    auto engine = makeEngine();
    QVERIFY(engine);
    QVERIFY(engine->queueDue());
    QVERIFY(runUntilIdle(*engine));
    QCOMPARE(engine->takeReport().failed, 1);
    const StoredRow refused = row();
    QCOMPARE(refused.cacheState, u"absent"_s);
    QVERIFY2(refused.lastError.contains(u"redirected to a refused address"_s)
                 && refused.lastError.contains(u"use https"_s) && !refused.lastError.contains(u"leaked"_s),
             qPrintable(refused.lastError));
    QCOMPARE(m_server->requests().size(), 1); // nothing was sent to media.example.com

    QVERIFY(execute(m_store->connection(), u"UPDATE recordings SET next_attempt_at = NULL"_s));
    m_server->script({{Answer::Redirect, 0, {}, 0, m_server->url(u"rec.mp3"_s, u"moved=1"_s).toEncoded()}});
    QVERIFY(engine->queueDue());
    QVERIFY(runUntilIdle(*engine));
    QCOMPARE(engine->takeReport().downloaded, 1);
    const auto requests = m_server->requests();
    QCOMPARE(requests.size(), 3);
    QCOMPARE(requests[2].query, "moved=1"_ba);
    QCOMPARE(row().cacheState, u"present"_s);
}

void TstTransferEngine::rangeNotSatisfiableKeepsThePartial()
{
    addRecording();
    m_server->script({{Answer::CutShort, 0, {}, 300'000}, {Answer::RangeNotSatisfiable, 0, {}, 0}});
    auto engine = makeEngine();
    QVERIFY(engine);
    QVERIFY(engine->queueDue());
    QVERIFY(runUntilIdle(*engine));
    QCOMPARE(engine->takeReport().failed, 1);
    const StoredRow stored = row();
    QCOMPARE(stored.cacheState, u"partial"_s);
    QVERIFY2(stored.lastError.contains("416"_L1), qPrintable(stored.lastError));
    engine.reset();
    QCOMPARE(contiguousPlaintext(QDir(m_cacheDir).filePath(stored.cacheFile), m_key, kMiB), m_content.left(4 * kChunk));
}

void TstTransferEngine::playerRangeGoesFirstAndNothingIsFetchedTwice()
{
    addRecording(8 * kMiB);
    m_server->setThrottle(4 * kMiB);
    auto engine = makeEngine();
    QVERIFY(engine);
    QSignalSpy ready(engine.get(), &TransferEngine::rangeReady);
    QElapsedTimer clock;
    clock.start();
    // Bytes 6,292,456 to 6,392,455 lie in chunks 96 and 97.
    QVERIFY(engine->fetchRangeFirst(u"rec-1"_s, 6 * kMiB + 1000, 100'000));
    QVERIFY(engine->queueDue());
    QVERIFY(ready.wait(10'000));
    const qint64 readyAfter = clock.elapsed();
    QVERIFY(runUntilIdle(*engine));
    qInfo() << "range ready after" << readyAfter << "ms, everything after" << clock.elapsed() << "ms";
    QVERIFY(readyAfter * 2 < clock.elapsed());
    QCOMPARE(ready.constFirst().at(1).toLongLong(), 6 * kMiB + 1000);
    const auto requests = m_server->requests();
    QCOMPARE(requests.size(), 3);
    QCOMPARE(requests[0].range, "bytes=6291456-6422527"_ba); // ahead of everything
    QCOMPARE(requests[1].range, "bytes=0-6291455"_ba);
    QCOMPARE(requests[2].range, "bytes=6422528-8388607"_ba); // nothing twice
    QCOMPARE(row().cacheState, u"present"_s);
    engine.reset();
    QCOMPARE(contiguousPlaintext(QDir(m_cacheDir).filePath(row().cacheFile), m_key, 8 * kMiB), m_content);
}

void TstTransferEngine::playerRangeOvertakesTheMainStream()
{
    addRecording(8 * kMiB);
    m_server->setThrottle(2 * kMiB);
    auto engine = makeEngine();
    QVERIFY(engine);
    QSignalSpy ready(engine.get(), &TransferEngine::rangeReady);
    QVERIFY(engine->queueDue());
    QTRY_COMPARE_WITH_TIMEOUT(m_server->requests().size(), 1, 5000);
    QTest::qWait(500);
    QVERIFY(engine->fetchRangeFirst(u"rec-1"_s, 7 * kMiB, kChunk));
    QVERIFY(ready.wait(10'000));
    QVERIFY(runUntilIdle(*engine));
    const auto requests = m_server->requests();
    QCOMPARE(requests.size(), 3);
    QCOMPARE(requests[0].range, QByteArray());
    QCOMPARE(requests[1].range, "bytes=7340032-7405567"_ba);
    // The main stream stopped where the player's chunk begins and goes on after it.
    QCOMPARE(requests[2].range, "bytes=7405568-8388607"_ba);
    QCOMPARE(row().cacheState, u"present"_s);
    engine.reset();
    QCOMPARE(contiguousPlaintext(QDir(m_cacheDir).filePath(row().cacheFile), m_key, 8 * kMiB), m_content);
}

// The player opens a download by the partial's name in the store. A small recording
// downloading in the background is not recorded until it is worth resuming, so asking for
// one of its ranges must record it before the range is announced.
void TstTransferEngine::playerRangeOfABackgroundDownloadNamesItsPartial()
{
    addRecording(2 * kMiB);
    m_server->setThrottle(kMiB);
    auto engine = makeEngine();
    QVERIFY(engine);
    QVERIFY(engine->queueDue());
    QTRY_COMPARE_WITH_TIMEOUT(m_server->requests().size(), 1, 5000);
    QTest::qWait(300);
    QCOMPARE(row().cacheState, u"absent"_s); // small: not yet worth recording
    QString partialAtReady;
    connect(engine.get(), &TransferEngine::rangeReady, this, [&] { partialAtReady = row().cacheFile; });
    QSignalSpy ready(engine.get(), &TransferEngine::rangeReady);
    QVERIFY(engine->fetchRangeFirst(u"rec-1"_s, 0, kChunk));
    QCOMPARE(row().cacheState, u"partial"_s);
    QVERIFY(row().cacheFile.endsWith(u".part"_s));
    QVERIFY(ready.wait(10'000));
    QVERIFY(partialAtReady.endsWith(u".part"_s));
    QVERIFY(runUntilIdle(*engine));
    QCOMPARE(row().cacheState, u"present"_s);
}

void TstTransferEngine::recordingChangedWhileDownloadingIsNotMarkedPresent()
{
    addRecording(4 * kMiB);
    m_server->setThrottle(4 * kMiB);
    auto engine = makeEngine();
    QVERIFY(engine);
    QVERIFY(engine->queueDue());
    QTRY_COMPARE_WITH_TIMEOUT(m_server->requests().size(), 1, 5000);
    // The server replaces the recording's content while the old one downloads.
    Call call;
    call.id = u"call-1"_s;
    call.lead = {u"lead-1"_s, u"Lead"_s, u"+15550100"_s};
    call.agent = {u"agent-1"_s, u"Agent"_s};
    call.outcome = u"connected"_s;
    call.startedAt = QDateTime::currentDateTimeUtc();
    call.updatedAt = u"2026-11-21T00:00:01Z"_s;
    call.recording = Recording{u"rec-1"_s, u"mp3"_s, 4 * kMiB, 60, QString(64, u'c'), 1, RecordingStatus::Available};
    CallsPage page;
    page.calls.append(call);
    QVERIFY(CallMirror(m_store->connection()).applyPage(page));

    QVERIFY(runUntilIdle(*engine));
    const StoredRow stored = row();
    QCOMPARE(stored.cacheState, u"absent"_s);
    QVERIFY(stored.cacheFile.isEmpty());
    engine.reset();
    QCOMPARE(QDir(m_cacheDir).entryList(QDir::Files), QStringList()); // the old content's file is gone
}

} // namespace transferenginetest

int main(int argc, char *argv[])
{
    const earshot::http::CurlGlobalScope curl;
    QCoreApplication application(argc, argv);
    transferenginetest::TstTransferEngine test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

