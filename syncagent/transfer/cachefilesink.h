#pragma once

#include "cache/encryptedcachereader.h"
#include "cache/encryptedcachewriter.h"
#include "transfer/serialqueue.h"
#include "transfer/sha256.h"

#include <QBitArray>

#include <atomic>
#include <functional>
#include <memory>

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
// transfer thread in any order; they are sealed and written, and hashed in plaintext
// order (chunks already on disk, from an earlier run or a range the player asked for
// first, are read back through the cipher when the hash reaches them). finish() checks
// completeness and SHA-256, fsyncs and renames the partial to its final name; the folder
// sync and the store update are the caller's, batched over several recordings.
//
// Every operation runs on the file's SerialQueue; callbacks run on a pool thread.
class CacheFileSink : public std::enable_shared_from_this<CacheFileSink>
{
public:
    // The transfer thread pauses a transfer above the high mark; `drained` is called
    // whenever the queue falls below a low mark again. Small, because bytes queued here
    // are lost if the agent is killed: received, but not yet in the file. On a multiplexed
    // (HTTP/2) connection the marks are higher: there libcurl 7.88 holds up every stream of
    // the connection while one is paused, and frequent pauses halved the throughput.
    static constexpr qint64 kQueueHighBytes = 512 * 1024;
    static constexpr qint64 kQueueLowBytes = 192 * 1024;
    static constexpr qint64 kMultiplexedQueueHighBytes = 4 * 1024 * 1024;
    static constexpr qint64 kMultiplexedQueueLowBytes = 2 * 1024 * 1024;

    using FailureHandler = std::function<void(CacheFileProblem, const QString &message)>;

    static std::shared_ptr<CacheFileSink> create(QThreadPool &pool, CacheFileSpec spec,
                                                 std::function<void()> drained, FailureHandler onFailure);
    ~CacheFileSink();

    const CacheFileSpec &spec() const { return m_spec; }

    // Resumes the partial when resumeExisting and it is usable, else starts a new one.
    void open(bool resumeExisting, std::function<void(CacheFileOpened)> done);
    void writeChunk(qint64 index, QByteArray plaintext);
    qint64 queuedBytes() const { return m_queuedBytes.load(); }
    bool hasFailed() const { return m_failed.load(); }
    // The disk is full (another file met it first): chunks still queued are dropped, not
    // written, so that the room the engine frees for the store is not eaten by them; a
    // finish() after this reports a full disk. Any thread.
    void holdWrites() { m_holding = true; }
    // Runs once every chunk posted before it is on disk (or failed).
    void afterWrites(std::function<void(bool ok)> done);
    void finish(std::function<void(CacheFileResult)> done);
    // Closes the file; keeps it for a later resume unless removeFile.
    void close(bool removeFile);

private:
    CacheFileSink(QThreadPool &pool, CacheFileSpec spec, std::function<void()> drained, FailureHandler onFailure);

    QString partialPath() const;
    CacheFileOpened openNow(bool resumeExisting);
    void writeNow(qint64 index, const QByteArray &plaintext);
    bool catchUpHash();
    CacheFileResult finishNow();
    void fail(CacheFileProblem problem, const QString &message);
    CacheFileProblem classify(int savedErrno) const;

    const CacheFileSpec m_spec;
    std::shared_ptr<SerialQueue> m_queue;
    std::function<void()> m_drained;
    FailureHandler m_onFailure;
    std::atomic<qint64> m_queuedBytes{0};
    std::atomic<bool> m_failed{false};
    std::atomic<bool> m_holding{false};
    CacheFileProblem m_problem = CacheFileProblem::None; // set before m_failed, on the queue
    QString m_problemMessage;

    // Used only by tasks on m_queue.
    std::unique_ptr<EncryptedCacheWriter> m_writer;
    std::unique_ptr<EncryptedCacheReader> m_readBack;
    Sha256 m_hash;
    qint64 m_hashedUpTo = 0;
};

} // namespace earshot
