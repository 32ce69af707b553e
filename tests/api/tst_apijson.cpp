// The contract parsers: what a well-behaved server sends is read exactly, and what a
// broken one sends is refused with a message that names the record and the field.
#include "api/apijson.h"
#include "api/callspagefast.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace earshot;

namespace {

QJsonObject validRecording()
{
    return QJsonObject{{"id"_L1, u"rec-1"_s}, {"format"_L1, u"WAV"_s}, {"size_bytes"_L1, 12345},
                       {"duration_seconds"_L1, 12.5}, {"sha256"_L1, QString(64, u'a')}, {"channels"_L1, 2},
                       {"status"_L1, u"available"_s}};
}

QJsonObject validCall()
{
    return QJsonObject{
        {"id"_L1, u"call-1"_s},
        {"lead"_L1, QJsonObject{{"id"_L1, u"lead-1"_s}, {"name"_L1, u"Dana Whitfield"_s}, {"phone"_L1, u"+1 555 0100"_s}}},
        {"agent"_L1, QJsonObject{{"id"_L1, u"agent-1"_s}, {"name"_L1, u"Priya Raman"_s}}},
        {"list"_L1, QJsonObject{{"id"_L1, u"list-1"_s}, {"name"_L1, u"Spring Renewals"_s}}},
        {"direction"_L1, u"outbound"_s},
        {"outcome"_L1, u"connected"_s},
        {"started_at"_L1, u"2026-11-20T14:03:07Z"_s},
        {"duration_seconds"_L1, 187},
        {"recording"_L1, validRecording()},
        {"updated_at"_L1, u"2026-11-20T14:10:00.123Z"_s},
    };
}

QByteArray page(const QJsonArray &rows, bool hasMore = false, const QString &cursor = u"c1"_s)
{
    return QJsonDocument(QJsonObject{{"data"_L1, rows}, {"next_cursor"_L1, cursor}, {"has_more"_L1, hasMore}}).toJson();
}

// Every field the mirror stores, so that the two page parsers can be held to one result.
void compareCalls(const Call &fast, const Call &full)
{
    QCOMPARE(fast.id, full.id);
    QCOMPARE(fast.lead.id, full.lead.id);
    QCOMPARE(fast.lead.name, full.lead.name);
    QCOMPARE(fast.lead.phone, full.lead.phone);
    QCOMPARE(fast.agent.id, full.agent.id);
    QCOMPARE(fast.agent.name, full.agent.name);
    QCOMPARE(fast.list.has_value(), full.list.has_value());
    if (full.list) {
        QCOMPARE(fast.list->id, full.list->id);
        QCOMPARE(fast.list->name, full.list->name);
    }
    QVERIFY(fast.direction == full.direction);
    QCOMPARE(fast.outcome, full.outcome);
    QCOMPARE(fast.startedAt, full.startedAt);
    QCOMPARE(fast.startedAt.timeSpec(), full.startedAt.timeSpec());
    QCOMPARE(fast.durationSeconds, full.durationSeconds);
    QCOMPARE(fast.updatedAt, full.updatedAt);
    QCOMPARE(fast.recording.has_value(), full.recording.has_value());
    if (full.recording) {
        QCOMPARE(fast.recording->id, full.recording->id);
        QCOMPARE(fast.recording->format, full.recording->format);
        QCOMPARE(fast.recording->sizeBytes, full.recording->sizeBytes);
        QCOMPARE(fast.recording->durationSeconds, full.recording->durationSeconds);
        QCOMPARE(fast.recording->sha256, full.recording->sha256);
        QCOMPARE(fast.recording->channels, full.recording->channels);
        QVERIFY(fast.recording->status == full.recording->status);
    }
}

} // namespace

