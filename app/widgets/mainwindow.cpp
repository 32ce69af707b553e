#include "widgets/mainwindow.h"

#include "applogging.h"
#include "models/callpresentation.h"
#include "models/calltablemodel.h"
#include "agent/agentconnection.h"
#include "playback/playbackengine.h"
#include "playback/recordingopener.h"
#include "session/storesession.h"
#include "widgets/agentstatuslabel.h"
#include "widgets/callcontextmenu.h"
#include "widgets/calltableview.h"
#include "widgets/filterbar.h"
#include "widgets/playerbar.h"
#include "widgets/syncmenu.h"

#include <QCloseEvent>
#include <QFrame>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QMenuBar>
#include <QSettings>
#include <QStatusBar>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace earshot {

namespace {

const auto kGeometryKey = u"MainWindow/geometry"_s;
const auto kStateKey = u"MainWindow/state"_s;
const auto kTableHeaderKey = u"MainWindow/callTableHeader"_s;
constexpr auto kReadErrorShownMs = 15000;

} // namespace

MainWindow::MainWindow(StoreSession &session, PlaybackEngine &engine, RecordingOpener &opener,
                       AgentConnection &agent, QWidget *parent)
    : QMainWindow(parent)
    , m_session(session)
    , m_engine(engine)
    , m_opener(opener)
    , m_agent(agent)
    , m_model(session.callModel())
{
    setWindowTitle(tr("Earshot"));

    m_filterBar = new FilterBar(this);
    m_filterBar->setObjectName(u"filterBar"_s);
    m_filterBar->setChoices(session.filterChoices());

    m_table = new CallTableView(this);
    m_table->setObjectName(u"callTable"_s);
    m_table->setModel(m_model);
    m_table->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_table, &QWidget::customContextMenuRequested, this, &MainWindow::showContextMenu);

    auto *separator = new QFrame(this);
    separator->setFrameShape(QFrame::HLine);
    separator->setFrameShadow(QFrame::Sunken);

    m_playerBar = new PlayerBar(engine, this);
    m_playerBar->setObjectName(u"playerBar"_s);

    auto *central = new QWidget(this);
    auto *layout = new QVBoxLayout(central);
    layout->setContentsMargins(8, 8, 8, 4);
    layout->addWidget(m_filterBar);
    layout->addWidget(m_table, 1);
    layout->addWidget(separator);
    layout->addWidget(m_playerBar);
    setCentralWidget(central);

    m_countLabel = new QLabel(this);
    m_countLabel->setObjectName(u"callCount"_s);
    m_syncLabel = new QLabel(this);
    m_syncLabel->setObjectName(u"syncStatus"_s);
    statusBar()->addWidget(m_countLabel);
    statusBar()->addPermanentWidget(m_syncLabel);
    // Without a divider the two labels read as one sentence ("Synced … Downloading …").
    auto *statusDivider = new QFrame(this);
    statusDivider->setFrameShape(QFrame::VLine);
    statusDivider->setFrameShadow(QFrame::Sunken);
    statusBar()->addPermanentWidget(statusDivider);
    statusBar()->addPermanentWidget(new AgentStatusLabel(agent, this));

    menuBar()->addMenu(new SyncMenu(
        agent, [this] { return m_filterBar->filter(); },
        [this](const QString &target) {
            const QList<Pin> pins = committedPins();
            return std::any_of(pins.cbegin(), pins.cend(), [&](const Pin &pin) {
                return pin.kind == Pin::Kind::Filter && pin.target == target;
            });
        },
        [this](const QString &message) { showNotice(message); }, this));

    connect(m_filterBar, &FilterBar::filterChanged, this, &MainWindow::onFilterChanged);
    connect(&session, &StoreSession::filterChoicesChanged, m_filterBar, &FilterBar::setChoices);
    connect(&session, &StoreSession::syncStatusChanged, this, [this] {
        updateSyncLabel();
        updatePlaceholder();
    });
    connect(m_model, &CallTableModel::totalCountChanged, this, [this] {
        updateCountLabel();
        updatePlaceholder();
    });
    connect(m_model, &CallTableModel::readFailed, this, &MainWindow::showNotice);
    connect(m_model, &QAbstractItemModel::dataChanged, this, &MainWindow::onRowsChanged);
    connect(&session, &StoreSession::storeChanged, &opener, &RecordingOpener::checkStore);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &MainWindow::onCurrentRowChanged);

    updateCountLabel();
    updateSyncLabel();
    updatePlaceholder();
    restoreLayout();
    m_table->setFocus();
}

