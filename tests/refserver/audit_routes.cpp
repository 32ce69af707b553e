// GET /api/audit/policy, POST and GET /api/audit/events, POST /api/recordings/{id}/downloads.
#include "audit_event_validator.h"
#include "audit_store.h"
#include "call_store.h"
#include "cursor.h"
#include "json_out.h"
#include "route_helpers.h"
#include "router.h"
#include "routes.h"
#include "server_context.h"

#include <QtCore/QDateTime>
#include <QtCore/QUuid>

using namespace Qt::StringLiterals;

namespace earshot::refserver {

namespace {

constexpr qsizetype MaxEventsPerPost = 500;

QJsonObject rejection(const QJsonValue &eventId, const QString &error)
{
    return {{u"event_id"_s, eventId.isString() ? eventId : QJsonValue(QJsonValue::Null)}, {u"error"_s, error}};
}

void postEvents(ServerContext &context, ApiRequest &request, HttpReply &reply)
{
    const auto events = jsonArrayBody(request, reply);
    if (!events)
        return;
    if (events->size() > MaxEventsPerPost) {
        reply.sendError(400, "too_many_events"_L1, u"Send at most %1 events per request."_s.arg(MaxEventsPerPost));
        return;
    }
    QJsonArray accepted, rejected;
    for (const QJsonValue &value : *events) {
        if (!value.isObject()) {
            rejected.append(rejection(QJsonValue(), u"invalid_event"_s));
            continue;
        }
        const QJsonObject event = value.toObject();
        const QJsonValue eventId = event.value("event_id"_L1);
        if (const QString error = auditEventError(event); !error.isEmpty()) {
            rejected.append(rejection(eventId, error));
            continue;
        }
        switch (context.audit.store(event, request.user->id, "client"_L1)) {
        case AuditStore::StoreResult::Stored:
        case AuditStore::StoreResult::Duplicate: // idempotent: a resend is acknowledged again
            accepted.append(eventId);
            break;
        case AuditStore::StoreResult::Conflict:
            rejected.append(rejection(eventId, u"event_id_conflict"_s));
            break;
        case AuditStore::StoreResult::Failed:
            rejected.append(rejection(eventId, u"storage_failed"_s));
            break;
        }
    }
    reply.sendJson(200, QJsonDocument(QJsonObject{{u"accepted"_s, accepted}, {u"rejected"_s, rejected}}));
}

void listEvents(ServerContext &context, ApiRequest &request, HttpReply &reply)
{
    if (!request.user->mayReadAuditTrail()) {
        reply.sendError(403, "forbidden"_L1, u"Only compliance and admin users may read the audit trail."_s);
        return;
    }
    const auto limit = pageLimit(request, reply);
    if (!limit)
        return;
    qint64 afterSeq = 0;
    const QByteArray since = request.queryValue(u"since"_s).toLatin1();
    if (!since.isEmpty()) {
        const auto decoded = decodeAuditCursor(since);
        if (!decoded) {
            reply.sendError(400, "invalid_cursor"_L1, u"since is not a cursor this server handed out."_s);
            return;
        }
        afterSeq = *decoded;
    }
    bool hasMore = false;
    const QList<StoredAuditEvent> events = context.audit.page(afterSeq, *limit, &hasMore);
    QJsonArray data;
    for (const StoredAuditEvent &stored : events) {
        data.append(QJsonObject{
            {u"event"_s, stored.event},
            {u"submitted_by"_s, stored.submittedBy},
            {u"source"_s, stored.source},
            {u"received_at"_s, QString::fromLatin1(json::timestamp(stored.receivedAtMs, true))},
        });
    }
    const qint64 lastSeq = events.isEmpty() ? afterSeq : events.last().seq;
    reply.sendJson(200, QJsonDocument(QJsonObject{
                            {u"data"_s, data},
                            {u"next_cursor"_s, QString::fromLatin1(encodeAuditCursor(lastSeq))},
                            {u"has_more"_s, hasMore},
                        }));
}

void postDownload(ServerContext &context, ApiRequest &request, HttpReply &reply)
{
    const auto call = isValidIdentifier(request.arg)
                          ? context.calls.byRecordingId(request.arg, request.user->callScope())
                          : std::nullopt;
    if (!call || call->deleted || !call->recording) {
        reply.sendError(404, "recording_not_found"_L1, u"No such recording."_s);
        return;
    }
    const auto body = jsonObjectBody(request, reply);
    if (!body)
        return;
    const QJsonObject client = body->value("client"_L1).toObject();
    const bool clientOk = client.value("host"_L1).isString() && client.value("os"_L1).isString()
                          && client.value("app_version"_L1).isString();
    const QJsonValue reason = body->value("reason"_L1);
    if (!clientOk || !(reason.isUndefined() || reason.isNull() || reason.isString())) {
        reply.sendError(400, "invalid_request"_L1,
                        u"Send {\"reason\"?: string, \"client\": {\"host\", \"os\", \"app_version\"}}."_s);
        return;
    }
    const QString eventId = QUuid::createUuid().toString(QUuid::WithoutBraces);
    const QString now = QString::fromLatin1(json::timestamp(QDateTime::currentMSecsSinceEpoch(), true));
    QJsonObject event{{u"event_id"_s, eventId},
                      {u"type"_s, u"recording.downloaded"_s},
                      {u"call_id"_s, call->id},
                      {u"recording_id"_s, call->recording->id},
                      {u"user_id"_s, request.user->id},
                      {u"occurred_at"_s, now},
                      {u"client"_s, client}};
    if (reason.isString())
        event.insert(u"reason"_s, reason);
    event.insert(u"hash"_s, QString::fromLatin1(expectedAuditHash(event)));
    if (context.audit.store(event, request.user->id, "downloads_endpoint"_L1) != AuditStore::StoreResult::Stored) {
        reply.sendError(500, "storage_failed"_L1, u"Could not record the download."_s);
        return;
    }
    reply.sendJson(201, QJsonDocument(QJsonObject{{u"id"_s, eventId},
                                                  {u"recording_id"_s, call->recording->id},
                                                  {u"call_id"_s, call->id},
                                                  {u"user_id"_s, request.user->id},
                                                  {u"recorded_at"_s, now}}));
}

} // namespace

void registerAuditRoutes(Router &router, ServerContext &context)
{
    router.add(QHttpServerRequest::Method::Get, u"/api/audit/policy"_s, RouteAccess::Authenticated,
               [&context](ApiRequest &, HttpReply &reply) {
                   reply.sendJson(200, QJsonDocument(context.audit.policy().toJson()));
               });
    router.add(QHttpServerRequest::Method::Post, u"/api/audit/events"_s, RouteAccess::Authenticated,
               [&context](ApiRequest &request, HttpReply &reply) { postEvents(context, request, reply); });
    router.add(QHttpServerRequest::Method::Get, u"/api/audit/events"_s, RouteAccess::Authenticated,
               [&context](ApiRequest &request, HttpReply &reply) { listEvents(context, request, reply); });
    router.add(QHttpServerRequest::Method::Post, u"/api/recordings/<arg>/downloads"_s,
               RouteAccess::Authenticated,
               [&context](ApiRequest &request, HttpReply &reply) { postDownload(context, request, reply); });
}

} // namespace earshot::refserver
