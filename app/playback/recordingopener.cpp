#include "playback/recordingopener.h"

#include "agent/agentconnection.h"
#include "applogging.h"
#include "models/callpresentation.h"
#include "playback/cachedrecording.h"
#include "playback/cachefilesource.h"
#include "playback/cachekeyloader.h"

#include <QCoreApplication>

using namespace Qt::StringLiterals;

namespace earshot {

namespace {

class RecordingOpenerText
{
    Q_DECLARE_TR_FUNCTIONS(RecordingOpener)
};

bool isStreamable(const CallRow &call)
{
    return call.hasRecording() && call.cacheState != CacheState::Present
        && call.recordingStatus == RecordingStatus::Available;
}

} // namespace

RecordingOpener::RecordingOpener(QString cacheDirectory, CallQuery query, CacheKeyLoader &keys,
                                 AgentConnection &agent, QObject *parent)
    : QObject(parent)
    , m_cacheDirectory(std::move(cacheDirectory))
    , m_query(std::move(query))
    , m_keys(keys)
    , m_agent(agent)
{
    m_timeout.setSingleShot(true);
    connect(&m_timeout, &QTimer::timeout, this, [this] {
        finish(Expected<OpenedRecording>::failure(
            RecordingOpenerText::tr("earshot-sync did not deliver the start of this recording in %1 s; the server "
                                    "may be slow or unreachable. Try again later.")
                .arg(m_startTimeout.count() / 1000)));
    });
    connect(&m_keys, &CacheKeyLoader::finished, this, [this] {
        if (m_done)
            proceed();
    });
    connect(&m_agent, &AgentConnection::rangeReady, this, &RecordingOpener::onRangeReady);
    connect(&m_agent, &AgentConnection::recordingCached, this, &RecordingOpener::onRecordingCached);
    connect(&m_agent, &AgentConnection::rangeFailed, this,
            [this](const QString &id, qint64, qint64, const QString &message) { onRangeFailed(id, message); });
    connect(&m_agent, &AgentConnection::statusChanged, this, &RecordingOpener::onAgentStatusChanged);
}

RecordingOpener::~RecordingOpener() = default;

void RecordingOpener::open(const CallRow &call, Callback done)
{
    cancel();
    m_call = call;
    m_done = std::move(done);
    m_askedAgent = false;
    m_askedProbes = false;
    if (!call.hasRecording() || (call.cacheState != CacheState::Present && !isStreamable(call))) {
        finish(Expected<OpenedRecording>::failure(presentation::whyNotPlayable(call)));
        return;
    }
    if (m_keys.state() != CacheKeyLoader::State::Ready) {
        m_keys.load(); // again after a failure: the person may have unlocked the keyring
        if (m_keys.state() == CacheKeyLoader::State::Loading)
            return; // proceed() once it finishes
    }
    proceed();
}

void RecordingOpener::cancel()
{
    m_done = nullptr;
    m_timeout.stop();
}

void RecordingOpener::checkStore()
{
    if (m_live && m_live->isWaitingForData())
        m_live->refresh();
    if (m_done && m_askedAgent)
        proceed();
}

void RecordingOpener::proceed()
{
    if (!m_done)
        return;
    if (m_keys.state() != CacheKeyLoader::State::Ready) {
        finish(Expected<OpenedRecording>::failure(m_keys.error()));
        return;
    }
    // The row as it is now: the agent may have started or finished the download.
    if (auto fresh = m_query.callById(m_call.id))
        m_call = *fresh;
    if (m_call.cacheState == CacheState::Present) {
        auto cached = openCachedRecording(m_cacheDirectory, m_call, m_keys.key());
        if (!cached) {
            // The agent judges: it reads the copy whole, and fetches it again if damaged.
            m_agent.reportDamaged(m_call.recordingId);
            finish(Expected<OpenedRecording>::failure(cached.error()));
            return;
        }
        connect(cached->source.get(), &CacheFileSource::damaged, &m_agent,
                [agent = &m_agent, id = m_call.recordingId] { agent->reportDamaged(id); });
        finish(OpenedRecording{std::move(cached->source), cached->formatHint, false});
        return;
    }
    if (!isStreamable(m_call)) {
        finish(Expected<OpenedRecording>::failure(presentation::whyNotPlayable(m_call)));
        return;
    }
    startStreaming(m_call);
}

void RecordingOpener::startStreaming(const CallRow &call)
{
    if (call.cacheState == CacheState::Partial) {
        auto partial = openPartialRecording(m_cacheDirectory, call, m_keys.key());
        // Playing starts once the first chunks are there; until then, wait for events.
        if (partial && partial->source->canStartPlaying()) {
            CacheFileSource *source = partial->source.get();
            adopt(source, call.recordingId);
            finish(OpenedRecording{std::move(partial->source), partial->formatHint, true});
            return;
        }
        if (partial && !m_askedProbes) {
            m_askedProbes = true;
            for (const qint64 offset : partial->source->probedOffsets())
                m_agent.fetchFirst(call.recordingId, offset, kProbeBytes, this, [](const Expected<QJsonObject> &) {});
        }
    }
    if (m_askedAgent)
        return;
    if (!m_agent.isConnected()) {
        //: %1 says why the agent cannot be reached
        finish(Expected<OpenedRecording>::failure(
            RecordingOpenerText::tr("This recording is not downloaded yet, and Earshot cannot ask earshot-sync for "
                                    "it: %1")
                .arg(m_agent.status().lastError)));
        return;
    }
    m_askedAgent = true;
    m_timeout.start(m_startTimeout);
    qCDebug(lcPlayer) << "asking the agent for the start of recording" << call.recordingId;
    m_agent.fetchFirst(call.recordingId, 0, kHeadBytes, this,
                       [this, id = call.recordingId](const Expected<QJsonObject> &answer) {
                           if (!answer && m_done && m_call.recordingId == id) {
                               finish(Expected<OpenedRecording>::failure(
                                   RecordingOpenerText::tr("earshot-sync cannot fetch this recording now: %1")
                                       .arg(answer.error())));
                           }
                       });
}

void RecordingOpener::adopt(CacheFileSource *source, const QString &recordingId)
{
    m_live = source;
    m_liveRecordingId = recordingId;
    connect(source, &CacheFileSource::bytesWanted, this, [this, source, recordingId](qint64 offset) {
        m_agent.fetchFirst(recordingId, offset, kRangeBytes, source, [source](const Expected<QJsonObject> &answer) {
            if (!answer)
                source->giveUp(RecordingOpenerText::tr("The rest of this recording cannot be downloaded now: %1")
                                   .arg(answer.error()));
        });
    });
}

void RecordingOpener::finish(Expected<OpenedRecording> result)
{
    m_timeout.stop();
    Callback done = std::exchange(m_done, nullptr);
    if (!done)
        return;
    if (result)
        m_agent.noteOpened(m_call.recordingId); // least recently used means least recently played
    done(std::move(result));
}

void RecordingOpener::onRangeReady(const QString &recordingId)
{
    if (m_live && recordingId == m_liveRecordingId)
        m_live->refresh();
    if (m_done && recordingId == m_call.recordingId)
        proceed();
}

void RecordingOpener::onRecordingCached(const QString &recordingId)
{
    if (m_live && recordingId == m_liveRecordingId)
        m_live->refresh(/*completed=*/true);
    if (m_done && recordingId == m_call.recordingId)
        proceed();
}

void RecordingOpener::onRangeFailed(const QString &recordingId, const QString &message)
{
    const QString text = RecordingOpenerText::tr("earshot-sync could not download this recording: %1").arg(message);
    if (m_live && recordingId == m_liveRecordingId && m_live->isWaitingForData())
        m_live->giveUp(text);
    if (m_done && recordingId == m_call.recordingId)
        finish(Expected<OpenedRecording>::failure(text));
}

void RecordingOpener::onAgentStatusChanged()
{
    if (m_agent.isConnected()) {
        if (m_live && m_live->isWaitingForData())
            m_live->refresh(); // progress: more of the download may be there
        return;
    }
    const QString text = RecordingOpenerText::tr("earshot-sync stopped before this recording was downloaded: %1")
                             .arg(m_agent.status().lastError);
    if (m_live && m_live->isDownloading() && m_live->isWaitingForData())
        m_live->giveUp(text);
    if (m_done && m_askedAgent)
        finish(Expected<OpenedRecording>::failure(text));
}

} // namespace earshot
