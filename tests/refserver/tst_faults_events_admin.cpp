// Injected faults (error rate, latency), real-time events (SSE and WebSocket) and the
// admin statistics.
#include "refserver_suites.h"
#include "test_helpers.h"

#include <QtCore/QElapsedTimer>
#include <QtNetwork/QNetworkReply>
#include <QtTest/QTest>
#include <QtWebSockets/QWebSocket>

using namespace Qt::StringLiterals;

namespace earshot::refserver::tests {

namespace {

class FaultsEventsAdminTests : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        m_server = std::make_unique<RefServer>(QStringList{u"--calls"_s, u"100"_s});
        QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
        m_token = m_server->login(u"supervisor@demo.test"_s).accessToken;
        QVERIFY(!m_token.isEmpty());
    }

    void cleanupTestCase() { m_server.reset(); }

    void cleanup()
    {
        m_server->adminPost(u"/__admin/faults"_s, {{u"error_rate"_s, 0}, {u"latency_ms"_s, 0}});
    }

    void errorRateOneAnswers503WithRetryAfter()
    {
        QVERIFY(!m_server->adminPost(u"/__admin/faults"_s, {{u"error_rate"_s, 1.0}}).isNull());
        for (const QString &path : {u"/api/me"_s, u"/api/calls"_s, u"/api/audit/policy"_s}) {
            const HttpResult result = m_server->api("GET", path, m_token);
            QCOMPARE(result.status, 503);
            QCOMPARE(result.header("retry-after"), "1"_ba);
            QCOMPARE(result.errorCode(), u"service_unavailable"_s);
        }
        // Logging in is exempt, so clients can always get a session.
        QVERIFY(m_server->login(u"agent@demo.test"_s).isValid());
        QCOMPARE(m_server->adminGet(u"/__admin/stats"_s).object().value("injected_errors"_L1).toInt(), 3);
    }

    void errorRateIsAFraction()
    {
        QVERIFY(!m_server->adminPost(u"/__admin/faults"_s, {{u"error_rate"_s, 0.5}}).isNull());
        int failures = 0;
        for (int i = 0; i < 60; ++i)
            failures += m_server->api("GET", u"/api/me"_s, m_token).status == 503;
        QVERIFY2(failures > 10 && failures < 50, qPrintable(QString::number(failures)));
    }

    void latencyDelaysResponses()
    {
        QVERIFY(!m_server->adminPost(u"/__admin/faults"_s, {{u"latency_ms"_s, 300}}).isNull());
        QElapsedTimer timer;
        timer.start();
        QCOMPARE(m_server->api("GET", u"/api/me"_s, m_token).status, 200);
        QVERIFY(timer.elapsed() >= 290);
        timer.restart();
        QCOMPARE(m_server->request("GET", m_server->url(u"/__admin/stats"_s)).status, 200);
        QVERIFY(timer.elapsed() < 250); // the admin API is never delayed
    }

    void serverSentEventsAnnounceChanges()
    {
        QNetworkRequest request(m_server->url(u"/api/events"_s));
        request.setRawHeader("Authorization", "Bearer " + m_token.toUtf8());
        request.setRawHeader("Accept", "text/event-stream");
        std::unique_ptr<QNetworkReply> stream(m_server->http().manager().get(request));
        QByteArray received;
        connect(stream.get(), &QNetworkReply::readyRead, this, [&]() { received += stream->readAll(); });
        QTRY_VERIFY_WITH_TIMEOUT(received.contains(": connected"), 5000);
        QVERIFY(stream->header(QNetworkRequest::ContentTypeHeader).toString().startsWith(u"text/event-stream"_s));

        m_server->adminPost(u"/__admin/calls/call_00000007/update"_s, {{u"outcome"_s, u"busy"_s}});
        QTRY_VERIFY_WITH_TIMEOUT(
            received.contains("data: {\"type\":\"call_updated\",\"call_id\":\"call_00000007\"}"), 5000);

        const QJsonObject created = m_server->adminPost(u"/__admin/calls"_s, {{u"count"_s, 1}, {u"recording_status"_s, u"pending"_s}}).object();
        const QString recordingId = created.value("recording_ids"_L1).toArray().first().toString();
        const QString callId = created.value("ids"_L1).toArray().first().toString();
        m_server->adminPost(u"/__admin/recordings/%1/status"_s.arg(recordingId), {{u"status"_s, u"available"_s}});
        const QByteArray ready = "data: {\"type\":\"recording_ready\",\"call_id\":\"" + callId.toUtf8()
                                 + "\",\"recording_id\":\"" + recordingId.toUtf8() + "\"}";
        QTRY_VERIFY_WITH_TIMEOUT(received.contains(ready), 5000);
        stream->abort();
    }

