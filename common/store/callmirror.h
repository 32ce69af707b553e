#pragma once

#include "domain/call.h"
#include "expected.h"

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QStringList>

#include <functional>

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

// Writes server pages of call metadata into the store. A page, its tombstones and the
// cursor that follows it commit in one transaction: the cursor is never ahead of rows.
class CallMirror
{
public:
    explicit CallMirror(QSqlDatabase db);
    ~CallMirror();
    Q_DISABLE_COPY_MOVE(CallMirror)

    // beforeCommit runs inside the open transaction, after every row is written; the
    // agent's crash tests use it to die at the worst possible moment.
    Expected<MirrorResult> applyPage(const CallsPage &page, const std::function<void()> &beforeCommit = {});

    QString cursor() const;

private:
    struct ExistingRecording;
    Status prepareStatements();
    Expected<QHash<QString, ExistingRecording>> existingRecordings(const CallsPage &page);
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
};

} // namespace earshot
