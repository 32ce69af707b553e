#include "control/sseparser.h"

#include <algorithm>

using namespace Qt::StringLiterals;

namespace earshot {

bool SseParser::write(QByteArrayView chunk)
{
    if (!std::exchange(m_sawBytes, true) && m_onOpened)
        m_onOpened();
    m_pending.append(chunk);
    qsizetype start = 0;
    for (qsizetype newline = m_pending.indexOf('\n', start); newline >= 0; newline = m_pending.indexOf('\n', start)) {
        QByteArrayView line = QByteArrayView(m_pending).sliced(start, newline - start);
        if (line.endsWith('\r'))
            line.chop(1);
        takeLine(line);
        start = newline + 1;
    }
    m_pending.remove(0, start);
    if (m_pending.size() > kMaxLineBytes || m_data.size() > kMaxLineBytes) {
        m_error = u"the server's event stream sent a line longer than %1 bytes"_s.arg(kMaxLineBytes);
        return false;
    }
    return true;
}

void SseParser::takeLine(QByteArrayView line)
{
    if (line.isEmpty()) { // the end of a message
        if (m_hasData)
            m_onMessage(m_data);
        m_data.clear();
        m_hasData = false;
        return;
    }
    if (line.startsWith("retry:")) {
        takeRetry(line.sliced(6));
        return;
    }
    if (!line.startsWith("data:"))
        return;
    QByteArrayView value = line.sliced(5);
    if (value.startsWith(' '))
        value = value.sliced(1);
    if (m_hasData)
        m_data.append('\n');
    m_data.append(value);
    m_hasData = true;
}

void SseParser::takeRetry(QByteArrayView value)
{
    if (value.startsWith(' '))
        value = value.sliced(1);
    // The format allows ASCII digits only; anything else is ignored, as browsers do.
    if (value.isEmpty() || value.size() > 9 || !std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return;
    m_reconnectDelay = std::chrono::milliseconds(value.toLongLong());
}

} // namespace earshot
