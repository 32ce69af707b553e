// The audit trail: policy, POST /api/audit/events (validation, hashes, idempotency),
// GET /api/audit/events (roles, paging) and POST /api/recordings/{id}/downloads.
#include "refserver_suites.h"
#include "test_helpers.h"

#include <QtTest/QTest>

using namespace Qt::StringLiterals;

namespace earshot::refserver::tests {

namespace {

class AuditTests : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        m_server = std::make_unique<RefServer>(QStringList{u"--calls"_s, u"200"_s});
        QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
        m_supervisor = m_server->login(u"supervisor@demo.test"_s);
        m_compliance = m_server->login(u"compliance@demo.test"_s);
        QVERIFY(m_supervisor.isValid() && m_compliance.isValid());
        m_userId = m_supervisor.user.value("id"_L1).toString();
    }

    void cleanupTestCase() { m_server.reset(); }

    void policyHasDefaultsAndFollowsTheAdmin()
    {
        const HttpResult policy = m_server->api("GET", u"/api/audit/policy"_s, m_supervisor.accessToken);
        QCOMPARE(policy.status, 200);
        const QJsonObject defaults{{u"require_reason"_s, false},
                                   {u"require_server_ack_before_export"_s, true},
                                   {u"local_retention_days"_s, 30},
                                   {u"allow_offline_playback"_s, true}};
        QCOMPARE(policy.object(), defaults);

        QVERIFY(!m_server->adminPost(u"/__admin/policy"_s, {{u"require_reason"_s, true}, {u"local_retention_days"_s, 7}}).isNull());
        const QJsonObject changed = m_server->api("GET", u"/api/audit/policy"_s, m_supervisor.accessToken).object();
        QCOMPARE(changed.value("require_reason"_L1).toBool(), true);
        QCOMPARE(changed.value("local_retention_days"_L1).toInt(), 7);
        QVERIFY(m_server->adminPost(u"/__admin/policy"_s, {{u"local_retention_days"_s, u"seven"_s}}).isNull());
        QVERIFY(!m_server->adminPost(u"/__admin/policy"_s, defaults).isNull());
    }

    void canonicalHashMatchesTheDocumentedVector()
    {
        // The example of docs/server-api.md; the hash was computed independently with
        // Python: json.dumps(event, sort_keys=True, separators=(",", ":"), ensure_ascii=False).
        const QJsonObject event{
            {u"event_id"_s, u"3f1c2a9e-8d4b-4e0f-9a51-2b7c6d8e9f01"_s},
            {u"type"_s, u"recording.exported"_s},
            {u"call_id"_s, u"call_00000042"_s},
            {u"recording_id"_s, u"rec_00000042"_s},
            {u"user_id"_s, u"usr_compliance"_s},
            {u"occurred_at"_s, u"2026-03-14T10:22:31.250Z"_s},
            {u"reason"_s, u"Dispute #4471 \u2013 customer requested a copy\n(\u201curgent\u201d)"_s},
            {u"sha256"_s, u"0a02dc2e065a2c9f43796e0773a8922fc082fd1765620e032458fbcaaeedc26f"_s},
            {u"destination"_s, u"/home/marguerite/Exports/call_00000042.wav"_s},
            {u"client"_s, QJsonObject{{u"host"_s, u"WS-0042"_s}, {u"os"_s, u"Debian GNU/Linux 12"_s},
                                      {u"app_version"_s, u"0.1.0"_s}}},
            {u"prev_hash"_s, u"0000000000000000000000000000000000000000000000000000000000000000"_s},
        };
        QCOMPARE(sha256Hex(canonicalJson(event)), u"5715f630cc507052f74ae5e0bbf367ebff21e1509105ed5e8bc2caf6ab213098"_s);
        const HttpResult posted = post(QJsonArray{withHash(event)});
        QCOMPARE(posted.object().value("accepted"_L1).toArray(), QJsonArray{event.value("event_id"_L1)});
    }

