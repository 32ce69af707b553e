#pragma once

// Shared by the two halves of tst_calltablemodel: paging, filters and texts in
// tst_calltablemodel.cpp; refreshing from another connection's commits in
// tst_calltablemodel_refresh.cpp.

#include "generatedcalls.h"
#include "models/calltablemodel.h"
#include "store/database.h"

#include <QObject>
#include <QTemporaryDir>

#include <memory>

namespace earshot::apptest {

// A store in its own folder, with a second connection standing in for the agent.
struct Store
{
    QTemporaryDir dir;
    std::unique_ptr<Database> app;   // what the model reads through
    std::unique_ptr<Database> agent; // another connection, as the sync agent has
    QList<Call> calls;               // what the store holds, newest first

    QString path() const { return dir.filePath(QStringLiteral("earshot.sqlite")); }
};

std::unique_ptr<Store> makeStore(int count);
QStringList loadedIds(const CallTableModel &model);
void fetchAll(CallTableModel &model);
QString cell(const CallTableModel &model, int row, int column, int role = Qt::DisplayRole);

} // namespace earshot::apptest

class TestCallTableModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();

    void fetchesLazilyByPages();
    void filters_data();
    void filters();
    void leadTextFoldsNonAsciiCase();
    void filterChangeResets();
    void displayTexts();
    void localDaysBecomeUtcRange();
    void rowMergePlansMinimalSteps();

    void picksUpRowsCommittedByAnotherConnection();
    void tombstoneAboveSelectionKeepsIt();
    void refreshKeepsFilterAndFindsLateOldCalls();
    void refreshBeforeAnyFetchStaysLazy();
    void refreshAfterBulkCommitStaysBounded();

private:
    std::unique_ptr<earshot::apptest::Store> m_store;
};
