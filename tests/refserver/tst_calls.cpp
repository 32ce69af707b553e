// The incremental mirror feed (GET /api/calls) and GET /api/calls/{id}: paging, cursors,
// ordering, changes, tombstones, roles, and the shape of a Call.
#include "refserver_suites.h"
#include "test_helpers.h"

#include <QtCore/QDateTime>
#include <QtCore/QSet>
#include <QtTest/QTest>

using namespace Qt::StringLiterals;

namespace earshot::refserver::tests {

namespace {

QString key(const QJsonObject &row)
{
    return row.value("updated_at"_L1).toString() + u'|' + row.value("id"_L1).toString();
}

class CallsTests : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        m_server = std::make_unique<RefServer>(QStringList{u"--demo"_s});
        QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
        m_token = m_server->login(u"supervisor@demo.test"_s).accessToken;
        QVERIFY(!m_token.isEmpty());
    }

    void cleanupTestCase() { m_server.reset(); }

    void pagingVisitsEveryCallOnce()
    {
        const CallWalk walk = walkCalls(*m_server, m_token);
        QVERIFY2(walk.error.isEmpty(), qPrintable(walk.error));
        QCOMPARE(walk.rows.size(), 5000);
        QCOMPARE(walk.pages, 5);
        QSet<QString> ids;
        QString previous;
        for (const QJsonObject &row : walk.rows) {
            ids.insert(row.value("id"_L1).toString());
            // RFC 3339 with fixed-width fields sorts as text, so (updated_at, id) order is
            // the order of these keys.
            QVERIFY2(previous < key(row), qPrintable(previous + u" !< "_s + key(row)));
            previous = key(row);
        }
        QCOMPARE(ids.size(), 5000);

        // At the end: an empty page that hands the same cursor back.
        const HttpResult end = m_server->api("GET", u"/api/calls?updated_since="_s + walk.finalCursor, m_token);
        QCOMPARE(end.status, 200);
        QCOMPARE(end.object().value("data"_L1).toArray().size(), 0);
        QCOMPARE(end.object().value("has_more"_L1).toBool(), false);
        QCOMPARE(end.object().value("next_cursor"_L1).toString(), walk.finalCursor);
    }

    void cursorIsOpaque()
    {
        const HttpResult page = m_server->api("GET", u"/api/calls?limit=1"_s, m_token);
        const QString cursor = page.object().value("next_cursor"_L1).toString();
        const QString id = page.object().value("data"_L1).toArray().first().toObject().value("id"_L1).toString();
        QVERIFY(!cursor.isEmpty());
        QVERIFY(!cursor.contains(id));
        for (const QChar c : cursor)
            QVERIFY(c.isLetterOrNumber() || c == u'-' || c == u'_'); // URL-safe as is
    }

    void defaultLimitIs500()
    {
        const HttpResult page = m_server->api("GET", u"/api/calls"_s, m_token);
        QCOMPARE(page.status, 200);
        QCOMPARE(page.object().value("data"_L1).toArray().size(), 500);
        QCOMPARE(page.object().value("has_more"_L1).toBool(), true);
    }

    void limitBounds_data()
    {
        QTest::addColumn<QString>("limit");
        QTest::addColumn<int>("status");
        QTest::addColumn<int>("rows");
        QTest::newRow("1") << u"1"_s << 200 << 1;
        QTest::newRow("1000") << u"1000"_s << 200 << 1000;
        QTest::newRow("0") << u"0"_s << 400 << 0;
        QTest::newRow("1001") << u"1001"_s << 400 << 0;
        QTest::newRow("-5") << u"-5"_s << 400 << 0;
        QTest::newRow("text") << u"ten"_s << 400 << 0;
        QTest::newRow("empty") << QString() << 400 << 0;
    }

    void limitBounds()
    {
        QFETCH(QString, limit);
        QFETCH(int, status);
        QFETCH(int, rows);
        const HttpResult page = m_server->api("GET", u"/api/calls?limit="_s + limit, m_token);
        QCOMPARE(page.status, status);
        if (status == 200)
            QCOMPARE(page.object().value("data"_L1).toArray().size(), rows);
        else
            QCOMPARE(page.errorCode(), u"invalid_limit"_s);
    }

    void invalidCursorIs400_data()
    {
        QTest::addColumn<QString>("cursor");
        QTest::newRow("garbage") << u"%%%"_s;
        QTest::newRow("not ours") << u"aGVsbG8"_s;   // base64url of "hello"
        QTest::newRow("audit cursor") << u"YTE6MTI"_s; // an audit-trail cursor
    }

    void invalidCursorIs400()
    {
        QFETCH(QString, cursor);
        const HttpResult page = m_server->api(
            "GET", u"/api/calls?updated_since="_s + QString::fromLatin1(QUrl::toPercentEncoding(cursor)), m_token);
        QCOMPARE(page.status, 400);
        QCOMPARE(page.errorCode(), u"invalid_cursor"_s);
    }

