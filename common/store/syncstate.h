#pragma once

#include <QDateTime>
#include <QSqlDatabase>
#include <QString>

#include <optional>

namespace earshot {

// Small key/value facts about the mirror (the cursor, when a pass completed), kept in
// the store so that they commit together with the rows they describe.
class SyncState
{
public:
    static constexpr auto kCallsCursor = "calls_cursor";
    static constexpr auto kCallsCompletedAt = "calls_completed_at";   // UTC ms of the last pass that reached the end
    static constexpr auto kLastSyncError = "last_sync_error";
    // The server's local_retention_days as last read: applied while the server is away too.
    static constexpr auto kLocalRetentionDays = "local_retention_days";

    explicit SyncState(QSqlDatabase db) : m_db(std::move(db)) {}

    QString value(const char *key) const;
    bool setValue(const char *key, const QString &value); // call inside a write transaction
    bool remove(const char *key);

    QString callsCursor() const { return value(kCallsCursor); }
    std::optional<QDateTime> callsCompletedAt() const;

private:
    QSqlDatabase m_db;
};

} // namespace earshot
