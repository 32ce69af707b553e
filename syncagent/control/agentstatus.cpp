// What the agent reports about itself: the status answer and the progress events.
#include "control/agentcontrol.h"

#include "audit/auditlog.h"
#include "cache/cachepolicy.h"
#include "control/serverevents.h"
#include "store/syncstate.h"
#include "sync/syncloop.h"
#include "transfer/transferengine.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace earshot {

namespace {

QJsonArray transfersJson(const QList<TransferSnapshot> &underway)
{
    QJsonArray transfers;
    for (const TransferSnapshot &transfer : underway)
        transfers.append(QJsonObject{{"recording_id"_L1, transfer.recordingId},
                                     {"bytes_done"_L1, transfer.bytesDone},
                                     {"size_bytes"_L1, transfer.sizeBytes},
                                     {"for_player"_L1, transfer.forPlayer}});
    return transfers;
}

QJsonValue orNull(const QString &text)
{
    return text.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(text);
}

} // namespace

QString AgentControl::state() const
{
    if (!m_signInMessage.isEmpty())
        return u"auth_required"_s;
    if (m_userPaused)
        return u"paused"_s;
    // No answer at all (rather than an error answer): the server cannot be reached.
    const auto &lastError = m_parts.loop.lastPassError();
    if (lastError && lastError->kind == SyncError::Kind::Server && lastError->httpStatus == 0)
        return u"offline"_s;
    return u"online"_s;
}

QJsonObject AgentControl::status() const
{
    const SyncState syncState(m_parts.store);
    const auto completedAt = syncState.callsCompletedAt();
    const QList<TransferSnapshot> underway = m_parts.transfers.transfersUnderway();
    QJsonArray errors;
    for (const ReportedError &error : m_errors)
        errors.append(QJsonObject{{"message"_L1, error.message}, {"at"_L1, error.at.toString(Qt::ISODate)}});
    QJsonObject status{
        {"state"_L1, state()},
        {"server"_L1, m_parts.serverOrigin},
        {"sign_in_message"_L1, orNull(m_signInMessage)},
        {"pass_running"_L1, m_parts.loop.isPassRunning()},
        {"last_sync_at"_L1, completedAt ? QJsonValue(completedAt->toString(Qt::ISODateWithMs)) : QJsonValue()},
        {"last_sync_error"_L1, orNull(syncState.value(SyncState::kLastSyncError))},
        {"queue_length"_L1, m_parts.transfers.waitingCount()},
        {"more_due"_L1, m_parts.transfers.mayHaveMoreDue()},
        {"transfers_underway"_L1, static_cast<int>(underway.size())},
        {"transfers"_L1, transfersJson(underway)},
        {"bytes_per_second"_L1, m_rate.lastRate()},
        {"bandwidth_limit"_L1, m_parts.transfers.bandwidthLimit()},
        {"parallel"_L1, m_parts.transfers.parallel()},
        {"cache_quota"_L1, m_parts.cachePolicy.quotaBytes()},
        {"interval_seconds"_L1, static_cast<qint64>(m_parts.loop.interval().count())},
        {"errors"_L1, errors},
        {"pending_audit_events"_L1, AuditLog(m_parts.store).pendingCount()},
    };
    if (m_parts.events)
        status.insert("server_events"_L1, m_parts.events->isConnected() ? u"connected"_s : u"disconnected"_s);
    return status;
}

void AgentControl::sampleProgress()
{
    const QList<TransferSnapshot> underway = m_parts.transfers.transfersUnderway();
    const qint64 rate = m_rate.sample(underway);
    // While downloads run, and once more when they stopped, so the app sees them end.
    if (underway.isEmpty() && !m_progressShown)
        return;
    m_progressShown = !underway.isEmpty();
    m_server.broadcast(u"progress"_s, {{"queue_length"_L1, m_parts.transfers.waitingCount()},
                                       {"more_due"_L1, m_parts.transfers.mayHaveMoreDue()},
                                       {"transfers_underway"_L1, static_cast<int>(underway.size())},
                                       {"bytes_per_second"_L1, rate},
                                       {"transfers"_L1, transfersJson(underway)},
                                       {"state"_L1, state()}});
}

} // namespace earshot
