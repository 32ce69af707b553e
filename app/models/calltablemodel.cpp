#include "models/calltablemodel.h"

#include "applogging.h"
#include "models/callpresentation.h"
#include "models/callrowmerge.h"

#include <QDateTime>
#include <QLocale>

using namespace Qt::StringLiterals;

namespace earshot {

namespace {

// How far a refresh reads beyond what was loaded when many new calls arrived at once
// (a first sync commits thousands): the rest waits for fetchMore().
constexpr int kRefreshPagesBeyondLoaded = 10;

} // namespace

CallTableModel::CallTableModel(QSqlDatabase db, QObject *parent)
    : QAbstractTableModel(parent)
    , m_query(std::move(db))
{
    updateTotalCount();
}

int CallTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int CallTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant CallTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const CallRow &call = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        return displayData(call, index.column());
    case Qt::ToolTipRole:
        return toolTipData(call, index.column());
    case Qt::TextAlignmentRole:
        if (index.column() == Duration)
            return QVariant::fromValue(Qt::Alignment(Qt::AlignRight | Qt::AlignVCenter));
        return {};
    case CallIdRole:
        return call.id;
    case CallRowRole:
        return QVariant::fromValue(call);
    case StartedAtRole:
        return QDateTime::fromMSecsSinceEpoch(call.startedAtMs, Qt::UTC);
    default:
        return {};
    }
}

QVariant CallTableModel::displayData(const CallRow &call, int column) const
{
    switch (column) {
    case StartedAt: return presentation::startedAtText(call.startedAtMs);
    case Duration: return presentation::durationText(call.durationSeconds);
    case Lead: return call.leadName;
    case Phone: return call.leadPhone;
    case Agent: return call.agentName;
    case DialList: return presentation::dialListText(call);
    case Outcome: return presentation::outcomeText(call.outcome);
    case Direction: return presentation::directionText(call.direction);
    case Recording: return presentation::recordingStateText(call);
    default: return {};
    }
}

QVariant CallTableModel::toolTipData(const CallRow &call, int column) const
{
    switch (column) {
    case StartedAt:
        return presentation::startedAtDetail(call.startedAtMs);
    case Duration:
        //: %1 is a duration such as 1:05, %2 the same in seconds
        return tr("%1 (%2 s)").arg(presentation::durationText(call.durationSeconds),
                                   QLocale().toString(call.durationSeconds));
    case Lead:
    case Phone:
        return call.leadPhone.isEmpty() ? call.leadName : u"%1 · %2"_s.arg(call.leadName, call.leadPhone);
    case Agent:
        return call.agentName;
    case DialList:
        return call.isManualDial() ? tr("Manual Dial: the agent dialled this number by hand.") : call.listName;
    case Outcome:
        //: %1 is the outcome as the server names it, such as no_answer
        return tr("Outcome as recorded by the server: %1").arg(call.outcome);
    case Direction:
        return presentation::directionText(call.direction);
    case Recording:
        return presentation::recordingStateDetail(call);
    default:
        return {};
    }
}

QVariant CallTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case StartedAt: return tr("Placed at");
    case Duration: return tr("Duration");
    case Lead: return tr("Lead");
    case Phone: return tr("Phone");
    case Agent: return tr("Agent");
    case DialList: return tr("Dial list");
    case Outcome: return tr("Outcome");
    case Direction: return tr("Direction");
    case Recording: return tr("Recording");
    default: return {};
    }
}

QHash<int, QByteArray> CallTableModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractTableModel::roleNames();
    names.insert(CallIdRole, "callId");
    names.insert(CallRowRole, "callRow");
    names.insert(StartedAtRole, "startedAt");
    return names;
}

bool CallTableModel::canFetchMore(const QModelIndex &parent) const
{
    return !parent.isValid() && !m_reachedEnd && !m_readFailed && !m_changingRows;
}

void CallTableModel::fetchMore(const QModelIndex &parent)
{
    if (!canFetchMore(parent))
        return;
    auto page = m_query.fetchPage(m_filter, lastLoadedPosition(), m_pageSize);
    if (!page) {
        reportFailure(page.error());
        return;
    }
    m_lastError.clear();
    // A short page is the last one; a full page may be too, which the next fetch learns.
    m_reachedEnd = page->size() < m_pageSize;
    if (page->isEmpty())
        return;
    const auto first = static_cast<int>(m_rows.size());
    m_changingRows = true;
    beginInsertRows({}, first, first + static_cast<int>(page->size()) - 1);
    m_rows.append(*page);
    endInsertRows();
    m_changingRows = false;
    qCDebug(lcApp) << "fetched" << page->size() << "calls, now" << m_rows.size() << "of" << m_totalCount;
}

