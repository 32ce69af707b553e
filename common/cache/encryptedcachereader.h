#pragma once

#include "cache/cachecipher.h"
#include "expected.h"

#include <QFile>
#include <QIODevice>

#include <memory>

namespace earshot {

// Random access to the plaintext of an encrypted cache file, as a QIODevice the player
// and exports read from directly. A chunk that fails authentication makes the read
// fail with an explanation; nothing unauthenticated is ever returned.
class EncryptedCacheReader : public QIODevice
{
    Q_OBJECT

public:
    static Expected<std::unique_ptr<EncryptedCacheReader>> open(const QString &path, const QByteArray &key,
                                                                 QObject *parent = nullptr);
    ~EncryptedCacheReader() override;

    bool isSequential() const override { return false; }
    qint64 size() const override;
    const cacheformat::Header &header() const { return m_cipher.header(); }
    QString fileName() const { return m_file.fileName(); }
    // Whether the chunk holding plaintext byte `position` authenticates now (a chunk of a
    // file still being written may not be there yet); loads it for the next read.
    bool canReadAt(qint64 position);
    bool atEnd() const override { return pos() >= size(); }

protected:
    qint64 readData(char *data, qint64 maxSize) override;
    qint64 writeData(const char *data, qint64 maxSize) override;

private:
    EncryptedCacheReader(QByteArray key, cacheformat::Header header, QObject *parent);
    bool loadChunk(qint64 index, bool reportFailure = true);

    struct LoadedChunk
    {
        qint64 index = -1;
        QByteArray plaintext;
    };

    CacheCipher m_cipher;
    QFile m_file;
    // Two: a player reading up to a chunk's end asks whether the next one is there,
    // and must not pay for decrypting the one it is in again.
    LoadedChunk m_loaded;
    LoadedChunk m_previous;
};

} // namespace earshot
