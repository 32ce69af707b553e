#pragma once

#include "testsupport/ref_server.h"

#include <QHash>
#include <QJsonObject>
#include <QStringList>

#include <memory>
#include <optional>

// The reference server as the agent tests use it: started with some arguments, and
// asked through its own API (as the supervisor the agent signs in as) what the agent
// should have mirrored.
class ServerView
{
public:
    struct Page
    {
        QHash<QString, QString> updatedAt; // live calls of the page: id -> updated_at
        QString nextCursor;
        bool hasMore = false;
    };

    bool start(const QStringList &arguments);
    void stop();
    // stop() then start on the same data and port: the agent's saved session still works.
    bool restart();
    QString error() const { return m_error; }
    QString url() const; // http://127.0.0.1:PORT, no trailing slash

    QJsonObject stats();
    bool resetStats();
    bool adminPost(const QString &path, const QJsonObject &body);
    bool setFaults(const QJsonObject &faults) { return adminPost(QStringLiteral("/__admin/faults"), faults); }

    // Every event of the server's audit trail (GET /api/audit/events, as the compliance
    // user), oldest first; empty with a warning when a request fails.
    QList<QJsonObject> auditEvents();

    // One page of /api/calls; empty when the request fails.
    std::optional<Page> page(const QString &cursor, int limit);
    // Every live call, id -> the call object, paged through /api/calls from the start.
    QHash<QString, QJsonObject> calls();

    static QHash<QString, QString> updatedAt(const QHash<QString, QJsonObject> &calls);
    static qint64 availableRecordings(const QHash<QString, QJsonObject> &calls);

private:
    struct RawPage
    {
        QList<QJsonObject> rows;
        QString nextCursor;
        bool hasMore = false;
    };
    std::optional<RawPage> rawPage(const QString &cursor, int limit);

    std::unique_ptr<earshot::testsupport::RefServer> m_server;
    QString m_accessToken;
    QString m_error;
};
