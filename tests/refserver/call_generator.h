// Makes believable calls: who called whom, from which list, with what outcome, for how
// long, and whether a recording exists. Shared by the demo seeder and the admin API.
#pragma once

#include "fixture_manifest.h"
#include "prng.h"

#include <QtCore/QList>
#include <QtCore/QString>

#include <optional>

namespace earshot::refserver {

struct OrganizationSize
{
    qint64 agents = 0;
    qint64 dialLists = 0;
    qint64 leads = 0;
};

struct GeneratedRecording
{
    qsizetype clipIndex = 0;
    QString status;
    bool shaKnown = true;
};

struct GeneratedCall
{
    qint64 leadSeq = 0;
    qint64 agentSeq = 0;
    qint64 listSeq = 0; // 0: Manual Dial
    QString direction;
    QString outcome;
    qint64 startedAtMs = 0;
    int durationSeconds = 0;
    std::optional<GeneratedRecording> recording;
};

class CallGenerator
{
public:
    CallGenerator(quint64 seed, OrganizationSize size, QList<FixtureClip> clips);

    // A call that started at startedAtMs; calls younger than a few minutes at nowMs still
    // have their recording pending, as with a real recorder's upload lag.
    GeneratedCall next(qint64 startedAtMs, qint64 nowMs);

    // count start times over the last 90 days before nowMs, weekdays and business hours
    // heavier (US Eastern), ascending.
    QList<qint64> startTimes(qint64 count, qint64 nowMs);

    const QList<FixtureClip> &clips() const { return m_clips; }

private:
    qsizetype pickClip(bool voicemail);

    Prng m_prng;
    OrganizationSize m_size;
    QList<FixtureClip> m_clips;
    QList<qsizetype> m_dialogueClips;
    QList<qsizetype> m_voicemailClips;
    qsizetype m_recordingsMade = 0;
};

} // namespace earshot::refserver
