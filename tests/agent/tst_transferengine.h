#pragma once

// Shared by the parts of tst_transferengine: single transfers and the engine's recovery in
// tst_transferengine.cpp; what a whole pass takes (bandwidth, windows of the recordings
// due) in tst_transferengine_passes.cpp; stalls, versions and the cache file in the
// files named after them.

#include "hostilemediaserver.h"

#include "cache/cachecipher.h"
#include "cache/encryptedcachereader.h"
#include "cache/encryptedcachewriter.h"
#include "store/callmirror.h"
#include "store/database.h"
#include "transfer/curlmultiloop.h"
#include "transfer/transferengine.h"
#include "http/curlhandles.h"

#include <QCryptographicHash>
#include <QDir>
#include <QElapsedTimer>
#include <QRandomGenerator>
#include <QSemaphore>
#include <QSignalSpy>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace earshot;
using Behaviour = HostileMediaServer::Behaviour;
using Answer = HostileMediaServer::Answer;

namespace transferenginetest {

inline constexpr qint64 kChunk = 64 * 1024;
inline constexpr qint64 kMiB = 1024 * 1024;

QByteArray randomBytes(qint64 size);
QString sha256(const QByteArray &bytes);
// Plaintext of an encrypted cache file from its start, as far as chunks are present.
QByteArray contiguousPlaintext(const QString &path, const QByteArray &key, qint64 size);

// Hands out links to the hostile server's files, counting how often it was asked.
class FakeLinks final : public RecordingLinks
{
public:
    explicit FakeLinks(HostileMediaServer &server) : m_server(server) {}

    SyncResult<RecordingLink> link(const QString &callId) override
    {
        ++links;
        return make(callId);
    }
    SyncResult<RecordingLink> refreshedLink(const QString &callId) override
    {
        ++refreshes;
        return make(callId);
    }
    SyncResult<RecordingAvailability> availability(const QString &) override
    {
        return RecordingAvailability{true, RecordingStatus::Available, {}};
    }

    QHash<QString, QString> fileOfCall;
    qint64 lifetimeSeconds = 300;
    int links = 0;
    int refreshes = 0;

private:
    RecordingLink make(const QString &callId)
    {
        RecordingLink link;
        link.url = m_server.url(fileOfCall.value(callId), u"sig=%1"_s.arg(++m_serial));
        link.expiresInSeconds = lifetimeSeconds;
        return link;
    }

    HostileMediaServer &m_server;
    int m_serial = 0;
};

class TstTransferEngine : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    // One transfer into a cache file that already holds four chunks.
    void bodyCutShortKeepsOnlyWholeChunks();
    void rangeAnsweredWith200WritesNothing();
    void rangeAnsweredWith416WritesNothing();
    void wrongContentRangeWritesNothing();

    // The engine.
    void ignoredRangeStartsOverDeliberately();
    void expiredLinkIsRefreshedAndResumedAtTheSameByte();
    void retryAfterIsHonoured();
    void redirectsGoOnlyWhereAllowed();
    void rangeNotSatisfiableKeepsThePartial();
    void playerRangeGoesFirstAndNothingIsFetchedTwice();
    void playerRangeOvertakesTheMainStream();
    void playerRangeOfABackgroundDownloadNamesItsPartial();
    void recordingChangedWhileDownloadingIsNotMarkedPresent();
    void bandwidthLimitHoldsForAllTransfersTogether();
    void aPassTakesWindowAfterWindowUntilNothingIsDue();

    // Stalls: a dead or crawling connection is abandoned; one the agent holds back is not.
    void silenceAfterTheHeadIsAStall();
    void tricklingBelowTheFloorIsAStall();
    void heldBackByTheBandwidthLimitIsNotAStall();
    void stalledDownloadResumesWhereItStopped();

    // The cache file (tst_transferengine_sink.cpp): stored as it arrives, hashed in order.
    void eachChunkIsInTheFileWhenItIsHandedOver();
    void aChunkStoredTwiceIsHashedAsStored();
    void transferWaitsWhileTheHashIsBehind();

    // Versions (tst_transferengine_versions.cpp): a resumed request names the version the
    // file holds (If-Range); bytes of another version are never joined to it.
    void resumeNamesTheVersionItHoldsAndContinues();
    void unusableValidatorsAreNeverSentBack();
    void lastModifiedNamesTheVersionOnlyWhenItIsOldEnough();
    void wholeNewVersionInsteadOfTheRangeStartsOverAndResumesLater();
    void aCopyThatChangesAtEveryRequestEndsTheAttempt();
    void twoRequestsThatGotDifferentVersionsStartOver();
    void copyReplacedBetweenRunsIsFetchedAgainWhole();

private:
    struct StoredRow
    {
        QString cacheState;
        QString cacheFile;
        QString lastError;
    };

    // A 1 MiB (or `size`) recording on the server and in the store.
    // Without sha256, as from servers that keep no hash.
    void addRecording(qint64 size = kMiB, bool withSha256 = true);
    // Calls call-N with recordings rec-N, of `size` bytes each.
    void addRecordings(int count, qint64 size);
    std::unique_ptr<TransferEngine> makeEngine(qint64 bandwidthLimit = 0,
                                               int dueWindow = TransferOptions::kDefaultDueWindow,
                                               decltype(TransferOptions::admitDue) admitDue = {});
    bool runUntilIdle(TransferEngine &engine, int timeoutMs = 30'000);
    // One pass of a new engine over what is due, the engine gone after it (its files
    // closed); nothing when it could not start or did not end.
    std::optional<TransferReport> runOnePass();
    StoredRow row();
    MediaOutcome transferInto(const std::shared_ptr<CacheFileSink> &sink, qint64 first, qint64 end);
    std::shared_ptr<CacheFileSink> partialWithFourChunks();
    // Closes the partial and says whether it holds exactly the four chunks it started with.
    bool keepsItsFourChunks(const std::shared_ptr<CacheFileSink> &sink);

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<HostileMediaServer> m_server;
    std::unique_ptr<FakeLinks> m_links;
    std::unique_ptr<Database> m_store;
    QThreadPool m_pool;
    QByteArray m_key;
    QByteArray m_content;
    MediaTransferSettings m_settings;
    QString m_cacheDir;
};

} // namespace transferenginetest
