// Contract tests of the reference server (docs/server-api.md): every endpoint, over HTTP,
// against the real earshot-refserver binary.
#include "refserver_suites.h"

#include <QtCore/QCoreApplication>
#include <QtTest/QTest>

using namespace earshot::refserver::tests;

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    int failures = 0;
    for (const auto &make : {makeAuthTests, makeCallsTests, makeRecordingTests, makeAuditTests,
                             makeFaultsEventsAdminTests, makeBenchmarkModeTests}) {
        const std::unique_ptr<QObject> suite = make();
        failures += QTest::qExec(suite.get(), argc, argv) != 0 ? 1 : 0;
    }
    return failures == 0 ? 0 : 1;
}
