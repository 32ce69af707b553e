#pragma once

#include "api/apitypes.h"
#include "domain/call.h"
#include "expected.h"

#include <QByteArray>
#include <QJsonObject>

// Parsing of the server contract (docs/server-api.md). A server is somebody else's
// system: every field is checked, and an error names the field and the record so that
// a server team can fix it.
namespace earshot::apijson {

constexpr qsizetype kMaxIdentifierLength = 128;

// A sha256 as the contract writes it: 64 hexadecimal digits, either case.
bool isHexSha256(QStringView text);
Expected<Call> parseCall(const QJsonObject &object);
Expected<CallsPage> parseCallsPage(const QByteArray &body);
Expected<Session> parseSession(const QByteArray &body);
Expected<User> parseUser(const QJsonObject &object);
Expected<RecordingLink> parseRecordingLink(const QByteArray &body);
Expected<RecordingAvailability> parseRecordingAvailability(const QByteArray &body);
Expected<AuditPolicy> parseAuditPolicy(const QByteArray &body);
Expected<AuditUploadAnswer> parseAuditUploadAnswer(const QByteArray &body);

// Best effort: a broken error body still yields an ApiError with the status.
ApiError parseError(int httpStatus, const QByteArray &body);

} // namespace earshot::apijson
