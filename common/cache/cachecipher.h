#pragma once

#include "cache/cacheformat.h"
#include "expected.h"

#include <QByteArray>

namespace earshot {

// Seals and opens the chunks of one cache file under the cache key.
class CacheCipher
{
public:
    // The key must be cacheformat::kKeySize bytes.
    CacheCipher(QByteArray key, cacheformat::Header header);
    ~CacheCipher();
    Q_DISABLE_COPY_MOVE(CacheCipher)

    static bool initializeLibrary();
    static QByteArray generateKey();

    const cacheformat::Header &header() const { return m_header; }

    // plaintext.size() must equal header().plaintextChunkSize(index).
    QByteArray seal(qint64 index, QByteArrayView plaintext) const;
    // Fails when the chunk was altered, moved, truncated or sealed under another key.
    Expected<QByteArray> open(qint64 index, QByteArrayView sealed) const;

private:
    static QByteArray chunkNonce(qint64 index);
    QByteArray associatedData(qint64 index) const;

    QByteArray m_key;
    QByteArray m_fileKey; // HChaCha20(key, file id): XChaCha20's per-file subkey
    cacheformat::Header m_header;
    QByteArray m_encodedHeader;
};

} // namespace earshot
