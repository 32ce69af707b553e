// Shared helpers of the refserver contract tests.
#pragma once

#include "testsupport/ref_server.h"

#include <QtCore/QJsonArray>
#include <QtCore/QJsonObject>
#include <QtCore/QList>
#include <QtCore/QString>

#include <functional>
#include <optional>

namespace earshot::refserver::tests {

using testsupport::bearer;
using testsupport::HttpHeaders;
using testsupport::HttpResult;
using testsupport::RefServer;
using testsupport::Tokens;

// Every row of the mirror feed from a cursor to the end.
struct CallWalk
{
    QList<QJsonObject> rows;
    QString finalCursor;
    int pages = 0;
    QString error; // empty when the walk succeeded
};
CallWalk walkCalls(RefServer &server, const QString &token, const QString &fromCursor = {}, int limit = 1000);

// The first live call in the feed for which the predicate holds.
std::optional<QJsonObject> findCall(RefServer &server, const QString &token,
                                    const std::function<bool(const QJsonObject &)> &predicate);
std::optional<QJsonObject> findCallWithRecordingStatus(RefServer &server, const QString &token,
                                                       const QString &status);

struct ManifestEntry
{
    QString file;
    QString format;
    int channels = 0;
    double durationSeconds = 0;
    qint64 sizeBytes = 0;
    QString sha256;
};
QList<ManifestEntry> readFixtureManifest();

QString sha256Hex(const QByteArray &data);

// Canonical JSON as docs/server-api.md defines it for audit hashes, written independently
// of the server's implementation.
QByteArray canonicalJson(const QJsonValue &value);

// A well-formed audit event with its hash; extra members are merged in before hashing.
QJsonObject makeAuditEvent(const QString &type, const QString &userId, const QString &prevHash,
                           const QJsonObject &extra = {});
QJsonObject withHash(QJsonObject event);

} // namespace earshot::refserver::tests
