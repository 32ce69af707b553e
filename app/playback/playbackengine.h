#pragma once

#include <QObject>
#include <QUrl>

#include <memory>

class QIODevice;

namespace earshot {

// Plays one recording at a time. The source is any random-access QIODevice (a cached
// file today, a decrypting reader or a streaming buffer later) plus a name whose
// extension tells the decoder the format ("recording.mp3"). Positions are milliseconds.
// Widgets talk to this interface only; tests can put a fake behind it.
class PlaybackEngine : public QObject
{
    Q_OBJECT

public:
    enum class State { Stopped, Playing, Paused };
    Q_ENUM(State)

    using QObject::QObject;
    ~PlaybackEngine() override;

    // Replaces the current source, stopped at the start. The engine owns the device
    // from now on and keeps it open for as long as it plays from it.
    virtual void setSource(std::unique_ptr<QIODevice> device, const QUrl &formatHint) = 0;
    // Stops and lets go of the source.
    virtual void clearSource() = 0;
    virtual bool hasSource() const = 0;

    virtual void play() = 0;
    virtual void pause() = 0;
    virtual void seek(qint64 positionMs) = 0;

    virtual qint64 position() const = 0;
    virtual qint64 duration() const = 0; // 0 until the decoder knows it
    virtual State state() const = 0;
    // The last error since setSource(), or empty.
    virtual QString errorString() const = 0;
    // True while playback waits for bytes that are still downloading.
    virtual bool isWaitingForData() const { return false; }

    // Convenience for play/pause buttons and the space bar.
    void togglePlayPause();

Q_SIGNALS:
    void positionChanged(qint64 positionMs);
    void durationChanged(qint64 durationMs);
    void stateChanged(earshot::PlaybackEngine::State state);
    void sourceChanged();
    // The source cannot be played; the message says why and what may help.
    void errorOccurred(const QString &message);
    void waitingForDataChanged(bool waiting);
};

} // namespace earshot
