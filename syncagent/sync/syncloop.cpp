#include "sync/syncloop.h"

#include "agentlogging.h"
#include "sync/syncpass.h"

namespace earshot {

SyncLoop::SyncLoop(SyncPass &pass, Mode mode, std::chrono::seconds interval, QObject *parent)
    : QObject(parent)
    , m_pass(pass)
    , m_mode(mode)
{
    m_timer.setSingleShot(true);
    m_timer.setInterval(interval);
    connect(&m_timer, &QTimer::timeout, this, &SyncLoop::runPass);
}

void SyncLoop::start()
{
    QTimer::singleShot(0, this, &SyncLoop::runPass);
}

void SyncLoop::requestPass()
{
    if (m_finished || m_mode == Mode::Once)
        return;
    if (m_running || m_held) {
        m_passRequested = true;
        return;
    }
    m_timer.stop();
    QTimer::singleShot(0, this, &SyncLoop::runPass);
}

void SyncLoop::stop()
{
    m_timer.stop();
    if (!m_finished)
        m_stopped = true;
    finish(std::nullopt);
}

void SyncLoop::setHeld(bool held)
{
    if (held == m_held)
        return;
    m_held = held;
    qCInfo(lcSync) << (held ? "passes on hold" : "passes resume");
    if (held) {
        m_timer.stop();
        return;
    }
    // Whatever the hold cut short (transfers, a refused session) is picked up now.
    m_passRequested = false;
    if (!m_running && !m_finished)
        QTimer::singleShot(0, this, &SyncLoop::runPass);
    else
        m_passRequested = true;
}

void SyncLoop::runPass()
{
    if (m_finished || m_running)
        return;
    if (m_held) {
        m_passRequested = true;
        return;
    }
    m_running = true;
    m_pass.start([this](const SyncResult<Done> &outcome) { onPassDone(outcome); });
}

void SyncLoop::onPassDone(const SyncResult<Done> &outcome)
{
    m_running = false;
    if (m_finished)
        return; // stopped while the pass was under way
    if (outcome) {
        m_lastPassError.reset();
        Q_EMIT passFinished(true, {});
        if (m_mode == Mode::Once)
            return finish(std::nullopt);
        return scheduleNext();
    }
    const SyncError &error = outcome.error();
    if (error.kind == SyncError::Kind::Stopped) {
        if (m_held)
            return scheduleNext(); // paused: the pass resumes with the hold
        m_stopped = true;
        return finish(std::nullopt);
    }
    m_lastPassError = error;
    Q_EMIT passFinished(false, error.message);
    if (m_mode == Mode::Repeat && error.kind == SyncError::Kind::SignInAgain) {
        setHeld(true);
        Q_EMIT signInNeeded(error.message);
        return;
    }
    const bool retried = error.kind == SyncError::Kind::Server || error.kind == SyncError::Kind::DiskFull;
    if (m_mode == Mode::Once || !retried)
        return finish(error);
    if (error.kind == SyncError::Kind::DiskFull)
        Q_EMIT waitingForDiskSpace();
    scheduleNext();
}

void SyncLoop::scheduleNext()
{
    if (m_held) {
        m_passRequested = true;
        return;
    }
    if (std::exchange(m_passRequested, false)) {
        QTimer::singleShot(0, this, &SyncLoop::runPass);
        return;
    }
    qCInfo(lcSync) << "next pass in" << m_timer.intervalAsDuration().count() / 1000 << "s";
    m_timer.start();
}

void SyncLoop::finish(std::optional<SyncError> failure)
{
    if (m_finished)
        return;
    m_finished = true;
    m_failure = std::move(failure);
    Q_EMIT finished();
}

} // namespace earshot
