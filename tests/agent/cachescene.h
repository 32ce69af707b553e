#pragma once

#include "agentprocess.h"
#include "serverview.h"

#include <QList>
#include <QString>
#include <QTemporaryDir>

#include <memory>

namespace earshot::testsupport {
class NginxServer;
}

// The cache tests' world: a reference server whose every call has a recording of its
// own, served by the reference server itself or by nginx behind secure_link, and an
// agent signed in to it.
namespace agenttesting {

enum class MediaServer { Reference, Nginx };

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
    // Where the recordings of the scenes made from now on come from.
    static void serveMediaFrom(MediaServer media);

    CacheScene();
    ~CacheScene();

    QTemporaryDir media;
    std::unique_ptr<earshot::testsupport::NginxServer> nginx; // when it serves the media
    ServerView server;
    QTemporaryDir dataDir;
    std::unique_ptr<AgentProcess> agent;

    bool start(int calls);
    // Recording downloads since start() or resetStats(), counted where they were served.
    qint64 mediaRequests();
    bool resetStats();
    // And one pass of the agent, which caches every recording.
    bool startSynced(int calls);
    QString data() const { return dataDir.path(); }

private:
    qint64 m_nginxRequestsBefore = 0;
};

} // namespace agenttesting
