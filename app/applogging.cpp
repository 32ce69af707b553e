#include "applogging.h"

Q_LOGGING_CATEGORY(lcApp, "earshot.app", QtInfoMsg)
Q_LOGGING_CATEGORY(lcPlayer, "earshot.player", QtInfoMsg)
Q_LOGGING_CATEGORY(lcAgent, "earshot.agent", QtInfoMsg)
