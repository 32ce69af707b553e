#pragma once

#include "http/httptypes.h"

#include <QByteArray>
#include <QString>

#include <chrono>
#include <functional>
#include <optional>

namespace earshot {

// Reads a text/event-stream body (the Server-Sent Events format) as it arrives and hands
// on the data of each complete message. A "retry:" line is kept as the server's wish for
// the reconnection delay; comments (": heartbeat"), "id:" and "event:" lines are not
// needed for hints and are skipped. A line over kMaxLineBytes is a broken or hostile
// server: the stream is refused.
class SseParser final : public http::HttpBodySink
{
public:
    static constexpr qsizetype kMaxLineBytes = 64 * 1024;
    using MessageHandler = std::function<void(const QByteArray &data)>;

    // onOpened runs at the first bytes: the server accepted the stream.
    SseParser(MessageHandler onMessage, std::function<void()> onOpened)
        : m_onMessage(std::move(onMessage))
        , m_onOpened(std::move(onOpened))
    {
    }

    bool write(QByteArrayView chunk) override;
    QString errorString() const override { return m_error; }
    // The last valid "retry:" field (base-ten milliseconds), if the stream sent one.
    std::optional<std::chrono::milliseconds> reconnectDelay() const { return m_reconnectDelay; }

private:
    void takeLine(QByteArrayView line);
    void takeRetry(QByteArrayView value);

    MessageHandler m_onMessage;
    std::function<void()> m_onOpened;
    QByteArray m_pending; // an incomplete line
    QByteArray m_data;    // the data lines of the message so far
    bool m_hasData = false;
    bool m_sawBytes = false;
    std::optional<std::chrono::milliseconds> m_reconnectDelay;
    QString m_error;
};

} // namespace earshot
