// Recording URLs (…/recording, …/refresh, …/availability) and the signed media URLs they
// hand out: full bodies, Range, If-Range, 416, expiry, tampering, HEAD, and a body cut short.
#include "refserver_suites.h"
#include "test_helpers.h"

#include <QtCore/QRegularExpression>
#include <QtCore/QUrlQuery>
#include <QtTest/QTest>

using namespace Qt::StringLiterals;

namespace earshot::refserver::tests {

namespace {

class RecordingTests : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        m_server = std::make_unique<RefServer>(QStringList{u"--demo"_s});
        QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
        m_token = m_server->login(u"supervisor@demo.test"_s).accessToken;
        QVERIFY(!m_token.isEmpty());
        const auto available = findCallWithRecordingStatus(*m_server, m_token, u"available"_s);
        QVERIFY(available);
        m_call = *available;
        m_recording = m_call.value("recording"_L1).toObject();
    }

    void cleanupTestCase() { m_server.reset(); }

    void cleanup()
    {
        // Faults changed by a test never leak into the next one.
        m_server->adminPost(u"/__admin/faults"_s, {{u"url_lifetime"_s, 300}, {u"drop_body_after"_s, QJsonValue()}});
    }

    void urlForAvailableRecording()
    {
        const HttpResult result = recordingUrl();
        QCOMPARE(result.status, 200);
        const QJsonObject body = result.object();
        const QUrl url(body.value("recording_url"_L1).toString());
        QVERIFY(url.isValid() && !url.isRelative());
        QCOMPARE(url.scheme(), u"http"_s);
        QCOMPARE(body.value("expires_in"_L1).toInt(), 300);
        const QDateTime expiresAt = QDateTime::fromString(body.value("expires_at"_L1).toString(), Qt::ISODate);
        QVERIFY(expiresAt.isValid());
        QVERIFY(qAbs(QDateTime::currentDateTimeUtc().secsTo(expiresAt) - 300) <= 2);
    }

    void refreshGivesAFreshUrl()
    {
        const QString first = recordingUrl().object().value("recording_url"_L1).toString();
        const HttpResult refreshed =
            m_server->api("POST", u"/api/calls/%1/recording/refresh"_s.arg(callId()), m_token);
        QCOMPARE(refreshed.status, 200);
        const QString second = refreshed.object().value("recording_url"_L1).toString();
        QVERIFY(!second.isEmpty());
        QVERIFY(second != first);
        QCOMPARE(fetch(QUrl(second)).status, 200);
        QCOMPARE(fetch(QUrl(first)).status, 200); // the old URL stays good until it expires
    }

    void availabilityForPolling()
    {
        const HttpResult result = m_server->api("GET", u"/api/calls/%1/recording/availability"_s.arg(callId()), m_token);
        QCOMPARE(result.status, 200);
        const QJsonObject body = result.object();
        QCOMPARE(body.value("available"_L1).toBool(), true);
        QCOMPARE(body.value("status"_L1).toString(), u"available"_s);
        QVERIFY(body.value("recording_url"_L1).toString().startsWith(u"http://"_s));
        QVERIFY(body.contains("last_fetched_at"_L1)); // earlier tests fetched it

        const auto pending = findCallWithRecordingStatus(*m_server, m_token, u"pending"_s);
        QVERIFY(pending);
        const QJsonObject pendingBody =
            m_server->api("GET", u"/api/calls/%1/recording/availability"_s.arg(pending->value("id"_L1).toString()),
                          m_token).object();
        QCOMPARE(pendingBody.value("available"_L1).toBool(), false);
        QCOMPARE(pendingBody.value("status"_L1).toString(), u"pending"_s);
        QVERIFY(!pendingBody.contains("recording_url"_L1));
    }

    void unavailableRecordingsAnswerWithDistinctCodes_data()
    {
        QTest::addColumn<QString>("status");
        QTest::addColumn<int>("httpStatus");
        QTest::addColumn<QString>("code");
        QTest::newRow("pending") << u"pending"_s << 409 << u"recording_pending"_s;
        QTest::newRow("failed") << u"failed"_s << 404 << u"recording_failed"_s;
        QTest::newRow("unavailable") << u"unavailable"_s << 404 << u"recording_unavailable"_s;
    }

