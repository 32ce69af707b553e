#include "playback/cachefilesource.h"

#include "applogging.h"

#include <QCoreApplication>
#include <QFile>

using namespace Qt::StringLiterals;

namespace earshot {

namespace {

class CacheFileSourceText
{
    Q_DECLARE_TR_FUNCTIONS(CacheFileSource)
};

QString damagedText(const QString &readerError)
{
    // Which chunk failed and where the file lies is for the log; the person learns what
    // happens next.
    if (!readerError.isEmpty())
        qCWarning(lcPlayer).noquote() << readerError;
    return CacheFileSourceText::tr(
        "The cached copy of this recording is damaged and was not played; it is being downloaded again.");
}

} // namespace

CacheFileSource::CacheFileSource(std::unique_ptr<EncryptedCacheReader> reader, QByteArray key, QString finalPath)
    : m_reader(std::move(reader))
    , m_key(std::move(key))
    , m_finalPath(std::move(finalPath))
{
    // Unbuffered: the decrypted chunk is the buffer, and bytesAvailable() must be exact.
    QIODevice::open(QIODevice::ReadOnly | QIODevice::Unbuffered);
}

CacheFileSource::~CacheFileSource() = default;

Expected<std::unique_ptr<CacheFileSource>> CacheFileSource::open(const QString &path, const QByteArray &key,
                                                                 const QString &finalPath)
{
    using Result = Expected<std::unique_ptr<CacheFileSource>>;
    auto reader = EncryptedCacheReader::open(path, key);
    if (!reader) {
        //: %1 is the technical reason
        return Result::failure(CacheFileSourceText::tr("The cached recording cannot be played: %1").arg(reader.error()));
    }
    std::unique_ptr<CacheFileSource> source(new CacheFileSource(std::move(reader).value(), key, finalPath));
    // A complete file is checked where decoders look first, its start and its end, so
    // that a file sealed under another key or cut short fails before anything plays.
    if (!source->isDownloading()) {
        const qint64 last = std::max<qint64>(0, source->size() - 1);
        if (source->size() > 0 && (!source->m_reader->canReadAt(0) || !source->m_reader->canReadAt(last)))
            return Result::failure(damagedText(source->m_reader->errorString()));
    }
    return Result(std::move(source));
}

QString CacheFileSource::fileName() const
{
    return m_reader->fileName();
}

qint64 CacheFileSource::size() const
{
    return m_reader ? m_reader->size() : 0;
}

qint64 CacheFileSource::readableFrom(qint64 position) const
{
    m_gapAhead = -1;
    if (!m_failure.isEmpty() || !m_reader || position >= size())
        return 0;
    if (!m_reader->canReadAt(position)) {
        if (isDownloading())
            waitAt(position);
        else
            failDamaged();
        return 0;
    }
    // A parser pulling from GStreamer's appsrc takes a read shorter than it asked for as
    // the end of the stream: the answer must run past the chunk's end whenever the bytes
    // after it are there. A damaged chunk further on fails when the read reaches it.
    if (!isDownloading())
        return size() - position;
    const qint64 chunkSize = m_reader->header().chunkSize;
    const qint64 nextChunk = (position / chunkSize + 1) * chunkSize;
    if (nextChunk >= size())
        return size() - position;
    if (!m_reader->canReadAt(nextChunk)) {
        // Not a wait yet: the parser may well stop short of it (see waitAtGapAhead()).
        m_gapAhead = nextChunk;
        return nextChunk - position;
    }
    return std::min(size(), nextChunk + chunkSize) - position;
}

qint64 CacheFileSource::bytesAvailable() const
{
    return readableFrom(pos());
}

qint64 CacheFileSource::readData(char *data, qint64 maxSize)
{
    const qint64 position = pos();
    const qint64 wanted = std::min(maxSize, readableFrom(position));
    // Never -1: the device reader would push its uninitialised buffer to the decoder.
    if (wanted <= 0)
        return 0;
    if (!m_reader->seek(position))
        return 0;
    return std::max<qint64>(0, m_reader->read(data, wanted));
}

qint64 CacheFileSource::writeData(const char *, qint64)
{
    return -1;
}

bool CacheFileSource::waitAtGapAhead()
{
    if (m_gapAhead < 0 || !isDownloading() || !m_failure.isEmpty())
        return false;
    waitAt(m_gapAhead);
    return true;
}

void CacheFileSource::waitAt(qint64 position) const
{
    m_waitingAt = position;
    const qint64 chunk = position / m_reader->header().chunkSize;
    if (chunk == m_wantedChunk)
        return;
    m_wantedChunk = chunk;
    qCDebug(lcPlayer) << "waiting for byte" << position << "of the download";
    // Queued: this runs inside the player's read, which must not be re-entered.
    auto *self = const_cast<CacheFileSource *>(this);
    QMetaObject::invokeMethod(self, [self, position] { Q_EMIT self->bytesWanted(position); }, Qt::QueuedConnection);
}

void CacheFileSource::fail(const QString &message) const
{
    if (!m_failure.isEmpty())
        return;
    m_failure = message;
    m_waitingAt = -1;
    qCWarning(lcPlayer) << message;
    auto *self = const_cast<CacheFileSource *>(this);
    QMetaObject::invokeMethod(self, [self] { Q_EMIT self->failed(self->m_failure); }, Qt::QueuedConnection);
}

void CacheFileSource::failDamaged() const
{
    const bool first = m_failure.isEmpty();
    fail(damagedText(m_reader->errorString()));
    if (!first)
        return;
    auto *self = const_cast<CacheFileSource *>(this);
    QMetaObject::invokeMethod(self, [self] { Q_EMIT self->damaged(); }, Qt::QueuedConnection);
}

QList<qint64> CacheFileSource::probedOffsets() const
{
    const qint64 chunkSize = m_reader->header().chunkSize;
    const qint64 last = std::max<qint64>(0, size() - 1);
    return {(size() / 2) / chunkSize * chunkSize, last / chunkSize * chunkSize};
}

bool CacheFileSource::canStartPlaying() const
{
    if (!m_failure.isEmpty() || !lookaheadPresent(0))
        return false;
    const QList<qint64> probed = probedOffsets();
    return std::all_of(probed.cbegin(), probed.cend(), [this](qint64 offset) { return m_reader->canReadAt(offset); });
}

bool CacheFileSource::lookaheadPresent(qint64 position) const
{
    const qint64 chunkSize = m_reader->header().chunkSize;
    const qint64 lastChunk = (size() - 1) / chunkSize;
    const qint64 first = position / chunkSize;
    for (qint64 chunk = first; chunk <= std::min(lastChunk, first + kLookaheadChunks); ++chunk) {
        if (!m_reader->canReadAt(chunk * chunkSize))
            return false;
    }
    return true;
}

void CacheFileSource::refresh(bool completed)
{
    if (!m_failure.isEmpty())
        return;
    if (isDownloading() && (completed || !QFile::exists(m_reader->fileName()))) {
        if (!QFile::exists(m_finalPath)) {
            // Removed, not renamed: the agent dropped these bytes (the server's copy changed,
            // they failed their check, or the cache let them go).
            fail(CacheFileSourceText::tr("The download of this recording was dropped and starts over; choose the call "
                                         "again to play it."));
            return;
        }
        // The agent renamed the finished partial; its chunks are all there now.
        auto reopened = EncryptedCacheReader::open(m_finalPath, m_key);
        if (!reopened) {
            fail(CacheFileSourceText::tr("The download of this recording finished but its file cannot be opened "
                                         "(%1); choose the call again.")
                     .arg(reopened.error()));
            return;
        }
        if (reopened.value()->size() != size()) {
            fail(CacheFileSourceText::tr("The server replaced this recording while it played; choose the call "
                                         "again to play the new version."));
            return;
        }
        m_reader = std::move(reopened).value();
        m_finalPath.clear();
        qCDebug(lcPlayer) << "the download completed; reading" << m_reader->fileName();
    }
    if (m_waitingAt < 0)
        return;
    if (!isDownloading() && !m_reader->canReadAt(m_waitingAt)) {
        failDamaged();
        return;
    }
    if (isDownloading() && !lookaheadPresent(m_waitingAt))
        return;
    m_waitingAt = -1;
    m_wantedChunk = -1;
    Q_EMIT dataArrived();
}

} // namespace earshot
