// Recordings served by a real nginx behind secure_link, with the reference server handing
// out the links (--media-base-url, --media-secret): what the mirror benchmark and
// production backends with a CDN or object store look like. The links from the API
// download intact; Range answers 206/416; expired links 410; tampered ones 403.
#include "testsupport/media_files.h"
#include "testsupport/nginx_server.h"
#include "testsupport/ref_server.h"

#include <QtCore/QCryptographicHash>
#include <QtCore/QDateTime>
#include <QtCore/QDir>
#include <QtCore/QFile>
#include <QtCore/QJsonArray>
#include <QtCore/QTemporaryDir>
#include <QtCore/QUrlQuery>
#include <QtNetwork/QTcpSocket>
#include <QtTest/QTest>

using namespace Qt::StringLiterals;
using namespace earshot::testsupport;

namespace {

QString sha256Hex(const QByteArray &data)
{
    return QString::fromLatin1(QCryptographicHash::hash(data, QCryptographicHash::Sha256).toHex());
}

QUrl withQueryItem(QUrl url, const QString &name, const QString &value)
{
    QUrlQuery query(url);
    query.removeQueryItem(name);
    query.addQueryItem(name, value);
    url.setQuery(query);
    return url;
}

} // namespace

class NginxMediaTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(!NginxServer::executable().isEmpty(),
                 "nginx is not installed: this test needs it (Debian: apt-get install nginx)");
        QVERIFY(m_root.isValid());
        QString error;
        // Files in a subdirectory, as the benchmark serves them; one name needs encoding.
        m_files = writeMediaFiles(QDir(m_root.path()).filePath(u"calls"_s),
                                  {u"rec-0001.mp3"_s, u"rec-0002.mp3"_s, u"rec 0003.mp3"_s},
                                  {1'048'576 + 123, 65'536, 1000}, &error);
        QVERIFY2(!m_files.isEmpty(), qPrintable(error));
        QVERIFY(writeMediaFiles(QDir(m_root.path()).filePath(u"other"_s), {u"rec-0001.mp3"_s}, {10}, &error).size() == 1);

        m_nginx = std::make_unique<NginxServer>(m_root.path());
        QVERIFY2(m_nginx->start(), qPrintable(m_nginx->errorString()));
        m_server = std::make_unique<RefServer>(QStringList{
            u"--calls"_s, QString::number(m_files.size()), u"--one-recording-per-file"_s, u"--recordings-dir"_s,
            QDir(m_root.path()).filePath(u"calls"_s), u"--media-base-url"_s,
            m_nginx->baseUrl().toString() + u"/calls"_s, u"--media-secret"_s, m_nginx->secret()});
        QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
        m_token = m_server->login(u"supervisor@demo.test"_s).accessToken;
        QVERIFY(!m_token.isEmpty());
        const HttpResult page = m_server->api("GET", u"/api/calls?limit=1000"_s, m_token);
        QCOMPARE(page.status, 200);
        for (const QJsonValue &row : page.object().value("data"_L1).toArray())
            m_calls.append(row.toObject());
        QCOMPARE(m_calls.size(), m_files.size());
    }

    void cleanupTestCase()
    {
        m_server.reset();
        m_nginx.reset();
    }

    void cleanup() { m_server->adminPost(u"/__admin/faults"_s, {{u"url_lifetime"_s, 300}}); }

    void everyRecordingDownloadsThroughNginx()
    {
        const qsizetype logBefore = m_nginx->accessLog().size();
        for (const QJsonObject &call : std::as_const(m_calls)) {
            const QJsonObject recording = call.value("recording"_L1).toObject();
            const QUrl url = recordingUrl(call);
            QVERIFY2(url.toString().startsWith(m_nginx->baseUrl().toString() + u"/calls/"_s), qPrintable(url.toString()));
            const HttpResult media = fetch(url);
            QCOMPARE(media.status, 200);
            QCOMPARE(media.body.size(), recording.value("size_bytes"_L1).toInteger());
            QCOMPARE(media.header("content-length").toLongLong(), media.body.size());
            QCOMPARE(sha256Hex(media.body), recording.value("sha256"_L1).toString());
        }
        // nginx served them, and says so.
        const QList<NginxAccessEntry> log = m_nginx->accessLog().mid(logBefore);
        QCOMPARE(log.size(), m_files.size());
        qint64 bytes = 0;
        for (const NginxAccessEntry &entry : log) {
            QCOMPARE(entry.status, 200);
            QCOMPARE(entry.method, "GET"_ba);
            QVERIFY(entry.range.isEmpty());
            bytes += entry.bodyBytesSent;
        }
        qint64 expected = 0;
        for (const MediaFile &file : std::as_const(m_files))
            expected += file.sizeBytes;
        QCOMPARE(bytes, expected);
    }

    void rangeRequests_data()
    {
        QTest::addColumn<QByteArray>("range");
        QTest::addColumn<qint64>("first");
        QTest::addColumn<qint64>("length");
        const qint64 size = 1'048'576 + 123;
        QTest::newRow("bytes=100-199") << "bytes=100-199"_ba << qint64(100) << qint64(100);
        QTest::newRow("open-ended") << "bytes=1000000-"_ba << qint64(1'000'000) << size - 1'000'000;
        QTest::newRow("suffix") << "bytes=-500"_ba << size - 500 << qint64(500);
        QTest::newRow("last past the end") << "bytes=10-99999999"_ba << qint64(10) << size - 10;
    }

    void rangeRequests()
    {
        QFETCH(QByteArray, range);
        QFETCH(qint64, first);
        QFETCH(qint64, length);
        const QByteArray full = fileContent(0);
        const qint64 size = full.size();
        const HttpResult part = fetch(recordingUrl(m_calls.constFirst()), {{"Range"_ba, range}});
        QCOMPARE(part.status, 206);
        QCOMPARE(part.header("content-range"), "bytes " + QByteArray::number(first) + '-'
                                                   + QByteArray::number(first + length - 1) + '/'
                                                   + QByteArray::number(size));
        QCOMPARE(part.body, full.mid(first, length));
        const NginxAccessEntry last = m_nginx->accessLog().constLast();
        QCOMPARE(last.status, 206);
        QCOMPARE(last.range, range);
        QCOMPARE(last.bodyBytesSent, length);
    }

    void unsatisfiableRangeIs416()
    {
        const qint64 size = m_files.constFirst().sizeBytes;
        const HttpResult result =
            fetch(recordingUrl(m_calls.constFirst()), {{"Range"_ba, "bytes=" + QByteArray::number(size) + '-'}});
        QCOMPARE(result.status, 416);
        QCOMPARE(result.header("content-range"), "bytes */" + QByteArray::number(size));
    }

    void connectionsAreKeptAlive()
    {
        const QUrl url = recordingUrl(m_calls.constLast());
        QCOMPARE(fetch(url).status, 200);
        QCOMPARE(fetch(url).status, 200);
        const QList<NginxAccessEntry> log = m_nginx->accessLog();
        QCOMPARE(log.constLast().connection, log.at(log.size() - 2).connection);
        QVERIFY(log.constLast().connectionRequests >= 2);
    }

    void expiredLinkIs410()
    {
        QVERIFY(!m_server->adminPost(u"/__admin/faults"_s, {{u"url_lifetime"_s, 1}}).isNull());
        const QUrl url = recordingUrl(m_calls.constLast());
        QCOMPARE(fetch(url).status, 200);
        // Good through the whole second named by expires, as with the built-in URLs.
        const qint64 expires = QUrlQuery(url).queryItemValue(u"expires"_s).toLongLong();
        while (QDateTime::currentSecsSinceEpoch() <= expires)
            QTest::qWait(100);
        QCOMPARE(fetch(url).status, 410);
    }

    void tamperedLinkIs403()
    {
        const QUrl url = recordingUrl(m_calls.constFirst());
        const QString md5 = QUrlQuery(url).queryItemValue(u"md5"_s);
        const QString flipped = (md5.startsWith(u'A') ? u"B"_s : u"A"_s) + md5.mid(1);
        QUrl otherFile = url;
        otherFile.setPath(url.path().replace(u"rec-0001"_s, u"rec-0002"_s));
        QUrl otherDirectory = url;
        otherDirectory.setPath(url.path().replace(u"/calls/"_s, u"/other/"_s));
        QUrl unsignedUrl = url;
        unsignedUrl.setQuery(QString());
        const QList<QUrl> tampered = {
            withQueryItem(url, u"md5"_s, flipped),
            withQueryItem(url, u"expires"_s, QString::number(QDateTime::currentSecsSinceEpoch() + 86'400)),
            otherFile, otherDirectory, unsignedUrl};
        for (const QUrl &bad : tampered)
            QVERIFY2(fetch(bad).status == 403, qPrintable(bad.toString()));
    }

    void directoryLinksForClientsThatAppendNames()
    {
        const qint64 expires = QDateTime::currentSecsSinceEpoch() + 60;
        const QUrl base = m_nginx->directoryUrl(u"calls"_s, expires);
        QUrl file = base;
        file.setPath(base.path() + u"rec-0002.mp3"_s);
        const HttpResult media = fetch(file);
        QCOMPARE(media.status, 200);
        QCOMPARE(sha256Hex(media.body), m_files.at(1).sha256);

        QUrl elsewhere = base;
        elsewhere.setPath(base.path().replace(u"/calls/"_s, u"/other/"_s) + u"rec-0001.mp3"_s);
        QCOMPARE(fetch(elsewhere).status, 403);
        const QUrl expired = m_nginx->directoryUrl(u"calls"_s, QDateTime::currentSecsSinceEpoch() - 5);
        QUrl expiredFile = expired;
        expiredFile.setPath(expired.path() + u"rec-0002.mp3"_s);
        QCOMPARE(fetch(expiredFile).status, 410);
    }

    void killLeavesNothingServing()
    {
        NginxServer nginx(m_root.path());
        QVERIFY2(nginx.start(), qPrintable(nginx.errorString()));
        const quint16 port = nginx.port();
        nginx.kill();
        QVERIFY(!nginx.isRunning());
        QTcpSocket probe;
        probe.connectToHost(QHostAddress::LocalHost, port);
        QVERIFY(!probe.waitForConnected(1000));
    }

private:
    QUrl recordingUrl(const QJsonObject &call)
    {
        const HttpResult result =
            m_server->api("GET", u"/api/calls/%1/recording"_s.arg(call.value("id"_L1).toString()), m_token);
        return QUrl(result.object().value("recording_url"_L1).toString());
    }

    // Signed links carry their own authorization: no bearer token.
    HttpResult fetch(const QUrl &url, const HttpHeaders &headers = {}) { return m_server->request("GET", url, headers); }

    QByteArray fileContent(qsizetype index) const
    {
        QFile file(QDir(m_root.path()).filePath(u"calls/"_s + m_files.at(index).file));
        return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
    }

    QTemporaryDir m_root;
    QList<MediaFile> m_files;
    std::unique_ptr<NginxServer> m_nginx;
    std::unique_ptr<RefServer> m_server;
    QString m_token;
    QList<QJsonObject> m_calls;
};

QTEST_GUILESS_MAIN(NginxMediaTest)

#include "tst_nginxmedia.moc"
