#include "audit/localcopydeletion.h"

using namespace Qt::StringLiterals;

namespace earshot {

QString reasonText(LocalCopyDeletionReason reason)
{
    switch (reason) {
    case LocalCopyDeletionReason::Quota:
        return u"quota"_s;
    case LocalCopyDeletionReason::Retention:
        return u"retention"_s;
    case LocalCopyDeletionReason::DeletedOnServer:
        return u"deleted_on_server"_s;
    case LocalCopyDeletionReason::DamagedFile:
        return u"damaged_file"_s;
    case LocalCopyDeletionReason::MissingFile:
        return u"missing_file"_s;
    case LocalCopyDeletionReason::KeyLost:
        return u"key_lost"_s;
    }
    return {};
}

AuditEventDraft localCopyDeletedEvent(const QString &userId, const QString &callId, const QString &recordingId,
                                      LocalCopyDeletionReason reason, const QString &sha256)
{
    return {u"recording.deleted_local"_s, userId, callId, recordingId, reasonText(reason), sha256};
}

} // namespace earshot
