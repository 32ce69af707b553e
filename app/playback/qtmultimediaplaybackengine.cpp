#include "playback/qtmultimediaplaybackengine.h"

#include "applogging.h"
#include "playback/playbacksource.h"
#include "playback/wavpadding.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QTimer>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace earshot {

QtMultimediaPlaybackEngine::QtMultimediaPlaybackEngine(QObject *parent)
    : PlaybackEngine(parent)
{
}

QtMultimediaPlaybackEngine::~QtMultimediaPlaybackEngine()
{
    releasePlayer();
}

void QtMultimediaPlaybackEngine::releasePlayer()
{
    m_resumeScheduled = false; // for this player, which goes
    if (!m_player)
        return;
    // Its last signals would reach an engine that has moved on to another source.
    m_player->disconnect(this);
    m_player->stop();
    // Unloaded first: Qt 6.4's GStreamer player, destroyed with a stream loaded, tears its
    // decoder down from its base class's destructor, and the decoder's "pad removed"
    // signal then calls into the half-destroyed player (a crash, about 1 in 15 runs of
    // tst_mainwindow). Unloading removes the decoder while the player is whole.
    m_player->setSourceDevice(nullptr);
    m_player.reset(); // before the device it reads from
    m_audioOutput.reset();
}

void QtMultimediaPlaybackEngine::setSource(std::unique_ptr<QIODevice> device, const QUrl &formatHint)
{
    releasePlayer();
    m_device = std::move(device);
    m_formatHint = formatHint;
    m_error.clear();
    m_seekTarget = -1;
    m_resumeAt = -1;
    m_lastPosition = 0;
    m_wantsToPlay = false;
    setStalled(false);
    setState(State::Stopped);
    m_source = qobject_cast<PlaybackSource *>(m_device.get());
    Q_EMIT sourceChanged();
    if (!m_device)
        return;
    if (m_source) {
        connect(m_source, &PlaybackSource::failed, this, &QtMultimediaPlaybackEngine::reportError);
        connect(m_source, &PlaybackSource::dataArrived, this, &QtMultimediaPlaybackEngine::onSourceDataArrived);
    }
    if (!m_device->isOpen() || m_device->isSequential()) {
        reportError(tr("The recording cannot be played: its source is not an open, seekable file."));
        return;
    }
    if (formatName() == u"WAV")
        m_device = withoutTrailingWavPad(std::move(m_device));
    createPlayer();
}

void QtMultimediaPlaybackEngine::createPlayer()
{
    releasePlayer();
    QElapsedTimer clock;
    clock.start();
    m_audioOutput = std::make_unique<QAudioOutput>();
    m_player = std::make_unique<QMediaPlayer>();
    m_player->setAudioOutput(m_audioOutput.get());
    connect(m_player.get(), &QMediaPlayer::positionChanged, this, [this](qint64 position) {
        if (m_resumeAt >= 0 || m_player->mediaStatus() == QMediaPlayer::EndOfMedia || jumpedAheadAfterSeek(position))
            return;
        m_lastPosition = position;
        Q_EMIT positionChanged(position);
    });
    connect(m_player.get(), &QMediaPlayer::durationChanged, this, &PlaybackEngine::durationChanged);
    connect(m_player.get(), &QMediaPlayer::playbackStateChanged, this,
            &QtMultimediaPlaybackEngine::onPlaybackStateChanged);
    connect(m_player.get(), &QMediaPlayer::mediaStatusChanged, this,
            &QtMultimediaPlaybackEngine::onMediaStatusChanged);
    connect(m_player.get(), &QMediaPlayer::errorOccurred, this, &QtMultimediaPlaybackEngine::onPlayerError);
    m_device->seek(0);
    m_player->setSourceDevice(m_device.get(), m_formatHint);
    const QList<QObject *> parts = m_player->findChildren<QObject *>();
    const auto reader = std::find_if(parts.cbegin(), parts.cend(), [](const QObject *part) {
        return qstrcmp(part->metaObject()->className(), "QGstAppSrc") == 0;
    });
    // Later Qt reads in GStreamer's own thread, without the defect, and names the reader otherwise.
    m_reader = reader != parts.cend() ? *reader : nullptr;
    qCDebug(lcPlayer) << "source" << m_formatHint.fileName() << m_device->size() << "bytes, player ready in"
                      << clock.elapsed() << "ms";
}

void QtMultimediaPlaybackEngine::clearSource()
{
    releasePlayer();
    m_seekTarget = -1;
    m_resumeAt = -1;
    m_source = nullptr;
    m_wantsToPlay = false;
    setStalled(false);
    m_device.reset();
    m_formatHint.clear();
    m_error.clear();
    setState(State::Stopped);
    Q_EMIT sourceChanged();
}

void QtMultimediaPlaybackEngine::play()
{
    if (!m_player || !m_error.isEmpty())
        return;
    m_wantsToPlay = true;
    if (m_stalled || m_resumeAt >= 0) {
        setState(State::Playing); // resumes once the data is there and the player positioned
        return;
    }
    if (m_player->mediaStatus() == QMediaPlayer::EndOfMedia)
        m_player->setPosition(0);
    m_player->play();
}

