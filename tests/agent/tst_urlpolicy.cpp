// Where the agent may send a request: http(s) only, plain http only to this computer,
// and never from https on to plain http through a redirect.
#include "http/urlpolicy.h"

#include <QTest>

using namespace Qt::StringLiterals;
using namespace earshot;

class TstUrlPolicy : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void transferUrls_data();
    void transferUrls();
    void redirects_data();
    void redirects();
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

QTEST_GUILESS_MAIN(TstUrlPolicy)
#include "tst_urlpolicy.moc"
