// The contract-test suites of tst_refserver; tst_refserver.cpp runs them in turn, each
// against its own reference server.
#pragma once

#include <QtCore/QObject>

#include <memory>

namespace earshot::refserver::tests {

std::unique_ptr<QObject> makeAuthTests();
std::unique_ptr<QObject> makeCallsTests();
std::unique_ptr<QObject> makeRecordingTests();
std::unique_ptr<QObject> makeAuditTests();
std::unique_ptr<QObject> makeFaultsEventsAdminTests();
std::unique_ptr<QObject> makeBenchmarkModeTests();

} // namespace earshot::refserver::tests
