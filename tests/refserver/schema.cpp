#include "schema.h"

#include "database.h"

using namespace Qt::StringLiterals;

namespace earshot::refserver {

bool createSchema(Database &db)
{
    static const QString statements[] = {
        u"CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID"_s,

        u"CREATE TABLE IF NOT EXISTS agents (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, "
        "name TEXT NOT NULL)"_s,
        u"CREATE TABLE IF NOT EXISTS dial_lists (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, "
        "name TEXT NOT NULL)"_s,
        u"CREATE TABLE IF NOT EXISTS leads (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, "
        "name TEXT NOT NULL, phone TEXT NOT NULL)"_s,

        u"CREATE TABLE IF NOT EXISTS users (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, "
        "email TEXT NOT NULL UNIQUE COLLATE NOCASE, name TEXT NOT NULL, role TEXT NOT NULL, "
        "password_salt BLOB NOT NULL, password_hash BLOB NOT NULL, "
        "agent_seq INTEGER REFERENCES agents(seq))"_s,
        // Only hashes of tokens are stored; a copied database file does not leak sessions.
        u"CREATE TABLE IF NOT EXISTS tokens (token_hash BLOB PRIMARY KEY, kind TEXT NOT NULL, "
        "user_seq INTEGER NOT NULL REFERENCES users(seq), expires_at INTEGER NOT NULL) WITHOUT ROWID"_s,

        // Times are milliseconds since the epoch, UTC. updated_at comes from the server-wide
        // monotonic clock; deleted calls stay as tombstones. json is the call rendered as the
        // API shows it (or its tombstone), rewritten on every change: a page of the mirror
        // feed is then one index range scan that concatenates stored bytes.
        u"CREATE TABLE IF NOT EXISTS calls (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, "
        "lead_seq INTEGER NOT NULL REFERENCES leads(seq), "
        "agent_seq INTEGER NOT NULL REFERENCES agents(seq), "
        "list_seq INTEGER REFERENCES dial_lists(seq), "
        "direction TEXT NOT NULL, outcome TEXT NOT NULL, started_at INTEGER NOT NULL, "
        "duration_seconds INTEGER NOT NULL, updated_at INTEGER NOT NULL, "
        "deleted INTEGER NOT NULL DEFAULT 0, json BLOB NOT NULL)"_s,
        // Keyset pagination walks these in (updated_at, id) order.
        u"CREATE INDEX IF NOT EXISTS calls_by_update ON calls(updated_at, id)"_s,
        u"CREATE INDEX IF NOT EXISTS calls_by_agent_update ON calls(agent_seq, updated_at, id)"_s,

        // One recording per call at most; clip_file names a file in the recordings dir and
        // never comes from a client.
        u"CREATE TABLE IF NOT EXISTS recordings (call_seq INTEGER PRIMARY KEY REFERENCES calls(seq), "
        "id TEXT NOT NULL UNIQUE, clip_file TEXT NOT NULL, format TEXT NOT NULL, "
        "size_bytes INTEGER NOT NULL, duration_seconds REAL NOT NULL, sha256 TEXT, "
        "channels INTEGER NOT NULL, status TEXT NOT NULL, last_fetched_at INTEGER)"_s,

        // body keeps the event exactly as the client sent it (compact JSON), so its hash can
        // be re-verified later.
        u"CREATE TABLE IF NOT EXISTS audit_events (seq INTEGER PRIMARY KEY, "
        "event_id TEXT NOT NULL UNIQUE, type TEXT NOT NULL, hash TEXT, body TEXT NOT NULL, "
        "submitted_by TEXT NOT NULL, source TEXT NOT NULL, received_at INTEGER NOT NULL)"_s,
    };
    for (const QString &sql : statements) {
        if (!db.exec(sql))
            return false;
    }
    if (db.meta(u"schema_version"_s).isEmpty())
        return db.setMeta(u"schema_version"_s, u"1"_s);
    return true;
}

} // namespace earshot::refserver
