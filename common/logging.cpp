#include "logging.h"

Q_LOGGING_CATEGORY(lcStore, "earshot.store", QtInfoMsg)
Q_LOGGING_CATEGORY(lcApi, "earshot.api", QtInfoMsg)
Q_LOGGING_CATEGORY(lcSecrets, "earshot.secrets", QtInfoMsg)
Q_LOGGING_CATEGORY(lcIpc, "earshot.ipc", QtInfoMsg)
