#include "store/schema.h"

#include <vector>

using namespace Qt::StringLiterals;

namespace earshot {

namespace {

// Version 1: the call metadata mirror, recordings with their availability and local
// cache state, and the sync cursor. started_at is UTC milliseconds so that every filter
// index can end in it and the list pages by (started_at, id) without sorting.
Migration callMirror()
{
    return {1, u"call metadata mirror"_s, {
        uR"(CREATE TABLE leads (
                id    TEXT PRIMARY KEY NOT NULL,
                name  TEXT NOT NULL,
                phone TEXT NOT NULL DEFAULT ''))"_s,
        uR"(CREATE TABLE agents (
                id   TEXT PRIMARY KEY NOT NULL,
                name TEXT NOT NULL))"_s,
        uR"(CREATE TABLE dial_lists (
                id   TEXT PRIMARY KEY NOT NULL,
                name TEXT NOT NULL))"_s,
        uR"(CREATE TABLE calls (
                id               TEXT PRIMARY KEY NOT NULL,
                lead_id          TEXT NOT NULL REFERENCES leads(id),
                agent_id         TEXT NOT NULL REFERENCES agents(id),
                list_id          TEXT REFERENCES dial_lists(id),
                direction        TEXT NOT NULL CHECK (direction IN ('inbound', 'outbound')),
                outcome          TEXT NOT NULL,
                started_at       INTEGER NOT NULL,
                duration_seconds INTEGER NOT NULL,
                updated_at       TEXT NOT NULL))"_s,
        u"CREATE INDEX calls_by_started ON calls(started_at, id)"_s,
        u"CREATE INDEX calls_by_lead ON calls(lead_id, started_at, id)"_s,
        u"CREATE INDEX calls_by_agent ON calls(agent_id, started_at, id)"_s,
        u"CREATE INDEX calls_by_list ON calls(list_id, started_at, id)"_s,
        u"CREATE INDEX calls_by_outcome ON calls(outcome, started_at, id)"_s,
        u"CREATE INDEX calls_by_agent_outcome ON calls(agent_id, outcome, started_at, id)"_s,
        uR"(CREATE TABLE recordings (
                id               TEXT PRIMARY KEY NOT NULL,
                call_id          TEXT NOT NULL UNIQUE REFERENCES calls(id) ON DELETE CASCADE,
                format           TEXT NOT NULL,
                size_bytes       INTEGER NOT NULL,
                duration_seconds REAL NOT NULL,
                sha256           TEXT,
                channels         INTEGER NOT NULL,
                status           TEXT NOT NULL
                                 CHECK (status IN ('pending', 'available', 'failed', 'unavailable')),
                cache_state      TEXT NOT NULL DEFAULT 'absent'
                                 CHECK (cache_state IN ('absent', 'partial', 'present')),
                cache_file       TEXT,
                cached_bytes     INTEGER NOT NULL DEFAULT 0,
                attempts         INTEGER NOT NULL DEFAULT 0,
                next_attempt_at  INTEGER,
                last_error       TEXT))"_s,
        u"CREATE INDEX recordings_to_fetch ON recordings(status, cache_state)"_s,
        uR"(CREATE TABLE sync_state (
                key   TEXT PRIMARY KEY NOT NULL,
                value TEXT NOT NULL))"_s,
    }};
}

// Version 2: the audit trail, hash-chained per client, and a lead search index.
Migration auditTrail()
{
    return {2, u"audit trail"_s, {
        uR"(CREATE TABLE audit_events (
                seq          INTEGER PRIMARY KEY AUTOINCREMENT,
                event_id     TEXT NOT NULL UNIQUE,
                type         TEXT NOT NULL,
                call_id      TEXT,
                recording_id TEXT,
                user_id      TEXT NOT NULL,
                occurred_at  TEXT NOT NULL,
                reason       TEXT,
                sha256       TEXT,
                destination  TEXT,
                client_json  TEXT NOT NULL,
                prev_hash    TEXT NOT NULL,
                hash         TEXT NOT NULL,
                uploaded_at  TEXT,
                server_error TEXT))"_s,
        u"CREATE INDEX audit_events_to_upload ON audit_events(uploaded_at, seq)"_s,
        u"CREATE INDEX leads_by_name ON leads(name COLLATE NOCASE)"_s,
    }};
}

