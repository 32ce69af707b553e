// tst_transferengine, the cache file: a chunk is in the file when the transfer hands it
// over, not in a queue that a kill would lose, whatever the hashing thread is doing; the
// hash still sees every chunk once, in order; and a transfer waits while the hash is
// behind instead of holding more and more of the recording in memory.
#include "tst_transferengine.h"

#include <QThread>

#include <atomic>
#include <thread>

namespace transferenginetest {

namespace {

std::shared_ptr<CacheFileSink> openedSink(QThreadPool &pool, const CacheFileSpec &spec)
{
    auto sink = CacheFileSink::create(pool, spec, {}, {});
    QSemaphore opened;
    sink->open(false, [&opened](const CacheFileOpened &) { opened.release(); });
    opened.acquire();
    // The open goes on to hash what the file already holds: until its queue is idle, it
    // would take the next tasks on the same pool thread, past a HeldPool.
    pool.waitForDone();
    return sink;
}

// Keeps the pool's only thread busy until released, so that no file's queue runs: nothing
// is hashed meanwhile.
class HeldPool
{
public:
    explicit HeldPool(QThreadPool &pool) : m_pool(pool)
    {
        m_pool.setMaxThreadCount(1);
        m_pool.start([this] { m_gate.acquire(); });
    }
    ~HeldPool()
    {
        release();
        m_pool.waitForDone();
        m_pool.setMaxThreadCount(QThread::idealThreadCount());
    }
    Q_DISABLE_COPY_MOVE(HeldPool)

    void release() // any thread
    {
        if (!m_released.exchange(true))
            m_gate.release();
    }

private:
    QThreadPool &m_pool;
    QSemaphore m_gate;
    std::atomic<bool> m_released{false};
};

CacheFileResult finished(CacheFileSink &sink)
{
    CacheFileResult result;
    QSemaphore done;
    sink.finish([&](const CacheFileResult &r) {
        result = r;
        done.release();
    });
    done.acquire();
    return result;
}

} // namespace

void TstTransferEngine::eachChunkIsInTheFileWhenItIsHandedOver()
{
    const QByteArray content = randomBytes(4 * kChunk + 1000);
    const CacheFileSpec spec{m_cacheDir, u"sunk.mp3.part"_s, u"sunk.mp3"_s, m_key, content.size(), sha256(content)};
    const QString partial = QDir(m_cacheDir).filePath(spec.partialName);
    const auto sink = openedSink(m_pool, spec);
    HeldPool held(m_pool);

    // Out of order, as with a range the player asked for first, and once twice, as when
    // two transfers both fetch a chunk: the hash still sees each chunk once, in order.
    for (const qint64 index : {0, 3, 1, 3, 2, 4}) {
        const QByteArray plaintext = content.mid(index * kChunk, kChunk);
        QCOMPARE(sink->writeChunk(index, plaintext), CacheFileSink::ChunkWrite::Stored);
        auto reader = EncryptedCacheReader::open(partial, m_key);
        QVERIFY2(reader, qPrintable(reader.error()));
        QVERIFY((*reader)->seek(index * kChunk));
        QCOMPARE((*reader)->read(plaintext.size()), plaintext);
    }
    QCOMPARE(sink->hashBacklogBytes(), qint64(content.size()));

    held.release();
    const CacheFileResult result = finished(*sink);
    QVERIFY2(result.kind == CacheFileResult::Kind::Verified, qPrintable(result.message));
    QVERIFY(QFile::exists(QDir(m_cacheDir).filePath(spec.finalName)));
}

void TstTransferEngine::aChunkStoredTwiceIsHashedAsStored()
{
    // Two transfers both fetched chunk 1 (the second got other bytes: another version of
    // the file, on a server that gives no validator). The file keeps the first; the hash
    // must cover those, so that a file that is not what the server has never verifies.
    const QByteArray content = randomBytes(2 * kChunk);
    QByteArray other = content.mid(kChunk);
    other[0] = static_cast<char>(other[0] ^ 1);
    const CacheFileSpec spec{m_cacheDir, u"twice.mp3.part"_s, u"twice.mp3"_s, m_key, content.size(), sha256(content)};
    const auto sink = openedSink(m_pool, spec);

    // Chunk 1 first, hashed later by reading it back: its task finds the hash at chunk 0.
    QCOMPARE(sink->writeChunk(1, content.mid(kChunk)), CacheFileSink::ChunkWrite::Stored);
    m_pool.waitForDone();
    {
        HeldPool held(m_pool);
        QCOMPARE(sink->writeChunk(0, content.left(kChunk)), CacheFileSink::ChunkWrite::Stored);
        QCOMPARE(sink->writeChunk(1, other), CacheFileSink::ChunkWrite::Stored);
    }
    const CacheFileResult result = finished(*sink);
    QVERIFY2(result.kind == CacheFileResult::Kind::Verified, qPrintable(result.message));
}

void TstTransferEngine::transferWaitsWhileTheHashIsBehind()
{
    addRecording(4 * kMiB);
    const CacheFileSpec spec{m_cacheDir, u"slow.mp3.part"_s, u"slow.mp3"_s, m_key, m_content.size(), sha256(m_content)};
    const auto sink = openedSink(m_pool, spec);
    HeldPool held(m_pool);
    // Released once the transfer has had time to run far ahead of a hash that cannot move.
    qint64 backlogWhileHeld = -1;
    std::thread release([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(800));
        backlogWhileHeld = sink->hashBacklogBytes();
        held.release();
    });
    const MediaOutcome outcome = transferInto(sink, 0, m_content.size());
    release.join();

    QCOMPARE(outcome.kind, MediaOutcome::Kind::Completed);
    // It paused at the first whole chunk past the mark and held no more than that.
    QVERIFY2(backlogWhileHeld >= CacheFileSink::kHashBacklogHighBytes
                 && backlogWhileHeld < CacheFileSink::kHashBacklogHighBytes + kChunk,
             qPrintable(u"%1 bytes waited for the hash"_s.arg(backlogWhileHeld)));
    const CacheFileResult result = finished(*sink);
    QVERIFY2(result.kind == CacheFileResult::Kind::Verified, qPrintable(result.message));
    QCOMPARE(m_server->requests().size(), 1);
}

} // namespace transferenginetest
