#include "store/callbatchwriter.h"

#include "store/database.h"

#include <sqlite3.h>

#include <string>
#include <vector>

using namespace Qt::StringLiterals;

namespace earshot {

namespace {

constexpr int kLeadColumns = 3;
constexpr auto kInsertLeads = "INSERT INTO leads(id, name, phone, name_folded) VALUES ";
constexpr auto kLeadConflict = " ON CONFLICT(id) DO UPDATE SET "
                             "name = excluded.name, phone = excluded.phone, name_folded = excluded.name_folded "
                             "WHERE name IS NOT excluded.name OR phone IS NOT excluded.phone";
constexpr auto kUpsertAgent = "INSERT INTO agents(id, name) VALUES (?, ?) ON CONFLICT(id) DO UPDATE SET "
                              "name = excluded.name WHERE name IS NOT excluded.name";
constexpr auto kUpsertList = "INSERT INTO dial_lists(id, name) VALUES (?, ?) ON CONFLICT(id) DO UPDATE SET "
                             "name = excluded.name WHERE name IS NOT excluded.name";
constexpr auto kAddOutcome = "INSERT INTO outcomes(name) VALUES (?) ON CONFLICT(name) DO NOTHING";
constexpr int kCallColumns = 9;
constexpr auto kInsertCalls = "INSERT INTO calls(id, lead_id, agent_id, list_id, direction, outcome, started_at, "
                              "duration_seconds, updated_at) VALUES ";
constexpr auto kCallConflict = " ON CONFLICT(id) DO UPDATE SET lead_id = excluded.lead_id, agent_id = excluded.agent_id, "
                             "list_id = excluded.list_id, direction = excluded.direction, outcome = excluded.outcome, "
                             "started_at = excluded.started_at, duration_seconds = excluded.duration_seconds, "
                             "updated_at = excluded.updated_at";
// New content (size or hash) invalidates the cached copy; a new availability status
// forgets earlier failed attempts so the recording is tried again soon.
constexpr int kRecordingColumns = 8;
constexpr auto kInsertRecordings =
    "INSERT INTO recordings(id, call_id, format, size_bytes, duration_seconds, sha256, channels, status) VALUES ";
constexpr auto kRecordingConflict = " ON CONFLICT(id) DO UPDATE SET "
    "call_id = excluded.call_id, format = excluded.format, duration_seconds = excluded.duration_seconds, "
    "channels = excluded.channels, "
    "cache_state = CASE WHEN size_bytes IS NOT excluded.size_bytes OR sha256 IS NOT excluded.sha256 "
    "  THEN 'absent' ELSE cache_state END, "
    "cache_file = CASE WHEN size_bytes IS NOT excluded.size_bytes OR sha256 IS NOT excluded.sha256 "
    "  THEN NULL ELSE cache_file END, "
    "cached_bytes = CASE WHEN size_bytes IS NOT excluded.size_bytes OR sha256 IS NOT excluded.sha256 "
    "  THEN 0 ELSE cached_bytes END, "
    "partial_validator = CASE WHEN size_bytes IS NOT excluded.size_bytes OR sha256 IS NOT excluded.sha256 "
    "  THEN NULL ELSE partial_validator END, "
    "attempts = CASE WHEN status IS NOT excluded.status THEN 0 ELSE attempts END, "
    "next_attempt_at = CASE WHEN status IS NOT excluded.status THEN NULL ELSE next_attempt_at END, "
    "gave_up_at = CASE WHEN status IS NOT excluded.status THEN NULL ELSE gave_up_at END, "
    "size_bytes = excluded.size_bytes, sha256 = excluded.sha256, status = excluded.status";
constexpr auto kDeleteRecording = "DELETE FROM recordings WHERE id = ?";
// Explicitly, not by ON DELETE CASCADE: a first fill writes without foreign key checks
// (FirstFill), and with them off SQLite cascades nothing.
constexpr auto kDeleteRecordingOfCall = "DELETE FROM recordings WHERE call_id = ?";
constexpr auto kDeleteCall = "DELETE FROM calls WHERE id = ?";

// Parameters are numbered so that a row can use one twice: a lead's name is bound once
// and also folded for search (`foldSecond`).
std::string upsertSql(const char *insert, int columns, int rows, const char *conflict, bool foldSecond = false)
{
    std::string sql = insert;
    for (int row = 0; row < rows; ++row) {
        const int first = row * columns + 1;
        sql += row == 0 ? "(" : ",(";
        for (int column = 0; column < columns; ++column)
            sql += (column == 0 ? "?" : ",?") + std::to_string(first + column);
        if (foldSecond)
            sql += ",earshot_fold(?" + std::to_string(first + 1) + ")";
        sql += ")";
    }
    return sql + conflict;
}

std::string findRecordingsSql()
{
    std::string sql = "SELECT call_id, id, IFNULL(cache_file, ''), cache_state, size_bytes, IFNULL(sha256, '') "
                      "FROM recordings WHERE call_id IN (?";
    for (int i = 1; i < CallBatchWriter::kLookupBatch; ++i)
        sql += ",?";
    return sql + ")";
}

QString columnText(sqlite3_stmt *stmt, int column)
{
    const auto *text = reinterpret_cast<const char *>(sqlite3_column_text(stmt, column));
    return QString::fromUtf8(text, sqlite3_column_bytes(stmt, column));
}

} // namespace

// One prepared statement and the UTF-8 bytes of its text parameters, which SQLite reads
// in place (SQLITE_STATIC) until they are bound again.
class CallBatchWriter::Statement
{
public:
    Statement(sqlite3 *handle, QStringEncoder &utf8) : m_handle(handle), m_utf8(utf8) {}
    ~Statement() { sqlite3_finalize(m_stmt); }
    Q_DISABLE_COPY_MOVE(Statement)

