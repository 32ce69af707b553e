#pragma once

#include "store/migration.h"

#include <span>

namespace earshot {

// The local store's schema history. Append only: a released migration never changes.
std::span<const Migration> schemaMigrations();
int latestSchemaVersion();

} // namespace earshot
