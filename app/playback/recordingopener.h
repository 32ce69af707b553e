#pragma once

#include "expected.h"
#include "store/callquery.h"

#include <QElapsedTimer>
#include <QObject>
#include <QPointer>
#include <QTimer>
#include <QUrl>

#include <functional>
#include <memory>

class QIODevice;

namespace earshot {

class AgentConnection;
class CacheFileSource;
class CacheKeyLoader;

// A recording ready for PlaybackEngine::setSource.
struct OpenedRecording
{
    std::unique_ptr<QIODevice> device;
    QUrl formatHint;
    bool streaming = false; // still downloading while it plays
};

// Turns "play this call" into a source for the player: the encrypted cached copy when
// there is one, otherwise the download itself, played while it grows. For that it asks
// the agent to fetch the start first (and whatever byte a seek needs later), waits for
// the agent's range_ready / recording_cached events, and feeds them to the source. Says
// clearly when the key, the agent or the download is not there, instead of hanging.
class RecordingOpener : public QObject
{
    Q_OBJECT

public:
    using Callback = std::function<void(Expected<OpenedRecording> recording)>;

    // Asked for first when a recording starts streaming, and at each seek into a gap.
    static constexpr qint64 kHeadBytes = 256 * 1024;
    static constexpr qint64 kRangeBytes = 256 * 1024;
    static constexpr qint64 kProbeBytes = 64 * 1024; // CacheFileSource::probedOffsets()
    static constexpr std::chrono::milliseconds kStartTimeout{20000};

    RecordingOpener(QString cacheDirectory, CallQuery query, CacheKeyLoader &keys, AgentConnection &agent,
                    QObject *parent = nullptr);
    ~RecordingOpener() override;

    void setStartTimeout(std::chrono::milliseconds timeout) { m_startTimeout = timeout; }

    // Opens the call's recording; `done` runs once, now or later, unless another open()
    // or cancel() comes first.
    void open(const CallRow &call, Callback done);
    void cancel();
    // True while open() waits for the key or the start of a download.
    bool isWaiting() const { return static_cast<bool>(m_done); }

public Q_SLOTS:
    // The store changed: a download the opener waits for may have begun.
    void checkStore();

private:
    void proceed();
    void startStreaming(const CallRow &call);
    void adopt(CacheFileSource *source, const QString &recordingId);
    void finish(Expected<OpenedRecording> result);
    void onRangeReady(const QString &recordingId);
    void onRecordingCached(const QString &recordingId);
    void onRangeFailed(const QString &recordingId, const QString &message);
    void onAgentStatusChanged();

    QString m_cacheDirectory;
    CallQuery m_query;
    CacheKeyLoader &m_keys;
    AgentConnection &m_agent;
    std::chrono::milliseconds m_startTimeout = kStartTimeout;

    // The open() under way.
    CallRow m_call;
    Callback m_done;
    bool m_askedAgent = false;
    bool m_askedProbes = false;
    QTimer m_timeout;

    // The source playing while it downloads.
    QPointer<CacheFileSource> m_live;
    QString m_liveRecordingId;
};

} // namespace earshot
