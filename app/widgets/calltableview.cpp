#include "widgets/calltableview.h"

#include <QHeaderView>
#include <QPainter>
#include <QScrollBar>

namespace earshot {

CallTableView::CallTableView(QWidget *parent)
    : QTableView(parent)
{
    setSelectionBehavior(SelectRows);
    setSelectionMode(SingleSelection);
    setSortingEnabled(false); // the order is the store's: newest first
    setAlternatingRowColors(true);
    setWordWrap(false);
    setTextElideMode(Qt::ElideRight);
    // Per pixel, so keeping the place is exact and scrolling through thousands is smooth.
    setVerticalScrollMode(ScrollPerPixel);
    setHorizontalScrollMode(ScrollPerPixel);
    setShowGrid(false);
    verticalHeader()->hide();
    verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 8);
    horizontalHeader()->setHighlightSections(false);
    horizontalHeader()->setStretchLastSection(true);
    horizontalHeader()->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
}

void CallTableView::setModel(QAbstractItemModel *newModel)
{
    for (auto &connection : m_connections)
        disconnect(connection);
    QTableView::setModel(newModel);
    if (!newModel)
        return;
    // Connected after the view and its headers, so these run once they have caught up.
    using Model = QAbstractItemModel;
    m_connections[0] = connect(newModel, &Model::rowsAboutToBeInserted, this, &CallTableView::rememberAnchor);
    m_connections[1] = connect(newModel, &Model::rowsAboutToBeRemoved, this, &CallTableView::rememberAnchor);
    m_connections[2] = connect(newModel, &Model::rowsInserted, this,
                               [this](const QModelIndex &, int first, int last) { keepAnchorAfterInsert(first, last); });
    m_connections[3] = connect(newModel, &Model::rowsRemoved, this,
                               [this](const QModelIndex &, int first, int last) { keepAnchorAfterRemove(first, last); });
}

void CallTableView::setPlaceholderText(const QString &text)
{
    if (text == m_placeholderText)
        return;
    m_placeholderText = text;
    viewport()->update();
}

int CallTableView::firstVisibleRow() const
{
    return rowAt(0);
}

void CallTableView::rememberAnchor()
{
    m_anchorRow = -1;
    if (verticalScrollBar()->value() == 0)
        return; // at the top: let new calls come into view
    m_anchorRow = firstVisibleRow();
    if (m_anchorRow >= 0)
        m_anchorOffset = rowViewportPosition(m_anchorRow);
}

void CallTableView::keepAnchorAfterInsert(int first, int last)
{
    if (m_anchorRow < 0 || first > m_anchorRow)
        return;
    const int row = m_anchorRow + (last - first + 1);
    m_anchorRow = -1;
    updateGeometries(); // the scroll range must already include the new rows
    verticalScrollBar()->setValue(verticalScrollBar()->value() + rowViewportPosition(row) - m_anchorOffset);
}

void CallTableView::keepAnchorAfterRemove(int first, int last)
{
    if (m_anchorRow < 0 || last >= m_anchorRow) {
        m_anchorRow = -1;
        return; // below the anchor nothing moves; if the anchor itself went, nothing to keep
    }
    const int row = m_anchorRow - (last - first + 1);
    m_anchorRow = -1;
    updateGeometries();
    verticalScrollBar()->setValue(verticalScrollBar()->value() + rowViewportPosition(row) - m_anchorOffset);
}

void CallTableView::paintEvent(QPaintEvent *event)
{
    QTableView::paintEvent(event);
    if (m_placeholderText.isEmpty() || !model() || model()->rowCount(rootIndex()) > 0)
        return;
    QPainter painter(viewport());
    QColor color = palette().color(QPalette::PlaceholderText);
    painter.setPen(color);
    const QRect area = viewport()->rect().adjusted(24, 24, -24, -24);
    painter.drawText(area, Qt::AlignCenter | Qt::TextWordWrap, m_placeholderText);
}

} // namespace earshot
