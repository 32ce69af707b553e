#pragma once

#include "audit/auditlog.h"
#include "domain/call.h"
#include "expected.h"
#include "store/callbatchwriter.h"
#include "store/firstfill.h"

#include <QSqlDatabase>
#include <QStringList>

#include <functional>
#include <span>

namespace earshot {

struct MirrorResult
{
    int callsWritten = 0; // distinct calls: a call a page lists twice counts once
    int callsDeleted = 0;
    // Cache files whose rows this page removed or invalidated. They are deleted only
    // after the commit, so a crash leaves an orphan file (reconciled later), never a
    // row that points at nothing.
    QStringList orphanedCacheFiles;
};

// Writes server pages of call metadata into the store. Pages, their tombstones and the
// cursor that follows the last of them commit in one transaction: the cursor is never
// ahead of rows. Several pages a transaction spare a first fill most of its commits
// (each an fsync, and a rewrite of every page of the store it touched).
//
// A cached copy that a page takes away (its call deleted, its recording replaced or
// changed) is a local copy deleted on the server's word: with an audit user, each one's
// recording.deleted_local event commits in the page's transaction.
class CallMirror
{
public:
    // auditUserId: whose behalf removed copies are audited on; empty for tools and tests
    // whose stores hold no cached copies.
    explicit CallMirror(QSqlDatabase db, QString auditUserId = {});
    ~CallMirror();
    Q_DISABLE_COPY_MOVE(CallMirror)

    // beforeCommit runs inside the open transaction, after every row is written; the
    // agent's crash tests use it to die at the worst possible moment.
    Expected<MirrorResult> applyPages(std::span<const CallsPage> pages, const std::function<void()> &beforeCommit = {});
    Expected<MirrorResult> applyPage(const CallsPage &page, const std::function<void()> &beforeCommit = {})
    {
        return applyPages({&page, 1}, beforeCommit);
    }

    QString cursor() const;
    bool hasCalls() const;
    FirstFill firstFill() const { return FirstFill(m_db); }
    // SQLite's page cache of this connection, in KiB; returns the previous size. A first
    // fill wants a large one while it runs, an idle agent a small one.
    qint64 setPageCacheKiB(qint64 kibibytes);

private:
    using Existing = QHash<QString, CallBatchWriter::StoredRecording>;
    Expected<Existing> existingRecordings(const CallsPage &page);
    Status writePage(const WriteTransaction &transaction, const CallsPage &page, MirrorResult &result);
    // A page that lists a call twice: its later listing is the server's newer state.
    // Writing both would bring back what the later one took away (a removed recording),
    // or fail on a recording replaced in between.
    static QList<Call> lastListings(const QList<Call> &calls);
    Status writeParties(const QList<Call> &calls);
    // The page's calls, then what their recordings replace, then the recordings: rows of a
    // kind in statements of many (CallBatchWriter).
    Status writeCalls(const WriteTransaction &transaction, const QList<Call> &calls, const Existing &existing,
                      MirrorResult &result);
    Status deleteCall(const WriteTransaction &transaction, const QString &callId, const Existing &existing,
                      MirrorResult &result);
    Status copyRemoved(const WriteTransaction &transaction, const QString &callId,
                       const CallBatchWriter::StoredRecording &stored, MirrorResult &result);

    // Leads this mirror has written and committed: a hash of the id -> a hash of name and
    // phone. A million calls name ~170,000 leads many times over, and an upsert that
    // changes nothing cost as much as inserting the call. Hashes, not the strings: keeping
    // a page's QStrings alive fragmented the heap and cost more than the upserts saved.
    // Two ids with one hash (seeded, 64-bit) can only skip a lead that is missing, which
    // the calls' foreign key refuses loudly; the failed transaction then empties this.
    // Forgotten after any failed transaction (its rows are gone) and at kRememberedLeads.
    static constexpr qsizetype kRememberedLeads = 200000;
    QHash<size_t, size_t> m_writtenLeads;

    QSqlDatabase m_db;
    QString m_auditUserId;
    AuditLog m_audit;
    CallBatchWriter m_writer;
};

} // namespace earshot
