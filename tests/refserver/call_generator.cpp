#include "call_generator.h"

#include <QtCore/QDateTime>

#include <algorithm>
#include <array>

using namespace Qt::StringLiterals;

namespace earshot::refserver {

namespace {

constexpr qint64 MsPerDay = 86'400'000;
constexpr qint64 MsPerHour = 3'600'000;
constexpr qint64 EasternOffsetMs = -5 * MsPerHour; // the demo center ignores DST

// Outbound dialing versus inbound queue; the last two outcomes are outside the documented
// set on purpose (the set is open).
const std::array<QString, 7> outcomes = {
    u"connected"_s, u"no_answer"_s, u"busy"_s,          u"invalid_number"_s,
    u"voicemail"_s, u"callback_scheduled"_s, u"do_not_call"_s,
};
constexpr std::array<double, 7> outboundOutcomeWeights = {40, 24, 8, 4, 15, 6, 3};
constexpr std::array<double, 7> inboundOutcomeWeights = {82, 5, 0, 0, 8, 5, 0};

} // namespace

CallGenerator::CallGenerator(quint64 seed, OrganizationSize size, QList<FixtureClip> clips)
    : m_prng(seed ^ 0x5eed0fca11ce47e5ULL), m_size(size), m_clips(std::move(clips))
{
    for (qsizetype i = 0; i < m_clips.size(); ++i)
        (m_clips[i].isVoicemail() ? m_voicemailClips : m_dialogueClips).append(i);
    if (m_voicemailClips.isEmpty())
        m_voicemailClips = m_dialogueClips;
    if (m_dialogueClips.isEmpty())
        m_dialogueClips = m_voicemailClips;
}

qsizetype CallGenerator::pickClip(bool voicemail)
{
    // The first recordings walk through every clip, so every format and channel layout
    // shows up even in a small seed; after that the choice is random.
    if (m_recordingsMade < m_clips.size())
        return m_recordingsMade++;
    ++m_recordingsMade;
    const QList<qsizetype> &pool = voicemail ? m_voicemailClips : m_dialogueClips;
    return pool[m_prng.below(pool.size())];
}

GeneratedCall CallGenerator::next(qint64 startedAtMs, qint64 nowMs)
{
    GeneratedCall call;
    call.startedAtMs = startedAtMs;
    const bool inbound = m_prng.chance(0.25);
    call.direction = inbound ? u"inbound"_s : u"outbound"_s;
    call.agentSeq = 1 + m_prng.below(m_size.agents);
    call.leadSeq = 1 + m_prng.below(m_size.leads);
    // Inbound calls mostly arrive outside any campaign; outbound ones mostly belong to one.
    const bool manualDial = m_prng.chance(inbound ? 0.8 : 0.1);
    call.listSeq = manualDial ? 0 : 1 + m_prng.below(m_size.dialLists);

    const auto outcomeIndex = static_cast<size_t>(
        m_prng.weighted(inbound ? inboundOutcomeWeights : outboundOutcomeWeights));
    call.outcome = outcomes[outcomeIndex];

    double seconds = 0;
    if (call.outcome == "connected"_L1)
        seconds = std::clamp(m_prng.skewed(210, 0.7), 25.0, 2400.0);
    else if (call.outcome == "voicemail"_L1)
        seconds = static_cast<double>(m_prng.between(14, 55));
    else if (call.outcome == "callback_scheduled"_L1)
        seconds = static_cast<double>(m_prng.between(30, 150));
    else if (call.outcome == "do_not_call"_L1)
        seconds = static_cast<double>(m_prng.between(8, 40));
    call.durationSeconds = static_cast<int>(seconds);

    if ((call.outcome == "connected"_L1 || call.outcome == "voicemail"_L1) && !m_clips.isEmpty()) {
        GeneratedRecording recording;
        recording.clipIndex = pickClip(call.outcome == "voicemail"_L1);
        const qint64 endedAtMs = startedAtMs + call.durationSeconds * qint64(1000);
        if (nowMs - endedAtMs < 10 * 60 * 1000) {
            recording.status = u"pending"_s;
        } else {
            static constexpr std::array<double, 4> weights = {91, 4, 3, 2};
            static const std::array<QString, 4> statuses = {u"available"_s, u"pending"_s,
                                                            u"failed"_s, u"unavailable"_s};
            recording.status = statuses[static_cast<size_t>(m_prng.weighted(weights))];
        }
        recording.shaKnown = !m_prng.chance(0.10);
        call.recording = recording;
    }
    return call;
}

QList<qint64> CallGenerator::startTimes(qint64 count, qint64 nowMs)
{
    constexpr int days = 90;
    // Weight of each day back from today (index 0); Saturdays quiet, Sundays nearly closed.
    const qint64 localNow = nowMs + EasternOffsetMs;
    const qint64 todayLocalMidnight = localNow - (localNow % MsPerDay);
    std::array<double, days> dayWeights{};
    for (int d = 0; d < days; ++d) {
        const qint64 localMidnight = todayLocalMidnight - d * MsPerDay;
        const int weekday = QDateTime::fromMSecsSinceEpoch(localMidnight, Qt::UTC).date().dayOfWeek();
        dayWeights[static_cast<size_t>(d)] = weekday == 7 ? 0.05 : weekday == 6 ? 0.3 : 1.0;
    }
    // Local hours 8..20, peaking mid-morning and mid-afternoon.
    static constexpr std::array<double, 12> hourWeights = {3, 7, 10, 9, 6, 6, 8, 9, 7, 5, 3, 2};

    QList<qint64> times;
    times.reserve(count);
    while (times.size() < count) {
        const qint64 day = m_prng.weighted(dayWeights);
        const qint64 hour = 8 + m_prng.weighted(hourWeights);
        const qint64 localTime = todayLocalMidnight - day * MsPerDay + hour * MsPerHour
                                 + m_prng.below(MsPerHour) / 1000 * 1000;
        const qint64 utc = localTime - EasternOffsetMs;
        if (utc < nowMs - 60'000) // today's later hours have not happened yet
            times.append(utc);
    }
    std::sort(times.begin(), times.end());
    return times;
}

} // namespace earshot::refserver
