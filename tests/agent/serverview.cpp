#include "serverview.h"

#include <QJsonArray>
#include <QUrl>

using namespace Qt::StringLiterals;

bool ServerView::start(const QStringList &arguments)
{
    m_server = std::make_unique<earshot::testsupport::RefServer>(arguments);
    if (!m_server->start()) {
        m_error = m_server->errorString();
        return false;
    }
    // The reference server's policy keeps local copies 30 days, and the agent then fetches
    // no call older than that; the seeded calls span 90 days. Tests that want retention
    // (tst_agentcache) set it through /__admin/policy.
    if (!adminPost(u"/__admin/policy"_s, {{u"local_retention_days"_s, 0}})) {
        m_error = u"cannot switch off the server's local retention"_s;
        return false;
    }
    return true;
}

void ServerView::stop()
{
    m_server->stop();
}

bool ServerView::restart()
{
    if (!m_server->restart()) {
        m_error = m_server->errorString();
        return false;
    }
    return true;
}

QList<QJsonObject> ServerView::auditEvents()
{
    const QString token = m_server->login(u"compliance@demo.test"_s).accessToken;
    QList<QJsonObject> events;
    QString cursor;
    for (bool more = true; more;) {
        QString path = u"/api/audit/events?limit=500"_s;
        if (!cursor.isEmpty())
            path += u"&since="_s + QString::fromLatin1(QUrl::toPercentEncoding(cursor));
        const auto result = m_server->api("GET", path, token);
        if (result.status != 200) {
            qWarning() << "GET" << path << "answered" << result.status << result.body.left(300);
            return {};
        }
        const QJsonObject root = result.object();
        const QJsonArray data = root.value("data"_L1).toArray();
        for (const QJsonValue &row : data)
            events.append(row.toObject().value("event"_L1).toObject());
        cursor = root.value("next_cursor"_L1).toString();
        more = root.value("has_more"_L1).toBool();
    }
    return events;
}

QString ServerView::url() const
{
    return m_server->baseUrl().adjusted(QUrl::StripTrailingSlash).toString();
}

QJsonObject ServerView::stats()
{
    return m_server->adminGet(u"/__admin/stats"_s).object();
}

bool ServerView::resetStats()
{
    return adminPost(u"/__admin/stats/reset"_s, {});
}

bool ServerView::adminPost(const QString &path, const QJsonObject &body)
{
    return m_server->adminPost(path, body).isObject();
}

std::optional<ServerView::RawPage> ServerView::rawPage(const QString &cursor, int limit)
{
    // A fresh token each time: some tests run the server with a one-second token lifetime.
    m_accessToken = m_server->login(u"supervisor@demo.test"_s).accessToken;
    QString path = u"/api/calls?limit=%1"_s.arg(limit);
    if (!cursor.isEmpty())
        path += u"&updated_since="_s + QString::fromLatin1(QUrl::toPercentEncoding(cursor));
    const auto result = m_server->api("GET", path, m_accessToken);
    if (result.status != 200) {
        qWarning() << "GET" << path << "answered" << result.status << result.body.left(300);
        return std::nullopt;
    }
    const QJsonObject root = result.object();
    RawPage page;
    const QJsonArray data = root.value("data"_L1).toArray();
    for (const QJsonValue &row : data)
        page.rows.append(row.toObject());
    page.nextCursor = root.value("next_cursor"_L1).toString();
    page.hasMore = root.value("has_more"_L1).toBool();
    return page;
}

std::optional<ServerView::Page> ServerView::page(const QString &cursor, int limit)
{
    const auto raw = rawPage(cursor, limit);
    if (!raw)
        return std::nullopt;
    Page page{{}, raw->nextCursor, raw->hasMore};
    for (const QJsonObject &row : raw->rows) {
        if (!row.value("deleted"_L1).toBool())
            page.updatedAt.insert(row.value("id"_L1).toString(), row.value("updated_at"_L1).toString());
    }
    return page;
}

QHash<QString, QJsonObject> ServerView::calls()
{
    QHash<QString, QJsonObject> calls;
    QString cursor;
    for (bool more = true; more;) {
        const auto raw = rawPage(cursor, 1000);
        if (!raw)
            return {};
        for (const QJsonObject &row : raw->rows) {
            const QString id = row.value("id"_L1).toString();
            if (row.value("deleted"_L1).toBool())
                calls.remove(id);
            else
                calls.insert(id, row);
        }
        cursor = raw->nextCursor;
        more = raw->hasMore;
    }
    return calls;
}

QHash<QString, QString> ServerView::updatedAt(const QHash<QString, QJsonObject> &calls)
{
    QHash<QString, QString> result;
    for (auto it = calls.cbegin(); it != calls.cend(); ++it)
        result.insert(it.key(), it.value().value("updated_at"_L1).toString());
    return result;
}

qint64 ServerView::availableRecordings(const QHash<QString, QJsonObject> &calls)
{
    qint64 available = 0;
    for (const QJsonObject &call : calls) {
        const QJsonValue recording = call.value("recording"_L1);
        if (recording.isObject() && recording.toObject().value("status"_L1).toString() == "available"_L1)
            ++available;
    }
    return available;
}
