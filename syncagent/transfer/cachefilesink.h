#pragma once

#include "cache/encryptedcachereader.h"
#include "cache/encryptedcachewriter.h"
#include "transfer/serialqueue.h"
#include "transfer/sha256.h"

#include <QBitArray>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>

namespace earshot {

// Which cache file a recording goes to and what it must match.
struct CacheFileSpec
{
    QString directory;   // the cache folder
    QString partialName; // "<uuid>.<format>.part", or the final name when adopting a renamed file
    QString finalName;   // "<uuid>.<format>"
    QByteArray key;      // the cache key
    qint64 sizeBytes = 0;
    QString sha256; // lower-case hex; empty when the server gave none
};

enum class CacheFileProblem { None, DiskFull, Io };

struct CacheFileOpened
{
    CacheFileProblem problem = CacheFileProblem::None;
    QString message;     // when problem != None
    QBitArray present;   // chunks already in the file (a resumed partial)
    qint64 chunkSize = 0;
};

struct CacheFileResult
{
    enum class Kind { Verified, HashMismatch, Incomplete, DiskFull, IoError };
    Kind kind = Kind::IoError;
    QString message; // for the user, when not Verified
};

// One recording's encrypted cache file while it downloads. Chunks arrive from the
// transfer thread in any order and are sealed and written at once, on that thread: so a
// kill loses at most the chunk still being received, never chunks waiting in a queue.
// They are hashed in plaintext order on the file's SerialQueue (chunks already on disk,
// from an earlier run or a range the player asked for first, are read back through the
// cipher when the hash reaches them). finish() checks completeness and SHA-256, fsyncs and
// renames the partial to its final name; the folder sync and the store update are the
// caller's, batched over several recordings.
//
// writeChunk() runs on the caller's thread; everything else on the file's SerialQueue,
// whose callbacks run on a pool thread.
class CacheFileSink : public std::enable_shared_from_this<CacheFileSink>
{
public:
    // The transfer thread pauses a transfer while this many bytes wait to be hashed, and
    // `drained` is called whenever the backlog falls below the low mark again. They are on
    // disk already: the marks bound memory, not what a kill loses. On a multiplexed
    // (HTTP/2) connection they are higher: there libcurl 7.88 holds up every stream of the
    // connection while one is paused, and frequent pauses halved the throughput.
    static constexpr qint64 kHashBacklogHighBytes = 1024 * 1024;
    static constexpr qint64 kHashBacklogLowBytes = 384 * 1024;
    static constexpr qint64 kMultiplexedHashBacklogHighBytes = 4 * 1024 * 1024;
    static constexpr qint64 kMultiplexedHashBacklogLowBytes = 2 * 1024 * 1024;

    using FailureHandler = std::function<void(CacheFileProblem, const QString &message)>;

    static std::shared_ptr<CacheFileSink> create(QThreadPool &pool, CacheFileSpec spec,
                                                 std::function<void()> drained, FailureHandler onFailure);
    ~CacheFileSink();

    const CacheFileSpec &spec() const { return m_spec; }

    // Resumes the partial when resumeExisting and it is usable, else starts a new one.
    void open(bool resumeExisting, std::function<void(CacheFileOpened)> done);
    // Stored: in the file (now, or already); Dropped: after holdWrites() or close(), not
    // written, which is not a failure; Failed: the file has failed (see hasFailed()).
    enum class ChunkWrite { Stored, Dropped, Failed };
    // Seals and stores the chunk now, on the calling thread (one thread at a time), then
    // queues it for the hash.
    ChunkWrite writeChunk(qint64 index, QByteArray plaintext);
    qint64 hashBacklogBytes() const { return m_hashBacklog.load(); }
    bool hasFailed() const { return m_failed.load(); }
    // The disk is full (another file met it first): later chunks are dropped, not written,
    // so that the room the engine frees for the store is not eaten by them; a finish()
    // after this reports a full disk. Any thread.
    void holdWrites() { m_holding = true; }
    // Runs once every chunk written before it is hashed (or the file failed).
    void afterWrites(std::function<void(bool ok)> done);
    void finish(std::function<void(CacheFileResult)> done);
    // Closes the file; keeps it for a later resume unless removeFile.
    void close(bool removeFile);

private:
    CacheFileSink(QThreadPool &pool, CacheFileSpec spec, std::function<void()> drained, FailureHandler onFailure);

    QString partialPath() const;
    CacheFileOpened openNow(bool resumeExisting);
    void hashNow(qint64 index, const QByteArray &plaintext);
    bool catchUpHash();
    // Whether the hash may read chunk `index` back from the file: stored, and not on its
    // way to the hash in memory.
    bool mayReadBack(qint64 index) const;
    CacheFileResult finishNow();
    void fail(CacheFileProblem problem, const QString &message);
    CacheFileProblem classify(int savedErrno) const;

    const CacheFileSpec m_spec;
    std::shared_ptr<SerialQueue> m_queue;
    std::function<void()> m_drained;
    FailureHandler m_onFailure;
    std::atomic<qint64> m_hashBacklog{0};
    std::atomic<bool> m_failed{false};
    std::atomic<bool> m_holding{false};

    // The writer is used by the transfer thread (writeChunk) and by the queue's tasks.
    mutable std::mutex m_writerMutex;
    std::unique_ptr<EncryptedCacheWriter> m_writer;
    QBitArray m_hashPending;                             // chunks written whose hash task has not run
    CacheFileProblem m_problem = CacheFileProblem::None; // set before m_failed
    QString m_problemMessage;

    // Used only by tasks on m_queue.
    std::unique_ptr<EncryptedCacheReader> m_readBack;
    Sha256 m_hash;
    qint64 m_hashedUpTo = 0;
};

} // namespace earshot
