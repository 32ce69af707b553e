#pragma once

#include "cache/encryptedcachereader.h"
#include "expected.h"
#include "playback/playbacksource.h"

#include <memory>

namespace earshot {

// The plaintext of one encrypted cache file for the player, read through
// EncryptedCacheReader. The file may still be downloading (a partial): then a chunk that
// is not there yet makes the source wait for it (bytesWanted, then dataArrived once
// refresh() finds it), and when the download completes the file is reopened under its
// final name. In a complete file a chunk that fails authentication is damage: failed().
class CacheFileSource final : public PlaybackSource
{
    Q_OBJECT

public:
    // Chunks that must be there past a gap before playback goes on, so that a download
    // barely ahead of the player does not stop it at every chunk.
    static constexpr qint64 kLookaheadChunks = 3;

    // A complete file when finalPath is empty; otherwise `path` is the partial download
    // that becomes finalPath when it completes.
    static Expected<std::unique_ptr<CacheFileSource>> open(const QString &path, const QByteArray &key,
                                                           const QString &finalPath = {});
    ~CacheFileSource() override;

    bool isDownloading() const { return !m_finalPath.isEmpty(); }
    // GStreamer's type finding reads the middle and the end of a seekable stream before
    // anything plays, and gives up on the recording if they are not there: the chunks
    // at these offsets must be there, with the first ones, before playing starts.
    QList<qint64> probedOffsets() const;
    bool canStartPlaying() const;
    QString fileName() const;

    bool isSequential() const override { return false; }
    qint64 size() const override;
    qint64 bytesAvailable() const override;
    bool atEnd() const override { return pos() >= size(); }
    bool isWaitingForData() const override { return m_waitingAt >= 0; }
    bool waitAtGapAhead() override;
    QString failure() const override { return m_failure; }

    // Looks at the file again after the agent wrote to it (range_ready) or finished it
    // (recording_cached: completed, the file now has its final name).
    void refresh(bool completed = false);
    // The rest will not come (the agent stopped, or could not download it): fail with this.
    void giveUp(const QString &message) { fail(message); }

Q_SIGNALS:
    // A chunk of the complete copy failed authentication (after failed()): the agent is
    // told, checks the copy itself, and fetches it again if it is damaged.
    void damaged();

protected:
    qint64 readData(char *data, qint64 maxSize) override;
    qint64 writeData(const char *data, qint64 maxSize) override;

private:
    CacheFileSource(std::unique_ptr<EncryptedCacheReader> reader, QByteArray key, QString finalPath);
    qint64 readableFrom(qint64 position) const;
    bool lookaheadPresent(qint64 position) const;
    void waitAt(qint64 position) const;
    void fail(const QString &message) const;
    void failDamaged() const;

    // bytesAvailable() is const in QIODevice, yet it is where the gap is found.
    mutable std::unique_ptr<EncryptedCacheReader> m_reader;
    QByteArray m_key;
    QString m_finalPath;
    mutable qint64 m_waitingAt = -1;
    mutable qint64 m_gapAhead = -1; // where the last read's bytes ran out, if not at the end
    mutable qint64 m_wantedChunk = -1;
    mutable QString m_failure;
};

} // namespace earshot
