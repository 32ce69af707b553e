#pragma once

#include "transfer/cachefilesink.h"
#include "transfer/mediatransfer.h"
#include "transfer/signedlink.h"
#include "transfer/transferledger.h"

#include <QBitArray>

#include <memory>
#include <optional>
#include <utility>

namespace earshot {

// Bytes of a recording the player wants before anything else: [offset, end).
struct PlayerRange
{
    qint64 offset = 0;
    qint64 end = 0;
};

// One recording on its way into the cache, as the engine tracks it on its own thread.
struct RecordingJob
{
    enum class Stage {
        Queued,       // waiting for a slot
        Opening,      // its cache file is being opened (a resumed one is scanned)
        Transferring, // one or two requests under way
        Waiting,      // backing off before the next try within this pass
        Finishing,    // verifying, fsyncing and renaming
    };

    // Smaller recordings are fetched again from the start after a crash: a store commit
    // for each would cost more than the download.
    static constexpr qint64 kWorthResumingBytes = 4 * 1024 * 1024;

    explicit RecordingJob(TransferCandidate candidate) : recording(std::move(candidate)) {}

    TransferCandidate recording;
    Stage stage = Stage::Queued;
    bool priority = false; // the player asked for part of it

    SignedLink link;
    bool hadLink = false;     // later links come from the refresh endpoint
    bool refusedSinceRefresh = false; // a 403/410 came back on a link refreshed because of one
    QUrl redirectedUrl;       // where the link sent us, while following redirects
    int redirects = 0;
    int retries = 0;          // within this pass, since the last progress
    int startsOver = 0;       // files dropped and begun again in this pass
    bool rangesUnsupported = false; // the media server answered a Range request with 200
    bool startOverPending = false;  // ... and the file is recreated once no request is running
    bool ending = false;     // handled: no new requests; closed once the running ones end
    bool discardFile = false; // the file is worthless (wrong hash, or the row changed meanwhile)
    QString lastProblem; // why it ended, for the player's ranges it leaves unserved

    std::shared_ptr<CacheFileSink> sink;
    QString partialName;
    QString finalName;
    bool resumeExisting = false;
    bool partialRecorded = false;
    qint64 recordedBytes = 0; // cached_bytes last written to the store
    // The media server's ETag or Last-Modified of the version the file holds bytes of:
    // resumed requests send it as If-Range, and it is kept with the partial in the store.
    QByteArray validator;

    qint64 chunkSize = 0;
    QBitArray have; // chunks on disk or handed to the cache file
    std::shared_ptr<MediaTransfer> mainTransfer;
    std::shared_ptr<MediaTransfer> rangeTransfer;
    QList<PlayerRange> ranges;

    qint64 chunkCount() const { return have.size(); }
    bool isComplete() const { return have.count(true) == have.size(); }
    bool hasAnyChunk() const { return have.count(true) > 0; }
    bool hasTransfers() const { return mainTransfer || rangeTransfer; }
    qint64 contiguousBytes() const;
    qint64 missingBytes() const;
    // Marks the chunks a finished transfer handed to the cache file.
    void markDelivered(qint64 first, qint64 deliveredEnd);
    // In the cache file, or handed to it by a transfer still running.
    bool isDelivered(qint64 index) const;
    // The first run of undelivered chunks in [fromChunk, toChunk) that no request is
    // fetching, as bytes [first, end); empty when there is none. With overtakeMain, the
    // main stream's undelivered span counts as missing (the player's range goes first and
    // the main stream is stopped before it).
    std::optional<std::pair<qint64, qint64>> nextMissingSpan(qint64 fromChunk, qint64 toChunk,
                                                             bool overtakeMain = false) const;
    // Chunks [first, end) covering a byte range, clamped to the recording.
    std::pair<qint64, qint64> chunksOf(const PlayerRange &range) const;
};

} // namespace earshot
