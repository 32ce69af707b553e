#include "playback/wavpadding.h"

#include "applogging.h"

#include <QtEndian>

namespace earshot {

namespace {

constexpr int kMaxChunks = 64; // a WAV header has a handful; anything beyond is not one

struct ChunkHeader
{
    QByteArray id;
    quint32 size = 0;
};

std::optional<ChunkHeader> readChunkHeader(QIODevice &device, qint64 offset)
{
    if (!device.seek(offset))
        return std::nullopt;
    const QByteArray bytes = device.read(8);
    if (bytes.size() != 8)
        return std::nullopt;
    return ChunkHeader{bytes.left(4), qFromLittleEndian<quint32>(bytes.constData() + 4)};
}

std::optional<qint64> findPaddedDataEnd(QIODevice &device)
{
    const qint64 fileSize = device.size();
    if (!device.seek(0))
        return std::nullopt;
    const QByteArray riff = device.read(12);
    if (riff.size() != 12 || !riff.startsWith("RIFF") || riff.mid(8, 4) != "WAVE")
        return std::nullopt;
    qint64 offset = 12;
    for (int chunk = 0; chunk < kMaxChunks && offset + 8 <= fileSize; ++chunk) {
        const auto header = readChunkHeader(device, offset);
        if (!header)
            return std::nullopt;
        const qint64 dataEnd = offset + 8 + header->size;
        if (header->id == "data") {
            const bool oddAndPaddedToTheEnd = (header->size % 2) == 1 && dataEnd + 1 == fileSize;
            return oddAndPaddedToTheEnd ? std::optional<qint64>(dataEnd) : std::nullopt;
        }
        offset = dataEnd + (header->size % 2);
    }
    return std::nullopt;
}

} // namespace

std::optional<qint64> wavDataEndBeforeTrailingPad(QIODevice &device)
{
    if (!device.isOpen() || device.isSequential())
        return std::nullopt;
    const std::optional<qint64> end = findPaddedDataEnd(device);
    device.seek(0);
    return end;
}

TruncatedDevice::TruncatedDevice(std::unique_ptr<QIODevice> inner, qint64 length, QObject *parent)
    : QIODevice(parent)
    , m_inner(std::move(inner))
    , m_length(length)
{
    // Unbuffered, so that bytesAvailable() is the inner device's, never a stale buffer's.
    QIODevice::open(QIODevice::ReadOnly | QIODevice::Unbuffered);
    connect(m_inner.get(), &QIODevice::readyRead, this, &QIODevice::readyRead);
}

TruncatedDevice::~TruncatedDevice() = default;

qint64 TruncatedDevice::bytesAvailable() const
{
    const qint64 position = pos();
    if (m_inner->pos() != position)
        m_inner->seek(position);
    return std::min(m_inner->bytesAvailable(), m_length - position);
}

bool TruncatedDevice::seek(qint64 position)
{
    if (position < 0 || position > m_length)
        return false;
    return QIODevice::seek(position) && m_inner->seek(position);
}

qint64 TruncatedDevice::readData(char *data, qint64 maxSize)
{
    const qint64 position = pos();
    const qint64 wanted = std::min(maxSize, m_length - position);
    if (wanted <= 0)
        return 0;
    if (m_inner->pos() != position && !m_inner->seek(position))
        return -1;
    return m_inner->read(data, wanted);
}

qint64 TruncatedDevice::writeData(const char *, qint64)
{
    return -1;
}

std::unique_ptr<QIODevice> withoutTrailingWavPad(std::unique_ptr<QIODevice> device)
{
    if (!device)
        return device;
    const std::optional<qint64> end = wavDataEndBeforeTrailingPad(*device);
    if (!end)
        return device;
    qCDebug(lcPlayer) << "hiding the WAV pad byte after an odd-sized data chunk (GStreamer wavparse)";
    return std::make_unique<TruncatedDevice>(std::move(device), *end);
}

} // namespace earshot
