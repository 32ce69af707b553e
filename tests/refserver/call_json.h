// Renders calls as the API's Call objects (and tombstones), straight into a byte buffer.
#pragma once

#include "call_store.h"

#include <QtCore/QByteArray>

namespace earshot::refserver {

void appendCallJson(QByteArray &out, const CallRow &call);

inline QByteArray callJson(const CallRow &call)
{
    QByteArray out;
    appendCallJson(out, call);
    return out;
}

} // namespace earshot::refserver
