#pragma once

#include "domain/call.h"
#include "expected.h"
#include "store/callmirrorindexes.h"

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QStringList>

#include <functional>
#include <span>

namespace earshot {

struct MirrorResult
{
    int callsWritten = 0;
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
class CallMirror
{
public:
    explicit CallMirror(QSqlDatabase db);
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
    CallMirrorIndexes indexes() const { return CallMirrorIndexes(m_db); }
    // SQLite's page cache of this connection, in KiB; returns the previous size. A first
    // fill wants a large one while it runs, an idle agent a small one.
    qint64 setPageCacheKiB(qint64 kibibytes);

private:
    struct ExistingRecording;
    Status prepareStatements();
    Expected<QHash<QString, ExistingRecording>> existingRecordings(const CallsPage &page);
    Status writePage(const CallsPage &page, MirrorResult &result);
    Status writeParties(const CallsPage &page);
    Status writeCall(const Call &call, const QHash<QString, ExistingRecording> &existing, MirrorResult &result);
    Status deleteCall(const QString &callId, const QHash<QString, ExistingRecording> &existing, MirrorResult &result);

    QSqlDatabase m_db;
    bool m_prepared = false;
    QSqlQuery m_upsertLead;
    QSqlQuery m_upsertAgent;
    QSqlQuery m_upsertList;
    QSqlQuery m_upsertCall;
    QSqlQuery m_upsertRecording;
    QSqlQuery m_deleteRecording;
    QSqlQuery m_deleteCall;
    QSqlQuery m_lookupRecordings;
};

} // namespace earshot