    Status prepare(const char *sql)
    {
        if (sqlite3_prepare_v3(m_handle, sql, -1, SQLITE_PREPARE_PERSISTENT, &m_stmt, nullptr) != SQLITE_OK)
            return Status::failure(u"cannot prepare a store statement: "_s + QString::fromUtf8(sqlite3_errmsg(m_handle)));
        m_texts.resize(static_cast<size_t>(sqlite3_bind_parameter_count(m_stmt)));
        return Status::ok();
    }

    void text(int index, QStringView value)
    {
        std::string &bytes = m_texts[static_cast<size_t>(index - 1)];
        bytes.resize(static_cast<size_t>(m_utf8.requiredSpace(value.size())));
        const char *end = m_utf8.appendToBuffer(bytes.data(), value);
        const auto size = static_cast<int>(end - bytes.data());
        sqlite3_bind_text(m_stmt, index, bytes.data(), size, SQLITE_STATIC);
    }
    void textOrNull(int index, const QString &value)
    {
        if (value.isEmpty())
            sqlite3_bind_null(m_stmt, index);
        else
            text(index, value);
    }
    void integer(int index, qint64 value) { sqlite3_bind_int64(m_stmt, index, value); }
    void real(int index, double value) { sqlite3_bind_double(m_stmt, index, value); }
    void null(int index) { sqlite3_bind_null(m_stmt, index); }

    // Runs a statement that returns no rows.
    Status run(const char *what)
    {
        const int result = sqlite3_step(m_stmt);
        sqlite3_reset(m_stmt);
        if (result == SQLITE_DONE)
            return Status::ok();
        return failure(what);
    }
    // One row at a time: true while there is one; reset() after the last.
    Expected<bool> next()
    {
        const int result = sqlite3_step(m_stmt);
        if (result == SQLITE_ROW)
            return true;
        sqlite3_reset(m_stmt);
        if (result == SQLITE_DONE)
            return false;
        return Expected<bool>::failure(u"cannot read recordings: "_s + QString::fromUtf8(sqlite3_errmsg(m_handle)));
    }
    sqlite3_stmt *get() const { return m_stmt; }

private:
    Status failure(const char *what) const
    {
        return Status::failure(
            u"cannot write %1: %2"_s.arg(QLatin1StringView(what), QString::fromUtf8(sqlite3_errmsg(m_handle))));
    }

