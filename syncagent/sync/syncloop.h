#pragma once

#include "syncerror.h"

#include <QObject>
#include <QTimer>

#include <chrono>
#include <optional>

namespace earshot {

class SyncPass;

// Runs a pass now and then one every `interval` after the previous one ended, on the
// Qt event loop (each pass runs asynchronously; the loop only sequences them). Server
// trouble and a full disk are retried on the next pass; a broken local store ends the
// loop, as does stop(). A session the server no longer accepts ends a --once run; in
// Repeat mode the loop holds itself and reports it, and the agent waits for a new sign-in.
class SyncLoop : public QObject
{
    Q_OBJECT

public:
    enum class Mode { Once, Repeat };

    SyncLoop(SyncPass &pass, Mode mode, std::chrono::seconds interval, QObject *parent = nullptr);
    std::chrono::seconds interval() const
    {
        return std::chrono::duration_cast<std::chrono::seconds>(m_timer.intervalAsDuration());
    }

    void start();
    // A hint that a pass now would find work (disk space returned, a server event, a pin):
    // runs one soon, or right after the one under way. Ignored by --once.
    void requestPass();
    // No further pass; a pass under way was already told through the stop flag.
    void stop();
    // While held no pass starts (one under way finishes); releasing runs one at once.
    void setHeld(bool held);
    bool isHeld() const { return m_held; }
    bool isPassRunning() const { return m_running; }

    // Why the loop ended, when it ended on an error; empty after success or stop().
    const std::optional<SyncError> &failure() const { return m_failure; }
    // True when a stop cut the loop short: a --once pass that did not complete.
    bool wasStopped() const { return m_stopped; }
    // The outcome of the last pass that ran to its end, if any did.
    const std::optional<SyncError> &lastPassError() const { return m_lastPassError; }

Q_SIGNALS:
    void finished();
    void passFinished(bool succeeded, const QString &message);
    // Repeat mode: the server refused the session and its refresh; the loop now holds.
    void signInNeeded(const QString &message);
    // Repeat mode: a pass ended on a full disk. The next comes at the interval, or as soon
    // as requestPass() says there is room again.
    void waitingForDiskSpace();

private:
    void runPass();
    void onPassDone(const SyncResult<Done> &outcome);
    void scheduleNext();
    void finish(std::optional<SyncError> failure);

    SyncPass &m_pass;
    Mode m_mode;
    QTimer m_timer;
    std::optional<SyncError> m_failure;
    std::optional<SyncError> m_lastPassError;
    bool m_finished = false;
    bool m_stopped = false;
    bool m_running = false;
    bool m_passRequested = false;
    bool m_held = false;
};

} // namespace earshot
