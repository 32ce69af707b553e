#include "sync/recordingdownloader.h"

#include "agentlogging.h"
#include "transfer/transferengine.h"

#include <QElapsedTimer>
#include <QEventLoop>

using namespace Qt::StringLiterals;

namespace earshot {

SyncResult<DownloadReport> RecordingDownloader::run()
{
    QElapsedTimer timer;
    timer.start();
    auto queued = m_engine.queueDue();
    if (!queued)
        return queued.error();
    if (!m_engine.isIdle()) {
        // The transfers run on their own thread and report to this one; waiting in a local
        // event loop keeps this thread serving them, and the agent's other sockets, until
        // every recording is handled.
        QEventLoop wait;
        QObject::connect(&m_engine, &TransferEngine::idle, &wait, &QEventLoop::quit);
        wait.exec();
        // QCoreApplication::quit() ends every event loop, this one too: a stop is under way.
        if (!m_engine.isIdle())
            m_engine.stopAll();
    }
    const TransferReport transfers = m_engine.takeReport();
    DownloadReport report;
    report.due = transfers.queued;
    report.downloaded = transfers.downloaded;
    report.failed = transfers.failed;
    report.notReady = transfers.notReady;
    report.bytes = transfers.bytes;
    report.lastFailure = transfers.lastFailure;
    report.milliseconds = timer.elapsed();
    qCInfo(lcSync).noquote() << u"downloads done: %1 downloaded (%2 bytes), %3 failed, %4 not ready on the server, in %5 ms"_s
                                    .arg(report.downloaded)
                                    .arg(report.bytes)
                                    .arg(report.failed)
                                    .arg(report.notReady)
                                    .arg(report.milliseconds);
    if (transfers.fatal)
        return *transfers.fatal;
    return report;
}

} // namespace earshot