    void eventsAreAcceptedOnce()
    {
        const QJsonObject first = makeAuditEvent(u"recording.played"_s, m_userId, QString(),
                                                 {{u"call_id"_s, u"call_00000001"_s}, {u"recording_id"_s, u"rec_00000001"_s}});
        const QJsonObject second = makeAuditEvent(u"session.login"_s, m_userId, first.value("hash"_L1).toString());
        const HttpResult posted = post({first, second});
        QCOMPARE(posted.status, 200);
        QCOMPARE(posted.object().value("accepted"_L1).toArray(),
                 (QJsonArray{first.value("event_id"_L1), second.value("event_id"_L1)}));
        QCOMPARE(posted.object().value("rejected"_L1).toArray().size(), 0);

        // A resend (say, after a lost response) is acknowledged again but stored once.
        const HttpResult resent = post({first});
        QCOMPARE(resent.object().value("accepted"_L1).toArray(), QJsonArray{first.value("event_id"_L1)});
        int copies = 0;
        for (const QJsonObject &stored : allEvents(m_compliance.accessToken))
            copies += stored.value("event"_L1).toObject().value("event_id"_L1) == first.value("event_id"_L1);
        QCOMPARE(copies, 1);

        // The same event_id with different content is a client bug, not a resend.
        QJsonObject changed = first;
        changed.insert(u"reason"_s, u"edited"_s);
        const QJsonArray rejected = post({withHash(changed)}).object().value("rejected"_L1).toArray();
        QCOMPARE(rejected.size(), 1);
        QCOMPARE(rejected.first().toObject().value("error"_L1).toString(), u"event_id_conflict"_s);
    }

    void invalidEventsAreRejected_data()
    {
        QTest::addColumn<QString>("field");
        QTest::addColumn<QJsonValue>("value");
        QTest::addColumn<bool>("rehash");
        QTest::addColumn<QString>("error");
        QTest::newRow("event_id") << u"event_id"_s << QJsonValue(u"not-a-uuid"_s) << true << u"invalid_event_id"_s;
        QTest::newRow("type") << u"type"_s << QJsonValue(u"recording.burned"_s) << true << u"invalid_type"_s;
        QTest::newRow("user_id") << u"user_id"_s << QJsonValue(u""_s) << true << u"invalid_user_id"_s;
        QTest::newRow("occurred_at") << u"occurred_at"_s << QJsonValue(u"yesterday"_s) << true << u"invalid_occurred_at"_s;
        QTest::newRow("client") << u"client"_s << QJsonValue(QJsonObject{{u"host"_s, u"x"_s}}) << true << u"invalid_client"_s;
        QTest::newRow("prev_hash") << u"prev_hash"_s << QJsonValue(u"abc"_s) << true << u"invalid_prev_hash"_s;
        QTest::newRow("sha256") << u"sha256"_s << QJsonValue(u"xyz"_s) << true << u"invalid_sha256"_s;
        QTest::newRow("hash") << u"hash"_s << QJsonValue(u"deadbeef"_s) << false << u"invalid_hash"_s;
        QTest::newRow("tampered") << u"reason"_s << QJsonValue(u"added after hashing"_s) << false << u"hash_mismatch"_s;
    }

    void invalidEventsAreRejected()
    {
        QFETCH(QString, field);
        QFETCH(QJsonValue, value);
        QFETCH(bool, rehash);
        QFETCH(QString, error);
        QJsonObject event = makeAuditEvent(u"recording.downloaded"_s, m_userId, QString(),
                                           {{u"recording_id"_s, u"rec_00000001"_s}});
        event.insert(field, value);
        if (rehash)
            event = withHash(event);
        const QJsonObject good = makeAuditEvent(u"session.logout"_s, m_userId, QString());
        const QJsonObject body = post({event, good}).object();
        QCOMPARE(body.value("accepted"_L1).toArray(), QJsonArray{good.value("event_id"_L1)});
        const QJsonArray rejected = body.value("rejected"_L1).toArray();
        QCOMPARE(rejected.size(), 1);
        QCOMPARE(rejected.first().toObject().value("error"_L1).toString(), error);
        if (field != "event_id"_L1)
            QCOMPARE(rejected.first().toObject().value("event_id"_L1), event.value("event_id"_L1));
    }

    void batchLimits()
    {
        QJsonArray tooMany;
        for (int i = 0; i < 501; ++i)
            tooMany.append(makeAuditEvent(u"session.login"_s, m_userId, QString()));
        const HttpResult refused = post(tooMany);
        QCOMPARE(refused.status, 400);
        QCOMPARE(refused.errorCode(), u"too_many_events"_s);
        tooMany.removeLast();
        QCOMPARE(post(tooMany).object().value("accepted"_L1).toArray().size(), 500);

        const HttpResult notArray = m_server->request("POST", m_server->url(u"/api/audit/events"_s),
                                                      bearer(m_supervisor.accessToken), R"({"event_id":"x"})");
        QCOMPARE(notArray.status, 400);
        const QJsonObject notObject = post({QJsonValue(42)}).object();
        QCOMPARE(notObject.value("rejected"_L1).toArray().first().toObject().value("error"_L1).toString(),
                 u"invalid_event"_s);
    }

