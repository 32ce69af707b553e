#pragma once

#include <QIODevice>

#include <memory>
#include <optional>

namespace earshot {

// GStreamer 1.22's wavparse (Debian 12) plays nothing, without an error, when a WAV's
// data chunk has an odd length and the file ends in the RIFF pad byte that must follow
// it: it tries to read one more chunk header there, hits the end and gives up. That is
// every 8-bit mono recording (mu-law, A-law) with an odd number of samples, so half of
// the telephone recordings there are. Without the pad byte the same file plays.

// Where the data chunk ends when `device` is such a WAV file; nullopt for any other file.
// Leaves the device at position 0.
std::optional<qint64> wavDataEndBeforeTrailingPad(QIODevice &device);

// The first `length` bytes of a random-access device, which it owns.
class TruncatedDevice final : public QIODevice
{
    Q_OBJECT

public:
    TruncatedDevice(std::unique_ptr<QIODevice> inner, qint64 length, QObject *parent = nullptr);
    ~TruncatedDevice() override;

    bool isSequential() const override { return false; }
    qint64 size() const override { return m_length; }
    // The inner device may have fewer bytes ready than the rest of it (a download).
    qint64 bytesAvailable() const override;
    bool seek(qint64 position) override;

protected:
    qint64 readData(char *data, qint64 maxSize) override;
    qint64 writeData(const char *data, qint64 maxSize) override;

private:
    std::unique_ptr<QIODevice> m_inner;
    qint64 m_length = 0;
};

// `device` itself, or `device` without the pad byte that wavparse trips over.
std::unique_ptr<QIODevice> withoutTrailingWavPad(std::unique_ptr<QIODevice> device);

} // namespace earshot
