// The reference server's tables. Integer sequence keys join the hot paths; the opaque
// string ids are what the API shows.
#pragma once

namespace earshot::refserver {

class Database;

// Creates missing tables and indexes. Idempotent; an existing database is reused as-is.
bool createSchema(Database &db);

} // namespace earshot::refserver
