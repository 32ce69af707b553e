#pragma once

#include "domain/callfilter.h"
#include "models/filterchoices.h"

#include <QTimer>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QDateEdit;
class QLineEdit;
class QPushButton;

namespace earshot {

// The controls above the call table. It only edits a CallFilter and says when it
// changed; the model applies it. Typing in the lead field is debounced so that the
// store is queried once per pause, not once per key.
class FilterBar : public QWidget
{
    Q_OBJECT

public:
    static constexpr std::chrono::milliseconds kTypingPause{300};

    explicit FilterBar(QWidget *parent = nullptr);

    CallFilter filter() const;

    // New agents, lists and outcomes from the store. The current choices stay chosen,
    // even one the store no longer lists, so a filter never widens behind one's back.
    void setChoices(const FilterChoices &choices);

public Q_SLOTS:
    void clear();

Q_SIGNALS:
    void filterChanged(const earshot::CallFilter &filter);

private:
    void emitIfChanged();
    void updateDateControls();

    QLineEdit *m_leadText = nullptr;
    QComboBox *m_agent = nullptr;
    QComboBox *m_list = nullptr;
    QComboBox *m_outcome = nullptr;
    QCheckBox *m_dateRange = nullptr;
    QDateEdit *m_fromDate = nullptr;
    QDateEdit *m_toDate = nullptr;
    QPushButton *m_clear = nullptr;
    QTimer m_typingPause;
    CallFilter m_lastEmitted;
};

} // namespace earshot
