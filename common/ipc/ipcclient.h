#pragma once

#include "expected.h"
#include "ipc/ipcprotocol.h"

#include <QHash>
#include <QJsonObject>
#include <QLocalSocket>
#include <QPointer>

#include <chrono>
#include <functional>

namespace earshot {

// The app's side of the agent's control socket. Requests are answered through
// callbacks tied to a context object; if the agent goes away every pending request
// fails with a message instead of hanging.
class IpcClient : public QObject
{
    Q_OBJECT

public:
    using Callback = std::function<void(const Expected<QJsonObject> &result)>;

    explicit IpcClient(QString socketPath, QObject *parent = nullptr);
    ~IpcClient() override;

    void connectToAgent();
    bool waitForConnected(std::chrono::milliseconds timeout);
    bool isConnected() const { return m_socket.state() == QLocalSocket::ConnectedState; }

    void request(const QString &command, const QJsonObject &args, QObject *context, Callback callback);
    // For command-line tools and tests: runs a local event loop until the answer.
    Expected<QJsonObject> requestAndWait(const QString &command, const QJsonObject &args = {},
                                         std::chrono::milliseconds timeout = std::chrono::seconds(10));

Q_SIGNALS:
    void connected();
    void disconnected();
    void eventReceived(const QString &name, const QJsonObject &data);
    // Connecting failed or the connection broke; the message says why.
    void connectionFailed(const QString &message);

private:
    struct Pending
    {
        QPointer<QObject> context;
        Callback callback;
    };

    void readAnswers();
    void failAllPending(const QString &why);

    QString m_socketPath;
    QLocalSocket m_socket;
    ipc::LineBuffer m_buffer;
    qint64 m_nextId = 1;
    QHash<qint64, Pending> m_pending;
};

} // namespace earshot
