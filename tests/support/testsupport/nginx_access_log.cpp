#include "testsupport/nginx_access_log.h"

namespace earshot::testsupport {

QByteArray NginxAccessEntry::path() const
{
    const qsizetype question = target.indexOf('?');
    return question < 0 ? target : target.left(question);
}

QList<NginxAccessEntry> parseNginxAccessLog(const QByteArray &text)
{
    QList<NginxAccessEntry> entries;
    for (const QByteArray &line : text.split('\n')) {
        const QList<QByteArray> fields = line.split('\t');
        if (fields.size() != 7)
            continue;
        // $request is "METHOD TARGET PROTOCOL".
        const QList<QByteArray> request = fields[0].split(' ');
        bool statusOk = false, bytesOk = false, connectionOk = false, requestsOk = false;
        NginxAccessEntry entry;
        entry.method = request.value(0);
        entry.target = request.value(1);
        entry.protocol = request.value(2);
        entry.status = fields[1].toInt(&statusOk);
        entry.bodyBytesSent = fields[2].toLongLong(&bytesOk);
        entry.range = fields[3] == "-" ? QByteArray() : fields[3];
        entry.connection = fields[4].toLongLong(&connectionOk);
        entry.connectionRequests = fields[5].toLongLong(&requestsOk);
        // nginx escapes the quotes of an entity tag in its log.
        entry.ifRange = fields[6] == "-" ? QByteArray() : QByteArray(fields[6]).replace("\\x22", "\"");
        if (request.size() == 3 && statusOk && bytesOk && connectionOk && requestsOk)
            entries.append(entry);
    }
    return entries;
}

} // namespace earshot::testsupport
