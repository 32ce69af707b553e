#pragma once

#include "agentprocess.h"
#include "serverview.h"

#include <QList>
#include <QString>
#include <QTemporaryDir>

#include <memory>

// The cache tests' world: a reference server whose every call has a recording of its
// own, and an agent signed in to it.
namespace agenttesting {

constexpr qint64 kRecordingBytes = 160 * 1024;

struct ServerCall
{
    QString id;
    QString leadId;
    QString recordingId;
    qint64 startedAtMs = 0;
};

// The server's calls, newest first.
QList<ServerCall> serverCalls(ServerView &server);

// A server of `calls` calls with their recordings (kRecordingBytes each), and an agent
// signed in to it.
struct CacheScene
{
    QTemporaryDir media;
    ServerView server;
    QTemporaryDir dataDir;
    std::unique_ptr<AgentProcess> agent;

    bool start(int calls);
    // And one pass of the agent, which caches every recording.
    bool startSynced(int calls);
    QString data() const { return dataDir.path(); }
};

} // namespace agenttesting
