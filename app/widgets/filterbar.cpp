#include "widgets/filterbar.h"

#include "models/callpresentation.h"
#include "models/localdayrange.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateEdit>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>

using namespace Qt::StringLiterals;

namespace earshot {

namespace {

// Item data of the list combo: the scope, and the list id with ListScope::Specific.
constexpr int kScopeRole = Qt::UserRole;
constexpr int kIdRole = Qt::UserRole + 1;

QComboBox *makeCombo(QWidget *parent, const QString &objectName, const QString &allText, const QString &toolTip)
{
    auto *combo = new QComboBox(parent);
    combo->setObjectName(objectName);
    combo->setToolTip(toolTip);
    combo->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    combo->setMinimumContentsLength(9);
    combo->addItem(allText);
    return combo;
}

// Refills a combo after its first ("All ...") item, keeping the chosen id chosen.
void refill(QComboBox *combo, const QList<std::pair<QString, QString>> &idsAndTexts, int firstItems)
{
    const QString chosenId = combo->currentData(kIdRole).toString();
    const QString chosenText = combo->currentText();
    const int chosenIndex = combo->currentIndex();
    const QSignalBlocker blocker(combo);
    while (combo->count() > firstItems)
        combo->removeItem(combo->count() - 1);
    int chosen = chosenIndex < firstItems ? chosenIndex : -1;
    for (const auto &[id, text] : idsAndTexts) {
        combo->addItem(text);
        combo->setItemData(combo->count() - 1, id, kIdRole);
        combo->setItemData(combo->count() - 1, text, Qt::ToolTipRole);
        if (chosen < 0 && id == chosenId)
            chosen = combo->count() - 1;
    }
    if (chosen < 0) {
        combo->addItem(chosenText);
        combo->setItemData(combo->count() - 1, chosenId, kIdRole);
        chosen = combo->count() - 1;
    }
    combo->setCurrentIndex(chosen);
}

} // namespace

FilterBar::FilterBar(QWidget *parent)
    : QWidget(parent)
{
    m_leadText = new QLineEdit(this);
    m_leadText->setObjectName(u"leadText"_s);
    m_leadText->setPlaceholderText(tr("Lead name or phone"));
    m_leadText->setToolTip(tr("Shows calls whose lead's name or phone number contains this text"));
    m_leadText->setClearButtonEnabled(true);
    m_leadText->setMinimumWidth(fontMetrics().averageCharWidth() * 16);

    m_agent = makeCombo(this, u"agentFilter"_s, tr("All agents"), tr("Agent"));
    m_list = makeCombo(this, u"listFilter"_s, tr("All lists"), tr("Dial list"));
    m_list->setItemData(0, QVariant::fromValue(static_cast<int>(CallFilter::ListScope::Any)), kScopeRole);
    m_list->addItem(presentation::dialListText(CallRow{}));
    m_list->setItemData(1, QVariant::fromValue(static_cast<int>(CallFilter::ListScope::ManualDial)), kScopeRole);
    m_outcome = makeCombo(this, u"outcomeFilter"_s, tr("All outcomes"), tr("Outcome"));

    m_dateRange = new QCheckBox(tr("Placed from"), this);
    m_dateRange->setObjectName(u"dateRange"_s);
    m_dateRange->setToolTip(tr("Shows only calls placed on these days (local time), both days included"));
    const QDate today = QDate::currentDate();
    m_fromDate = new QDateEdit(today.addDays(-6), this);
    m_fromDate->setObjectName(u"fromDate"_s);
    m_toDate = new QDateEdit(today, this);
    m_toDate->setObjectName(u"toDate"_s);
    for (QDateEdit *edit : {m_fromDate, m_toDate}) {
        edit->setCalendarPopup(true);
        edit->setDisplayFormat(u"yyyy-MM-dd"_s);
        // Room for the whole date beside the drop-down arrow, in any style.
        edit->setMinimumWidth(edit->fontMetrics().horizontalAdvance(u"0000-00-00"_s) + 36);
    }
    auto *toLabel = new QLabel(tr("to"), this);

    m_clear = new QPushButton(tr("Clear"), this);
    m_clear->setObjectName(u"clearFilters"_s);
    m_clear->setToolTip(tr("Shows all calls again"));

    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_leadText, 2);
    layout->addWidget(m_agent, 1);
    layout->addWidget(m_list, 1);
    layout->addWidget(m_outcome, 1);
    layout->addSpacing(8);
    layout->addWidget(m_dateRange);
    layout->addWidget(m_fromDate);
    layout->addWidget(toLabel);
    layout->addWidget(m_toDate);
    layout->addSpacing(8);
    layout->addWidget(m_clear);

