#include "http/tlstrust.h"

#include "http/curlhandles.h"

#include <QFile>

using namespace Qt::StringLiterals;

namespace earshot::http {

namespace {

// The bundle libcurl would use by default (CURLINFO_CAINFO, libcurl 7.84 and later);
// empty when the TLS backend uses a native store instead of a file.
QByteArray defaultBundle()
{
    const CurlEasyHandle probe(curl_easy_init());
    char *path = nullptr;
    if (!probe || curl_easy_getinfo(probe.get(), CURLINFO_CAINFO, &path) != CURLE_OK || !path)
        return {};
    QFile file(QFile::decodeName(path));
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

} // namespace

Expected<TlsTrust> TlsTrust::withExtraCaFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Expected<TlsTrust>::failure(u"cannot read the CA file %1: %2"_s.arg(path, file.errorString()));
    const QByteArray extra = file.read(4 * 1024 * 1024);
    if (!extra.contains("-----BEGIN CERTIFICATE-----"))
        return Expected<TlsTrust>::failure(
            u"the CA file %1 holds no PEM certificate (expected a \"-----BEGIN CERTIFICATE-----\" block)"_s.arg(path));
    TlsTrust trust;
    trust.m_bundle = defaultBundle();
    if (!trust.m_bundle.isEmpty() && !trust.m_bundle.endsWith('\n'))
        trust.m_bundle += '\n';
    trust.m_bundle += extra;
    return trust;
}

QString TlsTrust::untrustedCertificateMessage(const QString &where, const QString &detail)
{
    return u"the certificate of %1 is not trusted (%2); if your company's own certificate authority issued it, "
           "give the agent that CA with --ca-file"_s.arg(where, detail);
}

void TlsTrust::applyTo(CURL *handle) const
{
    curl_easy_setopt(handle, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(handle, CURLOPT_SSL_VERIFYHOST, 2L);
    if (m_bundle.isEmpty())
        return;
    curl_blob blob{};
    blob.data = const_cast<char *>(m_bundle.constData()); // CURL_BLOB_COPY: libcurl keeps its own copy
    blob.len = static_cast<size_t>(m_bundle.size());
    blob.flags = CURL_BLOB_COPY;
    curl_easy_setopt(handle, CURLOPT_CAINFO_BLOB, &blob);
}

} // namespace earshot::http