MainWindow::~MainWindow() = default;

void MainWindow::selectRow(int row)
{
    const QModelIndex index = m_model->index(row, 0);
    if (!index.isValid())
        return;
    m_table->selectionModel()->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect
                                                          | QItemSelectionModel::Rows);
    m_table->scrollTo(index);
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (m_remembersLayout)
        saveLayout();
    m_engine.pause();
    QMainWindow::closeEvent(event);
}

void MainWindow::onFilterChanged(const CallFilter &filter)
{
    qCDebug(lcApp) << "filter changed";
    m_model->setFilter(filter);
    if (m_model->canFetchMore({}))
        m_model->fetchMore({});
    // The call in the player stays there; if the new list has it, it stays selected too.
    if (const int row = m_model->rowOfCall(m_shownCallId); row >= 0)
        selectRow(row);
    updatePlaceholder();
}

void MainWindow::onCurrentRowChanged(const QModelIndex &current)
{
    // An invalid current index means a new filter emptied the selection: the player
    // keeps what it has.
    const CallRow *call = current.isValid() ? m_model->callAt(current.row()) : nullptr;
    if (!call)
        return;
    // When the store removes the current call, the selection moves on by itself;
    // only a person's choice starts playback.
    showCall(*call, !m_model->isRefreshing());
}

void MainWindow::onRowsChanged(const QModelIndex &topLeft, const QModelIndex &bottomRight)
{
    // The shown call's recording may have been downloaded meanwhile: make it playable
    // (without starting it), or update why it is not.
    const QModelIndex current = m_table->selectionModel()->currentIndex();
    if (m_shownCallLoaded || m_opener.isWaiting() || !current.isValid() || current.row() < topLeft.row()
        || current.row() > bottomRight.row())
        return;
    if (const CallRow *call = m_model->callAt(current.row()); call && call->id == m_shownCallId)
        showCall(*call, false);
}

void MainWindow::showCall(const CallRow &call, bool startPlaying)
{
    if (call.id == m_shownCallId && (m_shownCallLoaded || m_opener.isWaiting()))
        return;
    const QString summary = presentation::callSummary(call);
    m_shownCallId = call.id;
    m_shownCallLoaded = false;
    m_engine.clearSource();
    m_playerBar->showOpening(summary);
    m_opener.open(call, [this, summary, startPlaying, callId = call.id](Expected<OpenedRecording> recording) {
        if (callId != m_shownCallId)
            return;
        if (!recording) {
            qCDebug(lcApp) << "call" << callId << "cannot play:" << recording.error();
            m_playerBar->showUnplayable(summary, recording.error());
            return;
        }
        qCDebug(lcApp) << "playing call" << callId << (recording->streaming ? "while it downloads" : "from the cache");
        m_engine.setSource(std::move(recording->device), recording->formatHint);
        m_shownCallLoaded = true;
        m_playerBar->showCall(summary);
        if (startPlaying)
            m_engine.play();
    });
}

void MainWindow::showContextMenu(const QPoint &position)
{
    const QModelIndex index = m_table->indexAt(position);
    const CallRow *call = index.isValid() ? m_model->callAt(index.row()) : nullptr;
    if (!call)
        return;
    auto *menu = new CallContextMenu(*call, committedPins(), m_agent,
                                     [this](const QString &message) { showNotice(message); }, this);
    menu->setAttribute(Qt::WA_DeleteOnClose);
    menu->popup(m_table->viewport()->mapToGlobal(position));
}

