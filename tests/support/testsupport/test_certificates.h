// A certificate authority made for one test, and a server certificate it signed (for
// 127.0.0.1 and localhost unless told otherwise), as a company CA in front of a media store would be: PEM files
// in a private temporary directory, made with the openssl command (Debian: openssl).
//
//     TestCertificates certificates;
//     QVERIFY2(certificates.create(), qPrintable(certificates.errorString()));
//     nginx.serveTls(certificates.serverCertificate(), certificates.serverKey());
//     agent run with --ca-file certificates.caCertificate()
#pragma once

#include <QtCore/QString>
#include <QtCore/QStringList>
#include <QtCore/QTemporaryDir>

namespace earshot::testsupport {

class TestCertificates
{
public:
    // Makes a CA and a server certificate signed by it, valid for a day, for these
    // subjectAltName entries (OpenSSL's syntax).
    bool create(const QStringList &serverNames = {QStringLiteral("IP:127.0.0.1"), QStringLiteral("DNS:localhost")});

    QString caCertificate() const { return path(u"ca.pem"); }
    QString serverCertificate() const { return path(u"server.pem"); }
    QString serverKey() const { return path(u"server.key"); }
    QString errorString() const { return m_error; }

private:
    QString path(QStringView name) const { return m_dir.filePath(name.toString()); }
    bool openssl(const QStringList &arguments);

    QTemporaryDir m_dir;
    QString m_error;
};

} // namespace earshot::testsupport
