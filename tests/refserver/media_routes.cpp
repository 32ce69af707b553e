// GET/HEAD /media/{RECORDING_ID.FORMAT}?expires=&nonce=&sig= — the signed recording URLs.
// The recording id only selects a database row; the file comes from that row. Answers
// carry the file's validators (ETag, Last-Modified) and honour Range and If-Range.
#include "byte_range.h"
#include "call_store.h"
#include "faults.h"
#include "logging.h"
#include "media_stream.h"
#include "request_stats.h"
#include "router.h"
#include "routes.h"
#include "server_context.h"
#include "url_signer.h"

#include <QtCore/QDateTime>

using namespace Qt::StringLiterals;

namespace earshot::refserver {

namespace {

QByteArray contentType(const QString &format)
{
    if (format == "wav"_L1)
        return "audio/wav"_ba;
    if (format == "mp3"_L1)
        return "audio/mpeg"_ba;
    if (format == "m4a"_L1)
        return "audio/mp4"_ba;
    if (format == "aac"_L1)
        return "audio/aac"_ba;
    if (format == "ogg"_L1)
        return "audio/ogg"_ba;
    if (format == "opus"_L1)
        return "audio/ogg; codecs=opus"_ba;
    return "application/octet-stream"_ba;
}

void serveMedia(ServerContext &context, ApiRequest &request, HttpReply &reply)
{
    const QString &fileName = request.arg;
    switch (context.signer.verify(fileName, request.query)) {
    case SignatureCheck::Invalid:
        reply.sendError(403, "invalid_signature"_L1, u"The URL signature does not match."_s);
        return;
    case SignatureCheck::Expired:
        reply.sendError(403, "url_expired"_L1, u"The URL has expired; ask the API for a fresh one."_s);
        return;
    case SignatureCheck::Valid:
        break;
    }

    const qsizetype dot = fileName.lastIndexOf(u'.');
    const QString recordingId = fileName.left(dot);
    const QString extension = dot < 0 ? QString() : fileName.mid(dot + 1);
    const auto call = context.calls.byRecordingId(recordingId, 0);
    if (!call || call->deleted || !call->recording || call->recording->format != extension) {
        reply.sendError(404, "recording_not_found"_L1, u"No such recording."_s);
        return;
    }
    if (call->recording->status != "available"_L1) {
        reply.sendError(404, "recording_unavailable"_L1, u"The recording is no longer available."_s);
        return;
    }
    auto file = std::make_unique<QFile>(CallStore::clipPath(context.recordingsDir, *call->recording));
    if (file->fileName().isEmpty() || !file->open(QIODevice::ReadOnly)) {
        qCWarning(lcRefServer) << "recording file missing:" << file->fileName() << file->errorString();
        reply.sendError(404, "recording_file_missing"_L1, u"The recording file is missing on the server."_s);
        return;
    }

    const qint64 size = file->size();
    // From the open file, not its path: the version streamed is the version described.
    const FileValidators validators =
        fileValidators(file->fileTime(QFileDevice::FileModificationTime).toMSecsSinceEpoch(), size);
    const ByteRangeRequest range = ifRangeAllowsRange(request.header("if-range"), validators)
        ? parseByteRange(request.header("range"), size)
        : ByteRangeRequest{};
    HttpHeaders headers{{"Content-Type"_ba, contentType(call->recording->format)},
                        {"Accept-Ranges"_ba, "bytes"_ba},
                        {"ETag"_ba, validators.etag},
                        {"Last-Modified"_ba, validators.lastModified},
                        {"Cache-Control"_ba, "private, no-transform"_ba},
                        {"Content-Disposition"_ba, "inline; filename=\"" + fileName.toUtf8() + '"'}};
    if (range.kind == ByteRangeRequest::Kind::Unsatisfiable) {
        reply.sendError(416, "range_not_satisfiable"_L1, u"The requested range is outside the file."_s,
                        {{"Content-Range"_ba, "bytes */" + QByteArray::number(size)},
                         {"Accept-Ranges"_ba, "bytes"_ba}});
        return;
    }
    const bool partial = range.kind == ByteRangeRequest::Kind::Partial;
    const qint64 first = partial ? range.first : 0;
    const qint64 length = partial ? range.length() : size;
    if (partial) {
        headers.append({"Content-Range"_ba, "bytes " + QByteArray::number(range.first) + '-'
                                                + QByteArray::number(range.last) + '/'
                                                + QByteArray::number(size)});
    }
    headers.append({"Content-Length"_ba, QByteArray::number(length)});
    reply.sendHead(partial ? 206 : 200, headers);

    if (request.method == QHttpServerRequest::Method::Head || length == 0) {
        reply.finishStream();
        return;
    }
    const qint64 dropAfter = context.faults.settings().dropBodyAfter;
    if (dropAfter >= 0 && dropAfter < length)
        context.stats.countDroppedBody();
    RequestStats &stats = context.stats;
    auto *stream = new MediaStream(
        reply.socket(), std::move(file), first, length, dropAfter,
        [&stats](qint64 bytes) { stats.addMediaBytes(bytes); }, [reply]() mutable { reply.finishStream(); });
    stream->start();
}

} // namespace

void registerMediaRoutes(Router &router, ServerContext &context)
{
    const auto handler = [&context](ApiRequest &request, HttpReply &reply) { serveMedia(context, request, reply); };
    router.add(QHttpServerRequest::Method::Get, u"/media/<arg>"_s, RouteAccess::Public, handler);
    router.add(QHttpServerRequest::Method::Head, u"/media/<arg>"_s, RouteAccess::Public, handler);
}

} // namespace earshot::refserver
