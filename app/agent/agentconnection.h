#pragma once

#include "agent/agentlauncher.h"
#include "domain/callfilter.h"
#include "expected.h"

#include <QElapsedTimer>
#include <QJsonObject>
#include <QObject>
#include <QTimer>

#include <functional>
#include <memory>
#include <optional>

namespace earshot {

class IpcClient;

// What the app knows about the sync agent, for the status bar.
struct AgentStatus
{
    enum class State { Connecting, Connected, Offline };

    State state = State::Connecting;
    bool authRequired = false;   // the server refused the session: sign in again
    bool serverUnreachable = false; // the agent's last pass got no answer from the server
    bool paused = false;         // downloads and passes held by the person (pause)
    qint64 queueLength = 0;      // recordings waiting to download
    bool moreDue = false;        // more than queueLength are due: the agent queues them in windows
    qint64 bytesPerSecond = 0;
    qint64 bandwidthLimit = 0;   // bytes per second for all downloads together; 0: none
    QString lastError;           // the agent's last problem, or why it cannot be reached

    bool isSyncing() const { return state == State::Connected && (queueLength > 0 || bytesPerSecond > 0); }
    friend bool operator==(const AgentStatus &, const AgentStatus &) = default;
};

// The app's link to earshot-sync over its control socket (docs/ipc-protocol.md): connects,
// starts the agent when none runs, subscribes to its events and sends it commands.
// Engine-side: it knows nothing of widgets. Every command answers through its callback,
// with an error a person can act on when the agent is not there; nothing waits forever.
class AgentConnection : public QObject
{
    Q_OBJECT

public:
    using Callback = std::function<void(const Expected<QJsonObject> &result)>;

    // How long to keep trying to reach an agent that was just started.
    static constexpr std::chrono::milliseconds kStartupWait{10000};
    static constexpr std::chrono::milliseconds kRetryInterval{200};
    // After losing the agent, how soon to look for it again (and start it, at most
    // kRelaunchInterval often): soon at first, since an agent that is starting opens its
    // socket within a second, then every kReconnectInterval.
    static constexpr std::chrono::milliseconds kFirstReconnectDelay{250};
    static constexpr std::chrono::milliseconds kReconnectInterval{5000};
    static constexpr std::chrono::milliseconds kRelaunchInterval{60000};

    // `launcher` empty: never start an agent, only connect (tests, and a person who runs
    // the agent by hand).
    AgentConnection(QString dataDir, std::optional<AgentLauncher> launcher, QObject *parent = nullptr);
    ~AgentConnection() override;

    void start();
    const AgentStatus &status() const { return m_status; }
    bool isConnected() const { return m_status.state == AgentStatus::State::Connected; }

    // Moves a recording, or the byte range from `offset` (length 0: to the end), to the
    // front of the agent's queue.
    void fetchFirst(const QString &recordingId, qint64 offset, qint64 length, QObject *context, Callback callback);
    // Keeps matching recordings offline, or stops keeping them: kind is call, lead,
    // agent or list; id the call's, lead's, agent's or list's id ('' is Manual Dial).
    void pin(const QString &kind, const QString &id, QObject *context, Callback callback);
    void unpin(const QString &kind, const QString &id, QObject *context, Callback callback);
    void syncNow(QObject *context, Callback callback);
    // Holds downloads and passes (partials kept) or lets them go on; the status follows.
    void setPaused(bool paused, QObject *context, Callback callback);
    // Bytes per second for all downloads together, 0 for none; the agent remembers it.
    void setBandwidthLimit(qint64 bytesPerSecond, QObject *context, Callback callback);
    // Keeps the calls of a filter offline (a "saved filter" pin), or stops keeping them.
    void pinFilter(const CallFilter &filter, const QString &label, QObject *context, Callback callback);
    void unpinFilter(const CallFilter &filter, QObject *context, Callback callback);
    // The pins table's target for a filter pin, as the agent writes it.
    static QString filterPinTarget(const CallFilter &filter);
    // The person opened the recording to play it: the agent's quota evicts it last. Nothing
    // is lost when the agent is away but the recording's place in that order.
    void noteOpened(const QString &recordingId);
    // A cached copy could not be read: the agent checks it, and fetches it again if damaged.
    void reportDamaged(const QString &recordingId);

Q_SIGNALS:
    void statusChanged(const earshot::AgentStatus &status);
    void recordingCached(const QString &recordingId);
    void rangeReady(const QString &recordingId, qint64 offset, qint64 length);
    void rangeFailed(const QString &recordingId, qint64 offset, qint64 length, const QString &message);
    void syncCompleted();

private:
    void request(const QString &command, const QJsonObject &args, QObject *context, Callback callback);
    void tryConnect();
    void onConnected();
    void onConnectionFailed(const QString &why);
    void onDisconnected();
    void onEvent(const QString &name, const QJsonObject &data);
    void applyProgress(const QJsonObject &data);
    void goOffline(const QString &why);
    void scheduleReconnect();
    void updateStatus(const AgentStatus &status);

    QString m_dataDir;
    std::optional<AgentLauncher> m_launcher;
    std::unique_ptr<IpcClient> m_client;
    AgentStatus m_status;
    QTimer m_retryTimer;
    std::chrono::milliseconds m_reconnectDelay = kFirstReconnectDelay;
    QElapsedTimer m_sinceLaunch;
    QElapsedTimer m_connectingFor;
    bool m_launchedThisAttempt = false;
};

} // namespace earshot
