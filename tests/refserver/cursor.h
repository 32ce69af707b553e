// Opaque pagination cursors: base64url of a versioned position. Clients store and send
// them back; they never parse them.
#pragma once

#include <QtCore/QByteArray>
#include <QtCore/QString>

#include <optional>

namespace earshot::refserver {

// Position after the (updated_at, id) of the last call row handed out.
struct CallCursor
{
    qint64 updatedAtMs = 0;
    QString id;
};

QByteArray encodeCallCursor(const CallCursor &cursor);
std::optional<CallCursor> decodeCallCursor(QByteArrayView text);

// Position after the last audit event (server sequence number).
QByteArray encodeAuditCursor(qint64 seq);
std::optional<qint64> decodeAuditCursor(QByteArrayView text);

} // namespace earshot::refserver
