// GET /api/calls/{id}/recording, POST …/recording/refresh, GET …/recording/availability.
#include "call_store.h"
#include "faults.h"
#include "json_out.h"
#include "request_stats.h"
#include "route_helpers.h"
#include "router.h"
#include "routes.h"
#include "secure_link_signer.h"
#include "server_context.h"
#include "url_signer.h"

#include <QtCore/QDateTime>
#include <QtCore/QJsonObject>

using namespace Qt::StringLiterals;

namespace earshot::refserver {

namespace {

// The visible, live call of the request, or a 404 already sent.
std::optional<CallRow> requestedCall(ServerContext &context, const ApiRequest &request, HttpReply &reply)
{
    auto call = isValidIdentifier(request.arg) ? context.calls.byId(request.arg, request.user->callScope())
                                               : std::nullopt;
    if (!call || call->deleted) {
        reply.sendError(404, "call_not_found"_L1, u"No such call."_s);
        return std::nullopt;
    }
    if (!call->recording) {
        reply.sendError(404, "no_recording"_L1, u"This call has no recording."_s);
        return std::nullopt;
    }
    return call;
}

QJsonObject issueUrl(ServerContext &context, const CallRow &call)
{
    const RecordingRow &recording = *call.recording;
    const int lifetime = context.faults.settings().urlLifetimeSeconds;
    // With nginx in front, the link names the file itself: nginx has no database to look
    // the recording id up in.
    const SignedUrl url = context.secureLinks
                              ? context.secureLinks->sign(recording.clipFile, lifetime)
                              : context.signer.sign(UrlSigner::mediaFileName(recording.id, recording.format), lifetime);
    context.calls.markRecordingFetched(call.seq);
    context.stats.noteRecordingLink(call.id);
    // A lying server (a fault): the link dies sooner than the client is told.
    const int claimed = context.faults.settings().claimedUrlLifetimeSeconds;
    const qint64 expiresAt = claimed > 0 ? url.expiresAtSeconds - url.expiresInSeconds + claimed : url.expiresAtSeconds;
    return {{u"recording_url"_s, url.url},
            {u"expires_at"_s, QString::fromLatin1(json::timestamp(expiresAt * 1000, false))},
            {u"expires_in"_s, claimed > 0 ? claimed : url.expiresInSeconds}};
}

void recordingUrl(ServerContext &context, ApiRequest &request, HttpReply &reply)
{
    const auto call = requestedCall(context, request, reply);
    if (!call)
        return;
    const QString &status = call->recording->status;
    if (status == "pending"_L1) {
        reply.sendError(409, "recording_pending"_L1, u"The recording is still being processed."_s);
    } else if (status == "failed"_L1) {
        reply.sendError(404, "recording_failed"_L1, u"The recorder failed to produce this recording."_s);
    } else if (status != "available"_L1) {
        reply.sendError(404, "recording_unavailable"_L1, u"The recording is no longer available."_s);
    } else {
        reply.sendJson(200, QJsonDocument(issueUrl(context, *call)));
    }
}

void availability(ServerContext &context, ApiRequest &request, HttpReply &reply)
{
    const auto call = requestedCall(context, request, reply);
    if (!call)
        return;
    const RecordingRow &recording = *call->recording;
    QJsonObject body{{u"available"_s, recording.status == "available"_L1}, {u"status"_s, recording.status}};
    if (recording.lastFetchedAtMs > 0)
        body.insert(u"last_fetched_at"_s, QString::fromLatin1(json::timestamp(recording.lastFetchedAtMs, false)));
    if (recording.status == "available"_L1) {
        const QJsonObject url = issueUrl(context, *call);
        for (auto it = url.begin(); it != url.end(); ++it)
            body.insert(it.key(), it.value());
    }
    reply.sendJson(200, QJsonDocument(body));
}

} // namespace

void registerRecordingRoutes(Router &router, ServerContext &context)
{
    router.add(QHttpServerRequest::Method::Get, u"/api/calls/<arg>/recording"_s, RouteAccess::Authenticated,
               [&context](ApiRequest &request, HttpReply &reply) { recordingUrl(context, request, reply); });
    router.add(QHttpServerRequest::Method::Post, u"/api/calls/<arg>/recording/refresh"_s,
               RouteAccess::Authenticated,
               [&context](ApiRequest &request, HttpReply &reply) { recordingUrl(context, request, reply); });
    router.add(QHttpServerRequest::Method::Get, u"/api/calls/<arg>/recording/availability"_s,
               RouteAccess::Authenticated,
               [&context](ApiRequest &request, HttpReply &reply) { availability(context, request, reply); });
}

} // namespace earshot::refserver