    void unavailableRecordingsAnswerWithDistinctCodes()
    {
        QFETCH(QString, status);
        QFETCH(int, httpStatus);
        QFETCH(QString, code);
        const auto call = findCall(*m_server, m_token, [&status](const QJsonObject &c) {
            return c.value("recording"_L1).toObject().value("status"_L1).toString() == status;
        });
        QVERIFY(call);
        const HttpResult result = m_server->api("GET", u"/api/calls/%1/recording"_s.arg(call->value("id"_L1).toString()), m_token);
        QCOMPARE(result.status, httpStatus);
        QCOMPARE(result.errorCode(), code);
    }

    void callWithoutRecordingIs404()
    {
        const auto call = findCall(*m_server, m_token, [](const QJsonObject &c) { return c.value("recording"_L1).isNull(); });
        QVERIFY(call);
        const HttpResult result = m_server->api("GET", u"/api/calls/%1/recording"_s.arg(call->value("id"_L1).toString()), m_token);
        QCOMPARE(result.status, 404);
        QCOMPARE(result.errorCode(), u"no_recording"_s);
        QCOMPARE(m_server->api("GET", u"/api/calls/nope/recording"_s, m_token).errorCode(), u"call_not_found"_s);
    }

    void fullBodyMatchesTheFixture()
    {
        const HttpResult media = fetch(mediaUrl());
        QCOMPARE(media.status, 200);
        QCOMPARE(media.body.size(), m_recording.value("size_bytes"_L1).toInteger());
        QCOMPARE(media.header("content-length").toLongLong(), media.body.size());
        QCOMPARE(media.header("accept-ranges"), "bytes"_ba);
        QVERIFY(media.header("content-type").startsWith("audio/"));
        const QString sha = sha256Hex(media.body);
        QCOMPARE(sha, m_recording.value("sha256"_L1).toString());
        const QList<ManifestEntry> manifest = readFixtureManifest();
        QVERIFY(std::any_of(manifest.cbegin(), manifest.cend(), [&](const ManifestEntry &entry) {
            return entry.sha256 == sha && entry.format == m_recording.value("format"_L1).toString();
        }));
    }

    void everyFormatIsServedIntact()
    {
        QSet<QString> seen;
        const CallWalk walk = walkCalls(*m_server, m_token);
        for (const QJsonObject &call : walk.rows) {
            const QJsonObject recording = call.value("recording"_L1).toObject();
            const QString format = recording.value("format"_L1).toString() + QString::number(recording.value("channels"_L1).toInt());
            if (recording.value("status"_L1).toString() != "available"_L1 || recording.value("sha256"_L1).isNull()
                || seen.contains(format))
                continue;
            seen.insert(format);
            const QString url = m_server->api("GET", u"/api/calls/%1/recording"_s.arg(call.value("id"_L1).toString()), m_token)
                                    .object().value("recording_url"_L1).toString();
            const HttpResult media = fetch(QUrl(url));
            QCOMPARE(media.status, 200);
            QCOMPARE(sha256Hex(media.body), recording.value("sha256"_L1).toString());
        }
        QVERIFY2(seen.size() >= 9, qPrintable(QStringList(seen.begin(), seen.end()).join(u',')));
    }

    void rangeRequests_data()
    {
        QTest::addColumn<QByteArray>("range");
        QTest::addColumn<qint64>("first");
        QTest::addColumn<qint64>("lastFromEnd"); // -1: given by "last" below
        QTest::addColumn<qint64>("last");
        QTest::newRow("bytes=0-99") << "bytes=0-99"_ba << qint64(0) << qint64(-1) << qint64(99);
        QTest::newRow("bytes=1000-1999") << "bytes=1000-1999"_ba << qint64(1000) << qint64(-1) << qint64(1999);
        QTest::newRow("open-ended") << "bytes=5000-"_ba << qint64(5000) << qint64(0) << qint64(0);
        QTest::newRow("suffix") << "bytes=-500"_ba << qint64(-500) << qint64(0) << qint64(0);
        QTest::newRow("last past the end") << "bytes=10-99999999"_ba << qint64(10) << qint64(0) << qint64(0);
    }

