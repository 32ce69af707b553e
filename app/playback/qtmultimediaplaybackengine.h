#pragma once

#include "playback/playbackengine.h"

#include <QAudioOutput>
#include <QElapsedTimer>
#include <QIODevice>
#include <QMediaPlayer>
#include <QPointer>

namespace earshot {

// PlaybackEngine over QMediaPlayer (GStreamer on Linux) reading from the given device
// through QMediaPlayer::setSourceDevice, which plays and seeks every call format.
//
// Two defects of Qt 6.4's device reader (QGstAppSrc) are worked around here:
// - A player that already read from one device often fails to identify the next ("Could
//   not determine type of stream"). Each source gets a new QMediaPlayer (milliseconds).
// - A seek that crosses a read in flight can feed the demuxer a stale buffer, and it
//   ends the stream on the spot or jumps to its end. The reader answers GStreamer's
//   requests through queued calls on this thread, so a request made before the seek and
//   answered after it is read from where the stream was, not where it went. The busier
//   the machine, the likelier: in M4A under load, one seek in five, reopenings included.
//   seekPlayer() drops the reader's queued calls first; an end that comes sooner than
//   playback could have got there is taken for what may be left of the defect, and the
//   recording is reopened where the seek went.
//
// A PlaybackSource can run dry (a recording still downloading): the device reader then
// ends the stream, because it knows no other way to wait. An end or a decoder error while
// the source waits is taken for that: once the data arrives the recording is reopened
// where playback stood, and plays on if it was playing.
class QtMultimediaPlaybackEngine final : public PlaybackEngine
{
    Q_OBJECT

public:
    explicit QtMultimediaPlaybackEngine(QObject *parent = nullptr);
    ~QtMultimediaPlaybackEngine() override;

    void setSource(std::unique_ptr<QIODevice> device, const QUrl &formatHint) override;
    void clearSource() override;
    bool hasSource() const override { return m_device != nullptr; }
    bool isWaitingForData() const override { return m_stalled; }

    void play() override;
    void pause() override;
    void seek(qint64 positionMs) override;

    qint64 position() const override;
    qint64 duration() const override { return m_player ? m_player->duration() : 0; }
    State state() const override { return m_state; }
    QString errorString() const override { return m_error; }

private:
    void createPlayer();
    void releasePlayer();
    void seekPlayer(qint64 positionMs);
    bool endedTooSoonAfterSeek() const;
    // A position the player cannot have reached by playing since the last seek.
    bool jumpedAheadAfterSeek(qint64 position) const;
    static constexpr qint64 kSeekMarginMs = 500;
    static constexpr int kSettleBeforeSeekMs = 150;
    // Positions a player that has loaded where playback is to go on, and plays it if wanted.
    void resumeAt(const QMediaPlayer *loadedPlayer);
    void reopen(const QMediaPlayer *endedPlayer);
    void setState(State state);
    void onPlaybackStateChanged(QMediaPlayer::PlaybackState state);
    void onMediaStatusChanged(QMediaPlayer::MediaStatus status);
    void onPlayerError(QMediaPlayer::Error error, const QString &detail);
    void reportError(const QString &message);
    bool stallIfSourceWaits();
    void onSourceDataArrived();
    void setStalled(bool stalled);
    QString formatName() const;

    // Declared first so it is destroyed last: the player reads it until it goes.
    std::unique_ptr<QIODevice> m_device;
    QUrl m_formatHint;
    std::unique_ptr<QAudioOutput> m_audioOutput;
    std::unique_ptr<QMediaPlayer> m_player;
    QPointer<QObject> m_reader;  // m_player's QGstAppSrc, which reads m_device for GStreamer
    State m_state = State::Stopped;
    QString m_error;
    qint64 m_seekTarget = -1;   // the last seek, while a spurious end may still follow it
    QElapsedTimer m_sinceSeek;
    qint64 m_resumeAt = -1;     // where a reopened player is to continue, once loaded
    int m_reopenings = 0;       // for the last seek; a real defect would loop otherwise
    class PlaybackSource *m_source = nullptr; // m_device or what it wraps, when it can wait
    qint64 m_lastPosition = 0;  // the player's last position before it ended
    bool m_stalled = false;     // ended because the source waits for data
    bool m_resumeScheduled = false; // resumeAt() is due for the current player
    bool m_wantsToPlay = false; // play() since the last pause(): a stalled player resumes
};

} // namespace earshot