    void readingTheTrailNeedsComplianceOrAdmin()
    {
        const HttpResult supervisor = m_server->api("GET", u"/api/audit/events"_s, m_supervisor.accessToken);
        QCOMPARE(supervisor.status, 403);
        QCOMPARE(supervisor.errorCode(), u"forbidden"_s);
        const Tokens agent = m_server->login(u"agent@demo.test"_s);
        QCOMPARE(m_server->api("GET", u"/api/audit/events"_s, agent.accessToken).status, 403);
        const Tokens admin = m_server->login(u"admin@demo.test"_s);
        QCOMPARE(m_server->api("GET", u"/api/audit/events"_s, admin.accessToken).status, 200);

        const HttpResult compliance = m_server->api("GET", u"/api/audit/events?limit=2"_s, m_compliance.accessToken);
        QCOMPARE(compliance.status, 200);
        const QJsonObject page = compliance.object();
        QCOMPARE(page.value("data"_L1).toArray().size(), 2);
        QCOMPARE(page.value("has_more"_L1).toBool(), true);
        const QJsonObject stored = page.value("data"_L1).toArray().first().toObject();
        QVERIFY(stored.value("event"_L1).isObject());
        QCOMPARE(stored.value("submitted_by"_L1).toString(), m_userId);
        QVERIFY(!stored.value("received_at"_L1).toString().isEmpty());
        QCOMPARE(m_server->api("GET", u"/api/audit/events?since=bogus"_s, m_compliance.accessToken).status, 400);
    }

    void downloadsEndpointRecordsTheDownload()
    {
        const QJsonObject request{{u"reason"_s, u"QA review"_s},
                                  {u"client"_s, QJsonObject{{u"host"_s, u"WS-7"_s}, {u"os"_s, u"Debian 12"_s},
                                                            {u"app_version"_s, u"0.1.0"_s}}}};
        const auto call = findCall(*m_server, m_supervisor.accessToken,
                                   [](const QJsonObject &c) { return c.value("recording"_L1).isObject(); });
        QVERIFY(call);
        const QString recordingId = call->value("recording"_L1).toObject().value("id"_L1).toString();
        const HttpResult created = m_server->api("POST", u"/api/recordings/%1/downloads"_s.arg(recordingId),
                                                 m_supervisor.accessToken, QJsonDocument(request));
        QCOMPARE(created.status, 201);
        QCOMPARE(created.object().value("recording_id"_L1).toString(), recordingId);
        const QString id = created.object().value("id"_L1).toString();

        bool found = false;
        for (const QJsonObject &stored : allEvents(m_compliance.accessToken)) {
            const QJsonObject event = stored.value("event"_L1).toObject();
            if (event.value("event_id"_L1).toString() != id)
                continue;
            found = true;
            QCOMPARE(event.value("type"_L1).toString(), u"recording.downloaded"_s);
            QCOMPARE(event.value("reason"_L1).toString(), u"QA review"_s);
            QCOMPARE(stored.value("source"_L1).toString(), u"downloads_endpoint"_s);
        }
        QVERIFY(found);
        QCOMPARE(m_server->api("POST", u"/api/recordings/rec_nope/downloads"_s, m_supervisor.accessToken,
                               QJsonDocument(request)).status, 404);
        QCOMPARE(m_server->api("POST", u"/api/recordings/%1/downloads"_s.arg(recordingId), m_supervisor.accessToken,
                               QJsonDocument(QJsonObject{{u"reason"_s, 5}})).status, 400);
    }

private:
    HttpResult post(const QJsonArray &events)
    {
        return m_server->api("POST", u"/api/audit/events"_s, m_supervisor.accessToken, QJsonDocument(events));
    }

    QList<QJsonObject> allEvents(const QString &token)
    {
        QList<QJsonObject> events;
        QString cursor;
        for (int page = 0; page < 100; ++page) {
            const QJsonObject body = m_server->api("GET", u"/api/audit/events?limit=1000&since="_s + cursor, token).object();
            for (const QJsonValue &value : body.value("data"_L1).toArray())
                events.append(value.toObject());
            cursor = body.value("next_cursor"_L1).toString();
            if (!body.value("has_more"_L1).toBool())
                break;
        }
        return events;
    }

    std::unique_ptr<RefServer> m_server;
    Tokens m_supervisor;
    Tokens m_compliance;
    QString m_userId;
};

} // namespace

std::unique_ptr<QObject> makeAuditTests()
{
    return std::make_unique<AuditTests>();
}

} // namespace earshot::refserver::tests

#include "tst_audit.moc"
