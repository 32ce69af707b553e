// Checks one AuditEvent as a client sent it, including its hash: SHA-256 over the
// canonical JSON of the event without "hash".
#pragma once

#include <QtCore/QJsonObject>
#include <QtCore/QString>

namespace earshot::refserver {

// Empty when valid; otherwise a snake_case error code for the "rejected" list.
QString auditEventError(const QJsonObject &event);

// The hash the event should carry.
QByteArray expectedAuditHash(const QJsonObject &event);

bool isKnownAuditType(const QString &type);

} // namespace earshot::refserver