    void rangeRequests()
    {
        QFETCH(QByteArray, range);
        QFETCH(qint64, first);
        QFETCH(qint64, lastFromEnd);
        QFETCH(qint64, last);
        const QByteArray full = fetch(mediaUrl()).body;
        const qint64 size = full.size();
        QVERIFY(size > 6000);
        const qint64 from = first < 0 ? size + first : first;
        const qint64 to = lastFromEnd >= 0 ? size - 1 - lastFromEnd : last;
        const HttpResult part = fetch(mediaUrl(), {{"Range"_ba, range}});
        QCOMPARE(part.status, 206);
        QCOMPARE(part.header("content-range"),
                 "bytes " + QByteArray::number(from) + '-' + QByteArray::number(to) + '/' + QByteArray::number(size));
        QCOMPARE(part.header("content-length").toLongLong(), to - from + 1);
        QCOMPARE(part.body, full.mid(from, to - from + 1));
    }

    void unsatisfiableRangeIs416()
    {
        const qint64 size = m_recording.value("size_bytes"_L1).toInteger();
        for (const QByteArray &range : {QByteArray("bytes=" + QByteArray::number(size) + '-'), "bytes=-0"_ba}) {
            const HttpResult result = fetch(mediaUrl(), {{"Range"_ba, range}});
            QCOMPARE(result.status, 416);
            QCOMPARE(result.header("content-range"), "bytes */" + QByteArray::number(size));
        }
    }

    // A client resuming a download names the version it has (If-Range): the same version
    // gets the range, any other (or a weak tag) the whole file, never a mix of two.
    void ifRangeServesTheRangeOnlyForTheSameVersion()
    {
        const HttpResult whole = fetch(mediaUrl());
        QCOMPARE(whole.status, 200);
        const QByteArray etag = whole.header("etag");
        const QByteArray lastModified = whole.header("last-modified");
        QVERIFY2(etag.startsWith('"') && etag.endsWith('"') && etag.size() > 4, etag.constData());
        static const QRegularExpression imfFixdate(u"^[A-Z][a-z]{2}, \\d{2} [A-Z][a-z]{2} \\d{4} \\d{2}:\\d{2}:\\d{2} GMT$"_s);
        QVERIFY2(imfFixdate.match(QString::fromLatin1(lastModified)).hasMatch(), lastModified.constData());
        const HttpResult same = fetch(mediaUrl(), {{"Range"_ba, "bytes=100-199"_ba}, {"If-Range"_ba, etag}});
        QCOMPARE(same.status, 206);
        QCOMPARE(same.header("etag"), etag);
        QCOMPARE(same.body, whole.body.mid(100, 100));
        QCOMPARE(fetch(mediaUrl(), {{"Range"_ba, "bytes=100-199"_ba}, {"If-Range"_ba, lastModified}}).status, 206);
        for (const QByteArray &other : QByteArrayList{"\"another-version\""_ba, "W/"_ba + etag, "Thu, 01 Jan 1970 00:00:00 GMT"_ba}) {
            const HttpResult changed = fetch(mediaUrl(), {{"Range"_ba, "bytes=100-199"_ba}, {"If-Range"_ba, other}});
            QCOMPARE(changed.status, 200);
            QCOMPARE(changed.body, whole.body);
        }
        // Past the end of the file, a stale If-Range still gets the whole file, not 416.
        const QByteArray pastEnd = "bytes=" + QByteArray::number(whole.body.size()) + '-';
        QCOMPARE(fetch(mediaUrl(), {{"Range"_ba, pastEnd}, {"If-Range"_ba, "\"another-version\""_ba}}).status, 200);
    }

    void headAnswersWithoutBody()
    {
        const HttpResult head = m_server->request("HEAD", mediaUrl(), {}, {}, 5000);
        QVERIFY(!head.timedOut);
        QCOMPARE(head.status, 200);
        QCOMPARE(head.header("content-length").toLongLong(), m_recording.value("size_bytes"_L1).toInteger());
        QVERIFY(head.body.isEmpty());
    }

