#include "syncerror.h"

#include "store/database.h"

using namespace Qt::StringLiterals;

namespace earshot {

SyncError SyncError::localStore(QString message)
{
    if (isDiskFullError(message))
        return diskFull(message + u". The disk holding the Earshot data folder is full. Free some space; Earshot "
                                  "carries on by itself once there is room."_s);
    return {Kind::LocalStore, std::move(message), 0, {}};
}

} // namespace earshot
