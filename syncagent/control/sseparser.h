#pragma once

#include "http/httptypes.h"

#include <QByteArray>
#include <QString>

#include <functional>

namespace earshot {

// Reads a text/event-stream body (the Server-Sent Events format) as it arrives and hands
// on the data of each complete message. Comments (": heartbeat"), "id:", "event:" and
// "retry:" lines are not needed for hints and are skipped. A line over kMaxLineBytes is a
// broken or hostile server: the stream is refused.
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

private:
    void takeLine(QByteArrayView line);

    MessageHandler m_onMessage;
    std::function<void()> m_onOpened;
    QByteArray m_pending; // an incomplete line
    QByteArray m_data;    // the data lines of the message so far
    bool m_hasData = false;
    bool m_sawBytes = false;
    QString m_error;
};

} // namespace earshot
