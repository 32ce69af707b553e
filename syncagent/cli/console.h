#pragma once

#include <QString>

namespace earshot {

// What the agent says to the person or script that ran it (logs go to the categories).
void printMessage(const QString &text);
void printError(const QString &text);

} // namespace earshot
