#include "agent/agentconnection.h"

#include "applogging.h"
#include "ipc/ipcclient.h"
#include "ipc/ipcprotocol.h"

#include <QCoreApplication>
#include <QJsonDocument>

using namespace Qt::StringLiterals;

namespace earshot {

namespace {

class AgentConnectionText
{
    Q_DECLARE_TR_FUNCTIONS(AgentConnection)
};

// The agent's status, progress and error messages carry "state" (online, offline,
// paused, auth_required); a message without it leaves the status as it was.
void readAgentState(const QJsonObject &data, AgentStatus &status)
{
    if (!data.contains("state"_L1))
        return;
    const QString state = data.value("state"_L1).toString();
    status.authRequired = state == "auth_required"_L1;
    status.serverUnreachable = state == "offline"_L1;
    status.paused = state == "paused"_L1;
}

QJsonObject filterObject(const CallFilter &filter)
{
    return QJsonDocument::fromJson(filter.toJson()).object();
}

} // namespace

AgentConnection::AgentConnection(QString dataDir, std::optional<AgentLauncher> launcher, QObject *parent)
    : QObject(parent)
    , m_dataDir(std::move(dataDir))
    , m_launcher(std::move(launcher))
{
    m_retryTimer.setSingleShot(true);
    connect(&m_retryTimer, &QTimer::timeout, this, &AgentConnection::tryConnect);
}

AgentConnection::~AgentConnection() = default;

void AgentConnection::start()
{
    m_connectingFor.start();
    m_launchedThisAttempt = false;
    AgentStatus connecting = m_status;
    connecting.state = AgentStatus::State::Connecting;
    updateStatus(connecting);
    tryConnect();
}

void AgentConnection::tryConnect()
{
    // A fresh client per attempt: a socket that failed keeps its error state.
    m_client = std::make_unique<IpcClient>(ipc::socketPathFor(m_dataDir));
    connect(m_client.get(), &IpcClient::connected, this, &AgentConnection::onConnected);
    connect(m_client.get(), &IpcClient::connectionFailed, this, &AgentConnection::onConnectionFailed);
    connect(m_client.get(), &IpcClient::disconnected, this, &AgentConnection::onDisconnected);
    connect(m_client.get(), &IpcClient::eventReceived, this, &AgentConnection::onEvent);
    m_client->connectToAgent();
}

void AgentConnection::onConnectionFailed(const QString &why)
{
    if (isConnected()) {
        onDisconnected();
        return;
    }
    const bool mayLaunch = m_launcher && !m_launchedThisAttempt
        && (!m_sinceLaunch.isValid() || m_sinceLaunch.elapsed() > kRelaunchInterval.count());
    if (mayLaunch) {
        m_launchedThisAttempt = true;
        m_sinceLaunch.start();
        m_connectingFor.start();
        if (Status launched = m_launcher->launch(); !launched) {
            goOffline(launched.error());
            return;
        }
    }
    if (m_launchedThisAttempt && m_connectingFor.elapsed() < kStartupWait.count()) {
        m_retryTimer.start(kRetryInterval);
        return;
    }
    if (m_status.state == AgentStatus::State::Offline && !m_launchedThisAttempt) {
        scheduleReconnect(); // already said why
        return;
    }
    qCInfo(lcAgent) << "no agent:" << why;
    goOffline(m_launchedThisAttempt
                  ? AgentConnectionText::tr("earshot-sync was started but does not answer; see %1 (is it signed "
                                            "in? run: earshot-sync login).")
                        .arg(m_launcher->logPath())
                  : AgentConnectionText::tr("earshot-sync is not running."));
}

void AgentConnection::onConnected()
{
    qCInfo(lcAgent) << "connected to earshot-sync";
    m_reconnectDelay = kFirstReconnectDelay;
    // hello first: an agent of another protocol version is reported, not misread.
    m_client->request(u"hello"_s, {}, this, [this](const Expected<QJsonObject> &hello) {
        if (!hello) {
            goOffline(hello.error());
            return;
        }
        if (hello->value("protocol"_L1).toInt() != ipc::kProtocolVersion) {
            goOffline(AgentConnectionText::tr("earshot-sync %1 speaks another protocol than this Earshot; install "
                                              "matching versions.")
                          .arg(hello->value("agent_version"_L1).toString()));
            return;
        }
        m_client->request(u"subscribe"_s, {}, this, [](const Expected<QJsonObject> &) {});
        AgentStatus connected = m_status;
        connected.state = AgentStatus::State::Connected;
        connected.lastError.clear();
        updateStatus(connected);
        m_client->request(u"status"_s, {}, this, [this](const Expected<QJsonObject> &status) {
            if (status)
                applyProgress(*status);
        });
    });
}

void AgentConnection::onDisconnected()
{
    qCInfo(lcAgent) << "lost the connection to earshot-sync";
    goOffline(AgentConnectionText::tr("earshot-sync stopped."));
}

void AgentConnection::goOffline(const QString &why)
{
    AgentStatus offline = m_status;
    offline.state = AgentStatus::State::Offline;
    offline.queueLength = 0;
    offline.bytesPerSecond = 0;
    offline.lastError = why;
    updateStatus(offline);
    // Not from inside the client's own signal.
    QMetaObject::invokeMethod(this, [this] {
        if (m_status.state != AgentStatus::State::Offline)
            return;
        m_launchedThisAttempt = false;
        m_connectingFor.start();
        scheduleReconnect();
    }, Qt::QueuedConnection);
}

void AgentConnection::scheduleReconnect()
{
    m_retryTimer.start(m_reconnectDelay);
    m_reconnectDelay = std::min(m_reconnectDelay * 2, kReconnectInterval);
}

void AgentConnection::onEvent(const QString &name, const QJsonObject &data)
{
    const QString recordingId = data.value("recording_id"_L1).toString();
    if (name == "progress"_L1) {
        applyProgress(data);
    } else if (name == "recording_cached"_L1) {
        Q_EMIT recordingCached(recordingId);
    } else if (name == "range_ready"_L1) {
        Q_EMIT rangeReady(recordingId, data.value("offset"_L1).toInteger(), data.value("length"_L1).toInteger());
    } else if (name == "range_failed"_L1) {
        Q_EMIT rangeFailed(recordingId, data.value("offset"_L1).toInteger(), data.value("length"_L1).toInteger(),
                           data.value("message"_L1).toString());
    } else if (name == "sync_completed"_L1) {
        AgentStatus done = m_status;
        done.lastError.clear();
        done.authRequired = false;
        done.serverUnreachable = false;
        updateStatus(done);
        Q_EMIT syncCompleted();
    } else if (name == "error"_L1) {
        AgentStatus failed = m_status;
        failed.lastError = data.value("message"_L1).toString();
        readAgentState(data, failed);
        updateStatus(failed);
    } else if (name == "auth_required"_L1) {
        AgentStatus signedOut = m_status;
        signedOut.authRequired = true;
        updateStatus(signedOut);
    }
}

void AgentConnection::applyProgress(const QJsonObject &data)
{
    AgentStatus progress = m_status;
    progress.queueLength = data.value("queue_length"_L1).toInteger(progress.queueLength);
    progress.moreDue = data.value("more_due"_L1).toBool(progress.moreDue);
    progress.bytesPerSecond = data.value("bytes_per_second"_L1).toInteger(progress.bytesPerSecond);
    progress.bandwidthLimit = data.value("bandwidth_limit"_L1).toInteger(progress.bandwidthLimit);
    // The status also carries why the last pass failed (null once one succeeds).
    readAgentState(data, progress);
    if (data.contains("last_sync_error"_L1))
        progress.lastError = data.value("last_sync_error"_L1).toString();
    updateStatus(progress);
}

void AgentConnection::updateStatus(const AgentStatus &status)
{
    if (status == m_status)
        return;
    m_status = status;
    Q_EMIT statusChanged(m_status);
}

void AgentConnection::request(const QString &command, const QJsonObject &args, QObject *context, Callback callback)
{
    if (!m_client || !isConnected()) {
        const QString why = m_status.lastError.isEmpty() ? AgentConnectionText::tr("earshot-sync is not running.")
                                                         : m_status.lastError;
        callback(Expected<QJsonObject>::failure(why));
        return;
    }
    m_client->request(command, args, context, std::move(callback));
}

void AgentConnection::fetchFirst(const QString &recordingId, qint64 offset, qint64 length, QObject *context,
                                 Callback callback)
{
    QJsonObject args{{"recording_id"_L1, recordingId}};
    if (offset > 0 || length > 0) {
        args.insert("offset"_L1, offset);
        args.insert("length"_L1, length);
    }
    request(u"fetch_first"_s, args, context, std::move(callback));
}

void AgentConnection::pin(const QString &kind, const QString &id, QObject *context, Callback callback)
{
    request(u"pin"_s, {{"kind"_L1, kind}, {"id"_L1, id}}, context, std::move(callback));
}

void AgentConnection::unpin(const QString &kind, const QString &id, QObject *context, Callback callback)
{
    request(u"unpin"_s, {{"kind"_L1, kind}, {"id"_L1, id}}, context, std::move(callback));
}

void AgentConnection::noteOpened(const QString &recordingId)
{
    request(u"recording_opened"_s, {{"recording_id"_L1, recordingId}}, this,
            [recordingId](const Expected<QJsonObject> &answer) {
                if (!answer)
                    qCInfo(lcAgent).noquote() << "the agent did not note that recording" << recordingId
                                              << "was opened:" << answer.error();
            });
}

void AgentConnection::reportDamaged(const QString &recordingId)
{
    request(u"recording_damaged"_s, {{"recording_id"_L1, recordingId}}, this,
            [recordingId](const Expected<QJsonObject> &answer) {
                if (!answer)
                    qCWarning(lcAgent).noquote() << "could not have the agent check recording" << recordingId << ":"
                                                 << answer.error();
                else if (answer->value("damaged"_L1).toBool())
                    qCWarning(lcAgent).noquote() << "the agent found the copy of recording" << recordingId
                                                 << "damaged and fetches it again:"
                                                 << answer->value("problem"_L1).toString();
            });
}

void AgentConnection::syncNow(QObject *context, Callback callback)
{
    request(u"sync_now"_s, {}, context, std::move(callback));
}

void AgentConnection::setPaused(bool paused, QObject *context, Callback callback)
{
    request(paused ? u"pause"_s : u"resume"_s, {}, context,
            [this, callback = std::move(callback)](const Expected<QJsonObject> &answer) {
                if (answer) {
                    AgentStatus changed = m_status;
                    readAgentState(*answer, changed);
                    updateStatus(changed);
                }
                callback(answer);
            });
}

void AgentConnection::setBandwidthLimit(qint64 bytesPerSecond, QObject *context, Callback callback)
{
    request(u"set_bandwidth_limit"_s, {{"bytes_per_second"_L1, bytesPerSecond}}, context,
            [this, callback = std::move(callback)](const Expected<QJsonObject> &answer) {
                if (answer) {
                    AgentStatus changed = m_status;
                    changed.bandwidthLimit = answer->value("bytes_per_second"_L1).toInteger(changed.bandwidthLimit);
                    updateStatus(changed);
                }
                callback(answer);
            });
}

void AgentConnection::pinFilter(const CallFilter &filter, const QString &label, QObject *context, Callback callback)
{
    request(u"pin"_s, {{"kind"_L1, u"filter"_s}, {"filter"_L1, filterObject(filter)}, {"label"_L1, label}}, context,
            std::move(callback));
}

void AgentConnection::unpinFilter(const CallFilter &filter, QObject *context, Callback callback)
{
    request(u"unpin"_s, {{"kind"_L1, u"filter"_s}, {"filter"_L1, filterObject(filter)}}, context, std::move(callback));
}

QString AgentConnection::filterPinTarget(const CallFilter &filter)
{
    return QString::fromUtf8(QJsonDocument(filterObject(filter)).toJson(QJsonDocument::Compact));
}

} // namespace earshot