// Version 3: the offline cache's policy. Pins keep recordings offline by call, lead,
// agent, dial list (target '' for Manual Dial) or saved filter (target: the filter as
// JSON); access and caching times drive least-recently-used eviction and retention.
Migration cachePolicy()
{
    return {3, u"offline cache policy"_s, {
        u"ALTER TABLE recordings ADD COLUMN last_accessed_at INTEGER"_s,
        u"ALTER TABLE recordings ADD COLUMN cached_at INTEGER"_s,
        u"UPDATE recordings SET cached_at = CAST(strftime('%s', 'now') AS INTEGER) * 1000 "
        "WHERE cache_state = 'present'"_s,
        u"CREATE INDEX recordings_by_access ON recordings(cache_state, last_accessed_at)"_s,
        uR"(CREATE TABLE pins (
                id         INTEGER PRIMARY KEY AUTOINCREMENT,
                kind       TEXT NOT NULL CHECK (kind IN ('call', 'lead', 'agent', 'list', 'filter')),
                target     TEXT NOT NULL,
                label      TEXT NOT NULL DEFAULT '',
                created_at INTEGER NOT NULL,
                UNIQUE (kind, target)))"_s,
    }};
}

// Version 4: lead names searchable in every script. earshot_fold() is the store's own
// SQL function (store/searchfold.h), registered on every connection Database opens.
Migration searchableLeadNames()
{
    return {4, u"lead names searchable in every script"_s, {
        u"ALTER TABLE leads ADD COLUMN name_folded TEXT NOT NULL DEFAULT ''"_s,
        u"UPDATE leads SET name_folded = earshot_fold(name)"_s,
    }};
}

// Version 5: a first fill that SQLite writes quickly, measured on a million calls.
// - The recordings table again, with its CHECKs written as comparisons: SQLite evaluates
//   `x IN (three or more constants)` by building a temporary table each time a statement
//   runs, so each recording the mirror wrote built four (60% of a recording's upsert).
//   SQLite cannot alter a CHECK, hence the copy.
// - One index for the list's order that also carries the agent, list and outcome filters
//   instead of four more: it sorts nearly presorted rows, so it builds in 0.8 s where the
//   five took 5 s. Paging a filtered list reads it newest first and skips what does not
//   match (2-26 ms a page); counting a filter reads all of it (about 0.1 s, was 0-20 ms).
//   calls_by_outcome stays: the filter bar lists outcomes by skipping along it.
// - leads_by_name goes: lead search matches inside names, which no index serves.
// - A first fill cut short by an earlier build checked its references row by row, so it
//   needs no check at its end: its indexes are made here and it carries on with them.
Migration fastFirstFill()
{
    return {5, u"a first fill SQLite writes quickly"_s, {
        uR"(CREATE TABLE recordings_v5 (
                id               TEXT PRIMARY KEY NOT NULL,
                call_id          TEXT NOT NULL UNIQUE REFERENCES calls(id) ON DELETE CASCADE,
                format           TEXT NOT NULL,
                size_bytes       INTEGER NOT NULL,
                duration_seconds REAL NOT NULL,
                sha256           TEXT,
                channels         INTEGER NOT NULL,
                status           TEXT NOT NULL
                                 CHECK (status = 'pending' OR status = 'available' OR status = 'failed'
                                        OR status = 'unavailable'),
                cache_state      TEXT NOT NULL DEFAULT 'absent'
                                 CHECK (cache_state = 'absent' OR cache_state = 'partial' OR cache_state = 'present'),
                cache_file       TEXT,
                cached_bytes     INTEGER NOT NULL DEFAULT 0,
                attempts         INTEGER NOT NULL DEFAULT 0,
                next_attempt_at  INTEGER,
                last_error       TEXT,
                last_accessed_at INTEGER,
                cached_at        INTEGER))"_s,
        uR"(INSERT INTO recordings_v5(id, call_id, format, size_bytes, duration_seconds, sha256, channels, status,
                                      cache_state, cache_file, cached_bytes, attempts, next_attempt_at, last_error,
                                      last_accessed_at, cached_at)
            SELECT id, call_id, format, size_bytes, duration_seconds, sha256, channels, status,
                   cache_state, cache_file, cached_bytes, attempts, next_attempt_at, last_error,
                   last_accessed_at, cached_at FROM recordings)"_s,
        u"DROP TABLE recordings"_s,
        u"ALTER TABLE recordings_v5 RENAME TO recordings"_s,
        u"CREATE INDEX recordings_to_fetch ON recordings(status, cache_state)"_s,
        u"CREATE INDEX recordings_by_access ON recordings(cache_state, last_accessed_at)"_s,
        u"DROP INDEX IF EXISTS calls_by_started"_s,
        u"DROP INDEX IF EXISTS calls_by_agent"_s,
        u"DROP INDEX IF EXISTS calls_by_list"_s,
        u"DROP INDEX IF EXISTS calls_by_agent_outcome"_s,
        u"DROP INDEX IF EXISTS leads_by_name"_s,
        u"CREATE INDEX calls_by_started ON calls(started_at, id, agent_id, list_id, outcome)"_s,
        u"CREATE INDEX IF NOT EXISTS calls_by_lead ON calls(lead_id, started_at, id)"_s,
        u"CREATE INDEX IF NOT EXISTS calls_by_outcome ON calls(outcome, started_at, id)"_s,
        u"DELETE FROM sync_state WHERE key = 'deferred_indexes'"_s,
    }};
}

