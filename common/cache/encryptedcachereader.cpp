#include "cache/encryptedcachereader.h"

#include "logging.h"

#include <utility>

using namespace Qt::StringLiterals;

namespace earshot {

EncryptedCacheReader::EncryptedCacheReader(QByteArray key, cacheformat::Header header, QObject *parent)
    : QIODevice(parent)
    , m_cipher(std::move(key), std::move(header))
{
}

EncryptedCacheReader::~EncryptedCacheReader() = default;

Expected<std::unique_ptr<EncryptedCacheReader>> EncryptedCacheReader::open(const QString &path, const QByteArray &key,
                                                                            QObject *parent)
{
    using Result = Expected<std::unique_ptr<EncryptedCacheReader>>;
    if (key.size() != cacheformat::kKeySize)
        return Result::failure(u"the cache key is missing or malformed"_s);
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Result::failure(u"cannot open cached recording %1: %2"_s.arg(path, file.errorString()));
    const auto header = cacheformat::Header::decode(file.read(cacheformat::kHeaderSize));
    if (!header)
        return Result::failure(u"cached recording %1: %2"_s.arg(path, header.error()));
    file.close();

    std::unique_ptr<EncryptedCacheReader> reader(new EncryptedCacheReader(key, *header, parent));
    reader->m_file.setFileName(path);
    // Unbuffered as well: a chunk that another process writes later must be read from
    // the file, never from a buffer filled while its slot was still empty.
    if (!reader->m_file.open(QIODevice::ReadOnly | QIODevice::Unbuffered))
        return Result::failure(u"cannot open cached recording %1: %2"_s.arg(path, reader->m_file.errorString()));
    // Unbuffered: the decrypted chunk is the buffer; QIODevice's would be a second copy.
    reader->QIODevice::open(QIODevice::ReadOnly | QIODevice::Unbuffered);
    return Result(std::move(reader));
}

qint64 EncryptedCacheReader::size() const
{
    return static_cast<qint64>(m_cipher.header().plaintextSize);
}

bool EncryptedCacheReader::canReadAt(qint64 position)
{
    if (position < 0 || position >= size())
        return false;
    return loadChunk(position / m_cipher.header().chunkSize, /*reportFailure=*/false);
}

bool EncryptedCacheReader::loadChunk(qint64 index, bool reportFailure)
{
    if (index == m_loaded.index)
        return true;
    if (index == m_previous.index) {
        std::swap(m_loaded, m_previous);
        return true;
    }
    const cacheformat::Header &header = m_cipher.header();
    const qint64 sealedSize = header.plaintextChunkSize(index) + cacheformat::kTagSize;
    QByteArray sealed;
    if (m_file.seek(header.chunkOffset(index)))
        sealed = m_file.read(sealedSize);
    auto plaintext = m_cipher.open(index, sealed);
    if (!plaintext || plaintext->size() != header.plaintextChunkSize(index)) {
        const QString why = plaintext ? u"chunk %1 has the wrong size"_s.arg(index) : plaintext.error();
        setErrorString(u"The cached recording %1 is damaged (%2); it will be downloaded again."_s.arg(
            m_file.fileName(), why));
        if (reportFailure)
            qCWarning(lcStore) << "cache read failed:" << why;
        return false;
    }
    m_previous = std::exchange(m_loaded, LoadedChunk{index, std::move(plaintext).value()});
    return true;
}

qint64 EncryptedCacheReader::readData(char *data, qint64 maxSize)
{
    const qint64 chunkSize = m_cipher.header().chunkSize;
    qint64 copied = 0;
    qint64 position = pos();
    while (copied < maxSize && position < size()) {
        const qint64 index = position / chunkSize;
        if (!loadChunk(index))
            return copied > 0 ? copied : -1;
        const qint64 offsetInChunk = position - index * chunkSize;
        const qint64 available = m_loaded.plaintext.size() - offsetInChunk;
        const qint64 take = std::min(available, maxSize - copied);
        std::memcpy(data + copied, m_loaded.plaintext.constData() + offsetInChunk, static_cast<size_t>(take));
        copied += take;
        position += take;
    }
    return copied;
}

qint64 EncryptedCacheReader::writeData(const char *, qint64)
{
    return -1;
}

} // namespace earshot
