// Reads and changes calls and their recordings. Pages are keyset queries on the
// (updated_at, id) indexes with statements prepared once, returning each call's stored
// JSON, so a 1000-row page costs a couple of milliseconds even with a million calls.
// Every change re-renders the stored JSON in the same transaction.
#pragma once

#include "call_generator.h"
#include "cursor.h"
#include "update_clock.h"

#include <QtCore/QList>
#include <QtCore/QString>
#include <QtSql/QSqlQuery>

#include <optional>

namespace earshot::refserver {

class Database;

struct RecordingRow
{
    QString id;
    QString format;
    qint64 sizeBytes = 0;
    double durationSeconds = 0;
    QString sha256; // null when unknown
    int channels = 1;
    QString status;
    QString clipFile;
    qint64 lastFetchedAtMs = 0; // 0: never
};

struct CallRow
{
    qint64 seq = 0;
    QString id;
    bool deleted = false;
    qint64 updatedAtMs = 0;
    QString leadId, leadName, leadPhone;
    qint64 agentSeq = 0;
    QString agentId, agentName;
    QString listId, listName; // null: Manual Dial
    QString direction, outcome;
    qint64 startedAtMs = 0;
    qint64 durationSeconds = 0;
    std::optional<RecordingRow> recording;
};

struct CallChanges
{
    std::optional<QString> outcome;
    std::optional<QString> direction;
    std::optional<qint64> durationSeconds;
};

struct CallPage
{
    QByteArray rowsJson; // the rows' JSON objects, comma-separated
    qsizetype rowCount = 0;
    CallCursor last;     // position of the last row (unchanged when there are none)
    bool hasMore = false;
};

class CallStore
{
public:
    CallStore(Database &db, UpdateClock &clock);

    bool prepare(); // prepares the statements and primes the clock

    // Up to limit rows after the cursor, in (updated_at, id) order, tombstones included.
    // agentScope 0: every call; otherwise only that agent's. One extra row tells has_more.
    CallPage page(const CallCursor &after, int limit, qint64 agentScope);

    // A call by id, tombstones included; nullopt when unknown or outside agentScope.
    std::optional<CallRow> byId(const QString &id, qint64 agentScope);
    std::optional<CallRow> byRecordingId(const QString &recordingId, qint64 agentScope);

    void markRecordingFetched(qint64 callSeq);

    // Changes stamp updated_at from the clock; they return the changed row.
    std::optional<CallRow> update(const QString &id, const CallChanges &changes);
    std::optional<CallRow> remove(const QString &id); // leaves a tombstone
    std::optional<CallRow> setRecordingStatus(const QString &recordingId, const QString &status);
    std::optional<CallRow> insert(const GeneratedCall &call, const FixtureClip *clip);

    static QString clipPath(const QString &recordingsDir, const RecordingRow &recording);

private:
    std::optional<CallRow> single(QSqlQuery &query, qint64 agentScope);
    std::optional<CallRow> bySeq(qint64 seq);
    // Re-renders the stored JSON of a changed call and commits the open transaction.
    std::optional<CallRow> commitChange(qint64 seq);
    qint64 nextSeq();

    Database &m_db;
    UpdateClock &m_clock;
    QSqlQuery m_pageAll;
    QSqlQuery m_pageAgent;
    QSqlQuery m_byId;
    QSqlQuery m_byRecordingId;
    QSqlQuery m_bySeq;
    QSqlQuery m_storeJson;
};

} // namespace earshot::refserver