    void webSocketAnnouncesChanges()
    {
        QWebSocket socket;
        QStringList messages;
        connect(&socket, &QWebSocket::textMessageReceived, this, [&](const QString &m) { messages.append(m); });
        QUrl url = m_server->url(u"/api/events"_s);
        url.setScheme(u"ws"_s);
        QNetworkRequest request(url);
        request.setRawHeader("Authorization", "Bearer " + m_token.toUtf8());
        socket.open(request);
        QTRY_COMPARE_WITH_TIMEOUT(socket.state(), QAbstractSocket::ConnectedState, 5000);
        m_server->adminPost(u"/__admin/calls/call_00000008/update"_s, {{u"outcome"_s, u"no_answer"_s}});
        QTRY_VERIFY_WITH_TIMEOUT(
            messages.contains(u"{\"type\":\"call_updated\",\"call_id\":\"call_00000008\"}"_s), 5000);
        socket.close();
    }

    void webSocketWithoutTokenIsClosed()
    {
        QWebSocket socket;
        bool closed = false;
        connect(&socket, &QWebSocket::disconnected, this, [&]() { closed = true; });
        QUrl url = m_server->url(u"/api/events"_s);
        url.setScheme(u"ws"_s);
        socket.open(url);
        QTRY_VERIFY_WITH_TIMEOUT(closed, 5000);
        QCOMPARE(socket.closeCode(), QWebSocketProtocol::CloseCodePolicyViolated);
    }

    void agentsHearOnlyAboutTheirCalls()
    {
        const Tokens agent = m_server->login(u"agent@demo.test"_s);
        QNetworkRequest request(m_server->url(u"/api/events"_s));
        request.setRawHeader("Authorization", "Bearer " + agent.accessToken.toUtf8());
        std::unique_ptr<QNetworkReply> stream(m_server->http().manager().get(request));
        QByteArray received;
        connect(stream.get(), &QNetworkReply::readyRead, this, [&]() { received += stream->readAll(); });
        QTRY_VERIFY_WITH_TIMEOUT(received.contains(": connected"), 5000);

        const CallWalk own = walkCalls(*m_server, agent.accessToken);
        QVERIFY(!own.rows.isEmpty());
        const QString ownId = own.rows.first().value("id"_L1).toString();
        const auto other = findCall(*m_server, m_token, [&own](const QJsonObject &call) {
            return call.value("agent"_L1).toObject().value("id"_L1)
                   != own.rows.first().value("agent"_L1).toObject().value("id"_L1);
        });
        QVERIFY(other);
        m_server->adminPost(u"/__admin/calls/%1/update"_s.arg(other->value("id"_L1).toString()), {{u"outcome"_s, u"busy"_s}});
        m_server->adminPost(u"/__admin/calls/%1/update"_s.arg(ownId), {{u"outcome"_s, u"busy"_s}});
        QTRY_VERIFY_WITH_TIMEOUT(received.contains(ownId.toUtf8()), 5000);
        QVERIFY(!received.contains(other->value("id"_L1).toString().toUtf8()));
        stream->abort();
    }

    void adminStatsCountRequests()
    {
        QVERIFY(!m_server->adminPost(u"/__admin/stats/reset"_s).isNull());
        for (int i = 0; i < 3; ++i)
            QCOMPARE(m_server->api("GET", u"/api/me"_s, m_token).status, 200);
        QCOMPARE(m_server->api("GET", u"/api/calls?limit=40"_s, m_token).status, 200);
        QCOMPARE(m_server->api("GET", u"/api/calls/call_00000003"_s, m_token).status, 200);
        const QJsonObject stats = m_server->adminGet(u"/__admin/stats"_s).object();
        const QJsonObject requests = stats.value("requests"_L1).toObject();
        QCOMPARE(requests.value("GET /api/me"_L1).toInt(), 3);
        QCOMPARE(requests.value("GET /api/calls"_L1).toInt(), 1);
        QCOMPARE(requests.value("GET /api/calls/{id}"_L1).toInt(), 1);
        QVERIFY(!requests.contains("GET /__admin/stats"_L1));
        QCOMPARE(stats.value("call_rows_served"_L1).toInt(), 40);
        QCOMPARE(stats.value("media_bytes_served"_L1).toInt(), 0);
    }

    void adminRejectsBadFaults()
    {
        const HttpResult bad = m_server->request("POST", m_server->url(u"/__admin/faults"_s), {}, "{\"error_rate\": 2}");
        QCOMPARE(bad.status, 400);
        const QJsonObject faults = m_server->adminGet(u"/__admin/faults"_s).object();
        QCOMPARE(faults.value("error_rate"_L1).toDouble(), 0.0);
        QCOMPARE(faults.value("url_lifetime"_L1).toInt(), 300);
        QVERIFY(faults.value("drop_body_after"_L1).isNull());
    }

private:
    std::unique_ptr<RefServer> m_server;
    QString m_token;
};

} // namespace

std::unique_ptr<QObject> makeFaultsEventsAdminTests()
{
    return std::make_unique<FaultsEventsAdminTests>();
}

} // namespace earshot::refserver::tests

#include "tst_faults_events_admin.moc"
