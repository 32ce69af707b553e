#include "control/agentcontrol.h"

#include "agentlogging.h"
#include "cache/cachedcopy.h"
#include "cache/damagedcopycheck.h"
#include "cache/cachepolicy.h"
#include "cache/pinnedrecordings.h"
#include "control/serverevents.h"
#include "control/sessionwatch.h"
#include "store/pinstore.h"
#include "sync/syncloop.h"
#include "transfer/transferengine.h"

#include <QJsonDocument>
#include <QSqlQuery>

using namespace Qt::StringLiterals;

namespace earshot {

namespace {

constexpr std::chrono::milliseconds kProgressInterval{500}; // about two progress events a second
constexpr qsizetype kErrorsKept = 10;

QString badArgument()
{
    return u"bad_argument"_s;
}

// A non-negative integer argument; nullopt when absent, -1 when present but not one.
std::optional<qint64> integerArgument(const QJsonObject &args, QLatin1StringView name)
{
    if (!args.contains(name))
        return std::nullopt;
    const QJsonValue value = args.value(name);
    const double number = value.toDouble(-1);
    if (!value.isDouble() || number < 0 || number != static_cast<double>(static_cast<qint64>(number)))
        return -1;
    return static_cast<qint64>(number);
}

// The recording a command is about; empty when the argument is missing or cannot be an id.
QString recordingIdArgument(const QJsonObject &args)
{
    const QString id = args.value("recording_id"_L1).toString();
    return id.size() <= 128 ? id : QString();
}

} // namespace

AgentControl::AgentControl(Parts parts, QObject *parent)
    : QObject(parent)
    , m_parts(std::move(parts))
{
    m_server.setHandler([this](const ipc::Request &request, const IpcReply &reply) { handle(request, reply); });
    m_progressTimer.setInterval(kProgressInterval);
    connect(&m_progressTimer, &QTimer::timeout, this, &AgentControl::sampleProgress);
    m_progressTimer.start();

    TransferEngine &transfers = m_parts.transfers;
    connect(&transfers, &TransferEngine::recordingCached, this, [this](const QString &recordingId, const QString &) {
        m_server.broadcast(u"recording_cached"_s, {{"recording_id"_L1, recordingId}});
    });
    connect(&transfers, &TransferEngine::rangeReady, this, [this](const QString &recordingId, qint64 offset, qint64 length) {
        m_server.broadcast(u"range_ready"_s,
                           {{"recording_id"_L1, recordingId}, {"offset"_L1, offset}, {"length"_L1, length}});
    });
    connect(&transfers, &TransferEngine::rangeFailed, this,
            [this](const QString &recordingId, qint64 offset, qint64 length, const QString &reason) {
                m_server.broadcast(u"range_failed"_s, {{"recording_id"_L1, recordingId},
                                                       {"offset"_L1, offset},
                                                       {"length"_L1, length},
                                                       {"message"_L1, reason}});
            });
    connect(&transfers, &TransferEngine::pausedForDiskSpace, this, &AgentControl::reportError);

    SyncLoop &loop = m_parts.loop;
    connect(&loop, &SyncLoop::passFinished, this, [this](bool succeeded, const QString &message) {
        if (succeeded)
            m_server.broadcast(u"sync_completed"_s, {{"last_sync_at"_L1, status().value("last_sync_at"_L1)}});
        else
            reportError(message);
    });
    connect(&loop, &SyncLoop::signInNeeded, this, &AgentControl::requireSignIn);
    connect(&m_parts.sessions, &SessionWatch::sessionReturned, this, &AgentControl::onSessionReturned);
    if (ServerEvents *events = m_parts.events) {
        connect(events, &ServerEvents::serverChanged, this, [this](const QString &type, const QString &callId) {
            qCInfo(lcSync).noquote() << "server event" << type << callId << "-> a pass now";
            m_parts.loop.requestPass();
        });
        connect(events, &ServerEvents::signInNeeded, this, &AgentControl::requireSignIn);
    }
}

Status AgentControl::listen(const QString &socketPath)
{
    return m_server.listen(socketPath);
}

void AgentControl::handle(const ipc::Request &request, const IpcReply &reply)
{
    const QString &command = request.command;
    if (command == "status"_L1) {
        reply.ok(status());
    } else if (command == "sync_now"_L1) {
        if (!m_signInMessage.isEmpty())
            return reply.fail(u"auth_required"_s, m_signInMessage);
        if (m_userPaused)
            return reply.fail(u"paused"_s, u"Syncing is paused; resume it first."_s);
        m_parts.loop.requestPass();
        reply.ok();
    } else if (command == "fetch_first"_L1) {
        fetchFirst(request.args, reply);
    } else if (command == "recording_opened"_L1) {
        noteOpened(request.args, reply);
    } else if (command == "recording_damaged"_L1) {
        checkDamage(request.args, reply);
    } else if (command == "pin"_L1 || command == "unpin"_L1) {
        changePin(command == "pin"_L1, request.args, reply);
    } else if (command == "pause"_L1) {
        setUserPaused(true);
        reply.ok({{"state"_L1, state()}});
    } else if (command == "resume"_L1) {
        setUserPaused(false);
        if (!m_signInMessage.isEmpty())
            m_parts.sessions.checkNow(); // the user may just have signed in
        reply.ok({{"state"_L1, state()}});
    } else if (command == "set_bandwidth_limit"_L1) {
        setBandwidthLimit(request.args, reply);
    } else if (command == "shutdown"_L1) {
        qCInfo(lcSync) << "shutdown requested over the control socket";
        reply.ok();
        m_parts.shutdown();
    } else {
        reply.fail(u"unknown_command"_s, u"no such command: "_s + command.left(64));
    }
}

void AgentControl::fetchFirst(const QJsonObject &args, const IpcReply &reply)
{
    const QString recordingId = recordingIdArgument(args);
    if (recordingId.isEmpty())
        return reply.fail(badArgument(), u"fetch_first needs a \"recording_id\""_s);
    const auto offset = integerArgument(args, "offset"_L1);
    auto length = integerArgument(args, "length"_L1);
    if (offset == -1 || length == -1 || length == 0)
        return reply.fail(badArgument(), u"\"offset\" and \"length\" must be whole numbers, the length above 0"_s);
    if (!length) { // the rest of the recording
        QSqlQuery query(m_parts.store);
        query.prepare(u"SELECT size_bytes FROM recordings WHERE id = ?"_s);
        query.addBindValue(recordingId);
        if (!query.exec() || !query.next())
            return reply.fail(u"not_found"_s, u"there is no recording %1 in the local store"_s.arg(recordingId));
        length = std::max<qint64>(1, query.value(0).toLongLong() - offset.value_or(0));
    }
    if (Status queued = m_parts.transfers.fetchRangeFirst(recordingId, offset.value_or(0), *length); !queued)
        return reply.fail(u"cannot_fetch"_s, queued.error());
    reply.ok();
}

void AgentControl::noteOpened(const QJsonObject &args, const IpcReply &reply)
{
    const QString recordingId = recordingIdArgument(args);
    if (recordingId.isEmpty())
        return reply.fail(badArgument(), u"recording_opened needs a \"recording_id\""_s);
    const auto marked = markRecordingUsed(m_parts.store, recordingId, QDateTime::currentMSecsSinceEpoch());
    if (!marked)
        return reply.fail(u"store_error"_s, marked.error());
    if (!*marked)
        return reply.fail(u"not_found"_s, u"there is no recording %1 in the local store"_s.arg(recordingId));
    reply.ok();
}

void AgentControl::checkDamage(const QJsonObject &args, const IpcReply &reply)
{
    const QString recordingId = recordingIdArgument(args);
    if (recordingId.isEmpty())
        return reply.fail(badArgument(), u"recording_damaged needs a \"recording_id\""_s);
    if (!m_parts.damage)
        return reply.fail(u"cannot_check"_s, u"this agent does not check cached copies"_s);
    m_parts.damage->check(recordingId, [reply](const Expected<DamagedCopyCheck::Verdict> &verdict) {
        if (!verdict)
            return reply.fail(u"cannot_check"_s, verdict.error());
        reply.ok({{"damaged"_L1, verdict->damaged},
                  {"problem"_L1, verdict->damaged ? QJsonValue(verdict->problem) : QJsonValue()}});
    });
}

void AgentControl::changePin(bool pin, const QJsonObject &args, const IpcReply &reply)
{
    const auto kind = pinKindFromName(args.value("kind"_L1).toString());
    if (!kind)
        return reply.fail(badArgument(), u"\"kind\" must be one of call, lead, agent, list, filter"_s);
    QString target;
    if (*kind == Pin::Kind::Filter) {
        const QJsonValue filter = args.value("filter"_L1);
        if (filter.isObject())
            target = QString::fromUtf8(QJsonDocument(filter.toObject()).toJson(QJsonDocument::Compact));
        else
            target = filter.toString();
        if (target.isEmpty())
            return reply.fail(badArgument(), u"pinning a filter needs \"filter\" (the filter as JSON)"_s);
    } else {
        const QJsonValue id = args.value("id"_L1);
        // A dial list's id may be empty: Manual Dial.
        if (!id.isString() || (id.toString().isEmpty() && *kind != Pin::Kind::List) || id.toString().size() > 128)
            return reply.fail(badArgument(), u"pinning needs the \"id\" of what to keep offline"_s);
        target = id.toString();
    }
    PinStore pins(m_parts.store);
    // Never a null string: the column is NOT NULL.
    const QString label = args.value("label"_L1).toString(u""_s).left(200);
    Status written = pin ? pins.pin({*kind, target, label, QDateTime::currentMSecsSinceEpoch()})
                         : pins.unpin(*kind, target);
    if (!written)
        return reply.fail(u"store_error"_s, written.error());
    // What is due to download changed.
    m_parts.loop.requestPass();
    if (!pin)
        return reply.ok();
    // The app tells the user what the pin cannot keep: calls older than the retention period.
    const auto reach = PinnedRecordings(m_parts.store).reach(
        {*kind, target, label, 0}, m_parts.cachePolicy.oldestCallToKeepMs(QDateTime::currentMSecsSinceEpoch()));
    if (!reach) {
        qCWarning(lcCache).noquote() << "pinned, but" << reach.error();
        return reply.ok();
    }
    reply.ok({{"recordings"_L1, reach->recordings},
              {"older_than_retention"_L1, reach->tooOld},
              {"retention_days"_L1, m_parts.cachePolicy.retentionDays()}});
}

void AgentControl::setBandwidthLimit(const QJsonObject &args, const IpcReply &reply)
{
    const auto limit = integerArgument(args, "bytes_per_second"_L1);
    if (!limit || *limit < 0)
        return reply.fail(badArgument(), u"\"bytes_per_second\" must be a whole number (0: no limit)"_s);
    m_parts.transfers.setBandwidthLimit(*limit);
    if (m_parts.bandwidthLimitChanged)
        m_parts.bandwidthLimitChanged(*limit);
    qCInfo(lcTransfer) << "bandwidth limit set to" << *limit << "bytes/s over the control socket";
    reply.ok({{"bytes_per_second"_L1, m_parts.transfers.bandwidthLimit()}});
}

void AgentControl::setUserPaused(bool paused)
{
    if (m_userPaused == paused)
        return;
    m_userPaused = paused;
    qCInfo(lcSync) << (paused ? "paused" : "resumed") << "over the control socket";
    applyHold();
}

void AgentControl::requireSignIn(const QString &message)
{
    const bool first = m_signInMessage.isEmpty();
    m_signInMessage = message;
    if (!first)
        return;
    qCWarning(lcAuth).noquote() << "the server refused the session; waiting for a new sign-in:" << message;
    applyHold();
    m_parts.sessions.watch();
    m_server.broadcast(u"auth_required"_s, {{"message"_L1, message}});
}

void AgentControl::onSessionReturned()
{
    m_signInMessage.clear();
    applyHold();
    if (ServerEvents *events = m_parts.events)
        events->reconnectNow();
}

void AgentControl::applyHold()
{
    const bool held = m_userPaused || !m_signInMessage.isEmpty();
    // Transfers first: the pass that a release starts queues its downloads at once.
    if (held)
        m_parts.transfers.pause();
    else
        m_parts.transfers.resume();
    m_parts.loop.setHeld(held);
}

void AgentControl::reportError(const QString &message)
{
    m_errors.append({message, QDateTime::currentDateTimeUtc()});
    while (m_errors.size() > kErrorsKept)
        m_errors.removeFirst();
    m_server.broadcast(u"error"_s, {{"message"_L1, message}, {"state"_L1, state()}});
}

} // namespace earshot
