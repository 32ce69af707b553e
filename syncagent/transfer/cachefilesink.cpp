#include "transfer/cachefilesink.h"

#include "agentlogging.h"
#include "transfer/diskspace.h"

#include <QDir>
#include <QFile>

#include <cerrno>
#include <cstdio>
#include <cstring>

using namespace Qt::StringLiterals;

namespace earshot {

std::shared_ptr<CacheFileSink> CacheFileSink::create(QThreadPool &pool, CacheFileSpec spec,
                                                     std::function<void()> drained, FailureHandler onFailure)
{
    return std::shared_ptr<CacheFileSink>(
        new CacheFileSink(pool, std::move(spec), std::move(drained), std::move(onFailure)));
}

CacheFileSink::CacheFileSink(QThreadPool &pool, CacheFileSpec spec, std::function<void()> drained,
                             FailureHandler onFailure)
    : m_spec(std::move(spec))
    , m_queue(SerialQueue::create(pool))
    , m_drained(std::move(drained))
    , m_onFailure(std::move(onFailure))
{
}

CacheFileSink::~CacheFileSink() = default;

QString CacheFileSink::partialPath() const
{
    return QDir(m_spec.directory).filePath(m_spec.partialName);
}

void CacheFileSink::open(bool resumeExisting, std::function<void(CacheFileOpened)> done)
{
    m_queue->post([self = shared_from_this(), resumeExisting, done = std::move(done)] {
        done(self->openNow(resumeExisting));
        // Re-hash what an earlier run left, while the first request is on its way.
        if (!self->hasFailed())
            self->catchUpHash();
    });
}

CacheFileOpened CacheFileSink::openNow(bool resumeExisting)
{
    CacheFileOpened opened;
    const QString path = partialPath();
    const auto size = static_cast<quint64>(m_spec.sizeBytes);
    std::unique_ptr<EncryptedCacheWriter> writer;
    if (resumeExisting && QFile::exists(path)) {
        auto resumed = EncryptedCacheWriter::resume(path, m_spec.key, size);
        if (resumed) {
            writer = std::move(resumed).value();
        } else {
            // Made for another size or key, or damaged beyond its header: start over.
            qCInfo(lcTransfer).noquote() << "starting over instead of resuming:" << resumed.error();
            QFile::remove(path);
        }
    }
    if (!writer) {
        errno = 0;
        auto created = EncryptedCacheWriter::create(path, m_spec.key, size);
        if (!created) {
            opened.problem = classify(errno);
            opened.message = created.error();
            {
                const std::lock_guard lock(m_writerMutex);
                m_problem = opened.problem;
                m_problemMessage = opened.message;
                m_failed = true;
            }
            QFile::remove(path);
            return opened;
        }
        writer = std::move(created).value();
    }
    const cacheformat::Header &header = writer->header();
    opened.chunkSize = header.chunkSize;
    opened.present.resize(static_cast<qsizetype>(header.chunkCount()));
    for (qint64 index = 0; index < header.chunkCount(); ++index)
        opened.present.setBit(static_cast<qsizetype>(index), writer->hasChunk(index));
    const std::lock_guard lock(m_writerMutex);
    m_hashPending = QBitArray(static_cast<qsizetype>(header.chunkCount()));
    m_writer = std::move(writer);
    return opened;
}

CacheFileSink::ChunkWrite CacheFileSink::writeChunk(qint64 index, QByteArray plaintext)
{
    int savedErrno = 0;
    QString problem;
    {
        const std::lock_guard lock(m_writerMutex);
        if (m_failed)
            return ChunkWrite::Failed;
        if (m_holding || !m_writer)
            return ChunkWrite::Dropped;
        // A chunk another transfer stored first stays as it is (its nonce is used once),
        // and its own hash task or a read-back hashes those bytes, not these.
        if (m_writer->hasChunk(index))
            return ChunkWrite::Stored;
        errno = 0;
        if (Status written = m_writer->writeChunk(index, plaintext); !written) {
            savedErrno = errno;
            problem = written.error();
        } else {
            m_hashPending.setBit(static_cast<qsizetype>(index));
        }
    }
    if (!problem.isEmpty()) {
        fail(classify(savedErrno), problem);
        return ChunkWrite::Failed;
    }
    m_hashBacklog += plaintext.size();
    m_queue->post([self = shared_from_this(), index, plaintext = std::move(plaintext)] {
        self->hashNow(index, plaintext);
        const qint64 before = self->m_hashBacklog.fetch_sub(plaintext.size());
        const qint64 after = before - plaintext.size();
        const auto crossed = [before, after](qint64 mark) { return before >= mark && after < mark; };
        if ((crossed(kHashBacklogLowBytes) || crossed(kMultiplexedHashBacklogLowBytes)) && self->m_drained)
            self->m_drained();
    });
    return ChunkWrite::Stored;
}

void CacheFileSink::hashNow(qint64 index, const QByteArray &plaintext)
{
    {
        const std::lock_guard lock(m_writerMutex);
        if (index < m_hashPending.size())
            m_hashPending.clearBit(static_cast<qsizetype>(index));
    }
    if (m_failed || !m_writer)
        return;
    // Out of order (a range the player asked for first): read back when the hash gets there.
    if (index * m_writer->header().chunkSize == m_hashedUpTo) {
        m_hash.add(plaintext);
        m_hashedUpTo += plaintext.size();
    }
    catchUpHash();
}

bool CacheFileSink::mayReadBack(qint64 index) const
{
    const std::lock_guard lock(m_writerMutex);
    return m_writer && m_writer->hasChunk(index) && !m_hashPending.testBit(static_cast<qsizetype>(index));
}

bool CacheFileSink::catchUpHash()
{
    const qint64 chunkSize = m_writer->header().chunkSize;
    while (m_hashedUpTo < m_spec.sizeBytes && mayReadBack(m_hashedUpTo / chunkSize)) {
        if (!m_readBack) {
            auto reader = EncryptedCacheReader::open(partialPath(), m_spec.key);
            if (!reader) {
                fail(CacheFileProblem::Io, reader.error());
                return false;
            }
            m_readBack = std::move(reader).value();
        }
        const qint64 wanted = m_writer->header().plaintextChunkSize(m_hashedUpTo / chunkSize);
        QByteArray plaintext;
        if (m_readBack->seek(m_hashedUpTo))
            plaintext = m_readBack->read(wanted);
        if (plaintext.size() != wanted) {
            fail(CacheFileProblem::Io, m_readBack->errorString());
            return false;
        }
        m_hash.add(plaintext);
        m_hashedUpTo += wanted;
    }
    return true;
}

void CacheFileSink::afterWrites(std::function<void(bool)> done)
{
    m_queue->post([self = shared_from_this(), done = std::move(done)] { done(!self->hasFailed()); });
}

void CacheFileSink::finish(std::function<void(CacheFileResult)> done)
{
    m_queue->post([self = shared_from_this(), done = std::move(done)] { done(self->finishNow()); });
}

CacheFileResult CacheFileSink::finishNow()
{
    using Kind = CacheFileResult::Kind;
    std::unique_lock lock(m_writerMutex);
    if (m_failed || !m_writer)
        return {m_problem == CacheFileProblem::DiskFull ? Kind::DiskFull : Kind::IoError,
                m_problemMessage.isEmpty() ? u"the cache file could not be written"_s : m_problemMessage};
    if (m_holding)
        return {Kind::DiskFull, u"the disk of the cache is full"_s};
    if (!m_writer->isComplete())
        return {Kind::Incomplete, u"%1 of %2 chunks arrived"_s.arg(m_writer->presentChunkCount())
                                      .arg(m_writer->header().chunkCount())};
    lock.unlock();
    // The transfers have ended and their chunks' hash tasks ran before this one: what the
    // hash has not seen yet is read back.
    if (!catchUpHash())
        return {Kind::IoError, u"the cache file could not be read back"_s};
    if (m_hashedUpTo != m_spec.sizeBytes)
        return {Kind::IoError, u"the cache file's hash stopped at byte %1 of %2"_s.arg(m_hashedUpTo).arg(m_spec.sizeBytes)};
    const QString digest = m_hash.finishHex();
    if (!m_spec.sha256.isEmpty() && digest != m_spec.sha256)
        return {Kind::HashMismatch,
                u"the content does not match its SHA-256 (got %1, expected %2)"_s.arg(digest, m_spec.sha256)};
    lock.lock();
    errno = 0;
    if (Status synced = m_writer->sync(); !synced)
        return {classify(errno) == CacheFileProblem::DiskFull ? Kind::DiskFull : Kind::IoError, synced.error()};
    m_readBack.reset();
    m_writer.reset();
    if (m_spec.partialName != m_spec.finalName) {
        const QString finalPath = QDir(m_spec.directory).filePath(m_spec.finalName);
        if (std::rename(QFile::encodeName(partialPath()).constData(), QFile::encodeName(finalPath).constData()) != 0)
            return {Kind::IoError, u"cannot rename %1 to %2: %3"_s.arg(partialPath(), finalPath,
                                                                      QString::fromLocal8Bit(std::strerror(errno)))};
    }
    return {Kind::Verified, {}};
}

void CacheFileSink::close(bool removeFile)
{
    m_queue->post([self = shared_from_this(), removeFile] {
        self->m_readBack.reset();
        {
            const std::lock_guard lock(self->m_writerMutex);
            self->m_writer.reset();
        }
        if (removeFile)
            QFile::remove(self->partialPath());
    });
}

void CacheFileSink::fail(CacheFileProblem problem, const QString &message)
{
    {
        const std::lock_guard lock(m_writerMutex);
        if (m_failed)
            return;
        m_problem = problem;
        m_problemMessage = message;
        m_failed = true;
    }
    if (m_onFailure)
        m_onFailure(problem, message);
}

CacheFileProblem CacheFileSink::classify(int savedErrno) const
{
    return isOutOfSpace(savedErrno, m_spec.directory) ? CacheFileProblem::DiskFull : CacheFileProblem::Io;
}

} // namespace earshot
