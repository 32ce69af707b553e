#include "http/tlstrust.h"

#include "http/curlhandles.h"

#include <QFile>

#include <openssl/x509_vfy.h>

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

namespace {

enum class Issuer { Unknown, Known, CannotTell };

// Whether the refusal was for want of a trusted issuer. Only OpenSSL and its forks report
// X509_V_ERR codes through CURLINFO_SSL_VERIFYRESULT; other TLS backends (Schannel, Secure
// Transport, GnuTLS) report nothing or something else, so there it cannot be told.
Issuer issuerOf(CURL *handle)
{
    const curl_version_info_data *version = curl_version_info(CURLVERSION_NOW);
    const QByteArrayView backend = version && version->ssl_version ? version->ssl_version : "";
    if (!backend.startsWith("OpenSSL") && !backend.startsWith("LibreSSL") && !backend.startsWith("BoringSSL")
        && !backend.startsWith("quictls"))
        return Issuer::CannotTell;
    long verifyResult = X509_V_OK;
    if (curl_easy_getinfo(handle, CURLINFO_SSL_VERIFYRESULT, &verifyResult) != CURLE_OK)
        return Issuer::CannotTell;
    // An expired certificate or one for another host is not helped by another CA.
    const bool unknown = verifyResult == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT
        || verifyResult == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY
        || verifyResult == X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT || verifyResult == X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN;
    return unknown ? Issuer::Unknown : Issuer::Known;
}

} // namespace

QString TlsTrust::refusedCertificateMessage(CURL *handle, const QString &where, const QString &detail) const
{
    const QString refused = u"the certificate of %1 was refused (%2)"_s.arg(where, detail);
    const Issuer issuer = issuerOf(handle);
    if (issuer == Issuer::Known)
        return refused;
    if (hasExtraCa())
        return issuer == Issuer::Unknown
            ? refused + u": neither the system's certificate authorities nor the one given with --ca-file issued it"_s
            : refused;
    return refused + u": if your company's own certificate authority issued it, give the agent that CA with --ca-file"_s;
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
