#include "store/callmirror.h"

#include "audit/localcopydeletion.h"
#include "logging.h"
#include "store/database.h"
#include "store/syncstate.h"
#include "store/writetransaction.h"

#include <QDateTime>
#include <QScopeGuard>
#include <QSqlQuery>

#include <vector>

using namespace Qt::StringLiterals;

namespace earshot {

CallMirror::CallMirror(QSqlDatabase db, QString auditUserId)
    : m_db(db)
    , m_auditUserId(std::move(auditUserId))
    , m_audit(db)
    , m_writer(db)
{
}

CallMirror::~CallMirror() = default;

QString CallMirror::cursor() const
{
    return SyncState(m_db).callsCursor();
}

Expected<CallMirror::Existing> CallMirror::existingRecordings(const CallsPage &page)
{
    QList<QString> callIds;
    callIds.reserve(page.calls.size() + page.tombstones.size());
    for (const Call &call : page.calls)
        callIds.append(call.id);
    for (const CallTombstone &tombstone : page.tombstones)
        callIds.append(tombstone.id);

    Existing existing;
    const std::span<const QString> ids(callIds.cbegin(), callIds.cend());
    for (size_t start = 0; start < ids.size(); start += CallBatchWriter::kLookupBatch) {
        const auto batch = ids.subspan(start, std::min<size_t>(CallBatchWriter::kLookupBatch, ids.size() - start));
        if (Status found = m_writer.findRecordings(batch, existing); !found)
            return Expected<Existing>::failure(found.error());
    }
    return existing;
}

QList<Call> CallMirror::lastListings(const QList<Call> &calls)
{
    QSet<QStringView> seen;
    seen.reserve(calls.size());
    std::vector<bool> earlier(static_cast<size_t>(calls.size()), false);
    bool any = false;
    for (qsizetype i = calls.size() - 1; i >= 0; --i) {
        const QStringView id = calls[i].id;
        if (seen.contains(id)) {
            earlier[static_cast<size_t>(i)] = true;
            any = true;
        } else {
            seen.insert(id);
        }
    }
    if (!any)
        return calls;
    QList<Call> last;
    last.reserve(seen.size());
    for (qsizetype i = 0; i < calls.size(); ++i) {
        if (!earlier[static_cast<size_t>(i)])
            last.append(calls[i]);
    }
    return last;
}

Status CallMirror::writeParties(const QList<Call> &calls)
{
    // A page of a thousand calls names a dozen agents, lists and outcomes many times over.
    QSet<QString> seenAgents, seenLists, seenOutcomes;
    std::vector<const Lead *> newOrChangedLeads;
    for (const Call &call : calls) {
        const size_t leadContent = qHashMulti(qGlobalQHashSeed(), call.lead.name, call.lead.phone);
        const size_t leadId = qHash(call.lead.id, qGlobalQHashSeed());
        if (const auto known = m_writtenLeads.constFind(leadId);
            known == m_writtenLeads.cend() || *known != leadContent) {
            newOrChangedLeads.push_back(&call.lead);
            if (m_writtenLeads.size() >= kRememberedLeads)
                m_writtenLeads.clear();
            m_writtenLeads.insert(leadId, leadContent);
        }
        if (!seenAgents.contains(call.agent.id)) {
            seenAgents.insert(call.agent.id);
            if (Status status = m_writer.upsertAgent(call.agent); !status)
                return status;
        }
        if (call.list && !seenLists.contains(call.list->id)) {
            seenLists.insert(call.list->id);
            if (Status status = m_writer.upsertList(*call.list); !status)
                return status;
        }
        if (!seenOutcomes.contains(call.outcome)) {
            seenOutcomes.insert(call.outcome);
            if (Status status = m_writer.addOutcome(call.outcome); !status)
                return status;
        }
    }
    // A lead given twice in the page with different names lands as the later one.
    return m_writer.upsertLeads(newOrChangedLeads);
}

Status CallMirror::copyRemoved(const WriteTransaction &transaction, const QString &callId,
                               const CallBatchWriter::StoredRecording &stored, MirrorResult &result)
{
    if (stored.cacheFile.isEmpty())
        return Status::ok();
    result.orphanedCacheFiles.append(stored.cacheFile);
    // A partial download was never a copy the user had.
    if (m_auditUserId.isEmpty() || stored.cacheState != "present"_L1)
        return Status::ok();
    const AuditEventDraft event = localCopyDeletedEvent(m_auditUserId, callId, stored.id,
                                                        LocalCopyDeletionReason::DeletedOnServer, stored.sha256);
    if (auto appended = m_audit.appendWithin(transaction, event); !appended)
        return Status::failure(appended.error());
    return Status::ok();
}

Status CallMirror::writeCalls(const WriteTransaction &transaction, const QList<Call> &calls, const Existing &existing,
                              MirrorResult &result)
{
    if (Status status = m_writer.upsertCalls({calls.cbegin(), calls.cend()}); !status)
        return status;
    result.callsWritten += static_cast<int>(calls.size());

    std::vector<const Call *> recorded;
    recorded.reserve(static_cast<size_t>(calls.size()));
    for (const Call &call : calls) {
        if (const auto previous = existing.constFind(call.id); previous != existing.cend()) {
            const bool replaced = !call.recording || call.recording->id != previous->id;
            const bool contentChanged = !replaced
                && (call.recording->sizeBytes != previous->sizeBytes || call.recording->sha256 != previous->sha256);
            if (replaced || contentChanged) {
                if (Status status = copyRemoved(transaction, call.id, *previous, result); !status)
                    return Status::failure(u"call %1: %2"_s.arg(call.id, status.error()));
            }
            if (replaced) {
                if (Status status = m_writer.deleteRecording(previous->id); !status)
                    return Status::failure(u"call %1: %2"_s.arg(call.id, status.error()));
            }
        }
        if (call.recording)
            recorded.push_back(&call);
    }
    return m_writer.upsertRecordings(recorded);
}

Status CallMirror::deleteCall(const WriteTransaction &transaction, const QString &callId, const Existing &existing,
                              MirrorResult &result)
{
    if (const auto previous = existing.constFind(callId); previous != existing.cend()) {
        if (Status status = copyRemoved(transaction, callId, *previous, result); !status)
            return status;
    }
    auto deleted = m_writer.deleteCall(callId);
    if (!deleted)
        return Status::failure(deleted.error());
    result.callsDeleted += *deleted ? 1 : 0;
    return Status::ok();
}

Status CallMirror::writePage(const WriteTransaction &transaction, const CallsPage &page, MirrorResult &result)
{
    auto existing = existingRecordings(page);
    if (!existing)
        return Status::failure(u"cannot read cached recordings: "_s + existing.error());
    const QList<Call> calls = lastListings(page.calls);
    if (Status status = writeParties(calls); !status)
        return status;
    if (Status status = writeCalls(transaction, calls, *existing, result); !status)
        return status;
    for (const CallTombstone &tombstone : page.tombstones) {
        if (Status status = deleteCall(transaction, tombstone.id, *existing, result); !status)
            return Status::failure(u"call %1: %2"_s.arg(tombstone.id, status.error()));
    }
    return Status::ok();
}

Expected<MirrorResult> CallMirror::applyPages(std::span<const CallsPage> pages, const std::function<void()> &beforeCommit)
{
    using Result = Expected<MirrorResult>;
    if (Status prepared = m_writer.prepare(); !prepared)
        return Result::failure(prepared.error());

    WriteTransaction transaction(m_db);
    if (!transaction.isOpen())
        return Result::failure(transaction.beginError());
    // Whatever this transaction wrote is gone unless it commits.
    bool committed = false;
    const auto forgetUncommitted = qScopeGuard([this, &committed] {
        if (!committed)
            m_writtenLeads.clear();
    });

    MirrorResult result;
    QString cursor;
    for (const CallsPage &page : pages) {
        if (Status status = writePage(transaction, page, result); !status)
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
    if (Status commitStatus = transaction.commit(); !commitStatus)
        return Result::failure(commitStatus.error());
    committed = true;
    return result;
}

bool CallMirror::hasCalls() const
{
    QSqlQuery query(u"SELECT 1 FROM calls LIMIT 1"_s, m_db);
    return query.next();
}

qint64 CallMirror::setPageCacheKiB(qint64 kibibytes)
{
    return earshot::setPageCacheKiB(m_db, kibibytes);
}

} // namespace earshot
