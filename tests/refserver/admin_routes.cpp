// /__admin/*: test-only controls (enabled by --enable-admin, not part of the API contract).
// Every change to calls goes through CallStore, so it gets a fresh updated_at, and is
// announced on /api/events like a real backend would.
#include "audit_store.h"
#include "auth_service.h"
#include "call_generator.h"
#include "call_json.h"
#include "call_store.h"
#include "event_hub.h"
#include "faults.h"
#include "request_stats.h"
#include "route_helpers.h"
#include "router.h"
#include "routes.h"
#include "server_context.h"

#include <QtCore/QDateTime>

using namespace Qt::StringLiterals;

namespace earshot::refserver {

namespace {

using Method = QHttpServerRequest::Method;

const QStringList recordingStatuses = {u"pending"_s, u"available"_s, u"failed"_s, u"unavailable"_s};

void createCalls(ServerContext &context, ApiRequest &request, HttpReply &reply)
{
    const auto body = jsonObjectBody(request, reply, true);
    if (!body)
        return;
    const int count = body->value("count"_L1).toInt(1);
    const QString outcome = body->value("outcome"_L1).toString();
    const QString status = body->value("recording_status"_L1).toString(u"available"_s);
    if (count < 1 || count > 10'000 || !recordingStatuses.contains(status)) {
        reply.sendError(400, "invalid_request"_L1,
                        u"Send {\"count\": 1..10000, \"outcome\"?, \"recording_status\"?}."_s);
        return;
    }
    QJsonArray ids, recordingIds;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    for (int i = 0; i < count; ++i) {
        GeneratedCall call = context.generator.next(now - 5 * 60'000, now);
        // Default: the case tests want most, a connected call with a recording.
        call.outcome = outcome.isEmpty() ? u"connected"_s : outcome;
        const bool recorded = call.outcome == "connected"_L1 || call.outcome == "voicemail"_L1;
        const FixtureClip *clip = nullptr;
        if (recorded && !context.clips.isEmpty()) {
            call.durationSeconds = std::max(call.durationSeconds, 30);
            clip = &context.clips[(ids.size() + now / 1000) % context.clips.size()];
            call.recording = GeneratedRecording{0, status, true};
        } else {
            call.recording.reset();
        }
        const auto row = context.calls.insert(call, clip);
        if (!row) {
            reply.sendError(500, "storage_failed"_L1, u"Could not create the call."_s);
            return;
        }
        ids.append(row->id);
        recordingIds.append(row->recording ? QJsonValue(row->recording->id) : QJsonValue(QJsonValue::Null));
        context.events.publishCallUpdated(*row);
        if (row->recording && row->recording->status == "available"_L1)
            context.events.publishRecordingReady(*row);
    }
    reply.sendJson(201, QJsonDocument(QJsonObject{{u"ids"_s, ids}, {u"recording_ids"_s, recordingIds}}));
}

void updateCall(ServerContext &context, ApiRequest &request, HttpReply &reply)
{
    const auto body = jsonObjectBody(request, reply, true);
    if (!body)
        return;
    CallChanges changes;
    if (body->value("outcome"_L1).isString())
        changes.outcome = body->value("outcome"_L1).toString();
    if (body->value("direction"_L1).isString())
        changes.direction = body->value("direction"_L1).toString();
    if (body->value("duration_seconds"_L1).isDouble())
        changes.durationSeconds = body->value("duration_seconds"_L1).toInteger();
    const auto row = context.calls.update(request.arg, changes);
    if (!row) {
        reply.sendError(404, "call_not_found"_L1, u"No such live call."_s);
        return;
    }
    context.events.publishCallUpdated(*row);
    reply.sendJson(200, callJson(*row));
}

void deleteCall(ServerContext &context, ApiRequest &request, HttpReply &reply)
{
    const auto row = context.calls.remove(request.arg);
    if (!row) {
        reply.sendError(404, "call_not_found"_L1, u"No such live call."_s);
        return;
    }
    context.events.publishCallUpdated(*row);
    reply.sendJson(200, callJson(*row));
}

void setRecordingStatus(ServerContext &context, ApiRequest &request, HttpReply &reply)
{
    const auto body = jsonObjectBody(request, reply);
    if (!body)
        return;
    const QString status = body->value("status"_L1).toString();
    if (!recordingStatuses.contains(status)) {
        reply.sendError(400, "invalid_request"_L1,
                        u"status must be pending, available, failed or unavailable."_s);
        return;
    }
    const auto row = context.calls.setRecordingStatus(request.arg, status);
    if (!row) {
        reply.sendError(404, "recording_not_found"_L1, u"No such recording on a live call."_s);
        return;
    }
    context.events.publishCallUpdated(*row);
    if (status == "available"_L1)
        context.events.publishRecordingReady(*row);
    reply.sendJson(200, callJson(*row));
}

} // namespace

void registerAdminRoutes(Router &router, ServerContext &context)
{
    const auto add = [&router](Method method, const QString &pattern, Router::Handler handler) {
        router.add(method, pattern, RouteAccess::Admin, std::move(handler));
    };
    ServerContext *ctx = &context;

    add(Method::Get, u"/__admin/stats"_s, [ctx](ApiRequest &, HttpReply &reply) {
        reply.sendJson(200, QJsonDocument(ctx->stats.toJson()));
    });
    add(Method::Post, u"/__admin/stats/reset"_s, [ctx](ApiRequest &, HttpReply &reply) {
        ctx->stats.reset();
        reply.sendJson(200, QJsonDocument(ctx->stats.toJson()));
    });
    add(Method::Post, u"/__admin/calls"_s,
        [ctx](ApiRequest &request, HttpReply &reply) { createCalls(*ctx, request, reply); });
    add(Method::Post, u"/__admin/calls/<arg>/update"_s,
        [ctx](ApiRequest &request, HttpReply &reply) { updateCall(*ctx, request, reply); });
    add(Method::Post, u"/__admin/calls/<arg>/delete"_s,
        [ctx](ApiRequest &request, HttpReply &reply) { deleteCall(*ctx, request, reply); });
    add(Method::Post, u"/__admin/recordings/<arg>/status"_s,
        [ctx](ApiRequest &request, HttpReply &reply) { setRecordingStatus(*ctx, request, reply); });

    add(Method::Get, u"/__admin/faults"_s, [ctx](ApiRequest &, HttpReply &reply) {
        reply.sendJson(200, QJsonDocument(ctx->faults.toJson()));
    });
    add(Method::Post, u"/__admin/faults"_s, [ctx](ApiRequest &request, HttpReply &reply) {
        const auto body = jsonObjectBody(request, reply);
        QString error;
        if (!body)
            return;
        if (!ctx->faults.update(*body, &error)) {
            reply.sendError(400, "invalid_request"_L1, error);
            return;
        }
        reply.sendJson(200, QJsonDocument(ctx->faults.toJson()));
    });

    add(Method::Get, u"/__admin/policy"_s, [ctx](ApiRequest &, HttpReply &reply) {
        reply.sendJson(200, QJsonDocument(ctx->audit.policy().toJson()));
    });
    add(Method::Post, u"/__admin/policy"_s, [ctx](ApiRequest &request, HttpReply &reply) {
        const auto body = jsonObjectBody(request, reply);
        QString error;
        if (!body)
            return;
        if (!ctx->audit.updatePolicy(*body, &error)) {
            reply.sendError(400, "invalid_request"_L1, error);
            return;
        }
        reply.sendJson(200, QJsonDocument(ctx->audit.policy().toJson()));
    });

    add(Method::Post, u"/__admin/tokens/expire"_s, [ctx](ApiRequest &request, HttpReply &reply) {
        const auto body = jsonObjectBody(request, reply, true);
        if (!body)
            return;
        ctx->auth.expireAllAccessTokens();
        // A revoked session: the client's refresh fails too, and only a new sign-in helps.
        if (body->value("refresh"_L1).toBool())
            ctx->auth.expireAllRefreshTokens();
        reply.sendJson(200, "{}"_ba);
    });
}

} // namespace earshot::refserver
