#include "store/referencecheck.h"

#include "store/database.h"

#include <QSqlError>
#include <QSqlQuery>

#include <sqlite3.h>

#include <memory>
#include <string>
#include <system_error>

using namespace Qt::StringLiterals;

namespace earshot {

namespace {

// The parent keys of a million calls are looked up at random; a cache that holds the
// leads' key index keeps the pass from rereading it page by page.
constexpr int kCheckCacheKiB = 64 * 1024;

ReferenceCheck::Result failure(const QString &message)
{
    return ReferenceCheck::Result::failure(u"cannot check the store's references: "_s + message);
}

struct ConnectionCloser
{
    void operator()(sqlite3 *connection) const { sqlite3_close_v2(connection); }
};

ReferenceCheck::Result checkFile(const std::string &path)
{
    sqlite3 *opened = nullptr;
    const int openResult =
        sqlite3_open_v2(path.c_str(), &opened, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr);
    const std::unique_ptr<sqlite3, ConnectionCloser> connection(opened);
    if (openResult != SQLITE_OK)
        return failure(opened ? QString::fromUtf8(sqlite3_errmsg(opened)) : QString::fromUtf8(sqlite3_errstr(openResult)));
    sqlite3_busy_timeout(opened, Database::kBusyTimeoutMs);
    const std::string cache = "PRAGMA cache_size = -" + std::to_string(kCheckCacheKiB);
    sqlite3_exec(opened, cache.c_str(), nullptr, nullptr, nullptr); // a smaller cache is only slower

    sqlite3_stmt *prepared = nullptr;
    if (sqlite3_prepare_v2(opened, "PRAGMA foreign_key_check", -1, &prepared, nullptr) != SQLITE_OK)
        return failure(QString::fromUtf8(sqlite3_errmsg(opened)));
    const std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)> statement(prepared, &sqlite3_finalize);
    std::vector<ReferenceCheck::DanglingRow> dangling;
    int result = SQLITE_ROW;
    while ((result = sqlite3_step(prepared)) == SQLITE_ROW) {
        const auto *table = reinterpret_cast<const char *>(sqlite3_column_text(prepared, 0));
        dangling.push_back({QString::fromUtf8(table, sqlite3_column_bytes(prepared, 0)),
                            sqlite3_column_int64(prepared, 1)});
    }
    if (result != SQLITE_DONE)
        return failure(QString::fromUtf8(sqlite3_errmsg(opened)));
    return dangling;
}

} // namespace

ReferenceCheck::Result ReferenceCheck::run(const QSqlDatabase &db)
{
    QSqlQuery check(db);
    check.setForwardOnly(true);
    if (!check.exec(u"PRAGMA foreign_key_check"_s))
        return failure(check.lastError().text());
    std::vector<DanglingRow> dangling;
    while (check.next())
        dangling.push_back({check.value(0).toString(), check.value(1).toLongLong()});
    return dangling;
}

std::future<ReferenceCheck::Result> ReferenceCheck::start(const QSqlDatabase &writer)
{
    sqlite3 *handle = nativeHandle(writer);
    const char *file = handle ? sqlite3_db_filename(handle, "main") : nullptr;
    if (!file || !*file) {
        std::promise<Result> inline_;
        inline_.set_value(run(writer));
        return inline_.get_future();
    }
    try {
        return std::async(std::launch::async, checkFile, std::string(file));
    } catch (const std::system_error &) {
        // No thread to be had: the check runs here, as it did before it had one.
        std::promise<Result> inline_;
        inline_.set_value(run(writer));
        return inline_.get_future();
    }
}

} // namespace earshot
