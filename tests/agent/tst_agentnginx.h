#pragma once

// tst_agentnginx: the agent against nginx behind secure_link (see tst_agentnginx.cpp).
#include "agenttesting.h"
#include "serverview.h"

#include "testsupport/nginx_access_log.h"
#include "testsupport/nginx_server.h"
#include "testsupport/test_certificates.h"

#include <QObject>
#include <QProcess>

#include <memory>

namespace nginxtest {

using earshot::testsupport::NginxAccessEntry;
using earshot::testsupport::NginxServer;
using earshot::testsupport::TestCertificates;


inline constexpr qint64 kMiB = 1024 * 1024;
inline constexpr qint64 kChunk = 64 * 1024;
// What libcurl reads from the socket at once for the agent (kReceiveBufferBytes).
inline constexpr qint64 kReceiveBuffer = 32 * 1024;

// The GET requests nginx logged whose path contains pathPart, in order.
QList<NginxAccessEntry> mediaGets(const NginxServer &nginx, const QByteArray &pathPart);
// The first byte a "bytes=N-M" Range header asks for; -1 without one.
qint64 rangeStart(const QByteArray &range);
// Bytes waiting in the kernel on a loopback TCP connection to serverPort (see the .cpp).
qint64 bytesInKernelQueues(quint16 serverPort);
// Waits until the agent's partial download holds at least `atLeast` bytes on disk; its
// size, or -1 when the agent ended first or a minute passed. *partial: its file name.
qint64 waitForPartial(QProcess &process, const QString &dataDir, qint64 atLeast, QString *partial);
// The plaintext bytes from the start of a partial download that are on disk, whole
// chunks only, read with the store's cache key; -1 when the file cannot be read.
qint64 contiguousOnDisk(const QString &dataDir, const QString &partial, qint64 size);

class TstAgentNginx : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();

    void killDuringLargeRecordingResumesWithRange();
    void linkExpiringWhileTheNetworkBreaksIsRefreshedAndResumed();
    void wrongSha256NeverBecomesPresent();
    void bodyCutShortNeverBecomesPresent();
    void transfersShareConnectionsAndRunInParallel();
    void realAudioIsCachedEncrypted();
    void httpsIsVerifiedAgainstTheExtraCaAndMultiplexed();
    void aCertificateForAnotherHostIsRefusedWithoutAskingForACa();

    // tst_agentnginx_ranges.cpp: answers to a Range request that cannot be used, and a
    // link that dies before the time the server announced.
    void rangeIgnoredByTheServerStartsOverInANewFile();
    void rangeNotSatisfiableLeavesThePartialAsItWas();
    void linkRefusedBeforeItsAnnouncedExpiryIsRefreshedAndResumed();
    void copyReplacedOnTheServerIsFetchedAgainWhole_data();
    void copyReplacedOnTheServerIsFetchedAgainWhole();

private:
    // nginx serving `root`, and a reference server with one call per file of `dir`
    // (a subfolder of root) whose links point at nginx, or at `mediaBase` when given.
    // With `tls`, nginx serves https and HTTP/2 with that server certificate.
    bool startServers(const QString &root, const QString &dir, const QStringList &extra = {},
                      const QString &mediaBase = {}, const TestCertificates *tls = nullptr);

    std::unique_ptr<NginxServer> m_nginx;
    std::unique_ptr<ServerView> m_server;
};

} // namespace nginxtest
