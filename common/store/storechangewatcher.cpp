#include "store/storechangewatcher.h"

#include <QSqlQuery>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace earshot {

StoreChangeWatcher::StoreChangeWatcher(QSqlDatabase db, QObject *parent)
    : QObject(parent)
    , m_db(std::move(db))
{
    m_timer.setInterval(500ms);
    connect(&m_timer, &QTimer::timeout, this, &StoreChangeWatcher::checkNow);
}

void StoreChangeWatcher::start()
{
    m_lastVersion = readDataVersion();
    m_timer.start();
}

void StoreChangeWatcher::checkNow()
{
    const qint64 version = readDataVersion();
    if (version < 0 || version == m_lastVersion)
        return;
    m_lastVersion = version;
    Q_EMIT changed();
}

qint64 StoreChangeWatcher::readDataVersion() const
{
    QSqlQuery query(m_db);
    if (!query.exec(u"PRAGMA data_version"_s) || !query.next())
        return -1;
    return query.value(0).toLongLong();
}

} // namespace earshot
