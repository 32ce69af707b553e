#pragma once

#include <QHash>
#include <QList>
#include <QSqlDatabase>
#include <QString>
#include <QStringList>

// Reads the agent's local store behind its back, with plain SQL, so that the tests
// check what is on disk rather than what the agent believes.
struct StoredRecording
{
    QString id;
    QString callId;
    QString format;
    qint64 sizeBytes = 0;
    QString sha256; // empty when the server gave none
    QString status;
    QString cacheState;
    QString cacheFile;
    qint64 attempts = 0;
    qint64 nextAttemptAt = 0; // 0: none
    QString lastError;
    qint64 gaveUpAt = 0; // 0: the agent has not given up on it
};

// A recording.deleted_local audit event as the store holds it.
struct LocalAuditEvent
{
    QString eventId;
    QString recordingId;
    QString reason;
    bool uploaded = false;
    QString serverError;
};

class StoreInspector
{
public:
    explicit StoreInspector(const QString &databasePath);
    ~StoreInspector();
    StoreInspector(const StoreInspector &) = delete;
    StoreInspector &operator=(const StoreInspector &) = delete;

    bool isOpen() const { return m_db.isOpen(); }
    QSqlDatabase connection() const { return m_db; }
    QString integrityCheck() const; // "ok" when sound
    qint64 count(const QString &table) const;
    QHash<QString, QString> callsUpdatedAt() const; // id -> updated_at
    QString callColumn(const QString &callId, const QString &column) const;
    QVariant recordingColumn(const QString &recordingId, const QString &column) const;
    QList<StoredRecording> recordings() const;
    QString syncState(const QString &key) const;
    QStringList indexNames() const; // those with SQL (not implied by a constraint), sorted

private:
    QSqlDatabase m_db;
};

// The store's recording.deleted_local events, oldest first.
QList<LocalAuditEvent> deletionEvents(const StoreInspector &store);
