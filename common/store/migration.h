#pragma once

#include "expected.h"

#include <QSqlDatabase>
#include <QStringList>

#include <span>

namespace earshot {

// One numbered step of the schema. Versions start at 1 and have no gaps.
struct Migration
{
    int version = 0;
    QString description;
    QStringList statements;
};

// Applies every pending migration in a single IMMEDIATE transaction and records the
// version in PRAGMA user_version; any failure rolls the whole run back. A store newer
// than this build is refused rather than guessed at.
class SchemaMigrator
{
public:
    static Status migrate(const QSqlDatabase &db, std::span<const Migration> migrations);
    static int currentVersion(const QSqlDatabase &db);
};

} // namespace earshot
