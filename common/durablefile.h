#pragma once

#include "expected.h"

#include <QString>

class QFileDevice;

namespace earshot {

// Makes written bytes survive a power cut: flush Qt's buffer, then fsync the file (and,
// after a rename, the folder that holds the new name).
Status syncToDisk(QFileDevice &file);
Status syncDirectory(const QString &directoryPath);

// rename() that replaces the target atomically and then makes the new name durable.
Status renameDurably(const QString &from, const QString &to);

} // namespace earshot
