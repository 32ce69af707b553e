#pragma once

#include "domain/call.h"
#include "domain/callfilter.h"
#include "expected.h"

#include <QSqlDatabase>
#include <QStringList>
#include <QVariantList>

#include <optional>

namespace earshot {

// One row of the call list, joined and ready to show.
struct CallRow
{
    QString id;
    qint64 startedAtMs = 0;
    qint64 durationSeconds = 0;
    QString leadId;
    QString leadName;
    QString leadPhone;
    QString agentId;
    QString agentName;
    QString listId;   // empty: Manual Dial
    QString listName;
    Direction direction = Direction::Outbound;
    QString outcome;
    // The recording, when the call has one.
    QString recordingId;
    QString recordingFormat;
    std::optional<RecordingStatus> recordingStatus;
    CacheState cacheState = CacheState::Absent;
    QString cacheFile;
    int channels = 1;
    double recordingSeconds = 0;
    // The agent's own downloads: when it gave up trying by itself (a recording the server
    // offers but that kept failing to download), its next try (0: none planned), and why
    // the last one failed.
    std::optional<qint64> downloadGaveUpAtMs;
    qint64 nextDownloadAtMs = 0;
    QString lastDownloadError;
    int downloadAttempts = 0;

    bool isManualDial() const { return listId.isEmpty(); }
    bool hasRecording() const { return !recordingId.isEmpty(); }
    friend bool operator==(const CallRow &, const CallRow &) = default;
};

// Where a page of the list ends: the next page starts strictly after it.
struct CallPosition
{
    qint64 startedAtMs = 0;
    QString id;
};

// A filter as SQL over `calls c`: conditions to AND together, with their bound values.
// The call list and the agent's "keep offline" filter pins both use it, so that a pinned
// filter keeps exactly the calls the list shows for it.
struct CallFilterSql
{
    QStringList conditions;
    QVariantList values;

    explicit CallFilterSql(const CallFilter &filter);
    // "" for no condition, else " WHERE ..." (where) or "(... AND ...)" (expression).
    QString where() const;
    QString expression() const;
};

// Read-only queries behind the call list: newest first, keyset-paginated so that page
// 5,000 costs what page 1 costs. The lead filter has an index of its own; agent, list and
// outcome are read from the list-order index, which carries them (schema version 5).
class CallQuery
{
public:
    explicit CallQuery(QSqlDatabase db) : m_db(std::move(db)) {}

    Expected<QList<CallRow>> fetchPage(const CallFilter &filter, const std::optional<CallPosition> &after,
                                       int limit) const;
    Expected<qint64> count(const CallFilter &filter) const;
    Expected<CallRow> callById(const QString &callId) const;

    // Choices for the filter controls.
    QList<Agent> agents() const;
    QList<DialList> dialLists() const;
    QStringList outcomes() const;

private:
    QSqlDatabase m_db;
};

} // namespace earshot
