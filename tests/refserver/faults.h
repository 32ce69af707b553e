// Injected misbehaviour for tests and benchmarks: latency, random 503s, media bodies cut
// short, short-lived URLs. Set from the command line and changeable through /__admin/faults.
#pragma once

#include "prng.h"

#include <QtCore/QJsonObject>

namespace earshot::refserver {

struct FaultSettings
{
    int latencyMs = 0;
    double errorRate = 0.0;
    qint64 dropBodyAfter = -1; // negative: never
    int urlLifetimeSeconds = 300;
    // What expires_in claims instead of the truth (0: the truth): a server whose clock or
    // cache makes links die before the client expects, so that it meets 403/410.
    int claimedUrlLifetimeSeconds = 0;
};

class FaultInjector
{
public:
    FaultInjector(FaultSettings settings, quint64 seed);

    const FaultSettings &settings() const { return m_settings; }

    // Applies the members present in a JSON object; false with *error on a bad value.
    bool update(const QJsonObject &changes, QString *error);
    QJsonObject toJson() const;

    // Draws from the seeded generator: the sequence of injected errors is reproducible.
    bool shouldInjectError();

private:
    FaultSettings m_settings;
    Prng m_prng;
};

} // namespace earshot::refserver
