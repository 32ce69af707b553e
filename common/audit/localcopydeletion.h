#pragma once

#include "audit/auditevent.h"

namespace earshot {

// Why a cached copy of a recording was deleted without the user asking: the "reason"
// of its recording.deleted_local audit event. Shared by every part that removes copies
// (the agent's cache upkeep, the call mirror when the server deletes or replaces one).
enum class LocalCopyDeletionReason {
    Quota,           // the cache was over its quota, or room was made for a download
    Retention,       // older than the server's local_retention_days
    DeletedOnServer, // the server deleted the call or its recording, or replaced it
    DamagedFile,     // the start-up reconcile found the file unreadable
    MissingFile,     // the start-up reconcile found no file
    KeyLost,         // the cache key vanished from the keychain: no copy can be read any more
};

QString reasonText(LocalCopyDeletionReason reason); // as sent in the audit event's "reason"

// The recording.deleted_local event of one removed copy, done on behalf of userId.
AuditEventDraft localCopyDeletedEvent(const QString &userId, const QString &callId, const QString &recordingId,
                                      LocalCopyDeletionReason reason, const QString &sha256);

} // namespace earshot
