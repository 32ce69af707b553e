#pragma once

#include <QTableView>

namespace earshot {

// The call table. Rows the store inserts or removes above the first visible row do not
// move what the person is looking at, unless they are at the very top, where new calls
// are meant to be seen. With no rows it says why instead of showing a blank grid.
class CallTableView : public QTableView
{
    Q_OBJECT

public:
    explicit CallTableView(QWidget *parent = nullptr);

    void setModel(QAbstractItemModel *model) override;

    // Shown in the middle of an empty table.
    void setPlaceholderText(const QString &text);
    const QString &placeholderText() const { return m_placeholderText; }

    // The first row at least partly visible, or -1.
    int firstVisibleRow() const;

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    void rememberAnchor();
    void keepAnchorAfterInsert(int first, int last);
    void keepAnchorAfterRemove(int first, int last);

    QString m_placeholderText;
    QMetaObject::Connection m_connections[4];
    int m_anchorRow = -1;
    int m_anchorOffset = 0;
};

} // namespace earshot
