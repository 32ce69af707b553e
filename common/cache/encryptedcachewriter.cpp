#include "cache/encryptedcachewriter.h"

#include "durablefile.h"

using namespace Qt::StringLiterals;

namespace earshot {

EncryptedCacheWriter::EncryptedCacheWriter(QByteArray key, cacheformat::Header header)
    : m_cipher(std::move(key), std::move(header))
    , m_present(static_cast<qsizetype>(m_cipher.header().chunkCount()))
{
}

EncryptedCacheWriter::~EncryptedCacheWriter() = default;

Expected<std::unique_ptr<EncryptedCacheWriter>> EncryptedCacheWriter::create(const QString &path,
                                                                              const QByteArray &key,
                                                                              quint64 plaintextSize)
{
    using Result = Expected<std::unique_ptr<EncryptedCacheWriter>>;
    std::unique_ptr<EncryptedCacheWriter> writer(
        new EncryptedCacheWriter(key, cacheformat::Header::createNew(plaintextSize)));
    writer->m_file.setFileName(path);
    // Unbuffered: every sealed chunk is one write, visible at once to a reader (the player).
    if (!writer->m_file.open(QIODevice::ReadWrite | QIODevice::Truncate | QIODevice::Unbuffered))
        return Result::failure(u"cannot create cache file %1: %2"_s.arg(path, writer->m_file.errorString()));
    const QByteArray header = writer->header().encode();
    if (writer->m_file.write(header) != header.size())
        return Result::failure(u"cannot write cache file %1: %2"_s.arg(path, writer->m_file.errorString()));
    return Result(std::move(writer));
}

Expected<std::unique_ptr<EncryptedCacheWriter>> EncryptedCacheWriter::resume(const QString &path,
                                                                              const QByteArray &key,
                                                                              quint64 plaintextSize)
{
    using Result = Expected<std::unique_ptr<EncryptedCacheWriter>>;
    QFile probe(path);
    if (!probe.open(QIODevice::ReadOnly))
        return Result::failure(u"cannot open partial cache file %1: %2"_s.arg(path, probe.errorString()));
    const auto header = cacheformat::Header::decode(probe.read(cacheformat::kHeaderSize));
    probe.close();
    if (!header)
        return Result::failure(u"partial cache file %1: %2"_s.arg(path, header.error()));
    if (header->plaintextSize != plaintextSize)
        return Result::failure(u"partial cache file %1 was made for another version of the recording"_s.arg(path));

    std::unique_ptr<EncryptedCacheWriter> writer(new EncryptedCacheWriter(key, *header));
    writer->m_file.setFileName(path);
    if (!writer->m_file.open(QIODevice::ReadWrite | QIODevice::Unbuffered))
        return Result::failure(u"cannot reopen cache file %1: %2"_s.arg(path, writer->m_file.errorString()));
    if (Status scanned = writer->scanExistingChunks(); !scanned)
        return Result::failure(scanned.error());
    return Result(std::move(writer));
}

Status EncryptedCacheWriter::scanExistingChunks()
{
    const cacheformat::Header &h = header();
    const qint64 fileSize = m_file.size();
    for (qint64 index = 0; index < h.chunkCount(); ++index) {
        const qint64 offset = h.chunkOffset(index);
        const qint64 sealedSize = h.plaintextChunkSize(index) + cacheformat::kTagSize;
        if (offset + sealedSize > fileSize)
            break;
        if (!m_file.seek(offset))
            return Status::failure(m_file.errorString());
        // A hole, a torn write or a chunk of another key fails authentication: not present.
        const QByteArray sealed = m_file.read(sealedSize);
        m_present.setBit(static_cast<qsizetype>(index), bool(m_cipher.open(index, sealed)));
    }
    m_appendPosition = contiguousPlaintextBytes();
    return Status::ok();
}

qint64 EncryptedCacheWriter::contiguousPlaintextBytes() const
{
    qint64 index = 0;
    while (index < header().chunkCount() && hasChunk(index))
        ++index;
    return index == header().chunkCount() ? static_cast<qint64>(header().plaintextSize) : index * header().chunkSize;
}

Status EncryptedCacheWriter::writeChunk(qint64 index, QByteArrayView plaintext)
{
    const cacheformat::Header &h = header();
    if (index < 0 || index >= h.chunkCount() || plaintext.size() != h.plaintextChunkSize(index))
        return Status::failure(u"chunk %1 of %2 has the wrong size or index"_s.arg(index).arg(m_file.fileName()));
    // A chunk's nonce is its file id and index: sealing other bytes under it again (two
    // requests that both fetched it, from a server whose copy changed in between) would
    // give away the keystream and the authenticator's key. The first chunk stored stays.
    if (hasChunk(index))
        return Status::ok();
    const QByteArray sealed = m_cipher.seal(index, plaintext);
    if (!m_file.seek(h.chunkOffset(index)) || m_file.write(sealed) != sealed.size())
        return Status::failure(u"cannot write cache file %1: %2"_s.arg(m_file.fileName(), m_file.errorString()));
    m_present.setBit(static_cast<qsizetype>(index));
    return Status::ok();
}

Status EncryptedCacheWriter::append(QByteArrayView bytes)
{
    const cacheformat::Header &h = header();
    if (m_appendPosition + m_pending.size() + bytes.size() > static_cast<qint64>(h.plaintextSize))
        return Status::failure(u"more bytes than the recording's size for %1"_s.arg(m_file.fileName()));
    while (!bytes.isEmpty()) {
        const qint64 index = m_appendPosition / h.chunkSize;
        const qint64 wanted = h.plaintextChunkSize(index) - m_pending.size();
        const qsizetype take = static_cast<qsizetype>(std::min<qint64>(wanted, bytes.size()));
        m_pending.append(bytes.first(take));
        bytes = bytes.sliced(take);
        if (m_pending.size() == h.plaintextChunkSize(index)) {
            if (Status written = writeChunk(index, m_pending); !written)
                return written;
            m_appendPosition += m_pending.size();
            m_pending.clear();
        }
    }
    return Status::ok();
}

Status EncryptedCacheWriter::sync()
{
    return syncToDisk(m_file);
}

} // namespace earshot
