#pragma once

#include <QLoggingCategory>

// The app's areas; common declares its own (earshot.store, earshot.api, ...).
Q_DECLARE_LOGGING_CATEGORY(lcApp)
Q_DECLARE_LOGGING_CATEGORY(lcPlayer)
Q_DECLARE_LOGGING_CATEGORY(lcAgent)
