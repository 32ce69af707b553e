#pragma once

#include <QObject>
#include <QTimer>

#include <atomic>

namespace earshot {

// SIGINT and SIGTERM ask the agent to stop gracefully. The handler only sets a flag
// (all a signal handler may safely do); transfers and backoff sleeps poll that flag and
// abandon their work cleanly, and a timer turns it into a Qt signal for the event loop.
// The flag is process-wide by nature of signals: create one instance, in main.
class TerminationSignals : public QObject
{
    Q_OBJECT

public:
    explicit TerminationSignals(QObject *parent = nullptr);
    ~TerminationSignals() override;

    const std::atomic<bool> &flag() const;
    // The same graceful stop without a signal (the control socket's shutdown command).
    void requestStop();
    // The signal that arrived, 0 when none did.
    int receivedSignal() const;

Q_SIGNALS:
    void received();

private:
    QTimer m_poll;
    bool m_reported = false;
};

} // namespace earshot
