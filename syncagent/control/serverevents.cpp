#include "control/serverevents.h"

#include "agentlogging.h"
#include "api/retrypolicy.h"
#include "api/serverapi.h"
#include "control/sseparser.h"
#include "http/curltransport.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>

using namespace Qt::StringLiterals;
using namespace std::chrono;

namespace earshot {

namespace {
constexpr milliseconds kFirstRetry{1000};
// A server's "retry:" below this would make a broken channel a hot loop.
constexpr milliseconds kShortestRetry{250};
constexpr milliseconds kMaxRetry{60'000};
} // namespace

ServerEvents::ServerEvents(ServerAddress server, std::shared_ptr<SharedSession> session, TransportFactory makeTransport,
                           QObject *parent)
    : QObject(parent)
    , m_server(std::move(server))
    , m_session(std::move(session))
    , m_makeTransport(std::move(makeTransport))
{
}

ServerEvents::~ServerEvents()
{
    {
        const std::lock_guard lock(m_mutex);
        m_stop = true;
    }
    m_wake.notify_all();
    if (m_thread.joinable())
        m_thread.join();
}

void ServerEvents::start()
{
    if (!m_thread.joinable())
        m_thread = std::thread([this] { run(); });
}

void ServerEvents::reconnectNow()
{
    {
        const std::lock_guard lock(m_mutex);
        m_retryNow = true;
    }
    m_wake.notify_all();
}

void ServerEvents::run()
{
    // The transport polls m_stop, so the destructor ends a stream that is waiting for data.
    const std::unique_ptr<http::CurlTransport> transport = m_makeTransport(&m_stop);
    RetryPolicy once;
    once.maxAttempts = 1; // the reconnect backoff below is the retry
    ServerApi api(*transport, m_server, once, &m_stop);
    api.useSharedSession(m_session);
    // Jittered like the API's retries, so that a fleet of agents does not come back in
    // lockstep after a server restart.
    RetryPolicy reconnect;
    reconnect.firstDelay = kFirstRetry;
    reconnect.maxDelay = kMaxRetry;
    int downInARow = 0;
    bool everConnected = false;
    while (!m_stop) {
        SseParser parser([this](const QByteArray &data) { handleMessage(data); },
                         [this, &everConnected, &downInARow] {
                             setConnected(true);
                             downInARow = 0;
                             qCInfo(lcSync) << "server events: connected";
                             // Nothing is replayed: what changed while the channel was down needs a pass.
                             if (std::exchange(everConnected, true))
                                 QMetaObject::invokeMethod(this, [this] { Q_EMIT serverChanged(u"reconnected"_s, {}); },
                                                           Qt::QueuedConnection);
                         });
        const auto outcome = api.streamEvents(parser);
        const bool lost = m_connected.load();
        setConnected(false);
        if (m_stop)
            break;
        if (const auto wish = parser.reconnectDelay())
            reconnect.firstDelay = std::clamp(*wish, kShortestRetry, kMaxRetry);
        milliseconds delay = reconnect.delayAfter(++downInARow, std::nullopt);
        if (outcome) {
            qCInfo(lcSync) << "server events: the server closed the channel; reconnecting in" << delay.count() << "ms";
        } else if (outcome.error().kind == SyncError::Kind::SignInAgain) {
            const QString message = outcome.error().message;
            qCWarning(lcAuth).noquote() << "server events: the session was refused:" << message;
            QMetaObject::invokeMethod(this, [this, message] { Q_EMIT signInNeeded(message); }, Qt::QueuedConnection);
            delay = kMaxRetry; // until a new sign-in calls reconnectNow()
        } else {
            qCInfo(lcSync).noquote() << "server events: channel down (" << outcome.error().message
                                     << "); polling meanwhile, retrying in" << delay.count() << "ms";
            // The server may have gone: a pass now tells, and the app can say "offline"
            // within seconds instead of at the next interval.
            if (lost)
                QMetaObject::invokeMethod(this, [this] { Q_EMIT serverChanged(u"channel_lost"_s, {}); },
                                          Qt::QueuedConnection);
        }
        if (!waitBeforeRetry(delay))
            break;
    }
}

bool ServerEvents::waitBeforeRetry(milliseconds delay)
{
    std::unique_lock lock(m_mutex);
    m_wake.wait_for(lock, delay, [this] { return m_stop.load() || m_retryNow; });
    m_retryNow = false;
    return !m_stop;
}

void ServerEvents::setConnected(bool connected)
{
    if (m_connected.exchange(connected) == connected)
        return;
    QMetaObject::invokeMethod(this, [this, connected] { Q_EMIT connectedChanged(connected); }, Qt::QueuedConnection);
}

void ServerEvents::handleMessage(const QByteArray &data)
{
    const QJsonObject message = QJsonDocument::fromJson(data).object();
    const QString type = message.value("type"_L1).toString();
    if (type != "recording_ready"_L1 && type != "call_updated"_L1) {
        qCDebug(lcSync) << "server events: ignoring a message of type" << type.left(40);
        return;
    }
    const QString callId = message.value("call_id"_L1).toString().left(128);
    QMetaObject::invokeMethod(this, [this, type, callId] { Q_EMIT serverChanged(type, callId); }, Qt::QueuedConnection);
}

} // namespace earshot
