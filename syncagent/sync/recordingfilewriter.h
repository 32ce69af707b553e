#pragma once

#include "expected.h"
#include "http/httptypes.h"
#include "sync/cachefolder.h"

#include <QCryptographicHash>
#include <QFile>

namespace earshot {

// What a downloaded recording must match before it may become "present".
struct RecordingExpectation
{
    qint64 sizeBytes = 0;   // the store's size_bytes
    QString sha256;         // lower-case hex; empty when the server gave none
    qint64 contentLength = -1; // announced by the media server; -1 when it did not say
};

// Receives one recording body into "<uuid>.<format>.part" in the cache folder, hashing
// as it goes. commit() verifies size and hash, flushes to disk and renames to the final
// name; anything else (an error, a stop, destruction) deletes the partial file, so a
// partial never looks like a finished recording.
class RecordingFileWriter final : public http::HttpBodySink
{
public:
    RecordingFileWriter(const CacheFolder &folder, const QString &format);
    ~RecordingFileWriter() override;
    Q_DISABLE_COPY_MOVE(RecordingFileWriter)

    Status open();
    // More bytes than this abort the transfer early: the expected size is known up front.
    void setSizeLimit(qint64 bytes) { m_sizeLimit = bytes; }
    bool write(QByteArrayView chunk) override;
    QString errorString() const override { return m_error; }
    qint64 bytesWritten() const { return m_bytes; }
    // True when write() refused because the body grew past the size limit.
    bool exceededSizeLimit() const { return m_exceededSizeLimit; }

    // The final file name (relative to the cache folder) when every check passes.
    Expected<QString> commit(const RecordingExpectation &expected);
    void discard();

private:
    QString m_finalName;
    QString m_finalPath;
    QFile m_file;
    QCryptographicHash m_hash{QCryptographicHash::Sha256};
    qint64 m_bytes = 0;
    qint64 m_sizeLimit = -1;
    QString m_error;
    bool m_committed = false;
    bool m_exceededSizeLimit = false;
};

} // namespace earshot
