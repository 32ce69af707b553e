#include "cache/cacheformat.h"

#include <QtEndian>

#include <sodium.h>

using namespace Qt::StringLiterals;

namespace earshot::cacheformat {

qint64 Header::chunkCount() const
{
    return static_cast<qint64>((plaintextSize + chunkSize - 1) / chunkSize);
}

qint64 Header::plaintextChunkSize(qint64 index) const
{
    const qint64 start = index * chunkSize;
    return std::min<qint64>(chunkSize, static_cast<qint64>(plaintextSize) - start);
}

qint64 Header::chunkOffset(qint64 index) const
{
    return kHeaderSize + index * (chunkSize + kTagSize);
}

qint64 Header::encryptedFileSize() const
{
    return kHeaderSize + static_cast<qint64>(plaintextSize) + chunkCount() * kTagSize;
}

QByteArray Header::encode() const
{
    QByteArray bytes(kHeaderSize, '\0');
    char *out = bytes.data();
    std::copy(kMagic.cbegin(), kMagic.cend(), out);
    qToLittleEndian<quint32>(kVersion, out + 8);
    qToLittleEndian<quint32>(chunkSize, out + 12);
    qToLittleEndian<quint64>(plaintextSize, out + 16);
    std::copy(fileId.cbegin(), fileId.cend(), out + 24);
    return bytes;
}

Expected<Header> Header::decode(const QByteArray &bytes)
{
    if (bytes.size() < kHeaderSize || !std::equal(kMagic.cbegin(), kMagic.cend(), bytes.cbegin()))
        return Expected<Header>::failure(u"not an Earshot cache file"_s);
    const char *in = bytes.constData();
    if (qFromLittleEndian<quint32>(in + 8) != kVersion)
        return Expected<Header>::failure(u"cache file version %1 is not supported"_s.arg(qFromLittleEndian<quint32>(in + 8)));
    Header header;
    header.chunkSize = qFromLittleEndian<quint32>(in + 12);
    header.plaintextSize = qFromLittleEndian<quint64>(in + 16);
    header.fileId = bytes.mid(24, kFileIdSize);
    if (header.chunkSize < 4096 || header.chunkSize > 16 * 1024 * 1024)
        return Expected<Header>::failure(u"cache file has an implausible chunk size"_s);
    return header;
}

Header Header::createNew(quint64 plaintextSize, quint32 chunkSize)
{
    Header header;
    header.chunkSize = chunkSize;
    header.plaintextSize = plaintextSize;
    header.fileId.resize(kFileIdSize);
    randombytes_buf(header.fileId.data(), static_cast<size_t>(kFileIdSize));
    return header;
}

} // namespace earshot::cacheformat