void CallTableModel::setFilter(const CallFilter &filter)
{
    // Counted first, so that whoever reacts to the reset already sees the new total.
    const auto counted = m_query.count(filter);
    const qint64 previousCount = m_totalCount;
    m_changingRows = true;
    beginResetModel();
    m_filter = filter;
    m_rows.clear();
    m_rows.squeeze();
    m_reachedEnd = false;
    m_readFailed = false;
    m_totalCount = counted ? *counted : -1;
    endResetModel();
    m_changingRows = false;
    if (!counted)
        reportFailure(counted.error());
    if (m_totalCount != previousCount)
        Q_EMIT totalCountChanged(m_totalCount);
}

void CallTableModel::setPageSize(int rows)
{
    m_pageSize = std::max(1, rows);
}

const CallRow *CallTableModel::callAt(int row) const
{
    return row >= 0 && row < m_rows.size() ? &m_rows.at(row) : nullptr;
}

int CallTableModel::rowOfCall(const QString &callId) const
{
    for (qsizetype row = 0; row < m_rows.size(); ++row) {
        if (m_rows.at(row).id == callId)
            return static_cast<int>(row);
    }
    return -1;
}

void CallTableModel::refresh()
{
    const bool hadLoaded = !m_rows.isEmpty() || m_reachedEnd;
    m_readFailed = false;
    if (hadLoaded) {
        bool reachedEnd = false;
        const auto fresh = readLoadedRange(&reachedEnd);
        if (!fresh)
            return;
        m_refreshing = true;
        m_changingRows = true;
        applyFreshRows(*fresh);
        m_changingRows = false;
        m_refreshing = false;
        m_reachedEnd = reachedEnd;
        m_lastError.clear();
    }
    // else: nothing was loaded yet; the view's next fetchMore() reads the newest page.
    updateTotalCount();
    Q_EMIT refreshed();
}

std::optional<CallPosition> CallTableModel::lastLoadedPosition() const
{
    if (m_rows.isEmpty())
        return std::nullopt;
    return CallPosition{m_rows.last().startedAtMs, m_rows.last().id};
}

// Everything from the newest matching call down to the last loaded one. When the model
// had reached the end, down to the end, so that late-arriving old calls show up too.
std::optional<QList<CallRow>> CallTableModel::readLoadedRange(bool *reachedEnd)
{
    const std::optional<CallRow> bottom = m_reachedEnd || m_rows.isEmpty()
        ? std::nullopt : std::optional<CallRow>(m_rows.last());
    const qsizetype cap = std::max<qsizetype>(m_rows.size(), m_pageSize)
        + qsizetype(kRefreshPagesBeyondLoaded) * m_pageSize;

    QList<CallRow> fresh;
    std::optional<CallPosition> after;
    *reachedEnd = false;
    while (fresh.size() < cap) {
        auto page = m_query.fetchPage(m_filter, after, m_pageSize);
        if (!page) {
            reportFailure(page.error());
            return std::nullopt;
        }
        fresh.append(*page);
        if (page->size() < m_pageSize) {
            *reachedEnd = true;
            break;
        }
        after = CallPosition{fresh.last().startedAtMs, fresh.last().id};
        if (bottom && !comesBefore(fresh.last(), *bottom)) {
            // Passed the old bottom: what lies below was not loaded before either.
            while (!fresh.isEmpty() && comesBefore(*bottom, fresh.last()))
                fresh.removeLast();
            return fresh;
        }
    }
    if (fresh.size() > cap) {
        fresh.resize(cap);
        *reachedEnd = false;
    }
    return fresh;
}

void CallTableModel::applyFreshRows(const QList<CallRow> &fresh)
{
    using Kind = RowMergeStep::Kind;
    const QList<RowMergeStep> steps = planRowMerge(m_rows, fresh);
    for (const RowMergeStep &step : steps) {
        const int last = step.row + step.count - 1;
        switch (step.kind) {
        case Kind::Insert:
            beginInsertRows({}, step.row, last);
            m_rows.insert(step.row, step.count, CallRow());
            std::copy_n(fresh.cbegin() + step.freshIndex, step.count, m_rows.begin() + step.row);
            endInsertRows();
            break;
        case Kind::Remove:
            beginRemoveRows({}, step.row, last);
            m_rows.remove(step.row, step.count);
            endRemoveRows();
            break;
        case Kind::Update:
            std::copy_n(fresh.cbegin() + step.freshIndex, step.count, m_rows.begin() + step.row);
            Q_EMIT dataChanged(index(step.row, 0), index(last, ColumnCount - 1));
            break;
        }
    }
    if (!steps.isEmpty())
        qCDebug(lcApp) << "refresh applied" << steps.size() << "changes, now" << m_rows.size() << "calls loaded";
}

void CallTableModel::updateTotalCount()
{
    const auto counted = m_query.count(m_filter);
    if (!counted) {
        reportFailure(counted.error());
        return;
    }
    if (*counted == m_totalCount)
        return;
    m_totalCount = *counted;
    Q_EMIT totalCountChanged(m_totalCount);
}

void CallTableModel::reportFailure(const QString &message)
{
    m_readFailed = true;
    m_lastError = tr("Cannot read the local store: %1").arg(message);
    qCWarning(lcApp) << m_lastError;
    Q_EMIT readFailed(m_lastError);
}

} // namespace earshot
