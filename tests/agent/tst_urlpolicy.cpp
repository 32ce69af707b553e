// Where the agent may send a request: http(s) only, plain http only to this computer,
// and never from https on to plain http through a redirect; and the API transport, which
// follows redirects itself, keeping to that and leaving the credentials at their origin.
#include "hostilemediaserver.h"

#include "http/curltransport.h"
#include "http/urlpolicy.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace earshot;
using Answer = HostileMediaServer::Answer;

class TstUrlPolicy : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void transferUrls_data();
    void transferUrls();
    void redirects_data();
    void redirects();
    void apiTransportFollowsRedirectsOnlyWhereAllowed();
};

void TstUrlPolicy::transferUrls_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<bool>("allowed");
    QTest::newRow("https anywhere") << u"https://media.example.com/r/1?sig=x"_s << true;
    QTest::newRow("http to 127.0.0.1") << u"http://127.0.0.1:8080/media/1"_s << true;
    QTest::newRow("http to ::1") << u"http://[::1]:8080/media/1"_s << true;
    QTest::newRow("http to localhost") << u"http://LocalHost/media/1"_s << true;
    QTest::newRow("http to another host") << u"http://media.example.com/r/1"_s << false;
    QTest::newRow("http to a LAN address") << u"http://192.168.1.20/r/1"_s << false;
    QTest::newRow("a host named like loopback") << u"http://127.0.0.1.example.com/r/1"_s << false;
    QTest::newRow("ftp") << u"ftp://127.0.0.1/r.wav"_s << false;
    QTest::newRow("file") << u"file:///etc/passwd"_s << false;
    QTest::newRow("relative") << u"/media/1"_s << false;
}

void TstUrlPolicy::transferUrls()
{
    QFETCH(QString, url);
    QFETCH(bool, allowed);
    const Status status = http::checkTransferUrl(QUrl(url));
    QVERIFY2(bool(status) == allowed, qPrintable(url + u": "_s + (status ? u"allowed"_s : status.error())));
}

void TstUrlPolicy::redirects_data()
{
    QTest::addColumn<QString>("from");
    QTest::addColumn<QString>("to");
    QTest::addColumn<QString>("refusal"); // empty: allowed
    QTest::newRow("https to https") << u"https://api.example.com/a"_s << u"https://cdn.example.com/b?sig=s"_s << QString();
    QTest::newRow("loopback http to https") << u"http://127.0.0.1:8080/a"_s << u"https://cdn.example.com/b"_s
                                            << QString();
    QTest::newRow("loopback http to loopback http") << u"http://127.0.0.1:8080/a"_s << u"http://127.0.0.1:9090/b"_s
                                                    << QString();
    QTest::newRow("https down to loopback http") << u"https://cdn.example.com/a?sig=s"_s
                                                 << u"http://127.0.0.1:9090/b?sig=t"_s << u"to plain http"_s;
    QTest::newRow("https down to remote http") << u"https://cdn.example.com/a"_s << u"http://cdn.example.com/b"_s
                                               << u"use https"_s;
    QTest::newRow("https to ftp") << u"https://cdn.example.com/a"_s << u"ftp://cdn.example.com/b"_s
                                  << u"only http and https"_s;
}

void TstUrlPolicy::redirects()
{
    QFETCH(QString, from);
    QFETCH(QString, to);
    QFETCH(QString, refusal);
    const Status status = http::checkRedirect(QUrl(from), QUrl(to));
    if (refusal.isEmpty()) {
        QVERIFY2(status, qPrintable(status.error()));
        return;
    }
    QVERIFY(!status);
    QVERIFY2(status.error().contains(refusal), qPrintable(status.error()));
    // The signed query never reaches the message (it goes to logs and the store).
    QVERIFY2(!status.error().contains(u"sig="_s), qPrintable(status.error()));
}

void TstUrlPolicy::apiTransportFollowsRedirectsOnlyWhereAllowed()
{
    QTemporaryDir media;
    const QByteArray content = "{\"calls\":[]}";
    QFile file(media.filePath(u"page.json"_s));
    QVERIFY(file.open(QIODevice::WriteOnly) && file.write(content) == content.size());
    file.close();
    HostileMediaServer api(media.path());
    HostileMediaServer elsewhere(media.path()); // another port: another origin
    QVERIFY(api.start() && elsewhere.start());
    const auto redirectTo = [](const QByteArray &location) {
        HostileMediaServer::Behaviour behaviour;
        behaviour.answer = Answer::Redirect;
        behaviour.location = location;
        return behaviour;
    };
    http::CurlTransport transport(http::CurlTransportOptions{});
    http::HttpRequest request;
    request.url = api.url(u"page.json"_s);
    request.headers = {{"Authorization", "Bearer secret-token"}};

    // Within the origin, the credentials go along; to another, they stay behind.
    api.script({redirectTo(api.url(u"page.json"_s).toEncoded()), redirectTo(elsewhere.url(u"page.json"_s).toEncoded())});
    const auto followed = transport.perform(request);
    QVERIFY2(followed, followed ? "" : qPrintable(followed.error().message));
    QCOMPARE(followed->status, 200);
    QCOMPARE(followed->body, content);
    const auto asked = api.requests();
    QCOMPARE(asked.size(), 2);
    QCOMPARE(asked[0].authorization, "Bearer secret-token"_ba);
    QCOMPARE(asked[1].authorization, "Bearer secret-token"_ba);
    QCOMPARE(elsewhere.requests().size(), 1);
    QCOMPARE(elsewhere.requests()[0].authorization, QByteArray());

    // Out of policy: refused, and nothing is sent there.
    for (const QByteArray &target : {"ftp://127.0.0.1/page.json"_ba, "http://192.0.2.1/page.json"_ba}) {
        api.script({redirectTo(target)});
        const auto refused = transport.perform(request);
        QVERIFY2(!refused, target.constData());
        QCOMPARE(refused.error().kind, http::TransferError::Kind::Refused);
    }

    // A loop ends after the allowed number of hops.
    const int hops = http::CurlTransportOptions{}.maxRedirects;
    api.script(QList<HostileMediaServer::Behaviour>(hops + 1, redirectTo(api.url(u"page.json"_s).toEncoded())));
    const qsizetype before = api.requests().size();
    const auto looped = transport.perform(request);
    QVERIFY(!looped);
    QVERIFY2(looped.error().message.contains(u"redirected more than %1 times"_s.arg(hops)),
             qPrintable(looped.error().message));
    QCOMPARE(api.requests().size() - before, hops + 1);
}

QTEST_GUILESS_MAIN(TstUrlPolicy)
#include "tst_urlpolicy.moc"