    sqlite3 *m_handle;
    QStringEncoder &m_utf8;
    sqlite3_stmt *m_stmt = nullptr;
    std::vector<std::string> m_texts;
};

CallBatchWriter::CallBatchWriter(QSqlDatabase db)
    : m_db(std::move(db))
{
}

CallBatchWriter::~CallBatchWriter() = default;

Status CallBatchWriter::prepare()
{
    if (m_handle)
        return Status::ok();
    sqlite3 *connection = nativeHandle(m_db);
    if (!connection)
        return Status::failure(u"the store's connection is not an open SQLite connection"_s);

    const std::string findSql = findRecordingsSql();
    const std::string upsertLead = upsertSql(kInsertLeads, kLeadColumns, 1, kLeadConflict, true);
    const std::string upsertLeads = upsertSql(kInsertLeads, kLeadColumns, kRowsPerStatement, kLeadConflict, true);
    const std::string upsertCall = upsertSql(kInsertCalls, kCallColumns, 1, kCallConflict);
    const std::string upsertCalls = upsertSql(kInsertCalls, kCallColumns, kRowsPerStatement, kCallConflict);
    const std::string upsertRecording = upsertSql(kInsertRecordings, kRecordingColumns, 1, kRecordingConflict);
    const std::string upsertRecordings =
        upsertSql(kInsertRecordings, kRecordingColumns, kRowsPerStatement, kRecordingConflict);
    const std::pair<std::unique_ptr<Statement> *, const char *> statements[] = {
        {&m_upsertLead, upsertLead.c_str()},
        {&m_upsertLeads, upsertLeads.c_str()},
        {&m_upsertAgent, kUpsertAgent},
        {&m_upsertList, kUpsertList},
        {&m_addOutcome, kAddOutcome},
        {&m_upsertCall, upsertCall.c_str()},
        {&m_upsertCalls, upsertCalls.c_str()},
        {&m_upsertRecording, upsertRecording.c_str()},
        {&m_upsertRecordings, upsertRecordings.c_str()},
        {&m_deleteRecording, kDeleteRecording},
        {&m_deleteRecordingOfCall, kDeleteRecordingOfCall},
        {&m_deleteCall, kDeleteCall},
        {&m_findRecordings, findSql.c_str()},
    };
    for (const auto &[statement, sql] : statements) {
        *statement = std::make_unique<Statement>(connection, m_utf8);
        if (Status prepared = (*statement)->prepare(sql); !prepared) {
            for (const auto &[made, unused] : statements)
                made->reset();
            return prepared;
        }
    }
    m_handle = connection;
    return Status::ok();
}

Status CallBatchWriter::upsertAgent(const Agent &agent)
{
    Statement &s = *m_upsertAgent;
    s.text(1, agent.id);
    s.text(2, agent.name);
    return s.run("an agent");
}

Status CallBatchWriter::upsertList(const DialList &list)
{
    Statement &s = *m_upsertList;
    s.text(1, list.id);
    s.text(2, list.name);
    return s.run("a dial list");
}

Status CallBatchWriter::addOutcome(const QString &outcome)
{
    m_addOutcome->text(1, outcome);
    return m_addOutcome->run("an outcome");
}

namespace {

void bindLead(auto &s, int first, const Lead &lead)
{
    s.text(first + 1, lead.id);
    s.text(first + 2, lead.name);
    s.text(first + 3, lead.phone);
}

void bindCall(auto &s, int first, const Call &call)
{
    s.text(first + 1, call.id);
    s.text(first + 2, call.lead.id);
    s.text(first + 3, call.agent.id);
    if (call.list)
        s.text(first + 4, call.list->id);
    else
        s.null(first + 4);
    s.text(first + 5, toString(call.direction));
    s.text(first + 6, call.outcome);
    s.integer(first + 7, call.startedAt.toMSecsSinceEpoch());
    s.integer(first + 8, call.durationSeconds);
    s.text(first + 9, call.updatedAt);
}

void bindRecording(auto &s, int first, const Call &call)
{
    const Recording &recording = *call.recording;
    s.text(first + 1, recording.id);
    s.text(first + 2, call.id);
    s.text(first + 3, recording.format);
    s.integer(first + 4, recording.sizeBytes);
    s.real(first + 5, recording.durationSeconds);
    s.textOrNull(first + 6, recording.sha256);
    s.integer(first + 7, recording.channels);
    s.text(first + 8, toString(recording.status));
}

// What a refused row is called in the error.
QString nameOf(const Call &call)
{
    return u"call "_s + call.id;
}

QString nameOf(const Call *call)
{
    return nameOf(*call);
}

QString nameOf(const Lead *lead)
{
    return u"lead "_s + lead->id;
}

} // namespace

template <typename Row, typename Bind>
Status CallBatchWriter::upsertRows(std::span<const Row> rows, Statement &many, Statement &one, int columns,
                                   Bind bind, const char *what)
{
    const auto oneByOne = [&](std::span<const Row> some) {
        for (const Row &row : some) {
            bind(one, 0, row);
            if (Status status = one.run(what); !status)
                return Status::failure(u"%1: %2"_s.arg(nameOf(row), status.error()));
        }
        return Status::ok();
    };
    size_t next = 0;
    for (; rows.size() - next >= kRowsPerStatement; next += kRowsPerStatement) {
        const auto batch = rows.subspan(next, kRowsPerStatement);
        for (int row = 0; row < kRowsPerStatement; ++row)
            bind(many, row * columns, batch[static_cast<size_t>(row)]);
        if (Status status = many.run(what); !status) {
            // A row the store refuses undoes its statement's rows and no more; one at a
            // time then names the row. Any other failure may have ended the transaction,
            // and rows written after it would commit on their own.
            const bool refusedRow = (sqlite3_errcode(m_handle) & 0xff) == SQLITE_CONSTRAINT;
            if (refusedRow && !sqlite3_get_autocommit(m_handle)) {
                if (Status named = oneByOne(batch); !named)
                    return named;
            }
            return status;
        }
    }
    return oneByOne(rows.subspan(next));
}

Status CallBatchWriter::upsertLeads(std::span<const Lead *const> leads)
{
    return upsertRows(leads, *m_upsertLeads, *m_upsertLead, kLeadColumns,
                      [](Statement &s, int first, const Lead *lead) { bindLead(s, first, *lead); }, "a lead");
}

Status CallBatchWriter::upsertCalls(std::span<const Call> calls)
{
    return upsertRows(calls, *m_upsertCalls, *m_upsertCall, kCallColumns,
                      [](Statement &s, int first, const Call &call) { bindCall(s, first, call); }, "a call");
}

Status CallBatchWriter::upsertRecordings(std::span<const Call *const> calls)
{
    return upsertRows(calls, *m_upsertRecordings, *m_upsertRecording, kRecordingColumns,
                      [](Statement &s, int first, const Call *call) { bindRecording(s, first, *call); },
                      "a recording");
}

Status CallBatchWriter::deleteRecording(const QString &recordingId)
{
    m_deleteRecording->text(1, recordingId);
    return m_deleteRecording->run("a replaced recording");
}

Expected<bool> CallBatchWriter::deleteCall(const QString &callId)
{
    m_deleteRecordingOfCall->text(1, callId);
    if (Status deleted = m_deleteRecordingOfCall->run("the recording of a deleted call"); !deleted)
        return Expected<bool>::failure(deleted.error());
    m_deleteCall->text(1, callId);
    if (Status deleted = m_deleteCall->run("a deleted call"); !deleted)
        return Expected<bool>::failure(deleted.error());
    return sqlite3_changes(m_handle) > 0;
}

Status CallBatchWriter::findRecordings(std::span<const QString> callIds, QHash<QString, StoredRecording> &into)
{
    Q_ASSERT(callIds.size() <= kLookupBatch);
    Statement &s = *m_findRecordings;
    // The slots a short batch leaves are NULL, which IN never matches.
    for (int i = 0; i < kLookupBatch; ++i) {
        if (static_cast<size_t>(i) < callIds.size())
            s.text(i + 1, callIds[static_cast<size_t>(i)]);
        else
            s.null(i + 1);
    }
    for (;;) {
        auto row = s.next();
        if (!row)
            return Status::failure(row.error());
        if (!*row)
            return Status::ok();
        sqlite3_stmt *stmt = s.get();
        into.insert(columnText(stmt, 0), {columnText(stmt, 1), columnText(stmt, 2), columnText(stmt, 3),
                                          sqlite3_column_int64(stmt, 4), columnText(stmt, 5)});
    }
}

} // namespace earshot
