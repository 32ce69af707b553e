#pragma once

#include "api/apitypes.h"
#include "api/retrypolicy.h"
#include "api/serveraddress.h"
#include "domain/call.h"
#include "http/httptransport.h"
#include "syncerror.h"

#include <QJsonArray>

#include <functional>
#include <optional>

namespace earshot {

// The agent's side of the server contract (docs/server-api.md): sign-in, the call
// metadata pages and recording links. Authenticated calls carry the bearer token; a 401
// refreshes the session once (saving the rotated tokens through the saver) and retries.
// 429 and 5xx are retried with backoff that honours Retry-After.
class ServerApi
{
public:
    // Persists a session the server rotated; a failure is logged, not fatal, because
    // the new tokens still work for this run.
    using SessionSaver = std::function<Status(const Session &)>;

    ServerApi(http::HttpTransport &transport, ServerAddress server, RetryPolicy retry,
              const std::atomic<bool> *stopRequested);

    const ServerAddress &server() const { return m_server; }
    void useSession(Session session, SessionSaver saveRotated);

    SyncResult<Session> login(const QString &email, const QString &password);
    SyncResult<Session> refreshSession();
    SyncResult<User> me();
    SyncResult<CallsPage> callsPage(const QString &cursor, int limit);
    SyncResult<RecordingLink> recordingLink(const QString &callId);
    SyncResult<RecordingLink> refreshRecordingLink(const QString &callId);
    // For polling a recording the server is still processing.
    SyncResult<RecordingAvailability> recordingAvailability(const QString &callId);
    SyncResult<AuditPolicy> auditPolicy();
    // At most 500 events (the contract's limit); the caller batches.
    SyncResult<AuditUploadAnswer> uploadAuditEvents(const QJsonArray &events);

private:
    enum class Auth { None, Bearer };
    // sendWithRetries, plus one session refresh and another try when a bearer call gets 401.
    SyncResult<http::HttpResponse> send(const http::HttpRequest &request, Auth auth, const QString &what);
    // Retries 429, 5xx and broken or stalled transfers; any other non-2xx answer becomes an
    // error that names `what`.
    SyncResult<http::HttpResponse> sendWithRetries(const http::HttpRequest &request, Auth auth, const QString &what);
    SyncError answerError(const http::HttpResponse &response, const QString &what) const;
    QString signInAgainAdvice() const;

    http::HttpTransport &m_transport;
    ServerAddress m_server;
    RetryPolicy m_retry;
    const std::atomic<bool> *m_stopRequested;
    std::optional<Session> m_session;
    SessionSaver m_saveRotated;
};

} // namespace earshot