    void callsHaveTheContractShape()
    {
        const CallWalk walk = walkCalls(*m_server, m_token);
        QVERIFY(walk.error.isEmpty());
        QSet<QString> outcomes, formats, statuses, directions;
        int stereo = 0, manualDial = 0, unknownSha = 0;
        for (const QJsonObject &call : walk.rows) {
            QCOMPARE(call.keys(), (QStringList{u"agent"_s, u"direction"_s, u"duration_seconds"_s, u"id"_s,
                                               u"lead"_s, u"list"_s, u"outcome"_s, u"recording"_s,
                                               u"started_at"_s, u"updated_at"_s}));
            const QJsonObject lead = call.value("lead"_L1).toObject();
            QVERIFY(!lead.value("id"_L1).toString().isEmpty() && !lead.value("name"_L1).toString().isEmpty());
            QVERIFY(lead.value("phone"_L1).toString().contains(u"55501"_s));
            QVERIFY(!call.value("agent"_L1).toObject().value("name"_L1).toString().isEmpty());
            if (call.value("list"_L1).isNull())
                ++manualDial;
            else
                QVERIFY(!call.value("list"_L1).toObject().value("name"_L1).toString().isEmpty());
            directions.insert(call.value("direction"_L1).toString());
            const QString outcome = call.value("outcome"_L1).toString();
            outcomes.insert(outcome);
            const QDateTime started = QDateTime::fromString(call.value("started_at"_L1).toString(), Qt::ISODate);
            QVERIFY(started.isValid() && started.timeSpec() == Qt::UTC);
            QVERIFY(started > QDateTime::currentDateTimeUtc().addDays(-91));
            const int duration = call.value("duration_seconds"_L1).toInt(-1);
            if (outcome == "no_answer"_L1 || outcome == "busy"_L1 || outcome == "invalid_number"_L1)
                QCOMPARE(duration, 0);
            else
                QVERIFY(duration > 0);

            const QJsonValue recordingValue = call.value("recording"_L1);
            if (outcome != "connected"_L1 && outcome != "voicemail"_L1) {
                QVERIFY(recordingValue.isNull());
                continue;
            }
            const QJsonObject recording = recordingValue.toObject();
            QVERIFY(!recording.value("id"_L1).toString().isEmpty());
            formats.insert(recording.value("format"_L1).toString());
            statuses.insert(recording.value("status"_L1).toString());
            QVERIFY(recording.value("size_bytes"_L1).toInteger() > 0);
            QVERIFY(recording.value("duration_seconds"_L1).toDouble() >= 8.0);
            const int channels = recording.value("channels"_L1).toInt();
            QVERIFY(channels == 1 || channels == 2);
            stereo += channels == 2;
            if (recording.value("sha256"_L1).isNull())
                ++unknownSha;
            else
                QCOMPARE(recording.value("sha256"_L1).toString().size(), 64);
        }
        QCOMPARE(directions, (QSet<QString>{u"inbound"_s, u"outbound"_s}));
        for (const QString &outcome : {u"connected"_s, u"no_answer"_s, u"busy"_s, u"invalid_number"_s,
                                       u"voicemail"_s, u"callback_scheduled"_s})
            QVERIFY2(outcomes.contains(outcome), qPrintable(outcome));
        QCOMPARE(formats, (QSet<QString>{u"wav"_s, u"mp3"_s, u"m4a"_s, u"aac"_s, u"ogg"_s, u"opus"_s}));
        QCOMPARE(statuses, (QSet<QString>{u"available"_s, u"pending"_s, u"failed"_s, u"unavailable"_s}));
        QVERIFY(stereo > 0);
        QVERIFY(manualDial > 0);
        QVERIFY(unknownSha > 0);
    }

    void callByIdMatchesTheFeed()
    {
        const QJsonObject fromFeed = m_server->api("GET", u"/api/calls?limit=20"_s, m_token)
                                         .object().value("data"_L1).toArray().at(7).toObject();
        const HttpResult single = m_server->api("GET", u"/api/calls/"_s + fromFeed.value("id"_L1).toString(), m_token);
        QCOMPARE(single.status, 200);
        QCOMPARE(single.object(), fromFeed);
        const HttpResult unknown = m_server->api("GET", u"/api/calls/call_99999999"_s, m_token);
        QCOMPARE(unknown.status, 404);
        QCOMPARE(unknown.errorCode(), u"call_not_found"_s);
    }

