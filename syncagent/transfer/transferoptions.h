#pragma once

#include "syncerror.h"
#include "transfer/mediatransfer.h"

#include <optional>

namespace earshot {

struct TransferOptions
{
    static constexpr int kDefaultParallel = 4;
    static constexpr int kMaxParallel = 32;

    int parallel = kDefaultParallel; // recordings downloading at once
    qint64 bandwidthLimit = 0;       // bytes per second for all of them together; 0: none
    MediaTransferSettings media;
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
