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
    if (m_running) {
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

void SyncLoop::runPass()
{
    if (m_finished || m_running)
        return;
    m_running = true;
    const auto outcome = m_pass.run();
    m_running = false;
    if (m_finished)
        return; // stopped while the pass was under way
    if (outcome) {
        if (m_mode == Mode::Once)
            return finish(std::nullopt);
    } else {
        const SyncError &error = outcome.error();
        if (error.kind == SyncError::Kind::Stopped) {
            m_stopped = true;
            return finish(std::nullopt);
        }
        const bool retried = error.kind == SyncError::Kind::Server || error.kind == SyncError::Kind::DiskFull;
        if (m_mode == Mode::Once || !retried)
            return finish(error);
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
