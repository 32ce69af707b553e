#pragma once

#include "playback/playbackengine.h"

#include <QWidget>

class QAction;
class QLabel;
class QSlider;
class QToolButton;

namespace earshot {

// Play/pause, a seek slider and the times, under a line naming the call. Talks to a
// PlaybackEngine only. Space plays and pauses, Left and Right seek 5 s, anywhere in the
// window except where those keys edit text.
class PlayerBar : public QWidget
{
    Q_OBJECT

public:
    static constexpr qint64 kSeekStepMs = 5000;

    explicit PlayerBar(PlaybackEngine &engine, QWidget *parent = nullptr);

    // The loaded call, ready to play.
    void showCall(const QString &summary);
    // A call whose recording is being opened (the key read, the download asked for).
    void showOpening(const QString &summary);
    // A call that cannot be played, and why.
    void showUnplayable(const QString &summary, const QString &reason);
    // Nothing selected.
    void showNothing();

private:
    void seekBy(qint64 deltaMs);
    void onSliderAction(int action);
    void updateControls();
    void updatePosition(qint64 positionMs);
    void updateDuration(qint64 durationMs);
    void setMessage(const QString &message, bool isProblem);

    PlaybackEngine &m_engine;
    QLabel *m_summary = nullptr;
    QToolButton *m_playPause = nullptr;
    QLabel *m_position = nullptr;
    QSlider *m_slider = nullptr;
    QLabel *m_duration = nullptr;
    QLabel *m_message = nullptr;
    QAction *m_playPauseAction = nullptr;
    QAction *m_backAction = nullptr;
    QAction *m_forwardAction = nullptr;
};

} // namespace earshot
