#include "cli/terminationsignals.h"

#include "agentlogging.h"

#include <csignal>

namespace earshot {

namespace {

// Signal handlers cannot reach an object; these two are the only process-wide state.
std::atomic<bool> g_stopRequested{false};
volatile std::sig_atomic_t g_signal = 0;

static_assert(std::atomic<bool>::is_always_lock_free, "a signal handler may only touch lock-free atomics");

void onTerminationSignal(int signal)
{
    g_signal = signal;
    g_stopRequested.store(true);
}

} // namespace

TerminationSignals::TerminationSignals(QObject *parent)
    : QObject(parent)
{
    std::signal(SIGINT, onTerminationSignal);
    std::signal(SIGTERM, onTerminationSignal);
    m_poll.setInterval(std::chrono::milliseconds(100));
    connect(&m_poll, &QTimer::timeout, this, [this] {
        if (!m_reported && g_stopRequested.load()) {
            m_reported = true;
            qCInfo(lcSync) << "signal" << receivedSignal() << "received; stopping";
            Q_EMIT received();
        }
    });
    m_poll.start();
}

TerminationSignals::~TerminationSignals()
{
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
}

const std::atomic<bool> &TerminationSignals::flag() const
{
    return g_stopRequested;
}

void TerminationSignals::requestStop()
{
    g_stopRequested.store(true);
}

int TerminationSignals::receivedSignal() const
{
    return static_cast<int>(g_signal);
}

} // namespace earshot
