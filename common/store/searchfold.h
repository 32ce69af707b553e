#pragma once

#include "expected.h"

#include <QSqlDatabase>
#include <QString>

namespace earshot {

// What lead-name search compares: the text in Unicode composed form and case-folded, so
// that "JOSÉ" finds "José" and "MÜLLER" finds "Müller" (SQLite's LIKE folds A-Z only).
QString foldedForSearch(QStringView text);

// Makes earshot_fold(text), foldedForSearch() in SQL, known to this connection: the
// store's writes and its migrations use it.
Status registerSearchFold(const QSqlDatabase &db);

} // namespace earshot
