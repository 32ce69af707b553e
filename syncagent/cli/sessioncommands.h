#pragma once

#include "cli/commandline.h"

namespace earshot {

// `earshot-sync login` and `earshot-sync logout`; each returns the process exit code.
int runLogin(const AgentCommand &command);
int runLogout(const AgentCommand &command);

} // namespace earshot
