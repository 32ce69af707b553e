#pragma once

// tst_agentcache: the offline cache's policy and the audit upload end to end (see
// tst_agentcache.cpp), and the helpers its two files share.
#include "agenttesting.h"
#include "cachecheck.h"
#include "cachescene.h"
#include "storeinspector.h"

#include "audit/auditlog.h"
#include "cache/cachekey.h"
#include "domain/callfilter.h"
#include "secrets/keychainsecretstore.h"
#include "store/database.h"
#include "store/pinstore.h"
#include "testsupport/nginx_server.h"
#include "testsupport/temporary_store.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QSqlError>
#include <QSqlQuery>
#include <QTest>
#include <QUuid>

#include <algorithm>

namespace cachetest {

using namespace Qt::StringLiterals;
using namespace agenttesting;
using earshot::testsupport::NginxServer;

inline constexpr qint64 kDayMs = 24 * 3600 * 1000;

// Overwrites a cache file's magic and version, as a bad disk block would.
inline bool damageHeader(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadWrite) && file.write(QByteArray(16, 'x')) == 16;
}

// Pins through the store, as the app's "keep offline" would, before the agent runs.
inline bool pinLeads(const QString &dataDir, const QStringList &leadIds)
{
    auto store = earshot::Database::open(databasePath(dataDir));
    if (!store) {
        qWarning() << store.error();
        return false;
    }
    earshot::PinStore pins((*store)->connection());
    for (const QString &lead : leadIds) {
        if (earshot::Status pinned = pins.pin({earshot::Pin::Kind::Lead, lead, u"lead "_s + lead}); !pinned) {
            qWarning() << pinned.error();
            return false;
        }
    }
    return true;
}

inline QHash<QString, QString> cacheStates(const StoreInspector &store)
{
    QHash<QString, QString> states;
    const auto recordings = store.recordings();
    for (const StoredRecording &recording : recordings)
        states.insert(recording.id, recording.cacheState);
    return states;
}

inline QSet<QString> serverEventIds(ServerView &server)
{
    QSet<QString> ids;
    const auto events = server.auditEvents();
    for (const QJsonObject &event : events)
        ids.insert(event.value("event_id"_L1).toString());
    return ids;
}

inline bool execute(const StoreInspector &store, const QString &sql, const QVariantList &values)
{
    QSqlQuery query(store.connection());
    query.prepare(sql);
    for (const QVariant &value : values)
        query.addBindValue(value);
    if (!query.exec()) {
        qWarning() << sql << query.lastError().text();
        return false;
    }
    return true;
}

class TstAgentCache : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    // Every test runs twice: recordings served by the reference server, then by nginx.
    void initTestCase_data();
    void init();

    void cacheQuotaOptionIsChecked();
    void quotaEvictionKeepsPinsAndAuditsEvictions();
    void pinnedRecordingsAreFetchedBeforeNewerOnes();
    void retentionDeletesOldCopiesAndReportsThem();
    void retentionHoldsWhileTheServerIsAway();
    void reconcileRepairsRowsAndRemovesStrays();
    void lostCacheKeyIsReplacedAndCopiesFetchedAgain();

    // tst_agentcache_server.cpp: the audit upload, and copies the server takes away.
    void auditEventsWaitWhileTheServerIsDown();
    void rejectedEventsKeepTheServersErrorAndAreNotResent();
    void copiesWithdrawnOnTheServerAreDeletedAndReported();
    void copiesOfCallsDeletedOnTheServerAreAudited();
};

} // namespace cachetest
