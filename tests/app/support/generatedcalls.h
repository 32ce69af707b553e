#pragma once

#include "domain/call.h"
#include "domain/callfilter.h"
#include "expected.h"

#include <QSet>
#include <QSqlDatabase>

namespace earshot::testsupport {

// A reproducible call center: agents, dial lists and Manual Dial, leads (some with
// non-ASCII names or LIKE wildcards in them), the known outcomes plus unknown ones,
// both directions, recordings in every state, and calls that share a start time so
// that the id breaks ties.
struct GeneratedCalls
{
    QList<Call> calls;      // newest first
    QSet<QString> cachedIds; // calls whose recording the store should mark as cached
};

// The newest generated call starts here; the rest go back about a month.
QDateTime generatedNewest();

GeneratedCalls generateCalls(int count, quint32 seed = 20261121);

// A call like the generated ones, with the given id and start, for tests that add calls.
Call makeCall(const QString &id, const QDateTime &startedAt, const QString &agentId = QStringLiteral("agent-01"));

// Writes calls as the agent would, in pages through CallMirror; the last page completes
// the metadata pass (SyncState::callsCompletedAt).
Status writeCalls(const QSqlDatabase &db, const QList<Call> &calls, bool completesPass = true);
Status writeTombstones(const QSqlDatabase &db, const QStringList &callIds);
// Marks the calls' recordings cached, naming `cacheFileOf(call)` as their file.
Status markCached(const QSqlDatabase &db, const QList<Call> &calls, const QSet<QString> &ids,
                  const std::function<QString(const Call &)> &cacheFileOf);

// The reference for CallQuery's filters, written from the filter's definition.
bool matches(const Call &call, const CallFilter &filter);
// Ids of the matching calls in list order (newest first, ties by id descending).
QStringList expectedIds(const QList<Call> &calls, const CallFilter &filter);

} // namespace earshot::testsupport
