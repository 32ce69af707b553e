#pragma once

#include "cli/commandline.h"
#include "expected.h"

namespace earshot {

// The sync settings a data folder remembers, so that the agent the app starts (given only
// --data-dir) runs as its user last set it up: --interval, --parallel, --bandwidth-limit,
// --cache-quota and --ca-file (as an absolute path). Each one given on a sync or login
// command line is saved in agent.ini; each one left out is read from there, else keeps its
// default. A value in the file that is out of range is ignored with a warning.
// Returns what could not be saved, for a warning; the command runs either way.
Status applyRememberedSettings(AgentCommand &command, const QString &dataDir);

} // namespace earshot