    m_typingPause.setSingleShot(true);
    m_typingPause.setInterval(kTypingPause);
    connect(&m_typingPause, &QTimer::timeout, this, &FilterBar::emitIfChanged);
    connect(m_leadText, &QLineEdit::textChanged, this, [this] { m_typingPause.start(); });
    connect(m_leadText, &QLineEdit::returnPressed, this, &FilterBar::emitIfChanged);
    for (QComboBox *combo : {m_agent, m_list, m_outcome})
        connect(combo, &QComboBox::currentIndexChanged, this, &FilterBar::emitIfChanged);
    connect(m_dateRange, &QCheckBox::toggled, this, [this] {
        updateDateControls();
        emitIfChanged();
    });
    for (QDateEdit *edit : {m_fromDate, m_toDate})
        connect(edit, &QDateEdit::dateChanged, this, &FilterBar::emitIfChanged);
    connect(m_clear, &QPushButton::clicked, this, &FilterBar::clear);
    updateDateControls();
}

CallFilter FilterBar::filter() const
{
    CallFilter filter;
    filter.leadText = m_leadText->text().trimmed();
    filter.agentId = m_agent->currentData(kIdRole).toString();
    filter.listScope = static_cast<CallFilter::ListScope>(
        m_list->currentData(kScopeRole).isValid() ? m_list->currentData(kScopeRole).toInt()
                                                  : static_cast<int>(CallFilter::ListScope::Specific));
    if (filter.listScope == CallFilter::ListScope::Specific)
        filter.listId = m_list->currentData(kIdRole).toString();
    filter.outcome = m_outcome->currentData(kIdRole).toString();
    if (m_dateRange->isChecked()) {
        const UtcRange range = utcRangeForLocalDays(m_fromDate->date(), m_toDate->date());
        filter.startedFrom = range.from;
        filter.startedBefore = range.before;
    }
    return filter;
}

void FilterBar::setChoices(const FilterChoices &choices)
{
    QList<std::pair<QString, QString>> agents;
    for (const Agent &agent : choices.agents)
        agents.append({agent.id, agent.name});
    refill(m_agent, agents, 1);

    QList<std::pair<QString, QString>> lists;
    for (const DialList &list : choices.dialLists)
        lists.append({list.id, list.name});
    refill(m_list, lists, 2);

    QList<std::pair<QString, QString>> outcomes;
    for (const QString &outcome : choices.outcomes)
        outcomes.append({outcome, presentation::outcomeText(outcome)});
    refill(m_outcome, outcomes, 1);
}

void FilterBar::clear()
{
    {
        const QSignalBlocker blockText(m_leadText);
        m_leadText->clear();
    }
    m_typingPause.stop();
    for (QComboBox *combo : {m_agent, m_list, m_outcome}) {
        const QSignalBlocker blocker(combo);
        combo->setCurrentIndex(0);
    }
    {
        const QSignalBlocker blocker(m_dateRange);
        m_dateRange->setChecked(false);
    }
    updateDateControls();
    emitIfChanged();
}

void FilterBar::emitIfChanged()
{
    m_typingPause.stop();
    const CallFilter current = filter();
    if (current == m_lastEmitted)
        return;
    m_lastEmitted = current;
    Q_EMIT filterChanged(current);
}

void FilterBar::updateDateControls()
{
    m_fromDate->setEnabled(m_dateRange->isChecked());
    m_toDate->setEnabled(m_dateRange->isChecked());
}

} // namespace earshot
