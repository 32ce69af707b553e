#include "store/searchfold.h"

#include "store/database.h"

#include <sqlite3.h>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace earshot {

namespace {

void foldFunction(sqlite3_context *context, int, sqlite3_value **arguments)
{
    if (sqlite3_value_type(arguments[0]) == SQLITE_NULL) {
        sqlite3_result_null(context);
        return;
    }
    const auto *text = reinterpret_cast<const char *>(sqlite3_value_text(arguments[0]));
    const int size = sqlite3_value_bytes(arguments[0]);
    const std::string_view bytes(text, static_cast<size_t>(size));
    // Most names are ASCII; a first fill folds hundreds of thousands of them.
    if (std::all_of(bytes.begin(), bytes.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; })) {
        std::string lower(bytes);
        std::transform(lower.begin(), lower.end(), lower.begin(),
                       [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; });
        sqlite3_result_text(context, lower.data(), size, SQLITE_TRANSIENT);
        return;
    }
    const QByteArray folded = foldedForSearch(QString::fromUtf8(text, size)).toUtf8();
    sqlite3_result_text(context, folded.constData(), static_cast<int>(folded.size()), SQLITE_TRANSIENT);
}

} // namespace

QString foldedForSearch(QStringView text)
{
    return text.toString().normalized(QString::NormalizationForm_C).toCaseFolded();
}

Status registerSearchFold(const QSqlDatabase &db)
{
    sqlite3 *connection = nativeHandle(db);
    if (!connection)
        return Status::failure(u"the store's connection is not an open SQLite connection"_s);
    const int result = sqlite3_create_function_v2(connection, "earshot_fold", 1,
                                                  SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, nullptr,
                                                  &foldFunction, nullptr, nullptr, nullptr);
    if (result != SQLITE_OK)
        return Status::failure(u"cannot add the search folding function: "_s + QString::fromUtf8(sqlite3_errstr(result)));
    return Status::ok();
}

} // namespace earshot
