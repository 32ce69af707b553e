#pragma once

#include "cache/cachecipher.h"
#include "expected.h"

#include <QBitArray>
#include <QFile>

#include <memory>

namespace earshot {

// Writes the plaintext of one recording into an encrypted cache file, either chunk by
// chunk in any order (ranges the player asked for first) or as a sequential stream
// (append), and resumes a partial file at its first missing chunk.
class EncryptedCacheWriter
{
public:
    static Expected<std::unique_ptr<EncryptedCacheWriter>> create(const QString &path, const QByteArray &key,
                                                                   quint64 plaintextSize);
    // Reopens a partial file; every chunk already there is authenticated, and a file
    // made for another size or key is refused (the caller starts over).
    static Expected<std::unique_ptr<EncryptedCacheWriter>> resume(const QString &path, const QByteArray &key,
                                                                   quint64 plaintextSize);
    ~EncryptedCacheWriter();
    Q_DISABLE_COPY_MOVE(EncryptedCacheWriter)

    const cacheformat::Header &header() const { return m_cipher.header(); }
    QString fileName() const { return m_file.fileName(); }
    bool hasChunk(qint64 index) const { return m_present.testBit(static_cast<qsizetype>(index)); }
    qint64 presentChunkCount() const { return m_present.count(true); }
    bool isComplete() const { return presentChunkCount() == header().chunkCount(); }
    // Plaintext bytes from the start that are already stored: where a download resumes.
    qint64 contiguousPlaintextBytes() const;

    // Seals and stores a chunk; one already stored is kept as it is (its nonce is used once).
    Status writeChunk(qint64 index, QByteArrayView plaintext);

    // Sequential writing from contiguousPlaintextBytes(): whole chunks are sealed as
    // they fill; the short last chunk when the stream reaches the plaintext size.
    qint64 appendPosition() const { return m_appendPosition; }
    Status append(QByteArrayView bytes);

    Status sync();

private:
    EncryptedCacheWriter(QByteArray key, cacheformat::Header header);
    Status scanExistingChunks();

    CacheCipher m_cipher;
    QFile m_file;
    QBitArray m_present;
    QByteArray m_pending; // plaintext of the chunk being appended, not yet sealed
    qint64 m_appendPosition = 0;
};

} // namespace earshot
