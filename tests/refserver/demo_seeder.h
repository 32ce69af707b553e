// Fills an empty database: the organization (users, agents, dial lists) always, and leads,
// calls and recordings when a call count is asked for. Deterministic for a given seed,
// relative to the seeding time.
#pragma once

#include "fixture_manifest.h"
#include "recording_plan.h"

#include <QtCore/QList>
#include <QtCore/QString>

namespace earshot::refserver {

class Database;

// The password of every demo user.
inline constexpr QLatin1StringView DemoPassword("demo");

// Users, agents, dial lists and a base of leads, unless the database already has users.
bool seedOrganization(Database &db, quint64 seed);

// callCount calls (with leads, and recordings as the plan says) into a database without calls.
bool seedCalls(Database &db, qint64 callCount, quint64 seed, const QList<FixtureClip> &clips,
               RecordingPlan plan, QString *error);

bool databaseHasCalls(Database &db);

// True when a previous seed started but never committed (the process died mid-seed).
bool seedingWasInterrupted(Database &db);

} // namespace earshot::refserver