QList<Pin> MainWindow::committedPins() const
{
    // The pins as the agent last committed them; the app only reads them.
    const auto pins = PinStore(m_session.connection()).pins();
    return pins ? *pins : QList<Pin>{};
}

void MainWindow::showNotice(const QString &message)
{
    statusBar()->showMessage(message, kReadErrorShownMs);
}

void MainWindow::updateCountLabel()
{
    const qint64 total = m_model->totalCount();
    if (total < 0) {
        m_countLabel->clear();
        return;
    }
    // Explicit singular and plural until the translations (with their plural rules) land.
    const QString number = QLocale().toString(total);
    if (m_model->filter().isEmpty())
        m_countLabel->setText(total == 1 ? tr("1 call") : tr("%1 calls").arg(number));
    else
        m_countLabel->setText(total == 1 ? tr("1 matching call") : tr("%1 matching calls").arg(number));
}

void MainWindow::updateSyncLabel()
{
    const SyncStatus &status = m_session.syncStatus();
    QString text;
    if (status.callsCompletedAt) {
        text = tr("Synced %1").arg(QLocale().toString(status.callsCompletedAt->toLocalTime(), u"yyyy-MM-dd HH:mm"_s));
    } else {
        text = tr("Not synced yet: is earshot-sync running?");
    }
    QString tooltip = tr("Calls are kept in %1").arg(m_session.dataDirectory());
    if (!status.lastError.isEmpty()) {
        // The agent's messages say what happened, then after ": " the technical detail,
        // which the status bar has no room for.
        const QString summary = status.lastError.section(u": "_s, 0, 0);
        text = tr("%1 · Last sync failed: %2").arg(text, summary);
        tooltip = status.lastError + u"\n\n"_s + tooltip;
    }
    m_syncLabel->setText(text);
    m_syncLabel->setToolTip(tooltip);
}

void MainWindow::updatePlaceholder()
{
    QString text;
    if (m_model->totalCount() == 0) {
        if (!m_model->filter().isEmpty())
            text = tr("No calls match these filters.");
        else if (!m_session.syncStatus().callsCompletedAt)
            text = tr("No calls yet. They appear here as earshot-sync copies them from the server.");
        else
            text = tr("The server has no calls for you yet.");
    }
    m_table->setPlaceholderText(text);
}

void MainWindow::restoreLayout()
{
    QHeaderView *header = m_table->horizontalHeader();
    const QFontMetrics metrics = m_table->fontMetrics();
    const auto widthOf = [&metrics](const QString &sample) { return metrics.horizontalAdvance(sample) + 24; };
    header->resizeSection(CallTableModel::StartedAt, widthOf(u"2026-12-31 23:59"_s));
    header->resizeSection(CallTableModel::Duration, widthOf(u"Duration"_s));
    header->resizeSection(CallTableModel::Lead, widthOf(u"Margaret Montgomery"_s));
    header->resizeSection(CallTableModel::Phone, widthOf(u"+1 555-555-0123"_s));
    header->resizeSection(CallTableModel::Agent, widthOf(u"Daniel Rodriguez"_s));
    header->resizeSection(CallTableModel::DialList, widthOf(u"Spring renewals 2026"_s));
    header->resizeSection(CallTableModel::Outcome, widthOf(u"Callback requested"_s));
    header->resizeSection(CallTableModel::Direction, widthOf(u"Outbound"_s));

    const QSettings settings;
    if (!restoreGeometry(settings.value(kGeometryKey).toByteArray()))
        resize(1280, 800);
    restoreState(settings.value(kStateKey).toByteArray());
    header->restoreState(settings.value(kTableHeaderKey).toByteArray());
}

void MainWindow::saveLayout() const
{
    QSettings settings;
    settings.setValue(kGeometryKey, saveGeometry());
    settings.setValue(kStateKey, saveState());
    settings.setValue(kTableHeaderKey, m_table->horizontalHeader()->saveState());
}

} // namespace earshot