    void expiredUrlIs403()
    {
        QVERIFY(!m_server->adminPost(u"/__admin/faults"_s, {{u"url_lifetime"_s, 1}}).isNull());
        const HttpResult issued = recordingUrl();
        QCOMPARE(issued.object().value("expires_in"_L1).toInt(), 1);
        const QUrl url(issued.object().value("recording_url"_L1).toString());
        QCOMPARE(fetch(url).status, 200);
        QTest::qWait(2200); // good through the whole second named by expires
        const HttpResult expired = fetch(url);
        QCOMPARE(expired.status, 403);
        QCOMPARE(expired.errorCode(), u"url_expired"_s);
    }

    void tamperedUrlIs403()
    {
        const QUrl url = mediaUrl();
        QUrlQuery query(url);
        const QString sig = query.queryItemValue(u"sig"_s);

        QUrl badSignature = url;
        QUrlQuery badSignatureQuery = query;
        badSignatureQuery.removeQueryItem(u"sig"_s);
        badSignatureQuery.addQueryItem(u"sig"_s, QString(sig).replace(0, 1, sig.startsWith(u'a') ? u"b"_s : u"a"_s));
        badSignature.setQuery(badSignatureQuery);

        QUrl laterExpiry = url;
        QUrlQuery laterExpiryQuery = query;
        laterExpiryQuery.removeQueryItem(u"expires"_s);
        laterExpiryQuery.addQueryItem(u"expires"_s, QString::number(QDateTime::currentSecsSinceEpoch() + 86400));
        laterExpiry.setQuery(laterExpiryQuery);

        // Another file than the one signed (the call under test may have rec_00000001).
        QUrl otherFile = url;
        otherFile.setPath(url.path() == u"/media/rec_00000001.wav"_s ? u"/media/rec_00000002.wav"_s
                                                                      : u"/media/rec_00000001.wav"_s);

        QUrl unsigned_ = url;
        unsigned_.setQuery(QString());

        for (const QUrl &tampered : {badSignature, laterExpiry, otherFile, unsigned_}) {
            const HttpResult result = fetch(tampered);
            QVERIFY2(result.status == 403, qPrintable(u"%1 for %2"_s.arg(result.status).arg(tampered.toString())));
            QCOMPARE(result.errorCode(), u"invalid_signature"_s);
        }
    }

    void dropBodyAfterCutsTheBodyShort()
    {
        QVERIFY(!m_server->adminPost(u"/__admin/faults"_s, {{u"drop_body_after"_s, 1000}}).isNull());
        const HttpResult cut = fetch(mediaUrl());
        QCOMPARE(cut.status, 200);
        QCOMPARE(cut.header("content-length").toLongLong(), m_recording.value("size_bytes"_L1).toInteger());
        QCOMPARE(cut.body.size(), 1000);
        QVERIFY(cut.error != QNetworkReply::NoError);

        QVERIFY(!m_server->adminPost(u"/__admin/faults"_s, {{u"drop_body_after"_s, QJsonValue()}}).isNull());
        QCOMPARE(fetch(mediaUrl()).body.size(), m_recording.value("size_bytes"_L1).toInteger());
    }

private:
    QString callId() const { return m_call.value("id"_L1).toString(); }
    HttpResult recordingUrl()
    {
        return m_server->api("GET", u"/api/calls/%1/recording"_s.arg(callId()), m_token);
    }
    QUrl mediaUrl() { return QUrl(recordingUrl().object().value("recording_url"_L1).toString()); }
    // Media URLs carry their own authorization: no bearer token.
    HttpResult fetch(const QUrl &url, const HttpHeaders &headers = {}) { return m_server->request("GET", url, headers); }

    std::unique_ptr<RefServer> m_server;
    QString m_token;
    QJsonObject m_call;
    QJsonObject m_recording;
};

} // namespace

std::unique_ptr<QObject> makeRecordingTests()
{
    return std::make_unique<RecordingTests>();
}

} // namespace earshot::refserver::tests

#include "tst_recordings.moc"
