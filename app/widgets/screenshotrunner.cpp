#include "widgets/screenshotrunner.h"

#include "applogging.h"
#include "models/calltablemodel.h"
#include "playback/playbackengine.h"
#include "session/storesession.h"
#include "widgets/mainwindow.h"

#include <QDir>
#include <QPixmap>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace earshot {

namespace {

constexpr auto kPollInterval = 250ms;
// How many calls to look through for a cached recording; the agent downloads the
// newest first, so any cached one is near the top.
constexpr int kCachedSearchRows = 2000;
// Enough playback for the slider and the times to show that it plays.
constexpr qint64 kSettledPlaybackMs = 1500;
constexpr qint64 kMaxSettleMs = 8000;
constexpr qint64 kSettleWithoutPlaybackMs = 1000;

} // namespace

ScreenshotRunner::ScreenshotRunner(MainWindow &window, StoreSession &session, PlaybackEngine &engine, QString path,
                                   std::chrono::seconds timeout, QObject *parent)
    : QObject(parent)
    , m_window(window)
    , m_session(session)
    , m_engine(engine)
    , m_path(std::move(path))
    , m_timeout(timeout)
{
    m_poll.setInterval(kPollInterval);
    connect(&m_poll, &QTimer::timeout, this, &ScreenshotRunner::poll);
}

void ScreenshotRunner::start()
{
    m_clock.start();
    m_poll.start();
    poll();
}

void ScreenshotRunner::poll()
{
    if (m_done)
        return;
    if (m_settling) {
        settle();
        return;
    }
    m_session.checkForChanges();
    const QString missing = whatIsMissing();
    if (missing.isEmpty()) {
        const bool found = selectNewestCachedCall();
        qCInfo(lcApp) << "screenshot: store ready," << (found ? "playing the newest cached call" : "no cached call");
        m_settling = true;
        m_settleClock.start();
        return;
    }
    if (m_clock.elapsed() >= std::chrono::milliseconds(m_timeout).count())
        finish(1, missing);
}

QString ScreenshotRunner::whatIsMissing() const
{
    const auto seconds = static_cast<int>(m_timeout.count());
    if (!m_session.syncStatus().callsCompletedAt)
        return tr("no completed sync after %1 s: is earshot-sync running?").arg(seconds);
    CallTableModel *model = m_session.callModel();
    if (model->rowCount() == 0 && model->canFetchMore({}))
        model->fetchMore({});
    if (model->rowCount() == 0)
        return tr("the sync completed but the table showed no calls after %1 s: does the server have calls for "
                  "this user?")
            .arg(seconds);
    return {};
}

bool ScreenshotRunner::selectNewestCachedCall()
{
    CallTableModel *model = m_session.callModel();
    for (int row = 0; row < kCachedSearchRows; ++row) {
        if (row >= model->rowCount()) {
            if (!model->canFetchMore({}))
                break;
            model->fetchMore({});
            if (row >= model->rowCount())
                break;
        }
        if (model->callAt(row)->cacheState == CacheState::Present) {
            m_window.selectRow(row);
            return true;
        }
    }
    if (model->rowCount() > 0)
        m_window.selectRow(0); // the player then says why the newest call cannot play
    return false;
}

void ScreenshotRunner::settle()
{
    const qint64 waited = m_settleClock.elapsed();
    const bool playing = m_engine.state() == PlaybackEngine::State::Playing;
    const bool enoughPlayed = playing && m_engine.position() >= kSettledPlaybackMs;
    const bool nothingToWaitFor = !playing && waited >= kSettleWithoutPlaybackMs;
    if (enoughPlayed || nothingToWaitFor || waited >= kMaxSettleMs)
        shoot();
}

void ScreenshotRunner::shoot()
{
    const QPixmap picture = m_window.grab();
    const QString path = QDir::cleanPath(QDir::current().absoluteFilePath(m_path));
    if (picture.isNull() || !picture.save(path, "PNG")) {
        finish(1, tr("cannot write the screenshot to %1").arg(QDir::toNativeSeparators(path)));
        return;
    }
    finish(0, tr("wrote %1 (%2×%3)").arg(QDir::toNativeSeparators(path)).arg(picture.width()).arg(picture.height()));
}

void ScreenshotRunner::finish(int exitCode, const QString &message)
{
    m_done = true;
    m_poll.stop();
    Q_EMIT finished(exitCode, message);
}

} // namespace earshot
