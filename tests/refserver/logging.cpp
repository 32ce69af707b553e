#include "logging.h"

// Debug (one line per request) is off unless QT_LOGGING_RULES turns it on, as the tests do.
Q_LOGGING_CATEGORY(lcRefServer, "earshot.refserver", QtInfoMsg)
