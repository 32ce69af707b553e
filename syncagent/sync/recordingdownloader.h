#pragma once

#include "syncerror.h"

#include <QString>

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
// and waits until it has handled all of them. Fails only for what stops the downloads as
// a whole (sign in again, server unreachable, the store, a full disk, a stop request);
// per-recording failures are counted and kept in the store.
class RecordingDownloader
{
public:
    explicit RecordingDownloader(TransferEngine &engine) : m_engine(engine) {}

    SyncResult<DownloadReport> run();

private:
    TransferEngine &m_engine;
};

} // namespace earshot
