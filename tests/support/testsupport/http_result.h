// The outcome of one synchronous HTTP request in a test.
#pragma once

#include <QtCore/QByteArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QList>
#include <QtNetwork/QNetworkReply>

#include <utility>

namespace earshot::testsupport {

using HttpHeaders = QList<std::pair<QByteArray, QByteArray>>;

struct HttpResult
{
    int status = 0;          // 0 when no HTTP response arrived
    HttpHeaders headers;     // as received
    QByteArray body;         // everything received, also when the connection broke mid-body
    QNetworkReply::NetworkError error = QNetworkReply::NoError;
    QString errorString;
    bool timedOut = false;

    // First header of that name, compared case-insensitively; empty when absent.
    QByteArray header(QByteArrayView name) const
    {
        for (const auto &[key, value] : headers) {
            if (key.compare(name, Qt::CaseInsensitive) == 0)
                return value;
        }
        return {};
    }

    QJsonDocument json() const { return QJsonDocument::fromJson(body); }
    QJsonObject object() const { return json().object(); }
    // error.code of an API error body
    QString errorCode() const
    {
        return object().value(QLatin1StringView("error")).toObject().value(QLatin1StringView("code")).toString();
    }
};

} // namespace earshot::testsupport
