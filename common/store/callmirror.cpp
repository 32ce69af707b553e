#include "store/callmirror.h"

#include "logging.h"
#include "store/syncstate.h"
#include "store/writetransaction.h"

#include <QDateTime>
#include <QSqlError>

using namespace Qt::StringLiterals;

namespace earshot {

struct CallMirror::ExistingRecording
{
    QString id;
    QString cacheFile;
    qint64 sizeBytes = 0;
    QString sha256;
};

namespace {

constexpr qsizetype kMaxBindsPerLookup = 500;

Status run(QSqlQuery &query, const char *what)
{
    if (query.exec())
        return Status::ok();
    return Status::failure(u"cannot write %1: %2"_s.arg(QLatin1StringView(what), query.lastError().text()));
}

QVariant nullableText(const QString &text)
{
    return text.isEmpty() ? QVariant(QMetaType::fromType<QString>()) : QVariant(text);
}

} // namespace

CallMirror::CallMirror(QSqlDatabase db)
    : m_db(std::move(db))
    , m_upsertLead(m_db)
    , m_upsertAgent(m_db)
    , m_upsertList(m_db)
    , m_upsertCall(m_db)
    , m_upsertRecording(m_db)
    , m_deleteRecording(m_db)
    , m_deleteCall(m_db)
    , m_lookupRecordings(m_db)
{
}

CallMirror::~CallMirror() = default;

QString CallMirror::cursor() const
{
    return SyncState(m_db).callsCursor();
}

Status CallMirror::prepareStatements()
{
    if (m_prepared)
        return Status::ok();
    const std::pair<QSqlQuery *, QString> statements[] = {
        {&m_upsertLead, u"INSERT INTO leads(id, name, phone) VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE SET "
                        "name = excluded.name, phone = excluded.phone "
                        "WHERE name IS NOT excluded.name OR phone IS NOT excluded.phone"_s},
        {&m_upsertAgent, u"INSERT INTO agents(id, name) VALUES (?, ?) ON CONFLICT(id) DO UPDATE SET "
                         "name = excluded.name WHERE name IS NOT excluded.name"_s},
        {&m_upsertList, u"INSERT INTO dial_lists(id, name) VALUES (?, ?) ON CONFLICT(id) DO UPDATE SET "
                        "name = excluded.name WHERE name IS NOT excluded.name"_s},
        {&m_upsertCall, u"INSERT INTO calls(id, lead_id, agent_id, list_id, direction, outcome, started_at, "
                        "duration_seconds, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
                        "ON CONFLICT(id) DO UPDATE SET lead_id = excluded.lead_id, agent_id = excluded.agent_id, "
                        "list_id = excluded.list_id, direction = excluded.direction, outcome = excluded.outcome, "
                        "started_at = excluded.started_at, duration_seconds = excluded.duration_seconds, "
                        "updated_at = excluded.updated_at"_s},
        // New content (size or hash) invalidates the cached copy; a new availability
        // status forgets earlier failed attempts so the recording is tried again soon.
        {&m_upsertRecording,
         u"INSERT INTO recordings(id, call_id, format, size_bytes, duration_seconds, sha256, channels, status) "
         "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET "
         "call_id = excluded.call_id, format = excluded.format, duration_seconds = excluded.duration_seconds, "
         "channels = excluded.channels, "
         "cache_state = CASE WHEN size_bytes IS NOT excluded.size_bytes OR sha256 IS NOT excluded.sha256 "
         "  THEN 'absent' ELSE cache_state END, "
         "cache_file = CASE WHEN size_bytes IS NOT excluded.size_bytes OR sha256 IS NOT excluded.sha256 "
         "  THEN NULL ELSE cache_file END, "
         "cached_bytes = CASE WHEN size_bytes IS NOT excluded.size_bytes OR sha256 IS NOT excluded.sha256 "
         "  THEN 0 ELSE cached_bytes END, "
         "attempts = CASE WHEN status IS NOT excluded.status THEN 0 ELSE attempts END, "
         "next_attempt_at = CASE WHEN status IS NOT excluded.status THEN NULL ELSE next_attempt_at END, "
         "size_bytes = excluded.size_bytes, sha256 = excluded.sha256, status = excluded.status"_s},
        {&m_deleteRecording, u"DELETE FROM recordings WHERE id = ?"_s},
        {&m_deleteCall, u"DELETE FROM calls WHERE id = ?"_s},
        {&m_lookupRecordings, u"SELECT call_id, id, cache_file, size_bytes, sha256 FROM recordings WHERE call_id IN (?"_s
                                  + u",?"_s.repeated(kMaxBindsPerLookup - 1) + u")"_s},
    };
    for (const auto &[query, sql] : statements) {
        if (!query->prepare(sql))
            return Status::failure(u"cannot prepare a store statement: "_s + query->lastError().text());
    }
    m_prepared = true;
    return Status::ok();
}

Expected<QHash<QString, CallMirror::ExistingRecording>> CallMirror::existingRecordings(const CallsPage &page)
{
    QStringList callIds;
    callIds.reserve(page.calls.size() + page.tombstones.size());
    for (const Call &call : page.calls)
        callIds.append(call.id);
    for (const CallTombstone &tombstone : page.tombstones)
        callIds.append(tombstone.id);

    QHash<QString, ExistingRecording> existing;
    for (qsizetype start = 0; start < callIds.size(); start += kMaxBindsPerLookup) {
        const qsizetype count = std::min(kMaxBindsPerLookup, callIds.size() - start);
        // One statement for every chunk: the slots a short chunk leaves are NULL, which
        // IN never matches.
        for (qsizetype i = 0; i < kMaxBindsPerLookup; ++i)
            m_lookupRecordings.bindValue(static_cast<int>(i), i < count ? QVariant(callIds.at(start + i)) : QVariant());
        if (!m_lookupRecordings.exec())
            return Expected<QHash<QString, ExistingRecording>>::failure(m_lookupRecordings.lastError().text());
        while (m_lookupRecordings.next()) {
            existing.insert(m_lookupRecordings.value(0).toString(),
                            {m_lookupRecordings.value(1).toString(), m_lookupRecordings.value(2).toString(),
                             m_lookupRecordings.value(3).toLongLong(), m_lookupRecordings.value(4).toString()});
        }
        m_lookupRecordings.finish();
    }
    return existing;
}

Status CallMirror::writeParties(const CallsPage &page)
{
    // A page of a thousand calls names a dozen agents and lists many times over.
    QSet<QString> seenLeads, seenAgents, seenLists;
    for (const Call &call : page.calls) {
        if (!seenLeads.contains(call.lead.id)) {
            seenLeads.insert(call.lead.id);
            m_upsertLead.bindValue(0, call.lead.id);
            m_upsertLead.bindValue(1, call.lead.name);
            m_upsertLead.bindValue(2, call.lead.phone);
            if (Status status = run(m_upsertLead, "a lead"); !status)
                return status;
        }
        if (!seenAgents.contains(call.agent.id)) {
            seenAgents.insert(call.agent.id);
            m_upsertAgent.bindValue(0, call.agent.id);
            m_upsertAgent.bindValue(1, call.agent.name);
            if (Status status = run(m_upsertAgent, "an agent"); !status)
                return status;
        }
        if (call.list && !seenLists.contains(call.list->id)) {
            seenLists.insert(call.list->id);
            m_upsertList.bindValue(0, call.list->id);
            m_upsertList.bindValue(1, call.list->name);
            if (Status status = run(m_upsertList, "a dial list"); !status)
                return status;
        }
    }
    return Status::ok();
}

Status CallMirror::writeCall(const Call &call, const QHash<QString, ExistingRecording> &existing, MirrorResult &result)
{
    m_upsertCall.bindValue(0, call.id);
    m_upsertCall.bindValue(1, call.lead.id);
    m_upsertCall.bindValue(2, call.agent.id);
    m_upsertCall.bindValue(3, call.list ? QVariant(call.list->id) : QVariant(QMetaType::fromType<QString>()));
    m_upsertCall.bindValue(4, toString(call.direction));
    m_upsertCall.bindValue(5, call.outcome);
    m_upsertCall.bindValue(6, call.startedAt.toMSecsSinceEpoch());
    m_upsertCall.bindValue(7, call.durationSeconds);
    m_upsertCall.bindValue(8, call.updatedAt);
    if (Status status = run(m_upsertCall, "a call"); !status)
        return status;
    ++result.callsWritten;

    const auto previous = existing.constFind(call.id);
    const bool hadRecording = previous != existing.cend();
    if (hadRecording) {
        const bool replaced = !call.recording || call.recording->id != previous->id;
        const bool contentChanged = !replaced
            && (call.recording->sizeBytes != previous->sizeBytes || call.recording->sha256 != previous->sha256);
        if ((replaced || contentChanged) && !previous->cacheFile.isEmpty())
            result.orphanedCacheFiles.append(previous->cacheFile);
        if (replaced) {
            m_deleteRecording.bindValue(0, previous->id);
            if (Status status = run(m_deleteRecording, "a replaced recording"); !status)
                return status;
        }
    }
    if (!call.recording)
        return Status::ok();

    const Recording &recording = *call.recording;
    m_upsertRecording.bindValue(0, recording.id);
    m_upsertRecording.bindValue(1, call.id);
    m_upsertRecording.bindValue(2, recording.format);
    m_upsertRecording.bindValue(3, recording.sizeBytes);
    m_upsertRecording.bindValue(4, recording.durationSeconds);
    m_upsertRecording.bindValue(5, nullableText(recording.sha256));
    m_upsertRecording.bindValue(6, recording.channels);
    m_upsertRecording.bindValue(7, toString(recording.status));
    return run(m_upsertRecording, "a recording");
}

Status CallMirror::deleteCall(const QString &callId, const QHash<QString, ExistingRecording> &existing,
                              MirrorResult &result)
{
    if (const auto previous = existing.constFind(callId); previous != existing.cend() && !previous->cacheFile.isEmpty())
        result.orphanedCacheFiles.append(previous->cacheFile);
    m_deleteCall.bindValue(0, callId);
    if (Status status = run(m_deleteCall, "a deleted call"); !status)
        return status;
    result.callsDeleted += m_deleteCall.numRowsAffected() > 0 ? 1 : 0;
    return Status::ok();
}

Status CallMirror::writePage(const CallsPage &page, MirrorResult &result)
{
    auto existing = existingRecordings(page);
    if (!existing)
        return Status::failure(u"cannot read cached recordings: "_s + existing.error());
    if (Status status = writeParties(page); !status)
        return status;
    for (const Call &call : page.calls) {
        if (Status status = writeCall(call, *existing, result); !status)
            return Status::failure(u"call %1: %2"_s.arg(call.id, status.error()));
    }
    for (const CallTombstone &tombstone : page.tombstones) {
        if (Status status = deleteCall(tombstone.id, *existing, result); !status)
            return Status::failure(u"call %1: %2"_s.arg(tombstone.id, status.error()));
    }
    return Status::ok();
}

Expected<MirrorResult> CallMirror::applyPages(std::span<const CallsPage> pages, const std::function<void()> &beforeCommit)
{
    using Result = Expected<MirrorResult>;
    if (Status prepared = prepareStatements(); !prepared)
        return Result::failure(prepared.error());

    WriteTransaction transaction(m_db);
    if (!transaction.isOpen())
        return Result::failure(transaction.beginError());

    MirrorResult result;
    QString cursor;
    for (const CallsPage &page : pages) {
        if (Status status = writePage(page, result); !status)
            return Result::failure(status.error());
        // A page without a cursor (the end, on some servers) keeps the one before it.
        if (!page.nextCursor.isEmpty())
            cursor = page.nextCursor;
    }

    SyncState state(m_db);
    if (!cursor.isEmpty() && !state.setValue(SyncState::kCallsCursor, cursor))
        return Result::failure(u"cannot store the sync cursor"_s);
    if (!pages.empty() && !pages.back().hasMore
        && !state.setValue(SyncState::kCallsCompletedAt, QString::number(QDateTime::currentMSecsSinceEpoch())))
        return Result::failure(u"cannot store the sync time"_s);

    if (beforeCommit)
        beforeCommit();
    if (Status committed = transaction.commit(); !committed)
        return Result::failure(committed.error());
    return result;
}

bool CallMirror::hasCalls() const
{
    QSqlQuery query(u"SELECT 1 FROM calls LIMIT 1"_s, m_db);
    return query.next();
}

qint64 CallMirror::setPageCacheKiB(qint64 kibibytes)
{
    QSqlQuery query(u"PRAGMA page_size"_s, m_db);
    const qint64 pageBytes = query.next() ? query.value(0).toLongLong() : 4096;
    query.finish();
    query.exec(u"PRAGMA cache_size"_s);
    const qint64 previous = query.next() ? query.value(0).toLongLong() : -2000;
    query.finish();
    // Negative sizes are KiB to SQLite, positive ones pages.
    if (!query.exec(u"PRAGMA cache_size = -%1"_s.arg(kibibytes)))
        qCWarning(lcStore) << "cannot resize the page cache:" << query.lastError().text();
    return previous < 0 ? -previous : previous * pageBytes / 1024;
}

} // namespace earshot
