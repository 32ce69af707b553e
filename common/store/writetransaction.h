#pragma once

#include "expected.h"

#include <QSqlDatabase>

namespace earshot {

// BEGIN IMMEDIATE on construction, ROLLBACK on destruction unless commit() succeeded.
// IMMEDIATE takes the write lock up front, so two writers wait on the busy timeout
// instead of failing with SQLITE_BUSY halfway through a transaction.
class WriteTransaction
{
public:
    explicit WriteTransaction(QSqlDatabase db);
    ~WriteTransaction();
    Q_DISABLE_COPY_MOVE(WriteTransaction)

    // Empty when BEGIN succeeded; check before writing.
    const QString &beginError() const { return m_beginError; }
    bool isOpen() const { return m_open; }

    Status commit();
    void rollback();

private:
    QSqlDatabase m_db;
    QString m_beginError;
    bool m_open = false;
};

} // namespace earshot
