#pragma once

#include <QLoggingCategory>

// The agent's areas; common declares its own (earshot.store, earshot.api, earshot.secrets).
Q_DECLARE_LOGGING_CATEGORY(lcSync)
Q_DECLARE_LOGGING_CATEGORY(lcHttp)
Q_DECLARE_LOGGING_CATEGORY(lcAuth)
Q_DECLARE_LOGGING_CATEGORY(lcTransfer) // the download engine: links, transfers, the cache files
Q_DECLARE_LOGGING_CATEGORY(lcCache)    // the cache policy: quota, eviction, retention, reconciling
Q_DECLARE_LOGGING_CATEGORY(lcAudit)    // uploading the audit trail
