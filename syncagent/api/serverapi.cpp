#include "api/serverapi.h"

#include "agentlogging.h"
#include "api/apijson.h"
#include "http/urlredaction.h"

#include <QJsonDocument>
#include <QJsonObject>

using namespace Qt::StringLiterals;

namespace earshot {

namespace {

http::HttpRequest jsonPost(const QUrl &url, const QJsonDocument &body)
{
    http::HttpRequest request;
    request.method = "POST"_ba;
    request.url = url;
    request.headers = {{"Content-Type"_ba, "application/json"_ba}, {"Accept"_ba, "application/json"_ba}};
    request.body = body.toJson(QJsonDocument::Compact);
    return request;
}

http::HttpRequest jsonPost(const QUrl &url, const QJsonObject &body)
{
    return jsonPost(url, QJsonDocument(body));
}

http::HttpRequest jsonGet(const QUrl &url)
{
    http::HttpRequest request;
    request.url = url;
    request.headers = {{"Accept"_ba, "application/json"_ba}};
    return request;
}

// An answer the contract says we can read but cannot: the server team's bug to fix.
// (A 2xx status marks it as an answer, unlike a transfer failure, which has status 0.)
SyncError unreadable(const QString &what, const QString &parseError)
{
    return SyncError::server(u"The server sent %1 that the agent cannot read: %2"_s.arg(what, parseError), 200,
                             u"unreadable_answer"_s);
}

// A successful answer's body through the contract's parser for it; `what` names the
// kind of answer in the error when it does not parse.
template <typename T>
SyncResult<T> parsedAnswer(SyncResult<http::HttpResponse> response, Expected<T> (*parse)(const QByteArray &),
                           const QString &what)
{
    if (!response)
        return response.error();
    auto value = parse(response->body);
    if (!value)
        return unreadable(what, value.error());
    return std::move(value).value();
}

} // namespace

ServerApi::ServerApi(http::HttpTransport &transport, ServerAddress server, RetryPolicy retry,
                     const std::atomic<bool> *stopRequested)
    : m_transport(transport)
    , m_server(std::move(server))
    , m_retry(retry)
    , m_stopRequested(stopRequested)
{
}

void ServerApi::useSession(Session session, SessionSaver saveRotated)
{
    m_session = std::make_shared<SharedSession>(std::move(session), std::move(saveRotated));
}

QString ServerApi::signInAgainAdvice() const
{
    return u"Sign in again: earshot-sync login --server %1 --email YOUR_EMAIL"_s.arg(m_server.origin());
}

SyncError ServerApi::answerError(const http::HttpResponse &response, const QString &what) const
{
    const ApiError error = apijson::parseError(response.status, response.body);
    if (response.status >= 500 || response.status == 429)
        return SyncError::server(u"The server at %1 failed while sending %2: %3. The agent tries again on its next pass."_s
                                     .arg(m_server.origin(), what, error.describe()),
                                 response.status, error.code);
    return SyncError::server(u"The server at %1 refused %2: %3"_s.arg(m_server.origin(), what, error.describe()),
                             response.status, error.code);
}

SyncResult<http::HttpResponse> ServerApi::sendWithRetries(const http::HttpRequest &request, Auth auth,
                                                          const QString &what, http::HttpBodySink *sink,
                                                          QString *usedToken)
{
    for (int attempt = 1;; ++attempt) {
        http::HttpRequest authorized = request;
        if (auth == Auth::Bearer) {
            if (!m_session)
                return SyncError::signInAgain(u"Not signed in to %1. %2"_s.arg(m_server.origin(), signInAgainAdvice()));
            *usedToken = m_session->current().accessToken;
            authorized.headers.append({"Authorization"_ba, "Bearer "_ba + usedToken->toUtf8()});
        }
        auto result = m_transport.perform(authorized, sink);
        std::optional<std::chrono::seconds> retryAfter;
        QString failure;
        if (!result) {
            const http::TransferError &error = result.error();
            if (error.kind == http::TransferError::Kind::Cancelled)
                return SyncError::stopped();
            failure = error.message;
            if (!error.isTransient() || attempt >= m_retry.maxAttempts)
                return SyncError::server(u"Cannot reach the Earshot server at %1 while fetching %2: %3"_s.arg(
                    m_server.origin(), what, error.message));
        } else if (result->isSuccess()) {
            return std::move(result).value();
        } else {
            const ApiError error = apijson::parseError(result->status, result->body);
            if (!error.isRetryable() || attempt >= m_retry.maxAttempts)
                return answerError(*result, what);
            retryAfter = parseRetryAfter(result->header("retry-after"_ba), QDateTime::currentDateTimeUtc());
            if (retryAfter && *retryAfter > m_retry.maxRetryAfter)
                return SyncError::server(u"The server at %1 is busy and asked to wait %2 s before sending %3; "
                                         "the agent tries again on its next pass."_s.arg(m_server.origin())
                                             .arg(retryAfter->count())
                                             .arg(what),
                                         result->status, error.code);
            failure = error.describe();
        }
        const auto delay = m_retry.delayAfter(attempt, retryAfter);
        qCInfo(lcHttp).noquote() << "retrying" << http::redactedUrl(request.url) << "in" << delay.count()
                                 << "ms (attempt" << attempt << "failed:" << failure << ")";
        if (!sleepUnlessStopped(delay, m_stopRequested))
            return SyncError::stopped();
    }
}

SyncResult<http::HttpResponse> ServerApi::send(const http::HttpRequest &request, Auth auth, const QString &what,
                                               http::HttpBodySink *sink)
{
    QString usedToken;
    auto result = sendWithRetries(request, auth, what, sink, &usedToken);
    if (result || auth != Auth::Bearer || result.error().httpStatus != 401)
        return result;
    // The access token expired (or was revoked): one refresh, then the same request again.
    qCInfo(lcAuth) << "access token refused; refreshing the session";
    if (auto refreshed = refreshAfter(usedToken); !refreshed)
        return refreshed.error();
    result = sendWithRetries(request, auth, what, sink, &usedToken);
    if (!result && result.error().httpStatus == 401)
        return SyncError::signInAgain(u"The server at %1 refused a freshly refreshed session. %2"_s.arg(
            m_server.origin(), signInAgainAdvice()));
    return result;
}

SyncResult<Session> ServerApi::login(const QString &email, const QString &password)
{
    const auto request = jsonPost(m_server.endpoint(u"/api/auth/login"),
                                  QJsonObject{{u"email"_s, email}, {u"password"_s, password}});
    auto response = send(request, Auth::None, u"the sign-in"_s);
    if (!response) {
        if (response.error().httpStatus == 401 || response.error().httpStatus == 403)
            return SyncError::signInAgain(
                u"The server at %1 did not accept the email address or password for %2."_s.arg(m_server.origin(), email));
        return response.error();
    }
    auto session = apijson::parseSession(response->body);
    if (!session)
        return unreadable(u"a sign-in answer"_s, session.error());
    return std::move(session).value();
}

SyncResult<Session> ServerApi::refreshSession()
{
    if (!m_session)
        return SyncError::signInAgain(u"Not signed in to %1. %2"_s.arg(m_server.origin(), signInAgainAdvice()));
    return refreshAfter(m_session->current().accessToken);
}

SyncResult<Session> ServerApi::refreshAfter(const QString &staleAccessToken)
{
    if (!m_session)
        return SyncError::signInAgain(u"Not signed in to %1. %2"_s.arg(m_server.origin(), signInAgainAdvice()));
    return m_session->refreshUnlessDone(staleAccessToken, [this](const Session &session) { return requestRefresh(session); });
}

SyncResult<Session> ServerApi::requestRefresh(const Session &current)
{
    const auto request = jsonPost(m_server.endpoint(u"/api/auth/refresh"),
                                  QJsonObject{{u"refresh_token"_s, current.refreshToken}});
    auto response = send(request, Auth::None, u"a session refresh"_s);
    if (!response) {
        const int status = response.error().httpStatus;
        if (status == 400 || status == 401 || status == 403)
            return SyncError::signInAgain(
                u"The server at %1 no longer accepts the saved sign-in. %2"_s.arg(m_server.origin(), signInAgainAdvice()));
        return response.error();
    }
    auto session = apijson::parseSession(response->body);
    if (!session)
        return unreadable(u"a session refresh answer"_s, session.error());
    qCInfo(lcAuth) << "session refreshed for" << m_server.origin();
    return std::move(session).value();
}

SyncResult<User> ServerApi::me()
{
    auto response = send(jsonGet(m_server.endpoint(u"/api/me")), Auth::Bearer, u"the signed-in user"_s);
    if (!response)
        return response.error();
    const QJsonObject object = QJsonDocument::fromJson(response->body).object();
    auto user = apijson::parseUser(object);
    if (!user)
        return unreadable(u"a user"_s, user.error());
    return std::move(user).value();
}

SyncResult<CallsPage> ServerApi::callsPage(const QString &cursor, int limit)
{
    QUrlQuery query;
    // QUrlQuery encodes the opaque cursor; '+' and '&' in it stay data, not syntax.
    if (!cursor.isEmpty())
        query.addQueryItem(u"updated_since"_s, QString::fromLatin1(QUrl::toPercentEncoding(cursor)));
    query.addQueryItem(u"limit"_s, QString::number(limit));
    return parsedAnswer(send(jsonGet(m_server.endpoint(u"/api/calls", query)), Auth::Bearer, u"the call list"_s),
                        &apijson::parseCallsPage, u"a page of calls"_s);
}

SyncResult<RecordingLink> ServerApi::recordingLink(const QString &callId)
{
    return parsedAnswer(send(jsonGet(m_server.callEndpoint(callId, u"/recording")), Auth::Bearer,
                             u"the recording link of call %1"_s.arg(callId)),
                        &apijson::parseRecordingLink, u"a recording link"_s);
}

SyncResult<RecordingLink> ServerApi::refreshRecordingLink(const QString &callId)
{
    return parsedAnswer(send(jsonPost(m_server.callEndpoint(callId, u"/recording/refresh"), QJsonObject()),
                             Auth::Bearer, u"a fresh recording link for call %1"_s.arg(callId)),
                        &apijson::parseRecordingLink, u"a recording link"_s);
}

SyncResult<RecordingAvailability> ServerApi::recordingAvailability(const QString &callId)
{
    return parsedAnswer(send(jsonGet(m_server.callEndpoint(callId, u"/recording/availability")), Auth::Bearer,
                             u"the availability of the recording of call %1"_s.arg(callId)),
                        &apijson::parseRecordingAvailability, u"a recording availability"_s);
}

SyncResult<Done> ServerApi::streamEvents(http::HttpBodySink &sink)
{
    http::HttpRequest request = jsonGet(m_server.endpoint(u"/api/events"));
    request.headers = {{"Accept"_ba, "text/event-stream"_ba}, {"Cache-Control"_ba, "no-cache"_ba}};
    auto response = send(request, Auth::Bearer, u"the server's event channel"_s, &sink);
    if (!response)
        return response.error();
    return Done{};
}

SyncResult<AuditPolicy> ServerApi::auditPolicy()
{
    return parsedAnswer(send(jsonGet(m_server.endpoint(u"/api/audit/policy")), Auth::Bearer, u"the audit policy"_s),
                        &apijson::parseAuditPolicy, u"an audit policy"_s);
}

SyncResult<AuditUploadAnswer> ServerApi::uploadAuditEvents(const QJsonArray &events)
{
    // Safe to retry: the server records each event_id once.
    return parsedAnswer(send(jsonPost(m_server.endpoint(u"/api/audit/events"), QJsonDocument(events)), Auth::Bearer,
                             u"the upload of %1 audit events"_s.arg(events.size())),
                        &apijson::parseAuditUploadAnswer, u"an answer to an audit upload"_s);
}

} // namespace earshot
