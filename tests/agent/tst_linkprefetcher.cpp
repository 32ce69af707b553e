// The links fetched ahead of the engine's need: one request per recording, wherever it
// is made; the lifetime a link has left when it is handed over; errors handed over like
// links; a link asked for while its request is under way waits for that request.
#include "transfer/linkprefetcher.h"

#include <QElapsedTimer>
#include <QTest>

#include <atomic>
#include <semaphore>

using namespace Qt::StringLiterals;
using namespace earshot;

namespace {

// Answers for every call; which client answered shows in the URL's host.
class CountingLinks final : public RecordingLinks
{
public:
    explicit CountingLinks(QString host) : m_host(std::move(host)) {}

    SyncResult<RecordingLink> link(const QString &callId) override
    {
        ++links;
        // As a real client does, a request gives up once its stop flag is set.
        while (gate && !gate->try_acquire_for(std::chrono::milliseconds(10))) {
            if (stop && stop->load())
                return SyncError::stopped();
        }
        if (callId.startsWith("missing"_L1))
            return SyncError::server(u"no recording"_s, 404);
        return RecordingLink{QUrl(u"https://%1/media/%2"_s.arg(m_host, callId)), lifetimeSeconds, {}};
    }
    SyncResult<RecordingLink> refreshedLink(const QString &callId) override { return link(callId); }
    SyncResult<RecordingAvailability> availability(const QString &) override
    {
        return RecordingAvailability{true, RecordingStatus::Available, {}};
    }

    std::atomic<int> links{0};
    qint64 lifetimeSeconds = 600;
    std::counting_semaphore<16> *gate = nullptr; // when set, each request waits for a release
    const std::atomic<bool> *stop = nullptr;

private:
    QString m_host;
};

} // namespace

class TestLinkPrefetcher : public QObject
{
    Q_OBJECT

private:
    std::atomic<CountingLinks *> m_ahead = nullptr; // made and owned by the prefetcher's thread

    std::unique_ptr<LinkPrefetcher> prefetcher(CountingLinks &direct, qint64 lifetimeSeconds = 600,
                                               std::counting_semaphore<16> *gate = nullptr)
    {
        m_ahead = nullptr;
        return std::make_unique<LinkPrefetcher>(direct, [this, lifetimeSeconds, gate](const std::atomic<bool> *stop) {
            auto client = std::make_unique<CountingLinks>(u"ahead"_s);
            client->lifetimeSeconds = lifetimeSeconds;
            client->gate = gate;
            client->stop = stop;
            m_ahead = client.get();
            return client;
        });
    }

    // How many requests the prefetcher's own client made; -1 before it exists.
    int aheadLinks() const
    {
        const CountingLinks *ahead = m_ahead.load();
        return ahead ? ahead->links.load() : -1;
    }

    static bool waitFor(const std::function<bool()> &condition)
    {
        QElapsedTimer timer;
        timer.start();
        while (!condition() && timer.elapsed() < 5000)
            QTest::qWait(5);
        return condition();
    }

private Q_SLOTS:
    void hintedLinksAreFetchedOnceAhead()
    {
        CountingLinks direct(u"direct"_s);
        auto links = prefetcher(direct);
        links->prefetch({u"c1"_s, u"c2"_s});
        QVERIFY(waitFor([this] { return aheadLinks() == 2; }));
        for (const QString &callId : {u"c1"_s, u"c2"_s}) {
            auto link = links->link(callId);
            QVERIFY(link);
            QCOMPARE(link->url.host(), u"ahead"_s);
            QVERIFY(link->url.path().endsWith(callId));
            QVERIFY(link->expiresInSeconds >= 599);
        }
        QCOMPARE(direct.links.load(), 0);
        // Handed over once: asked again, the engine's own client answers.
        QCOMPARE(links->link(u"c1"_s)->url.host(), u"direct"_s);
        QCOMPARE(links->link(u"c3"_s)->url.host(), u"direct"_s);
        QCOMPARE(aheadLinks(), 2);
    }

    void aLaterHintReplacesTheEarlierOne()
    {
        CountingLinks direct(u"direct"_s);
        std::counting_semaphore<16> gate(0);
        auto links = prefetcher(direct, 600, &gate);
        links->prefetch({u"c1"_s, u"c2"_s, u"c3"_s});
        QVERIFY(waitFor([this] { return aheadLinks() == 1; })); // c1 under way
        links->prefetch({u"c4"_s});
        gate.release(16);
        QVERIFY(waitFor([this] { return aheadLinks() == 2; }));
        QTest::qWait(50);
        QCOMPARE(aheadLinks(), 2); // c1 and c4, never c2 or c3
        QCOMPARE(links->link(u"c4"_s)->url.host(), u"ahead"_s);
        QCOMPARE(links->link(u"c2"_s)->url.host(), u"direct"_s);
    }

    void aLinkUnderWayIsWaitedFor()
    {
        CountingLinks direct(u"direct"_s);
        std::counting_semaphore<16> gate(0);
        auto links = prefetcher(direct, 600, &gate);
        links->prefetch({u"c1"_s});
        QVERIFY(waitFor([this] { return aheadLinks() == 1; }));
        std::thread release([&gate] {
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
            gate.release();
        });
        auto link = links->link(u"c1"_s);
        release.join();
        QVERIFY(link);
        QCOMPARE(link->url.host(), u"ahead"_s);
        QCOMPARE(direct.links.load(), 0);
    }

    void theLifetimeLeftIsHandedOver()
    {
        CountingLinks direct(u"direct"_s);
        direct.lifetimeSeconds = 3;
        auto links = prefetcher(direct, 3);
        links->prefetch({u"c1"_s, u"c2"_s});
        QVERIFY(waitFor([this] { return aheadLinks() == 2; }));
        auto fresh = links->link(u"c1"_s);
        QCOMPARE(fresh->url.host(), u"ahead"_s);
        QCOMPARE(fresh->expiresInSeconds, 2); // rounded down to what is surely left
        // Past half of its life, a link fetched ahead is not handed over.
        QTest::qWait(1100);
        auto aged = links->link(u"c2"_s);
        QCOMPARE(aged->url.host(), u"direct"_s);
        QCOMPARE(aged->expiresInSeconds, 3);
    }

    void aRequestUnderWayDoesNotHoldTheEndBack()
    {
        CountingLinks direct(u"direct"_s);
        std::counting_semaphore<16> gate(0); // never released: a server that does not answer
        auto links = prefetcher(direct, 600, &gate);
        links->prefetch({u"c1"_s});
        QVERIFY(waitFor([this] { return aheadLinks() == 1; }));
        QElapsedTimer timer;
        timer.start();
        links.reset();
        QVERIFY2(timer.elapsed() < 2000, qPrintable(u"the prefetcher took %1 ms to end"_s.arg(timer.elapsed())));
    }

    void anErrorIsHandedOverLikeALink()
    {
        CountingLinks direct(u"direct"_s);
        auto links = prefetcher(direct);
        links->prefetch({u"missing1"_s, u"c2"_s});
        QVERIFY(waitFor([this] { return aheadLinks() == 1; }));
        QTest::qWait(50);
        // A server in trouble gets no further requests ahead of need.
        QCOMPARE(aheadLinks(), 1);
        auto failed = links->link(u"missing1"_s);
        QVERIFY(!failed);
        QCOMPARE(failed.error().httpStatus, 404);
        QCOMPARE(direct.links.load(), 0);
    }
};

QTEST_GUILESS_MAIN(TestLinkPrefetcher)
#include "tst_linkprefetcher.moc"
