#pragma once

#include "expected.h"

namespace earshot {

// The password for login: one line from standard input when it is not a terminal
// (scripts, tests: `echo "$PW" | earshot-sync login ...`), otherwise a prompt on the
// terminal with echo turned off. Never a command-line argument, which `ps` would show.
Expected<QString> readPassword(const QString &prompt);

} // namespace earshot