void QtMultimediaPlaybackEngine::pause()
{
    m_wantsToPlay = false;
    if (m_stalled)
        setState(State::Paused);
    else if (m_player && m_error.isEmpty())
        m_player->pause();
}

void QtMultimediaPlaybackEngine::seek(qint64 positionMs)
{
    if (!m_player || !m_error.isEmpty())
        return;
    const qint64 length = m_player->duration();
    positionMs = std::max<qint64>(0, positionMs);
    if (length > 0)
        positionMs = std::min(positionMs, length);
    m_seekTarget = positionMs;
    m_sinceSeek.start();
    m_reopenings = 0;
    if (m_resumeAt >= 0)
        m_resumeAt = positionMs; // still reopening: go there once loaded
    else
        seekPlayer(positionMs);
}

void QtMultimediaPlaybackEngine::seekPlayer(qint64 positionMs)
{
    // The reader's queued calls were asked for before the seek: answered after it, they
    // would read where the stream was. Dropped, they are never answered, and need not be:
    // the seek's flush releases the streaming thread that waits for them, and GStreamer
    // asks again from the new place. Only when the player does seek (loaded, and not to
    // where it stands, which Qt skips): without the flush that thread would wait forever.
    const QMediaPlayer::MediaStatus status = m_player->mediaStatus();
    const bool loaded = status == QMediaPlayer::LoadedMedia || status == QMediaPlayer::BufferingMedia
        || status == QMediaPlayer::BufferedMedia;
    if (m_reader && loaded && positionMs != m_player->position())
        QCoreApplication::removePostedEvents(m_reader, QEvent::MetaCall);
    m_player->setPosition(positionMs);
}

void QtMultimediaPlaybackEngine::reopen(const QMediaPlayer *endedPlayer)
{
    if (m_player.get() != endedPlayer || m_resumeAt < 0)
        return; // the source changed meanwhile
    const int reopenings = m_reopenings + 1;
    createPlayer();
    m_reopenings = reopenings;
    m_player->pause(); // loads; LoadedMedia positions it, then it plays
}

void QtMultimediaPlaybackEngine::resumeAt(const QMediaPlayer *loadedPlayer)
{
    if (m_player.get() != loadedPlayer || !m_resumeScheduled)
        return; // the source or the player changed meanwhile
    m_resumeScheduled = false;
    if (m_resumeAt < 0 || !m_error.isEmpty())
        return;
    const qint64 target = std::exchange(m_resumeAt, -1);
    // This seek can suffer the same defect, also when it resumes after a wait for the
    // download rather than after the person's seek.
    m_seekTarget = target;
    m_sinceSeek.start();
    seekPlayer(target);
    if (m_wantsToPlay)
        m_player->play();
}

qint64 QtMultimediaPlaybackEngine::position() const
{
    if (m_resumeAt >= 0)
        return m_resumeAt;
    if (!m_player)
        return 0;
    const qint64 position = m_player->position();
    // Where the stream is reopened once its false end arrives, not the end it shows first.
    return jumpedAheadAfterSeek(position) ? m_seekTarget : position;
}

bool QtMultimediaPlaybackEngine::endedTooSoonAfterSeek() const
{
    // Playing at normal speed, the end cannot come sooner than the rest takes to play.
    // The defect is a race, likelier on a busy machine, and can strike the reopened
    // player too: several attempts, not one, before believing the end.
    constexpr int kMaxReopenings = 8;
    return m_seekTarget >= 0 && m_reopenings < kMaxReopenings && m_player && m_player->duration() > 0
        && m_sinceSeek.elapsed() + kSeekMarginMs < m_player->duration() - m_seekTarget;
}

bool QtMultimediaPlaybackEngine::jumpedAheadAfterSeek(qint64 position) const
{
    // The same defect shows first as a position at the end, before the end itself comes
    // (about 1 run in 3 of an M4A resumed after a wait, on a busy machine). Shown, the
    // position bar would flash to the end and back.
    return endedTooSoonAfterSeek() && position > m_seekTarget + m_sinceSeek.elapsed() + kSeekMarginMs;
}

void QtMultimediaPlaybackEngine::setState(State state)
{
    if (state == m_state)
        return;
    m_state = state;
    qCDebug(lcPlayer) << "state" << m_state;
    Q_EMIT stateChanged(m_state);
}

void QtMultimediaPlaybackEngine::onPlaybackStateChanged(QMediaPlayer::PlaybackState state)
{
    if (state == QMediaPlayer::PlayingState)
        setState(State::Playing);
    else if (state == QMediaPlayer::PausedState && !(m_resumeAt >= 0 && m_wantsToPlay))
        setState(State::Paused); // not while it loads paused to resume playing
    else if (m_resumeAt < 0 && !m_stalled && !(m_source && m_source->isWaitingForData()) && !endedTooSoonAfterSeek())
        setState(State::Stopped); // otherwise the media status decides, just after this
}

