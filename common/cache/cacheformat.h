#pragma once

#include "expected.h"

#include <QByteArray>
#include <QtGlobal>

#include <array>

// The on-disk format of one encrypted recording in the cache.
//
//   header   64 bytes: magic "ESCACHE1", version, chunk size, plaintext size, file id
//   chunk i  at 64 + i * (chunkSize + 16): XChaCha20-Poly1305 ciphertext + tag
//
// Every chunk has a fixed slot, so chunks can be written in any order (a range the
// player wants first) and a download resumes at the first missing chunk. The nonce is
// the random file id followed by the chunk index; the associated data is the whole
// header plus the chunk index, so a chunk cannot be moved, a header cannot be edited
// and a truncated file cannot pass as a shorter recording.
namespace earshot::cacheformat {

constexpr qsizetype kHeaderSize = 64;
constexpr quint32 kVersion = 1;
constexpr qsizetype kDefaultChunkSize = 64 * 1024;
constexpr qsizetype kTagSize = 16;
constexpr qsizetype kKeySize = 32;
constexpr qsizetype kFileIdSize = 16;
constexpr std::array<char, 8> kMagic = {'E', 'S', 'C', 'A', 'C', 'H', 'E', '1'};

struct Header
{
    quint32 chunkSize = kDefaultChunkSize;
    quint64 plaintextSize = 0;
    QByteArray fileId; // kFileIdSize random bytes

    qint64 chunkCount() const;
    qint64 plaintextChunkSize(qint64 index) const; // the last chunk may be shorter
    qint64 chunkOffset(qint64 index) const;         // where the chunk's slot starts in the file
    qint64 encryptedFileSize() const;               // the size of a complete file

    QByteArray encode() const;
    static Expected<Header> decode(const QByteArray &bytes);
    static Header createNew(quint64 plaintextSize, quint32 chunkSize = kDefaultChunkSize);
};

} // namespace earshot::cacheformat
