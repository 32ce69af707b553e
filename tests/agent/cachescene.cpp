#include "cachescene.h"

#include "agenttesting.h"

#include "testsupport/media_files.h"

#include <QDateTime>
#include <QJsonObject>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace agenttesting {

namespace {

bool startServer(ServerView &server, const QTemporaryDir &media, int calls)
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
    return server.start({u"--calls"_s, QString::number(calls), u"--one-recording-per-file"_s, u"--recordings-dir"_s,
                         media.path()});
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

bool CacheScene::start(int calls)
{
    if (!startServer(server, media, calls)) {
        qWarning() << server.error();
        return false;
    }
    agent = signedInAgent(server, dataDir.path());
    return agent != nullptr;
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
