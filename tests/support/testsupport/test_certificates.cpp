#include "testsupport/test_certificates.h"

#include <QtCore/QFile>
#include <QtCore/QProcess>
#include <QtCore/QStandardPaths>

using namespace Qt::StringLiterals;

namespace earshot::testsupport {

bool TestCertificates::openssl(const QStringList &arguments)
{
    const QString program = QStandardPaths::findExecutable(u"openssl"_s);
    if (program.isEmpty()) {
        m_error = u"the openssl command is not installed (Debian: apt-get install openssl)"_s;
        return false;
    }
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.start(program, arguments);
    if (!process.waitForFinished(30'000) || process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0) {
        m_error = u"openssl %1 failed: %2"_s.arg(arguments.join(u' '), QString::fromUtf8(process.readAll()).trimmed());
        return false;
    }
    return true;
}

bool TestCertificates::create(const QStringList &serverNames)
{
    if (!m_dir.isValid()) {
        m_error = u"cannot create a temporary directory for the certificates"_s;
        return false;
    }
    const QString caKey = path(u"ca.key");
    const QString request = path(u"server.csr");
    const QString extensions = path(u"server.ext");
    {
        QFile file(extensions);
        if (!file.open(QIODevice::WriteOnly)
            || file.write("basicConstraints = critical, CA:FALSE\n"
                          "keyUsage = critical, digitalSignature\n"
                          "extendedKeyUsage = serverAuth\n"
                          "subjectAltName = "
                          + serverNames.join(u", "_s).toUtf8() + "\n")
                < 0) {
            m_error = u"cannot write %1"_s.arg(extensions);
            return false;
        }
    }
    const QStringList ecKey{u"-newkey"_s, u"ec"_s, u"-pkeyopt"_s, u"ec_paramgen_curve:prime256v1"_s, u"-nodes"_s};
    return openssl(QStringList{u"req"_s, u"-x509"_s} + ecKey
                   + QStringList{u"-keyout"_s, caKey, u"-out"_s, caCertificate(), u"-days"_s, u"1"_s, u"-subj"_s,
                                 u"/O=Earshot tests/CN=Earshot test CA"_s, u"-addext"_s,
                                 u"basicConstraints=critical,CA:TRUE"_s, u"-addext"_s,
                                 u"keyUsage=critical,keyCertSign,cRLSign"_s})
        && openssl(QStringList{u"req"_s, u"-new"_s} + ecKey
                   + QStringList{u"-keyout"_s, serverKey(), u"-out"_s, request, u"-subj"_s,
                                 u"/O=Earshot tests/CN=Earshot test server"_s})
        && openssl({u"x509"_s, u"-req"_s, u"-in"_s, request, u"-CA"_s, caCertificate(), u"-CAkey"_s, caKey,
                    u"-CAcreateserial"_s, u"-out"_s, serverCertificate(), u"-days"_s, u"1"_s, u"-extfile"_s,
                    extensions});
}

} // namespace earshot::testsupport
