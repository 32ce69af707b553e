#include "store/writetransaction.h"

#include "logging.h"
#include "store/database.h"

#include <sqlite3.h>

using namespace Qt::StringLiterals;

namespace earshot {

WriteTransaction::WriteTransaction(QSqlDatabase db)
    : m_db(std::move(db))
{
    const Status begun = execute(m_db, u"BEGIN IMMEDIATE"_s);
    if (begun)
        m_open = true;
    else
        m_beginError = u"the local store is busy or read-only: "_s + begun.error();
}

WriteTransaction::~WriteTransaction()
{
    rollback();
}

Status WriteTransaction::commit()
{
    if (!m_open)
        return Status::failure(m_beginError.isEmpty() ? u"no open transaction"_s : m_beginError);
    const Status committed = execute(m_db, u"COMMIT"_s);
    if (!committed) {
        rollback();
        return Status::failure(u"could not commit to the local store: "_s + committed.error());
    }
    m_open = false;
    return Status::ok();
}

void WriteTransaction::rollback()
{
    if (!m_open)
        return;
    m_open = false;
    // After a full disk or an I/O error SQLite rolls the transaction back by itself.
    if (sqlite3 *handle = nativeHandle(m_db); handle && sqlite3_get_autocommit(handle) != 0) {
        qCDebug(lcStore) << "SQLite had already rolled the transaction back";
        return;
    }
    if (const Status rolledBack = execute(m_db, u"ROLLBACK"_s); !rolledBack)
        qCWarning(lcStore) << "rollback failed:" << rolledBack.error();
}

} // namespace earshot
