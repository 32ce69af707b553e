#pragma once

#include <QtGlobal>

#include <chrono>

namespace earshot {

// Tells a dead or crawling download apart from one the agent itself holds back. A
// transfer that receives fewer than `slowestBytesPerSecond` on average over a whole
// window is stalled; a window in which the agent paused the transfer (the cache file was
// behind, or the bandwidth limit was spent) starts over, since the slowness was ours.
// libcurl's own low-speed check cannot know about the bandwidth limit's pauses between
// callbacks, so it keeps only a last-resort floor of one byte per second.
class StallWatch
{
public:
    using Clock = std::chrono::steady_clock;

    StallWatch(std::chrono::milliseconds window, qint64 slowestBytesPerSecond)
        : m_window(window)
        , m_slowestBytesPerSecond(slowestBytesPerSecond)
    {
    }

    // `received`: every byte of the answer so far, head and body.
    bool isStalled(qint64 received, bool heldBack, Clock::time_point now);
    // The agent held the transfer back since the last look.
    void noteHeldBack() { m_heldBack = true; }

    std::chrono::milliseconds window() const { return m_window; }
    qint64 slowestBytesPerSecond() const { return m_slowestBytesPerSecond; }

private:
    void startWindow(qint64 received, Clock::time_point now);

    std::chrono::milliseconds m_window;
    qint64 m_slowestBytesPerSecond;
    bool m_started = false;
    bool m_heldBack = false;
    Clock::time_point m_windowStart;
    qint64 m_receivedAtStart = 0;
};

} // namespace earshot
