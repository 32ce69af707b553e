#pragma once

#include "domain/call.h"
#include "expected.h"

#include <QHash>
#include <QSqlDatabase>
#include <QStringEncoder>

#include <memory>
#include <span>

struct sqlite3;
struct sqlite3_stmt;

namespace earshot {

// The mirror's hot statements, through the SQLite C API on the connection of a
// QSqlDatabase: prepared once, text bound as UTF-8 without a copy, no QVariant per value.
// A first fill runs them millions of times, where QSqlQuery's binding cost more than
// SQLite itself. The caller holds the transaction; this class only writes and reads rows.
class CallBatchWriter
{
public:
    // What the store knows of a call's recording before a page changes it.
    struct StoredRecording
    {
        QString id;
        QString cacheFile;
        QString cacheState;
        qint64 sizeBytes = 0;
        QString sha256;
    };
    // Rows looked up per statement; the rest of a short batch is bound to NULL.
    static constexpr int kLookupBatch = 500;
    // Rows a statement writes. SQLite's work per statement (opening and closing cursors,
    // finding a table's end again, halting the program) was a quarter of a first fill's
    // writes with one row each.
    static constexpr int kRowsPerStatement = 50;

    explicit CallBatchWriter(QSqlDatabase db);
    ~CallBatchWriter();
    Q_DISABLE_COPY_MOVE(CallBatchWriter)

    Status prepare(); // once; later calls do nothing

    Status upsertLeads(std::span<const Lead *const> leads);
    Status upsertAgent(const Agent &agent);
    Status upsertList(const DialList &list);
    Status addOutcome(const QString &outcome);
    Status upsertCalls(std::span<const Call> calls);
    // Each call has a recording.
    Status upsertRecordings(std::span<const Call *const> calls);
    Status deleteRecording(const QString &recordingId);
    // Whether a row was there to delete.
    Expected<bool> deleteCall(const QString &callId);
    // Adds the recordings of these calls (at most kLookupBatch) to `into`, by call id.
    Status findRecordings(std::span<const QString> callIds, QHash<QString, StoredRecording> &into);

private:
    class Statement;
    template <typename Row, typename Bind>
    Status upsertRows(std::span<const Row> rows, Statement &many, Statement &one, int columns, Bind bind,
                      const char *what);

    QSqlDatabase m_db; // keeps the connection (and the handle) open
    sqlite3 *m_handle = nullptr;
    QStringEncoder m_utf8{QStringEncoder::Utf8};
    // Each kind the mirror writes in bulk has a statement of kRowsPerStatement rows and
    // one of a single row, for the rest of a page and to name a refused row.
    std::unique_ptr<Statement> m_upsertLead, m_upsertLeads, m_upsertCall, m_upsertCalls, m_upsertRecording,
        m_upsertRecordings;
    std::unique_ptr<Statement> m_upsertAgent, m_upsertList, m_addOutcome, m_deleteRecording, m_deleteRecordingOfCall,
        m_deleteCall, m_findRecordings;
};

} // namespace earshot
