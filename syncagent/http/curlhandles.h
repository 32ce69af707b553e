#pragma once

#include <QByteArray>

#include <curl/curl.h>

#include <memory>

namespace earshot::http {

// curl_global_init must run once, before any thread starts, and is not thread-safe:
// main() owns exactly one of these for the life of the program.
class CurlGlobalScope
{
public:
    CurlGlobalScope() : m_code(curl_global_init(CURL_GLOBAL_DEFAULT)) {}
    ~CurlGlobalScope()
    {
        if (m_code == CURLE_OK)
            curl_global_cleanup();
    }
    CurlGlobalScope(const CurlGlobalScope &) = delete;
    CurlGlobalScope &operator=(const CurlGlobalScope &) = delete;

    bool ok() const { return m_code == CURLE_OK; }

private:
    CURLcode m_code;
};

struct CurlEasyDeleter
{
    void operator()(CURL *handle) const { curl_easy_cleanup(handle); }
};
using CurlEasyHandle = std::unique_ptr<CURL, CurlEasyDeleter>;

struct CurlMultiDeleter
{
    void operator()(CURLM *handle) const { curl_multi_cleanup(handle); }
};
using CurlMultiHandle = std::unique_ptr<CURLM, CurlMultiDeleter>;

// A curl_slist of request headers, freed with the object.
class CurlHeaderList
{
public:
    CurlHeaderList() = default;
    ~CurlHeaderList() { curl_slist_free_all(m_list); }
    CurlHeaderList(const CurlHeaderList &) = delete;
    CurlHeaderList &operator=(const CurlHeaderList &) = delete;

    // False when curl could not allocate.
    bool append(const QByteArray &line)
    {
        curl_slist *grown = curl_slist_append(m_list, line.constData());
        if (!grown)
            return false;
        m_list = grown;
        return true;
    }
    curl_slist *get() const { return m_list; }

private:
    curl_slist *m_list = nullptr;
};

} // namespace earshot::http