    void changesAppearAfterTheCursorAndNothingElse()
    {
        const CallWalk start = walkCalls(*m_server, m_token);
        QVERIFY(start.error.isEmpty());
        const QJsonObject target = start.rows.at(42);
        const QString id = target.value("id"_L1).toString();
        const QJsonObject updated =
            m_server->adminPost(u"/__admin/calls/%1/update"_s.arg(id), {{u"outcome"_s, u"wrong_party"_s}}).object();
        QCOMPARE(updated.value("outcome"_L1).toString(), u"wrong_party"_s);
        QVERIFY(updated.value("updated_at"_L1).toString() > start.rows.last().value("updated_at"_L1).toString());

        const CallWalk next = walkCalls(*m_server, m_token, start.finalCursor);
        QVERIFY(next.error.isEmpty());
        QCOMPARE(next.rows.size(), 1);
        QCOMPARE(next.rows.first(), updated);
        QCOMPARE(walkCalls(*m_server, m_token, next.finalCursor).rows.size(), 0);
    }

    void updatedAtNeverRepeats()
    {
        const QString id = u"call_00000010"_s;
        QString previous;
        for (int i = 0; i < 5; ++i) {
            const QJsonObject row =
                m_server->adminPost(u"/__admin/calls/%1/update"_s.arg(id), {{u"duration_seconds"_s, 60 + i}}).object();
            const QString updatedAt = row.value("updated_at"_L1).toString();
            QVERIFY2(updatedAt > previous, qPrintable(updatedAt + u" <= "_s + previous));
            previous = updatedAt;
        }
    }

    void deletedCallsBecomeTombstones()
    {
        const CallWalk start = walkCalls(*m_server, m_token);
        const QString id = start.rows.at(100).value("id"_L1).toString();
        QVERIFY(!m_server->adminPost(u"/__admin/calls/%1/delete"_s.arg(id)).isNull());
        const CallWalk next = walkCalls(*m_server, m_token, start.finalCursor);
        QCOMPARE(next.rows.size(), 1);
        const QJsonObject tombstone = next.rows.first();
        QCOMPARE(tombstone.keys(), (QStringList{u"deleted"_s, u"id"_s, u"updated_at"_s}));
        QCOMPARE(tombstone.value("id"_L1).toString(), id);
        QCOMPARE(tombstone.value("deleted"_L1).toBool(), true);
        const HttpResult gone = m_server->api("GET", u"/api/calls/"_s + id, m_token);
        QCOMPARE(gone.status, 404);
        QCOMPARE(gone.errorCode(), u"call_deleted"_s);
        // Deleting twice is not a change.
        QVERIFY(m_server->adminPost(u"/__admin/calls/%1/delete"_s.arg(id)).isNull());
    }

    void createdCallsAppear()
    {
        const CallWalk start = walkCalls(*m_server, m_token);
        const QJsonObject created = m_server->adminPost(u"/__admin/calls"_s, {{u"count"_s, 3}}).object();
        const QJsonArray ids = created.value("ids"_L1).toArray();
        QCOMPARE(ids.size(), 3);
        const CallWalk next = walkCalls(*m_server, m_token, start.finalCursor);
        QCOMPARE(next.rows.size(), 3);
        for (qsizetype i = 0; i < 3; ++i) {
            QCOMPARE(next.rows.at(i).value("id"_L1), ids.at(i));
            QCOMPARE(next.rows.at(i).value("recording"_L1).toObject().value("status"_L1).toString(),
                     u"available"_s);
        }
    }

    void agentSeesOnlyOwnCalls()
    {
        const Tokens agent = m_server->login(u"agent@demo.test"_s);
        const CallWalk walk = walkCalls(*m_server, agent.accessToken);
        QVERIFY(walk.error.isEmpty());
        QVERIFY(walk.rows.size() > 100);
        QVERIFY(walk.rows.size() < 1000);
        QString ownAgent;
        for (const QJsonObject &row : walk.rows) {
            if (row.value("deleted"_L1).toBool())
                continue;
            const QJsonObject rowAgent = row.value("agent"_L1).toObject();
            if (ownAgent.isEmpty()) {
                ownAgent = rowAgent.value("id"_L1).toString();
                // The demo agent user is that agent.
                QCOMPARE(rowAgent.value("name"_L1).toString(), agent.user.value("name"_L1).toString());
            }
            QCOMPARE(rowAgent.value("id"_L1).toString(), ownAgent);
        }
        const auto other = findCall(*m_server, m_token, [&ownAgent](const QJsonObject &call) {
            return call.value("agent"_L1).toObject().value("id"_L1).toString() != ownAgent;
        });
        QVERIFY(other);
        const QString otherId = other->value("id"_L1).toString();
        QCOMPARE(m_server->api("GET", u"/api/calls/"_s + otherId, agent.accessToken).status, 404);
        QCOMPARE(m_server->api("GET", u"/api/calls/%1/recording"_s.arg(otherId), agent.accessToken).status, 404);
    }

private:
    std::unique_ptr<RefServer> m_server;
    QString m_token;
};

} // namespace

std::unique_ptr<QObject> makeCallsTests()
{
    return std::make_unique<CallsTests>();
}

} // namespace earshot::refserver::tests

#include "tst_calls.moc"
