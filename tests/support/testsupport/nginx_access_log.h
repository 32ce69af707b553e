// Reads the access log of the test nginx (tests/nginx/secure-media.conf.in writes one
// tab-separated line per finished request), so tests can count requests, see the Range
// headers that were sent and add up the bytes nginx put on the wire.
#pragma once

#include <QtCore/QByteArray>
#include <QtCore/QList>
#include <QtCore/QString>

namespace earshot::testsupport {

struct NginxAccessEntry
{
    QByteArray method;       // GET, HEAD, …
    QByteArray target;       // path and query as requested
    QByteArray protocol;     // HTTP/1.1, HTTP/2.0
    int status = 0;
    qint64 bodyBytesSent = 0; // also of a response cut short: what was sent before the cut
    QByteArray range;        // the Range header; empty when there was none
    qint64 connection = 0;   // nginx's connection serial number
    qint64 connectionRequests = 0; // 1 for the first request on a connection, 2 on reuse, …
    QByteArray ifRange;      // the If-Range header; empty when there was none

    QByteArray path() const; // target without the query
};

// Lines that do not parse are skipped: a line nginx is still writing is picked up next time.
QList<NginxAccessEntry> parseNginxAccessLog(const QByteArray &text);

} // namespace earshot::testsupport
