#include "route_helpers.h"

#include <QtCore/QJsonDocument>
#include <QtCore/QJsonParseError>

using namespace Qt::StringLiterals;

namespace earshot::refserver {

namespace {

std::optional<QJsonDocument> parseBody(const ApiRequest &request, HttpReply &reply)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(request.body, &error);
    if (error.error != QJsonParseError::NoError) {
        reply.sendError(400, "invalid_json"_L1, u"The body is not valid JSON: %1"_s.arg(error.errorString()));
        return std::nullopt;
    }
    return document;
}

} // namespace

std::optional<QJsonObject> jsonObjectBody(const ApiRequest &request, HttpReply &reply, bool allowEmpty)
{
    if (allowEmpty && request.body.trimmed().isEmpty())
        return QJsonObject();
    const auto document = parseBody(request, reply);
    if (!document)
        return std::nullopt;
    if (!document->isObject()) {
        reply.sendError(400, "invalid_request"_L1, u"The body must be a JSON object."_s);
        return std::nullopt;
    }
    return document->object();
}

std::optional<QJsonArray> jsonArrayBody(const ApiRequest &request, HttpReply &reply)
{
    const auto document = parseBody(request, reply);
    if (!document)
        return std::nullopt;
    if (!document->isArray()) {
        reply.sendError(400, "invalid_request"_L1, u"The body must be a JSON array."_s);
        return std::nullopt;
    }
    return document->array();
}

std::optional<int> pageLimit(const ApiRequest &request, HttpReply &reply)
{
    if (!request.hasQueryItem(u"limit"_s))
        return 500;
    bool ok = false;
    const int limit = request.queryValue(u"limit"_s).toInt(&ok);
    if (!ok || limit < 1 || limit > 1000) {
        reply.sendError(400, "invalid_limit"_L1, u"limit must be an integer from 1 to 1000."_s);
        return std::nullopt;
    }
    return limit;
}

bool isValidIdentifier(const QString &id)
{
    return !id.isEmpty() && id.size() <= 128;
}

} // namespace earshot::refserver
