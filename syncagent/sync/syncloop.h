#pragma once

#include "syncerror.h"

#include <QObject>
#include <QTimer>

#include <chrono>
#include <optional>

namespace earshot {

class SyncPass;

// Runs a pass now and then one every `interval` after the previous one ended, on the
// Qt event loop. Server trouble and a full disk are retried on the next pass; a session
// the server no longer accepts or a broken local store ends the loop, as does stop().
class SyncLoop : public QObject
{
    Q_OBJECT

public:
    enum class Mode { Once, Repeat };

    SyncLoop(SyncPass &pass, Mode mode, std::chrono::seconds interval, QObject *parent = nullptr);

    void start();
    // A hint that a pass now would find work (disk space returned, a server event): runs
    // one soon, or right after the one under way. Ignored by --once.
    void requestPass();
    // No further pass; a pass under way was already told through the stop flag.
    void stop();

    // Why the loop ended, when it ended on an error; empty after success or stop().
    const std::optional<SyncError> &failure() const { return m_failure; }
    // True when a stop cut the loop short: a --once pass that did not complete.
    bool wasStopped() const { return m_stopped; }

Q_SIGNALS:
    void finished();

private:
    void runPass();
    void finish(std::optional<SyncError> failure);

    SyncPass &m_pass;
    Mode m_mode;
    QTimer m_timer;
    std::optional<SyncError> m_failure;
    bool m_finished = false;
    bool m_stopped = false;
    bool m_running = false;
    bool m_passRequested = false;
};

} // namespace earshot
