// How seeded calls get their recordings. The demo mix suits the app and the agent's
// tests; benchmarks need something plainer: no recordings at all (metadata only), or
// every call its own file so that a mirror transfers each file exactly once.
#pragma once

#include "call_generator.h"
#include "fixture_manifest.h"

#include <QtCore/QList>
#include <QtCore/QString>

namespace earshot::refserver {

enum class RecordingPlan {
    DemoMix,    // the generator's choice: some calls without, every status, ~10% without sha256
    None,       // no call has a recording
    OnePerFile, // call i (from 0) gets clip i, available, with its sha256
    // ... and without it, as from servers that keep no hash: only the size and the media
    // server's validators (ETag, Last-Modified) then tell versions of a file apart.
    OnePerFileWithoutHash,
};

// Empty when the plan can seed callCount calls from these clips, else why not.
QString checkRecordingPlan(RecordingPlan plan, qint64 callCount, const QList<FixtureClip> &clips);

// Adjusts a generated call (the callIndex-th of the seed) to the plan.
void applyRecordingPlan(RecordingPlan plan, qint64 callIndex, const QList<FixtureClip> &clips,
                        GeneratedCall &call);

} // namespace earshot::refserver