void QtMultimediaPlaybackEngine::onMediaStatusChanged(QMediaPlayer::MediaStatus status)
{
    qCDebug(lcPlayer) << "media status" << status;
    switch (status) {
    case QMediaPlayer::EndOfMedia:
        if (m_source && !m_source->failure().isEmpty()) {
            reportError(m_source->failure());
        } else if (stallIfSourceWaits()) {
            break;
        } else if (endedTooSoonAfterSeek()) {
            qCWarning(lcPlayer) << "the stream ended" << m_sinceSeek.elapsed() << "ms after seeking to"
                                << m_seekTarget << "ms of" << m_player->duration() << "; reopening it there";
            m_resumeAt = m_seekTarget;
            // Not from inside the signal of the player that is about to go.
            QMetaObject::invokeMethod(this, [this, player = m_player.get()] { reopen(player); },
                                      Qt::QueuedConnection);
        } else {
            setState(State::Stopped);
        }
        break;
    case QMediaPlayer::LoadedMedia:
    case QMediaPlayer::BufferedMedia:
        if (m_resumeAt >= 0 && !m_resumeScheduled) {
            // A player just loaded still reads for its start: seeking at once raced those
            // reads and ended the stream, under load in most tries (36 reopenings in 10 runs
            // of an M4A resumed after a wait, with both cores kept busy, and a run that
            // gave up after 4); after a pause for them, 7 in 8 runs. The player stays
            // paused meanwhile, so nothing of the start is heard.
            m_resumeScheduled = true;
            QTimer::singleShot(kSettleBeforeSeekMs, this, [this, player = m_player.get()] { resumeAt(player); });
        }
        break;
    case QMediaPlayer::InvalidMedia:
        if (stallIfSourceWaits())
            break; // the decoder met the end of what has been downloaded so far
        // Some broken files end up here without an error of their own.
        reportError(tr("The recording cannot be played: the file is damaged or is not a %1 recording.")
                        .arg(formatName()));
        break;
    default:
        break;
    }
}

void QtMultimediaPlaybackEngine::onPlayerError(QMediaPlayer::Error error, const QString &detail)
{
    if (error == QMediaPlayer::NoError || stallIfSourceWaits())
        return;
    if (m_source && !m_source->failure().isEmpty()) {
        reportError(m_source->failure());
        return;
    }
    switch (error) {
    case QMediaPlayer::FormatError:
        //: %1 is a format such as MP3, %2 the decoder's own message
        reportError(tr("This %1 recording cannot be decoded: the file is damaged, or this computer lacks the "
                       "decoder for it (on Debian and Ubuntu, install gstreamer1.0-plugins-good, "
                       "gstreamer1.0-plugins-bad and gstreamer1.0-libav). Details: %2")
                        .arg(formatName(), detail));
        break;
    case QMediaPlayer::ResourceError:
        reportError(tr("The %1 recording cannot be read; the cached copy may be damaged or incomplete. "
                       "Details: %2")
                        .arg(formatName(), detail));
        break;
    default:
        reportError(tr("The %1 recording cannot be played. Details: %2").arg(formatName(), detail));
        break;
    }
}

void QtMultimediaPlaybackEngine::reportError(const QString &message)
{
    if (!m_error.isEmpty() || !m_device)
        return; // the first error says what went wrong; later ones are its echoes
    m_error = message;
    qCWarning(lcPlayer) << message;
    if (m_player)
        m_player->stop();
    setState(State::Stopped);
    Q_EMIT errorOccurred(m_error);
}

bool QtMultimediaPlaybackEngine::stallIfSourceWaits()
{
    if (m_stalled)
        return true;
    if (!m_source || !m_error.isEmpty())
        return false;
    if (!m_source->isWaitingForData() && !m_source->waitAtGapAhead())
        return false;
    // Where to go on: the seek that led here, else where playback stood.
    const bool afterSeek = m_seekTarget >= 0 && m_sinceSeek.isValid() && m_sinceSeek.elapsed() < 2000;
    m_resumeAt = m_resumeAt >= 0 ? m_resumeAt : (afterSeek ? m_seekTarget : m_lastPosition);
    qCDebug(lcPlayer) << "the download has not reached the player yet; going on at" << m_resumeAt << "ms";
    setStalled(true);
    return true;
}

void QtMultimediaPlaybackEngine::onSourceDataArrived()
{
    if (!m_stalled)
        return;
    setStalled(false);
    // Not from inside the source's signal: the old player goes.
    QMetaObject::invokeMethod(this, [this, player = m_player.get()] {
        if (m_player.get() != player || m_resumeAt < 0)
            return;
        createPlayer();
        m_player->pause(); // loads; LoadedMedia positions it, then it plays if it should
    }, Qt::QueuedConnection);
}

void QtMultimediaPlaybackEngine::setStalled(bool stalled)
{
    if (stalled == m_stalled)
        return;
    m_stalled = stalled;
    Q_EMIT waitingForDataChanged(m_stalled);
}

QString QtMultimediaPlaybackEngine::formatName() const
{
    return QFileInfo(m_formatHint.fileName()).suffix().toUpper();
}

} // namespace earshot
