#include "sync/recordingdownloader.h"

#include "agentlogging.h"
#include "transfer/transferengine.h"

#include <QElapsedTimer>

using namespace Qt::StringLiterals;

namespace earshot {

RecordingDownloader::~RecordingDownloader()
{
    QObject::disconnect(m_waiting);
}

void RecordingDownloader::run(Done done)
{
    QElapsedTimer timer;
    timer.start();
    auto queued = m_engine.queueDue();
    if (!queued) {
        QMetaObject::invokeMethod(&m_engine, [done, error = queued.error()] { done(error); }, Qt::QueuedConnection);
        return;
    }
    if (m_engine.isIdle()) {
        QMetaObject::invokeMethod(&m_engine, [this, timer, done] { finish(timer.elapsed(), done); },
                                  Qt::QueuedConnection);
        return;
    }
    m_waiting = QObject::connect(&m_engine, &TransferEngine::idle, &m_engine, [this, timer, done] {
        QObject::disconnect(m_waiting);
        finish(timer.elapsed(), done);
    });
}

void RecordingDownloader::finish(qint64 milliseconds, const Done &done)
{
    const TransferReport transfers = m_engine.takeReport();
    DownloadReport report;
    report.due = transfers.queued;
    report.downloaded = transfers.downloaded;
    report.failed = transfers.failed;
    report.notReady = transfers.notReady;
    report.bytes = transfers.bytes;
    report.lastFailure = transfers.lastFailure;
    report.milliseconds = milliseconds;
    qCInfo(lcSync).noquote() << u"downloads done: %1 downloaded (%2 bytes), %3 failed, %4 not ready on the server, in %5 ms"_s
                                    .arg(report.downloaded)
                                    .arg(report.bytes)
                                    .arg(report.failed)
                                    .arg(report.notReady)
                                    .arg(report.milliseconds);
    if (transfers.fatal)
        return done(*transfers.fatal);
    done(report);
}

} // namespace earshot
