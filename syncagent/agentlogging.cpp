#include "agentlogging.h"

Q_LOGGING_CATEGORY(lcSync, "earshot.sync", QtInfoMsg)
Q_LOGGING_CATEGORY(lcHttp, "earshot.http", QtInfoMsg)
Q_LOGGING_CATEGORY(lcAuth, "earshot.auth", QtInfoMsg)
Q_LOGGING_CATEGORY(lcTransfer, "earshot.transfer", QtInfoMsg)
Q_LOGGING_CATEGORY(lcCache, "earshot.cache", QtInfoMsg)
Q_LOGGING_CATEGORY(lcAudit, "earshot.audit", QtInfoMsg)