class TestApiJson : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parsesAFullCall()
    {
        const auto call = apijson::parseCall(validCall());
        QVERIFY2(call, qPrintable(call.error()));
        QCOMPARE(call->id, u"call-1"_s);
        QCOMPARE(call->lead.phone, u"+1 555 0100"_s);
        QVERIFY(call->list.has_value());
        QCOMPARE(call->list->name, u"Spring Renewals"_s);
        QVERIFY(call->direction == Direction::Outbound);
        QCOMPARE(call->startedAt, QDateTime(QDate(2026, 11, 20), QTime(14, 3, 7), Qt::UTC));
        QCOMPARE(call->durationSeconds, 187);
        QVERIFY(call->recording.has_value());
        QCOMPARE(call->recording->format, u"wav"_s); // normalised
        QCOMPARE(call->recording->channels, 2);
        QVERIFY(call->recording->status == RecordingStatus::Available);
    }

    void nullListIsManualDialAndNullRecordingIsNone()
    {
        QJsonObject object = validCall();
        object["list"_L1] = QJsonValue::Null;
        object["recording"_L1] = QJsonValue::Null;
        const auto call = apijson::parseCall(object);
        QVERIFY2(call, qPrintable(call.error()));
        QVERIFY(!call->list.has_value());
        QVERIFY(!call->recording.has_value());
    }

    void unknownOutcomeIsKeptAsItCame()
    {
        QJsonObject object = validCall();
        object["outcome"_L1] = u"callback_scheduled"_s;
        const auto call = apijson::parseCall(object);
        QVERIFY(call);
        QCOMPARE(call->outcome, u"callback_scheduled"_s);
    }

    void brokenCallsAreRefusedWithTheFieldNamed_data()
    {
        QTest::addColumn<QJsonObject>("call");
        QTest::addColumn<QString>("mentions");
        QJsonObject c = validCall();
        c.remove("agent"_L1);
        QTest::newRow("no agent") << c << u"agent"_s;
        c = validCall();
        c["direction"_L1] = u"sideways"_s;
        QTest::newRow("bad direction") << c << u"direction"_s;
        c = validCall();
        c["id"_L1] = QString(129, u'x');
        QTest::newRow("id too long") << c << u"id"_s;
        c = validCall();
        c["started_at"_L1] = u"yesterday"_s;
        QTest::newRow("bad time") << c << u"started_at"_s;
        c = validCall();
        c["duration_seconds"_L1] = -3;
        QTest::newRow("negative duration") << c << u"duration_seconds"_s;
        c = validCall();
        c["duration_seconds"_L1] = 1.5;
        QTest::newRow("fractional duration") << c << u"duration_seconds"_s;
        QJsonObject recording = validRecording();
        recording["sha256"_L1] = u"not-a-hash"_s;
        c = validCall();
        c["recording"_L1] = recording;
        QTest::newRow("bad sha256") << c << u"sha256"_s;
        recording = validRecording();
        recording["status"_L1] = u"teleported"_s;
        c["recording"_L1] = recording;
        QTest::newRow("unknown status") << c << u"teleported"_s;
        recording = validRecording();
        recording["channels"_L1] = 6;
        c["recording"_L1] = recording;
        QTest::newRow("six channels") << c << u"channels"_s;
    }

    void brokenCallsAreRefusedWithTheFieldNamed()
    {
        QFETCH(QJsonObject, call);
        QFETCH(QString, mentions);
        const auto parsed = apijson::parseCall(call);
        QVERIFY(!parsed);
        QVERIFY2(parsed.error().contains(mentions), qPrintable(parsed.error()));
        QVERIFY2(parsed.error().contains(u"call"_s), qPrintable(parsed.error()));
    }

    void fastPageParserReadsWhatTheFullOneReads_data()
    {
        QTest::addColumn<QJsonObject>("call");
        QTest::newRow("full") << validCall();
        QJsonObject c = validCall();
        c["list"_L1] = QJsonValue::Null;
        c["recording"_L1] = QJsonValue::Null;
        QTest::newRow("manual dial, no recording") << c;
        c = validCall();
        c.remove("list"_L1);
        c.remove("recording"_L1);
        QTest::newRow("list and recording left out") << c;
        c = validCall();
        QJsonObject lead = c["lead"_L1].toObject();
        lead.remove("phone"_L1);
        lead["name"_L1] = u"Zoë \"Ünal\" 🦊"_s;
        c["lead"_L1] = lead;
        QTest::newRow("no phone, escapes and non-ASCII") << c;
        QJsonObject recording = validRecording();
        recording["sha256"_L1] = QJsonValue::Null;
        recording["duration_seconds"_L1] = 7;
        c = validCall();
        c["recording"_L1] = recording;
        QTest::newRow("no hash, integral duration") << c;
        c = validCall();
        c["started_at"_L1] = u"2026-11-20T16:03:07.250+02:00"_s;
        QTest::newRow("time with an offset") << c;
        c = validCall();
        c["started_at"_L1] = u"2024-02-29T23:59:59.999Z"_s;
        QTest::newRow("leap day, milliseconds") << c;
    }

    void fastPageParserReadsWhatTheFullOneReads()
    {
        QFETCH(QJsonObject, call);
        const QJsonObject tombstone{{"id"_L1, u"call-9"_s}, {"deleted"_L1, true}, {"updated_at"_L1, u"t"_s}};
        const auto fast = apijson::parseCallsPageFast(page({call, tombstone}, true, u"next"_s));
        QVERIFY(fast);
        const auto full = apijson::parseCall(call);
        QVERIFY2(full, qPrintable(full.error()));
        QCOMPARE(fast->calls.size(), 1);
        compareCalls(fast->calls.first(), *full);
        QCOMPARE(fast->tombstones.size(), 1);
        QCOMPARE(fast->tombstones.first().id, u"call-9"_s);
        QCOMPARE(fast->nextCursor, u"next"_s);
        QVERIFY(fast->hasMore);
    }

    // Calls of a page share the strings of values they repeat (agents, lists, outcomes);
    // each call still reads its own, also past the number of values shared.
    void everyCallOfAPageReadsItsOwnRepeatedValues()
    {
        QJsonArray rows;
        for (int n = 0; n < 700; ++n) {
            QJsonObject call = validCall();
            call["id"_L1] = u"call-%1"_s.arg(n);
            call["agent"_L1] = QJsonObject{{"id"_L1, u"agent-%1"_s.arg(n % 12)}, {"name"_L1, u"Agent %1"_s.arg(n % 12)}};
            call["list"_L1] = n % 5 == 0 ? QJsonValue(QJsonValue::Null)
                                         : QJsonObject{{"id"_L1, u"list-%1"_s.arg(n % 7)}, {"name"_L1, u"List"_s}};
            call["outcome"_L1] = u"outcome %1"_s.arg(n % 400); // more than are shared
            call["direction"_L1] = n % 2 == 0 ? u"inbound"_s : u"outbound"_s;
            QJsonObject recording = validRecording();
            recording["id"_L1] = u"rec-%1"_s.arg(n);
            recording["format"_L1] = n % 3 == 0 ? u"MP3"_s : u"wav"_s;
            recording["status"_L1] = n % 4 == 0 ? u"pending"_s : u"available"_s;
            call["recording"_L1] = recording;
            rows.append(call);
        }
        const auto fast = apijson::parseCallsPageFast(page(rows));
        QVERIFY(fast);
        QCOMPARE(fast->calls.size(), rows.size());
        for (qsizetype n = 0; n < rows.size(); ++n) {
            const auto full = apijson::parseCall(rows[n].toObject());
            QVERIFY2(full, qPrintable(full.error()));
            compareCalls(fast->calls[n], *full);
        }
    }

    // A field named twice: the fast parser leaves the page to the full one, so that the
    // two never read different values from the same bytes.
    void aFieldNamedTwiceIsReadAsTheFullParserReadsIt_data()
    {
        QTest::addColumn<QByteArray>("from");
        QTest::addColumn<QByteArray>("to");
        QTest::newRow("in the call") << QByteArray(R"("outcome":"connected",)")
                                     << QByteArray(R"("outcome":"busy","outcome":"sale",)");
        QTest::newRow("in the lead") << QByteArray(R"("name":"Dana Whitfield",)")
                                     << QByteArray(R"("name":"A","name":"B",)");
    }

    void aFieldNamedTwiceIsReadAsTheFullParserReadsIt()
    {
        QFETCH(QByteArray, from);
        QFETCH(QByteArray, to);
        QByteArray body = QJsonDocument(QJsonObject{{"data"_L1, QJsonArray{validCall()}}, {"has_more"_L1, false}})
                              .toJson(QJsonDocument::Compact);
        body.replace(from, to);
        QVERIFY(body.contains(to));
        QVERIFY(!apijson::parseCallsPageFast(body));
        const auto parsed = apijson::parseCallsPage(body);
        QVERIFY2(parsed, qPrintable(parsed.error()));
        const QJsonObject asQtReadsIt = QJsonDocument::fromJson(body).object()["data"_L1].toArray().first().toObject();
        QCOMPARE(parsed->calls.first().outcome, asQtReadsIt["outcome"_L1].toString());
        QCOMPARE(parsed->calls.first().lead.name, asQtReadsIt["lead"_L1].toObject()["name"_L1].toString());
    }

    // A broken row sends the page to the full parser, which names the problem.
    void fastPageParserLeavesBrokenCallsToTheFullOne_data() { brokenCallsAreRefusedWithTheFieldNamed_data(); }

    void fastPageParserLeavesBrokenCallsToTheFullOne()
    {
        QFETCH(QJsonObject, call);
        QFETCH(QString, mentions);
        const QByteArray body = page({validCall(), call});
        QVERIFY(!apijson::parseCallsPageFast(body));
        const auto parsed = apijson::parseCallsPage(body);
        QVERIFY(!parsed);
        QVERIFY2(parsed.error().contains(mentions), qPrintable(parsed.error()));
    }

    void pageSplitsCallsAndTombstones()
    {
        const QJsonObject tombstone{{"id"_L1, u"call-9"_s}, {"deleted"_L1, true},
                                    {"updated_at"_L1, u"2026-11-20T15:00:00Z"_s}};
        const auto parsed = apijson::parseCallsPage(page({validCall(), tombstone}, true, u"opaque=="_s));
        QVERIFY2(parsed, qPrintable(parsed.error()));
        QCOMPARE(parsed->calls.size(), 1);
        QCOMPARE(parsed->tombstones.size(), 1);
        QCOMPARE(parsed->tombstones.first().id, u"call-9"_s);
        QCOMPARE(parsed->nextCursor, u"opaque=="_s);
        QVERIFY(parsed->hasMore);
    }

    void onePoisonedRowRefusesTheWholePage()
    {
        QJsonObject broken = validCall();
        broken["id"_L1] = u"call-2"_s;
        broken.remove("lead"_L1);
        const auto parsed = apijson::parseCallsPage(page({validCall(), broken}));
        QVERIFY(!parsed);
        QVERIFY2(parsed.error().contains(u"call-2"_s), qPrintable(parsed.error()));
    }

    void malformedPagesAreRefused_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::newRow("not json") << "<html>502 Bad Gateway</html>"_ba;
        QTest::newRow("array") << "[]"_ba;
        QTest::newRow("no data") << R"({"has_more": false})"_ba;
        QTest::newRow("more without cursor") << R"({"data": [], "has_more": true})"_ba;
        QTest::newRow("truncated") << page({validCall()}).left(100);
    }

    void malformedPagesAreRefused()
    {
        QFETCH(QByteArray, body);
        const auto parsed = apijson::parseCallsPage(body);
        QVERIFY(!parsed);
        QVERIFY(!parsed.error().isEmpty());
    }

    void sessionAndUser()
    {
        const QByteArray body = R"({"access_token":"at","refresh_token":"rt","expires_in":3600,
            "user":{"id":"u1","name":"Sam Ortiz","email":"supervisor@demo.test","role":"supervisor"}})"_ba;
        const auto session = apijson::parseSession(body);
        QVERIFY2(session, qPrintable(session.error()));
        QCOMPARE(session->accessToken, u"at"_s);
        QCOMPARE(session->expiresInSeconds, 3600);
        QCOMPARE(session->user.role, u"supervisor"_s);
        QVERIFY(!apijson::parseSession(R"({"access_token":"at"})"_ba));
    }

    void recordingLinkMustBeAbsoluteHttp_data()
    {
        QTest::addColumn<QString>("url");
        QTest::addColumn<bool>("accepted");
        QTest::newRow("https other host") << u"https://cdn.example.com/r/1?sig=x"_s << true;
        QTest::newRow("loopback http") << u"http://127.0.0.1:9000/media/1?sig=x"_s << true;
        QTest::newRow("relative") << u"/media/1"_s << false;
        QTest::newRow("file") << u"file:///etc/passwd"_s << false;
        QTest::newRow("ftp") << u"ftp://example.com/r.wav"_s << false;
    }

    void recordingLinkMustBeAbsoluteHttp()
    {
        QFETCH(QString, url);
        QFETCH(bool, accepted);
        const QByteArray body = QJsonDocument(QJsonObject{{"recording_url"_L1, url}, {"expires_in"_L1, 300},
                                                          {"expires_at"_L1, u"2026-11-20T15:00:00Z"_s}})
                                    .toJson();
        const auto link = apijson::parseRecordingLink(body);
        QCOMPARE(bool(link), accepted);
        if (link)
            QCOMPARE(link->expiresInSeconds, 300);
    }

    void errorBodies()
    {
        const ApiError error = apijson::parseError(409, R"({"error":{"code":"recording_pending","message":"Still processing"}})"_ba);
        QCOMPARE(error.code, u"recording_pending"_s);
        QVERIFY(error.describe().contains(u"Still processing"_s));
        QVERIFY(!error.isRetryable());
        const ApiError broken = apijson::parseError(502, "<html>"_ba);
        QVERIFY(broken.isRetryable());
        QVERIFY(broken.describe().contains(u"502"_s));
    }

    void auditPolicy()
    {
        const auto policy = apijson::parseAuditPolicy(R"({"require_reason":true,"require_server_ack_before_export":false,
            "local_retention_days":7,"allow_offline_playback":false})"_ba);
        QVERIFY2(policy, qPrintable(policy.error()));
        QVERIFY(policy->requireReason);
        QCOMPARE(policy->localRetentionDays, 7);
        QVERIFY(!policy->allowOfflinePlayback);
    }
};

QTEST_GUILESS_MAIN(TestApiJson)
#include "tst_apijson.moc"
