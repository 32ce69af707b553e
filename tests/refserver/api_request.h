// What a handler needs from an HTTP request, copied out of QHttpServerRequest: Qt reuses
// that object for the next request on the connection, and handlers may run later (the
// --latency-ms fault) than the request arrived.
#pragma once

#include <QtCore/QByteArray>
#include <QtCore/QList>
#include <QtCore/QString>
#include <QtCore/QUrlQuery>
#include <QtHttpServer/QHttpServerRequest>

#include <optional>

namespace earshot::refserver {

struct AuthUser
{
    qint64 seq = 0;
    QString id;
    QString name;
    QString email;
    QString role;
    qint64 agentSeq = 0; // nonzero for the agent role: sees only that agent's calls

    // 0 when the user may see every call.
    qint64 callScope() const { return role == QLatin1StringView("agent") ? agentSeq : 0; }
    bool mayReadAuditTrail() const
    {
        return role == QLatin1StringView("compliance") || role == QLatin1StringView("admin");
    }
};

struct ApiRequest
{
    QHttpServerRequest::Method method = QHttpServerRequest::Method::Unknown;
    QString path;
    QUrlQuery query;
    QByteArray body;
    QList<std::pair<QByteArray, QByteArray>> headers; // names in lower case
    QString arg;                                      // the route's <arg>, if any
    std::optional<AuthUser> user;                     // set on authenticated routes

    QByteArray header(QByteArrayView lowerCaseName) const
    {
        for (const auto &[name, value] : headers) {
            if (name == lowerCaseName)
                return value;
        }
        return {};
    }

    bool hasQueryItem(const QString &key) const { return query.hasQueryItem(key); }
    QString queryValue(const QString &key) const
    {
        return query.queryItemValue(key, QUrl::FullyDecoded);
    }
};

} // namespace earshot::refserver
