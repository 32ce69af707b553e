#pragma once

#include "cli/commandline.h"

namespace earshot {

// `earshot-sync [--once]`: the sync loop; returns the process exit code.
int runSync(const AgentCommand &command);

} // namespace earshot
