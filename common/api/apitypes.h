#pragma once

#include "domain/call.h"

#include <QList>
#include <QString>
#include <QStringList>
#include <QUrl>

namespace earshot {

struct User
{
    QString id;
    QString name;
    QString email;
    QString role; // admin, supervisor, compliance, agent: the server decides what each may see
};

// What /api/auth/login and /api/auth/refresh answer.
struct Session
{
    QString accessToken;
    QString refreshToken;
    qint64 expiresInSeconds = 0;
    User user;
};

// A signed, expiring recording URL. Expiry is computed from expiresInSeconds against
// the local clock when it arrives, never from expiresAt: laptop clocks drift.
struct RecordingLink
{
    QUrl url;
    qint64 expiresInSeconds = 0;
    QString expiresAt;
};

struct RecordingAvailability
{
    bool available = false;
    RecordingStatus status = RecordingStatus::Pending;
    QUrl url; // only when available
};

struct AuditPolicy
{
    bool requireReason = false;
    bool requireServerAckBeforeExport = true;
    int localRetentionDays = 30;
    bool allowOfflinePlayback = true;
};

// What POST /api/audit/events answers. A rejection without an event id (the server could
// not read one) cannot be matched to an event.
struct AuditRejection
{
    QString eventId;
    QString error;
};

struct AuditUploadAnswer
{
    QStringList accepted;
    QList<AuditRejection> rejected;
};

// The server's {"error": {"code", "message"}} body together with the HTTP status.
struct ApiError
{
    int httpStatus = 0;
    QString code;
    QString message;
    qint64 retryAfterSeconds = -1; // from Retry-After on 429/503, -1 when absent

    bool isRetryable() const { return httpStatus == 429 || httpStatus >= 500 || httpStatus == 0; }
    QString describe() const;
};

} // namespace earshot
