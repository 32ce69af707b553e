#pragma once

#include "api/apitypes.h"
#include "api/retrypolicy.h"
#include "api/serveraddress.h"
#include "api/sharedsession.h"
#include "domain/call.h"
#include "http/httptransport.h"
#include "syncerror.h"

#include <QJsonArray>

#include <functional>
#include <memory>

namespace earshot {

// The agent's side of the server contract (docs/server-api.md): sign-in, the call
// metadata pages and recording links. Authenticated calls carry the bearer token; a 401
// refreshes the session once (saving the rotated tokens through the saver) and retries.
// 429 and 5xx are retried with backoff that honours Retry-After. One instance per thread
// (the transport is not thread-safe); instances of one agent share their session.
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
    // Shares the session (and its refreshes) of another thread's client.
    void useSharedSession(std::shared_ptr<SharedSession> session) { m_session = std::move(session); }
    const std::shared_ptr<SharedSession> &sharedSession() const { return m_session; }

    SyncResult<Session> login(const QString &email, const QString &password);
    SyncResult<Session> refreshSession();
    SyncResult<User> me();
    SyncResult<CallsPage> callsPage(const QString &cursor, int limit);
    SyncResult<RecordingLink> recordingLink(const QString &callId);
    SyncResult<RecordingLink> refreshRecordingLink(const QString &callId);
    // For polling a recording the server is still processing.
    SyncResult<RecordingAvailability> recordingAvailability(const QString &callId);
    // GET /api/events as Server-Sent Events: the body streams into the sink until the
    // server or the stop flag ends it. Not retried here: the caller reconnects with backoff.
    SyncResult<Done> streamEvents(http::HttpBodySink &sink);
    SyncResult<AuditPolicy> auditPolicy();
    // At most 500 events (the contract's limit); the caller batches.
    SyncResult<AuditUploadAnswer> uploadAuditEvents(const QJsonArray &events);

private:
    enum class Auth { None, Bearer };
    // sendWithRetries, plus one session refresh and another try when a bearer call gets 401.
    SyncResult<http::HttpResponse> send(const http::HttpRequest &request, Auth auth, const QString &what,
                                        http::HttpBodySink *sink = nullptr);
    // Retries 429, 5xx and broken or stalled transfers; any other non-2xx answer becomes an
    // error that names `what`. *usedToken: the access token the last attempt carried.
    SyncResult<http::HttpResponse> sendWithRetries(const http::HttpRequest &request, Auth auth, const QString &what,
                                                   http::HttpBodySink *sink, QString *usedToken);
    // The refresh itself; the shared session decides whether it is still needed.
    SyncResult<Session> requestRefresh(const Session &session);
    SyncResult<Session> refreshAfter(const QString &staleAccessToken);
    SyncError answerError(const http::HttpResponse &response, const QString &what) const;
    QString signInAgainAdvice() const;

    http::HttpTransport &m_transport;
    ServerAddress m_server;
    RetryPolicy m_retry;
    const std::atomic<bool> *m_stopRequested;
    std::shared_ptr<SharedSession> m_session;
};

} // namespace earshot