// A first fill underway keeps the definitions of the indexes it will build at its end
// (FirstFill); a migration that drops one of those indexes takes it off that list too.
QString forgetDeferredIndexes(const QStringList &names)
{
    QStringList kept;
    for (const QString &name : names)
        kept << u"d.value NOT LIKE 'CREATE INDEX %1 %'"_s.arg(name);
    return u"UPDATE sync_state SET value = (SELECT json_group_array(d.value) FROM json_each(sync_state.value) AS d "
           "WHERE "_s
        + kept.join(u" AND "_s) + u") WHERE key = 'deferred_indexes'"_s;
}

// Version 6: the recording queues read the newest calls first.
// - recordings_to_fetch (status, cache_state) made the planner pick every available
//   recording and sort them all, even for the next few to fetch: 1.1 s for 16 at a
//   million calls. Without it, the queue walks calls_by_started newest first and stops
//   at its limit (1 ms for 16); it reads past the cached copies first, which the quota
//   keeps to thousands. It was also 0.7 s of a first fill's index build.
// - recordings_by_access covered every recording to find the cached ones: it becomes
//   recordings_cached, over the rows with a cache file only, which every query of cached
//   copies names. A first fill writes no cache file, so it keeps this index up as it goes.
// - A first fill underway forgets the two in the indexes it will build at its end.
Migration newestFirstQueues()
{
    return {6, u"recording queues read the newest calls first"_s, {
        u"DROP INDEX IF EXISTS recordings_to_fetch"_s,
        u"DROP INDEX IF EXISTS recordings_by_access"_s,
        u"CREATE INDEX recordings_cached ON recordings(cache_state) WHERE cache_file IS NOT NULL"_s,
        forgetDeferredIndexes({u"recordings_to_fetch"_s, u"recordings_by_access"_s}),
    }};
}

// Version 7: the filter bar's outcomes come from a table of their own, as agents and lists do.
// - calls_by_outcome was kept only to list outcomes by skipping along it; the outcome filter
//   reads calls_by_started like the agent and list filters. It was 0.9-1.0 s of a first
//   fill's index build at a million calls.
// - The mirror adds each page's outcomes, a handful of rows per page. Like agents and
//   lists, an outcome stays listed when its last call goes.
// - A first fill underway forgets the index among those it will build at its end.
Migration outcomesOfTheirOwn()
{
    return {7, u"outcomes listed from a table of their own"_s, {
        u"CREATE TABLE outcomes (name TEXT PRIMARY KEY NOT NULL) WITHOUT ROWID"_s,
        u"INSERT INTO outcomes(name) SELECT DISTINCT outcome FROM calls"_s,
        u"DROP INDEX IF EXISTS calls_by_outcome"_s,
        forgetDeferredIndexes({u"calls_by_outcome"_s}),
    }};
}

// Version 8: the agent giving up on a download is kept apart from the server's state.
// - After repeated failed attempts the agent used to set status = 'failed', the word the
//   server uses for a recording it could not produce, so the app blamed the server and
//   the player's "fetch this first" was refused until the next try, hours later.
// - status now only ever says what the server says; gave_up_at says when the agent
//   stopped trying by itself (it tries again at next_attempt_at, or when asked to).
// - Rows an earlier version gave up on are told apart by their next try: the server's
//   failures are never retried, so they have none.
Migration downloadGiveUpOfItsOwn()
{
    return {8, u"the agent's give-up on a download kept apart from the server's state"_s, {
        u"ALTER TABLE recordings ADD COLUMN gave_up_at INTEGER"_s,
        uR"(UPDATE recordings SET status = 'available', gave_up_at = max(0, next_attempt_at - 43200000)
            WHERE status = 'failed' AND next_attempt_at IS NOT NULL)"_s,
    }};
}

// Version 9: a partial download remembers which version of the server's file it holds
// (the media server's ETag or Last-Modified), so that resuming it sends If-Range and a
// file replaced meanwhile is fetched again whole instead of joined from two versions.
// Partials from earlier versions have none and resume as before.
Migration partialDownloadValidators()
{
    return {9, u"partial downloads remember the version of the file they hold"_s, {
        u"ALTER TABLE recordings ADD COLUMN partial_validator TEXT"_s,
    }};
}

} // namespace

std::span<const Migration> schemaMigrations()
{
    static const std::vector<Migration> migrations{callMirror(), auditTrail(), cachePolicy(), searchableLeadNames(),
                                                   fastFirstFill(), newestFirstQueues(),
                                                   outcomesOfTheirOwn(), downloadGiveUpOfItsOwn(),
                                                   partialDownloadValidators()};
    return migrations;
}

int latestSchemaVersion()
{
    return schemaMigrations().back().version;
}

} // namespace earshot
