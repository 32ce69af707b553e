// The seeding and URL modes that benchmarks use: --one-recording-per-file over a manifest
// of arbitrary files, --no-recordings, and nginx secure_link URLs (--media-base-url,
// --media-secret). Whether nginx accepts those URLs is tests/nginx's part; here the URLs
// are checked against nginx's documented formula, computed independently.
#include "refserver_suites.h"
#include "test_helpers.h"

#include "testsupport/media_files.h"
#include "testsupport/nginx_server.h"

#include <QtCore/QDateTime>
#include <QtCore/QSet>
#include <QtCore/QTemporaryDir>
#include <QtCore/QUrlQuery>
#include <QtTest/QTest>

using namespace Qt::StringLiterals;

namespace earshot::refserver::tests {

namespace {

using testsupport::MediaFile;
using testsupport::NginxServer;

const QString MediaBase = u"http://127.0.0.1:9/media/bench"_s; // nothing needs to listen there
const QString MediaSecret = u"bench-Secret_42"_s;

class BenchmarkModeTests : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_files.isValid());
        QString error;
        // One name with a space: nginx signs the decoded path, the URL carries it encoded.
        m_media = testsupport::writeMediaFiles(m_files.path(),
                                               {u"rec-0001.mp3"_s, u"rec-0002.mp3"_s, u"rec-0003.mp3"_s,
                                                u"rec-0004.mp3"_s, u"rec 0005.mp3"_s},
                                               {70'000, 1, 4096, 123'457, 2048}, &error);
        QVERIFY2(!m_media.isEmpty(), qPrintable(error));
        m_server = std::make_unique<RefServer>(QStringList{
            u"--calls"_s, u"5"_s, u"--one-recording-per-file"_s, u"--recordings-dir"_s, m_files.path(),
            u"--media-base-url"_s, MediaBase + u'/', u"--media-secret"_s, MediaSecret});
        QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
        m_token = m_server->login(u"supervisor@demo.test"_s).accessToken;
        QVERIFY(!m_token.isEmpty());
        const CallWalk walk = walkCalls(*m_server, m_token);
        QVERIFY2(walk.error.isEmpty(), qPrintable(walk.error));
        m_calls = walk.rows;
    }

    void cleanupTestCase() { m_server.reset(); }

    void cleanup() { m_server->adminPost(u"/__admin/faults"_s, {{u"url_lifetime"_s, 300}}); }

    void everyCallHasItsOwnFile()
    {
        QCOMPARE(m_calls.size(), m_media.size());
        QSet<QString> shas, recordingIds;
        for (const QJsonObject &call : std::as_const(m_calls)) {
            const QJsonObject recording = call.value("recording"_L1).toObject();
            QCOMPARE(recording.value("status"_L1).toString(), u"available"_s);
            QCOMPARE(call.value("outcome"_L1).toString(), u"connected"_s);
            QVERIFY(call.value("duration_seconds"_L1).toDouble() >= recording.value("duration_seconds"_L1).toDouble());
            const MediaFile *file = fileWithSha(recording.value("sha256"_L1).toString());
            QVERIFY2(file, qPrintable(recording.value("sha256"_L1).toString()));
            QCOMPARE(recording.value("size_bytes"_L1).toInteger(), file->sizeBytes);
            shas.insert(file->sha256);
            recordingIds.insert(recording.value("id"_L1).toString());
        }
        QCOMPARE(shas.size(), m_media.size());
        QCOMPARE(recordingIds.size(), m_media.size());
    }

    void recordingUrlIsAnNginxSecureLink()
    {
        for (const QJsonObject &call : std::as_const(m_calls)) {
            const HttpResult result = m_server->api("GET", u"/api/calls/%1/recording"_s.arg(id(call)), m_token);
            QCOMPARE(result.status, 200);
            verifySecureLink(result.object(), call, 300);
        }
    }

    void refreshAndAvailabilityHandOutTheSameKind()
    {
        const QJsonObject &call = m_calls.constFirst();
        const HttpResult refreshed = m_server->api("POST", u"/api/calls/%1/recording/refresh"_s.arg(id(call)), m_token);
        QCOMPARE(refreshed.status, 200);
        verifySecureLink(refreshed.object(), call, 300);
        const HttpResult availability =
            m_server->api("GET", u"/api/calls/%1/recording/availability"_s.arg(id(call)), m_token);
        QCOMPARE(availability.status, 200);
        QCOMPARE(availability.object().value("available"_L1).toBool(), true);
        verifySecureLink(availability.object(), call, 300);
    }

    void urlLifetimeIsHonoured()
    {
        QVERIFY(!m_server->adminPost(u"/__admin/faults"_s, {{u"url_lifetime"_s, 42}}).isNull());
        const QJsonObject &call = m_calls.constLast();
        const HttpResult result = m_server->api("GET", u"/api/calls/%1/recording"_s.arg(id(call)), m_token);
        QCOMPARE(result.status, 200);
        verifySecureLink(result.object(), call, 42);
    }

    void noRecordingsSeedsMetadataOnly()
    {
        // No manifest is needed for calls without recordings.
        RefServer server({u"--calls"_s, u"250"_s, u"--no-recordings"_s, u"--recordings-dir"_s,
                          m_files.path() + u"/nowhere"_s});
        QVERIFY2(server.start(), qPrintable(server.errorString()));
        const QString token = server.login(u"supervisor@demo.test"_s).accessToken;
        const CallWalk walk = walkCalls(server, token);
        QVERIFY2(walk.error.isEmpty(), qPrintable(walk.error));
        QCOMPARE(walk.rows.size(), 250);
        for (const QJsonObject &call : walk.rows)
            QVERIFY(call.value("recording"_L1).isNull());
    }

    // Servers that keep no hash: the same files, each call still its own, sha256 null.
    void withoutSha256GivesNoHash()
    {
        RefServer server({u"--calls"_s, u"5"_s, u"--one-recording-per-file"_s, u"--without-sha256"_s,
                          u"--recordings-dir"_s, m_files.path()});
        QVERIFY2(server.start(), qPrintable(server.errorString()));
        const CallWalk walk = walkCalls(server, server.login(u"supervisor@demo.test"_s).accessToken);
        QVERIFY2(walk.error.isEmpty(), qPrintable(walk.error));
        QCOMPARE(walk.rows.size(), m_media.size());
        QSet<qint64> sizes;
        for (const QJsonObject &call : walk.rows) {
            const QJsonObject recording = call.value("recording"_L1).toObject();
            QCOMPARE(recording.value("status"_L1).toString(), u"available"_s);
            QVERIFY(recording.contains("sha256"_L1) && recording.value("sha256"_L1).isNull());
            sizes.insert(recording.value("size_bytes"_L1).toInteger());
        }
        QCOMPARE(sizes.size(), m_media.size());
    }

    void refusedCombinations_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::newRow("more calls than files")
            << QStringList{u"--calls"_s, u"6"_s, u"--one-recording-per-file"_s, u"--recordings-dir"_s, m_files.path()};
        QTest::newRow("one per file without --calls") << QStringList{u"--one-recording-per-file"_s};
        QTest::newRow("one per file and none")
            << QStringList{u"--calls"_s, u"2"_s, u"--one-recording-per-file"_s, u"--no-recordings"_s};
        QTest::newRow("no hash without one per file") << QStringList{u"--calls"_s, u"2"_s, u"--without-sha256"_s};
        QTest::newRow("base URL without secret") << QStringList{u"--media-base-url"_s, MediaBase};
        QTest::newRow("secret without base URL") << QStringList{u"--media-secret"_s, MediaSecret};
        QTest::newRow("base URL with a query")
            << QStringList{u"--media-base-url"_s, MediaBase + u"?x=1"_s, u"--media-secret"_s, MediaSecret};
        QTest::newRow("not http") << QStringList{u"--media-base-url"_s, u"ftp://h/media"_s, u"--media-secret"_s, MediaSecret};
    }

    void refusedCombinations()
    {
        QFETCH(QStringList, arguments);
        RefServer server(arguments);
        QVERIFY(!server.start(30'000));
        QVERIFY2(server.errorString().contains("exited with code"_L1), qPrintable(server.errorString()));
    }

private:
    static QString id(const QJsonObject &call) { return call.value("id"_L1).toString(); }

    const MediaFile *fileWithSha(const QString &sha) const
    {
        for (const MediaFile &file : m_media) {
            if (file.sha256 == sha)
                return &file;
        }
        return nullptr;
    }

    // BASE/FILE?md5=base64url(md5("EXPIRES/media/bench/FILE SECRET"))&expires=EXPIRES, FILE
    // being the call's own file.
    void verifySecureLink(const QJsonObject &body, const QJsonObject &call, int lifetime)
    {
        const QString text = body.value("recording_url"_L1).toString();
        QVERIFY2(text.startsWith(MediaBase + u'/'), qPrintable(text));
        const QUrl url(text);
        const QUrlQuery query(url);
        QCOMPARE(query.queryItems().size(), 2);
        const qint64 expires = query.queryItemValue(u"expires"_s).toLongLong();
        QVERIFY(qAbs(expires - QDateTime::currentSecsSinceEpoch() - lifetime) <= 2);
        QCOMPARE(body.value("expires_in"_L1).toInt(), lifetime);
        QCOMPARE(QDateTime::fromString(body.value("expires_at"_L1).toString(), Qt::ISODate).toSecsSinceEpoch(), expires);

        const QString path = url.path(QUrl::FullyDecoded);
        QCOMPARE(query.queryItemValue(u"md5"_s).toLatin1(), NginxServer::linkToken(expires, path, MediaSecret));
        const MediaFile *file = fileWithSha(call.value("recording"_L1).toObject().value("sha256"_L1).toString());
        QVERIFY(file);
        QCOMPARE(path, u"/media/bench/"_s + file->file);
        if (file->file.contains(u' '))
            QVERIFY2(text.contains("%20"_L1), qPrintable(text));
    }

    QTemporaryDir m_files;
    QList<MediaFile> m_media;
    std::unique_ptr<RefServer> m_server;
    QString m_token;
    QList<QJsonObject> m_calls;
};

} // namespace

std::unique_ptr<QObject> makeBenchmarkModeTests()
{
    return std::make_unique<BenchmarkModeTests>();
}

} // namespace earshot::refserver::tests

#include "tst_benchmark_modes.moc"
