#pragma once

#include "syncerror.h"

#include <QMetaObject>
#include <QString>

#include <functional>

namespace earshot {

class TransferEngine;

struct DownloadReport
{
    int due = 0;
    int downloaded = 0;
    int failed = 0;   // will be tried again after a backoff
    int notReady = 0; // the server says pending, failed or unavailable
    qint64 bytes = 0;
    qint64 milliseconds = 0;
    QString lastFailure;
};

// The downloads step of a pass: hands the recordings that are due to the transfer engine
// and reports once it has handled all of them, without blocking the agent's thread (the
// control socket and the player's ranges are served meanwhile). Fails only for what stops
// the downloads as a whole (sign in again, server unreachable, the store, a full disk, a
// stop or a pause); per-recording failures are counted and kept in the store.
class RecordingDownloader
{
public:
    using Done = std::function<void(const SyncResult<DownloadReport> &)>;

    explicit RecordingDownloader(TransferEngine &engine) : m_engine(engine) {}
    ~RecordingDownloader();
    Q_DISABLE_COPY_MOVE(RecordingDownloader)

    // `done` runs later on the engine's thread, never inside this call.
    void run(Done done);

private:
    void finish(qint64 milliseconds, const Done &done);

    TransferEngine &m_engine;
    QMetaObject::Connection m_waiting;
};

} // namespace earshot
