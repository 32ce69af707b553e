#pragma once

#include "syncerror.h"
#include "transfer/mediatransfer.h"
#include "transfer/transferledger.h"

#include <functional>
#include <optional>

namespace earshot {

struct TransferOptions
{
    static constexpr int kDefaultParallel = 4;
    static constexpr int kMaxParallel = 32;

    int parallel = kDefaultParallel; // recordings downloading at once
    qint64 bandwidthLimit = 0;       // bytes per second for all of them together; 0: none
    MediaTransferSettings media;
    // The recordings due that one look at the store takes, newest calls first. A million
    // calls have hundreds of thousands due, and the quota keeps a few thousand: the engine
    // takes another window only when it has fetched what the last one admitted.
    int dueWindow = kDefaultDueWindow;
    static constexpr int kDefaultDueWindow = 5000;
    // The cache policy: given a window of the recordings due (newest calls first), the ones
    // to fetch, in the order to fetch them; it may add others that are due from the ledger
    // (pinned recordings older than the window). Runs at every queueDue(), also when
    // nothing is due, so that it can make room and keep the cache within its quota. None:
    // fetch all that is due.
    std::function<QList<TransferCandidate>(QList<TransferCandidate> due, const TransferLedger &ledger)> admitDue;
};

// What the downloads of one pass came to.
struct TransferReport
{
    int queued = 0;
    int downloaded = 0;
    qint64 bytes = 0;
    int failed = 0;   // tried again after a backoff
    int notReady = 0; // pending, failed or unavailable on the server
    QString lastFailure;
    std::optional<SyncError> fatal; // what stopped the downloads as a whole
};

} // namespace earshot
