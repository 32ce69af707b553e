#pragma once

#include "control/transferrate.h"
#include "ipc/ipcserver.h"

#include <QDateTime>
#include <QJsonObject>
#include <QSqlDatabase>
#include <QTimer>

#include <functional>

namespace earshot {

class CachePolicy;
class DamagedCopyCheck;
class ServerEvents;
class SessionWatch;
class SyncLoop;
class TransferEngine;

// The agent's side of the control socket (docs/ipc-protocol.md): answers the app's
// commands with the sync loop, the transfer engine and the store, and tells subscribers
// what happens. Also owns the agent's two reasons to hold everything: the user's pause and
// a session the server refused (auth_required, until a new sign-in appears).
// Everything here runs on the agent's thread and never blocks on the network.
class AgentControl : public QObject
{
    Q_OBJECT

public:
    struct Parts
    {
        SyncLoop &loop;
        TransferEngine &transfers;
        const CachePolicy &cachePolicy; // what pins can keep
        QSqlDatabase store; // the agent thread's connection
        SessionWatch &sessions;
        ServerEvents *events = nullptr; // none in --once
        QString serverOrigin;
        std::function<void()> shutdown; // ends the agent cleanly, exit status 0
        std::function<void(qint64 bytesPerSecond)> bandwidthLimitChanged; // to remember it
        DamagedCopyCheck *damage = nullptr; // the app's report of an unreadable copy
    };

    explicit AgentControl(Parts parts, QObject *parent = nullptr);

    Status listen(const QString &socketPath);
    QJsonObject status() const;

private:
    void handle(const ipc::Request &request, const IpcReply &reply);
    void fetchFirst(const QJsonObject &args, const IpcReply &reply);
    void noteOpened(const QJsonObject &args, const IpcReply &reply);
    void checkDamage(const QJsonObject &args, const IpcReply &reply);
    void changePin(bool pin, const QJsonObject &args, const IpcReply &reply);
    void setBandwidthLimit(const QJsonObject &args, const IpcReply &reply);
    void setUserPaused(bool paused);

    void requireSignIn(const QString &message);
    void onSessionReturned();
    void applyHold();
    QString state() const;

    void reportError(const QString &message);
    void sampleProgress();

    Parts m_parts;
    IpcServer m_server;
    QTimer m_progressTimer;
    TransferRate m_rate;
    bool m_progressShown = false; // the last progress event showed transfers
    bool m_userPaused = false;
    QString m_signInMessage; // not empty while the session is refused

    struct ReportedError
    {
        QString message;
        QDateTime at;
    };
    QList<ReportedError> m_errors; // the latest few, newest last
};

} // namespace earshot
