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
    if (resumeExisting && QFile::exists(path)) {
        auto resumed = EncryptedCacheWriter::resume(path, m_spec.key, size);
        if (resumed) {
            m_writer = std::move(resumed).value();
        } else {
            // Made for another size or key, or damaged beyond its header: start over.
            qCInfo(lcTransfer).noquote() << "starting over instead of resuming:" << resumed.error();
            QFile::remove(path);
        }
    }
    if (!m_writer) {
        errno = 0;
        auto created = EncryptedCacheWriter::create(path, m_spec.key, size);
        if (!created) {
            opened.problem = classify(errno);
            opened.message = created.error();
            m_problem = opened.problem;
            m_problemMessage = opened.message;
            m_failed = true;
            QFile::remove(path);
            return opened;
        }
        m_writer = std::move(created).value();
    }
    const cacheformat::Header &header = m_writer->header();
    opened.chunkSize = header.chunkSize;
    opened.present.resize(static_cast<qsizetype>(header.chunkCount()));
    for (qint64 index = 0; index < header.chunkCount(); ++index)
        opened.present.setBit(static_cast<qsizetype>(index), m_writer->hasChunk(index));
    return opened;
}

void CacheFileSink::writeChunk(qint64 index, QByteArray plaintext)
{
    m_queuedBytes += plaintext.size();
    m_queue->post([self = shared_from_this(), index, plaintext = std::move(plaintext)] {
        self->writeNow(index, plaintext);
        const qint64 before = self->m_queuedBytes.fetch_sub(plaintext.size());
        const qint64 after = before - plaintext.size();
        const auto crossed = [before, after](qint64 mark) { return before >= mark && after < mark; };
        if ((crossed(kQueueLowBytes) || crossed(kMultiplexedQueueLowBytes)) && self->m_drained)
            self->m_drained();
    });
}

void CacheFileSink::writeNow(qint64 index, const QByteArray &plaintext)
{
    if (m_failed || m_holding || !m_writer)
        return;
    errno = 0;
    if (Status written = m_writer->writeChunk(index, plaintext); !written)
        return fail(classify(errno), written.error());
    if (index * m_writer->header().chunkSize == m_hashedUpTo) {
        m_hash.add(plaintext);
        m_hashedUpTo += plaintext.size();
    }
    catchUpHash();
}

bool CacheFileSink::catchUpHash()
{
    const cacheformat::Header &header = m_writer->header();
    while (m_hashedUpTo < m_spec.sizeBytes && m_writer->hasChunk(m_hashedUpTo / header.chunkSize)) {
        if (!m_readBack) {
            auto reader = EncryptedCacheReader::open(partialPath(), m_spec.key);
            if (!reader) {
                fail(CacheFileProblem::Io, reader.error());
                return false;
            }
            m_readBack = std::move(reader).value();
        }
        const qint64 wanted = header.plaintextChunkSize(m_hashedUpTo / header.chunkSize);
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
    if (m_failed || !m_writer)
        return {m_problem == CacheFileProblem::DiskFull ? Kind::DiskFull : Kind::IoError,
                m_problemMessage.isEmpty() ? u"the cache file could not be written"_s : m_problemMessage};
    if (m_holding)
        return {Kind::DiskFull, u"the disk of the cache is full"_s};
    if (!catchUpHash())
        return {Kind::IoError, u"the cache file could not be read back"_s};
    if (!m_writer->isComplete())
        return {Kind::Incomplete, u"%1 of %2 chunks arrived"_s.arg(m_writer->presentChunkCount())
                                      .arg(m_writer->header().chunkCount())};
    const QString digest = m_hash.finishHex();
    if (!m_spec.sha256.isEmpty() && digest != m_spec.sha256)
        return {Kind::HashMismatch,
                u"the content does not match its SHA-256 (got %1, expected %2)"_s.arg(digest, m_spec.sha256)};
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
        self->m_writer.reset();
        if (removeFile)
            QFile::remove(self->partialPath());
    });
}

void CacheFileSink::fail(CacheFileProblem problem, const QString &message)
{
    if (m_failed)
        return;
    m_problem = problem;
    m_problemMessage = message;
    m_failed = true;
    if (m_onFailure)
        m_onFailure(problem, message);
}

CacheFileProblem CacheFileSink::classify(int savedErrno) const
{
    return isOutOfSpace(savedErrno, m_spec.directory) ? CacheFileProblem::DiskFull : CacheFileProblem::Io;
}

} // namespace earshot
