#pragma once

#include "domain/callfilter.h"
#include "store/callquery.h"

#include <QAbstractTableModel>
#include <QSqlDatabase>

#include <optional>

namespace earshot {

// The call list over the local store: newest first, read a page at a time through
// CallQuery's keyset pagination, so a million calls cost what a thousand do. Only what
// the view scrolls to is ever loaded. refresh() re-reads the loaded range after another
// process (the sync agent) commits, and turns the difference into row inserts, removals
// and updates: selections and scroll positions survive, new calls slide in at the top.
class CallTableModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { StartedAt, Duration, Lead, Phone, Agent, DialList, Outcome, Direction, Recording, ColumnCount };
    Q_ENUM(Column)

    enum Role {
        CallIdRole = Qt::UserRole + 1, // QString
        CallRowRole,                   // earshot::CallRow
        StartedAtRole,                 // QDateTime, UTC
    };
    Q_ENUM(Role)

    static constexpr int kDefaultPageSize = 200;

    explicit CallTableModel(QSqlDatabase db, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;
    bool canFetchMore(const QModelIndex &parent) const override;
    void fetchMore(const QModelIndex &parent) override;

    const CallFilter &filter() const { return m_filter; }
    // Shows the calls matching `filter`, starting over at the newest.
    void setFilter(const CallFilter &filter);

    int pageSize() const { return m_pageSize; }
    void setPageSize(int rows);

    // Calls matching the filter in the whole store, loaded or not; -1 when unknown.
    qint64 totalCount() const { return m_totalCount; }
    // The last failure to read the store, empty after a successful read.
    const QString &lastError() const { return m_lastError; }

    // True while refresh() applies the store's changes, so that listeners can tell the
    // store's doing from the person's (a removed current row moves the selection).
    bool isRefreshing() const { return m_refreshing; }

    // The loaded row, or nullptr.
    const CallRow *callAt(int row) const;
    // The row of a loaded call, or -1.
    int rowOfCall(const QString &callId) const;

public Q_SLOTS:
    // Re-reads what is loaded (and whatever is new above it); connect it to
    // StoreChangeWatcher::changed().
    void refresh();

Q_SIGNALS:
    void totalCountChanged(qint64 count);
    // A read failed; the message says what to check. The rows shown stay as they were.
    void readFailed(const QString &message);
    // After refresh() applied its changes.
    void refreshed();

private:
    QVariant displayData(const CallRow &call, int column) const;
    QVariant toolTipData(const CallRow &call, int column) const;
    std::optional<CallPosition> lastLoadedPosition() const;
    std::optional<QList<CallRow>> readLoadedRange(bool *reachedEnd);
    void applyFreshRows(const QList<CallRow> &fresh);
    void updateTotalCount();
    void reportFailure(const QString &message);

    CallQuery m_query;
    CallFilter m_filter;
    QList<CallRow> m_rows;
    int m_pageSize = kDefaultPageSize;
    bool m_reachedEnd = false;
    // A failed read stops fetchMore() from being retried in a loop by views; a
    // refresh or a new filter tries again.
    bool m_readFailed = false;
    bool m_refreshing = false;
    // Listeners of our own signals (views, testers) may call fetchMore() while rows are
    // being inserted or removed; that must wait until the change is complete.
    bool m_changingRows = false;
    qint64 m_totalCount = -1;
    QString m_lastError;
};

} // namespace earshot
