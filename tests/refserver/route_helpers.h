// Request parsing shared by the route groups; each helper answers 400 itself on failure.
#pragma once

#include "api_request.h"
#include "http_reply.h"

#include <QtCore/QJsonArray>
#include <QtCore/QJsonObject>

#include <optional>

namespace earshot::refserver {

// The body as a JSON object (an empty body counts as {} when allowEmpty).
std::optional<QJsonObject> jsonObjectBody(const ApiRequest &request, HttpReply &reply,
                                          bool allowEmpty = false);
std::optional<QJsonArray> jsonArrayBody(const ApiRequest &request, HttpReply &reply);

// ?limit=N within 1..1000, default 500.
std::optional<int> pageLimit(const ApiRequest &request, HttpReply &reply);

// Identifiers are opaque strings of at most 128 characters.
bool isValidIdentifier(const QString &id);

} // namespace earshot::refserver
