#pragma once

#include "store/database.h"

#include <QTemporaryDir>

#include <memory>

namespace earshot::testsupport {

// A fresh local store in a temporary folder, opened exactly as the programs open it
// (WAL, migrations). Check isOpen() before use; everything goes when it is destroyed.
class TemporaryStore
{
public:
    TemporaryStore()
    {
        auto database = Database::open(m_dir.filePath(QStringLiteral("store.sqlite")));
        if (database)
            m_database = std::move(database).value();
        else
            m_error = database.error();
    }

    bool isOpen() const { return m_database != nullptr; }
    const QString &error() const { return m_error; }
    QSqlDatabase db() const { return m_database->connection(); }
    QString path() const { return m_database->path(); }
    QString filePath(const QString &name) const { return m_dir.filePath(name); }

private:
    QTemporaryDir m_dir;
    std::unique_ptr<Database> m_database; // closed before the folder goes
    QString m_error;
};

} // namespace earshot::testsupport
