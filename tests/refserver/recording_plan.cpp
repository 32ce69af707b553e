#include "recording_plan.h"

#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

namespace earshot::refserver {

QString checkRecordingPlan(RecordingPlan plan, qint64 callCount, const QList<FixtureClip> &clips)
{
    const bool onePerFile = plan == RecordingPlan::OnePerFile || plan == RecordingPlan::OnePerFileWithoutHash;
    if (onePerFile && callCount > clips.size())
        return u"--one-recording-per-file: %1 calls but the manifest lists only %2 files"_s.arg(callCount).arg(
            clips.size());
    return {};
}

void applyRecordingPlan(RecordingPlan plan, qint64 callIndex, const QList<FixtureClip> &clips,
                        GeneratedCall &call)
{
    switch (plan) {
    case RecordingPlan::DemoMix:
        return;
    case RecordingPlan::None:
        call.recording.reset();
        return;
    case RecordingPlan::OnePerFile:
    case RecordingPlan::OnePerFileWithoutHash: {
        const FixtureClip &clip = clips[callIndex];
        // A recorded call is a connected one that lasted at least as long as its file.
        if (!call.recording)
            call.outcome = u"connected"_s;
        call.durationSeconds = std::max(call.durationSeconds, static_cast<int>(std::ceil(clip.durationSeconds)));
        call.recording = GeneratedRecording{callIndex, u"available"_s, plan == RecordingPlan::OnePerFile};
        return;
    }
    }
}

} // namespace earshot::refserver
