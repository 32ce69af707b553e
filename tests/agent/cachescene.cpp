#include "cachescene.h"

#include "agenttesting.h"

#include "testsupport/media_files.h"
#include "testsupport/nginx_server.h"

#include <QDateTime>
#include <QJsonObject>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace agenttesting {

namespace {

MediaServer s_mediaServer = MediaServer::Reference;

bool writeRecordings(const QTemporaryDir &media, int calls)
{
    QStringList names;
    QList<qint64> sizes;
    for (int i = 0; i < calls; ++i) {
        names << u"rec%1.mp3"_s.arg(i);
        sizes << kRecordingBytes;
    }
    QString error;
    if (earshot::testsupport::writeMediaFiles(media.path(), names, sizes, &error).isEmpty()) {
        qWarning() << error;
        return false;
    }
    return true;
}

qint64 nginxMediaGets(const earshot::testsupport::NginxServer &nginx)
{
    const auto log = nginx.accessLog();
    return std::count_if(log.cbegin(), log.cend(), [](const earshot::testsupport::NginxAccessEntry &entry) {
        return entry.method == "GET" && entry.path().startsWith("/media/");
    });
}

} // namespace

QList<ServerCall> serverCalls(ServerView &server)
{
    QList<ServerCall> calls;
    const auto all = server.calls();
    for (const QJsonObject &call : all) {
        calls.append({call.value("id"_L1).toString(), call.value("lead"_L1).toObject().value("id"_L1).toString(),
                      call.value("recording"_L1).toObject().value("id"_L1).toString(),
                      QDateTime::fromString(call.value("started_at"_L1).toString(), Qt::ISODateWithMs)
                          .toMSecsSinceEpoch()});
    }
    std::sort(calls.begin(), calls.end(),
              [](const ServerCall &a, const ServerCall &b) { return a.startedAtMs > b.startedAtMs; });
    return calls;
}

void CacheScene::serveMediaFrom(MediaServer mediaServer)
{
    s_mediaServer = mediaServer;
}

CacheScene::CacheScene() = default;
CacheScene::~CacheScene() = default;

bool CacheScene::start(int calls)
{
    if (!writeRecordings(media, calls))
        return false;
    QStringList arguments{u"--calls"_s, QString::number(calls), u"--one-recording-per-file"_s, u"--recordings-dir"_s,
                          media.path()};
    if (s_mediaServer == MediaServer::Nginx) {
        nginx = std::make_unique<earshot::testsupport::NginxServer>(media.path());
        if (!nginx->start()) {
            qWarning().noquote() << nginx->errorString();
            return false;
        }
        arguments << u"--media-base-url"_s << nginx->baseUrl().toString() << u"--media-secret"_s << nginx->secret();
    }
    if (!server.start(arguments)) {
        qWarning() << server.error();
        return false;
    }
    agent = signedInAgent(server, dataDir.path());
    return agent != nullptr;
}

qint64 CacheScene::mediaRequests()
{
    if (nginx)
        return nginxMediaGets(*nginx) - m_nginxRequestsBefore;
    return requestCount(server.stats(), "GET /media/{id}");
}

bool CacheScene::resetStats()
{
    if (nginx)
        m_nginxRequestsBefore = nginxMediaGets(*nginx);
    return server.resetStats();
}

bool CacheScene::startSynced(int calls)
{
    if (!start(calls))
        return false;
    const AgentRun first = agent->syncOnce(server.url());
    if (first.exitCode != 0)
        qWarning().noquote() << first.describe();
    return first.exitCode == 0;
}

} // namespace agenttesting
