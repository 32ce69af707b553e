#include "widgets/playerbar.h"

#include "models/callpresentation.h"

#include <QAction>
#include <QGridLayout>
#include <QLabel>
#include <QProxyStyle>
#include <QSlider>
#include <QStyle>
#include <QToolButton>

using namespace Qt::StringLiterals;

namespace earshot {

namespace {

int clampToInt(qint64 value)
{
    return static_cast<int>(std::clamp<qint64>(value, 0, std::numeric_limits<int>::max()));
}

// A click on the groove goes to that place in the recording, as in every media player,
// not a page step towards it (most styles' default).
class ClickToSeekStyle : public QProxyStyle
{
public:
    int styleHint(StyleHint hint, const QStyleOption *option, const QWidget *widget,
                  QStyleHintReturn *returnData) const override
    {
        if (hint == QStyle::SH_Slider_AbsoluteSetButtons)
            return Qt::LeftButton;
        return QProxyStyle::styleHint(hint, option, widget, returnData);
    }
};

} // namespace

PlayerBar::PlayerBar(PlaybackEngine &engine, QWidget *parent)
    : QWidget(parent)
    , m_engine(engine)
{
    m_summary = new QLabel(this);
    m_summary->setObjectName(u"callSummary"_s);
    m_summary->setTextFormat(Qt::PlainText);
    QFont summaryFont = m_summary->font();
    summaryFont.setBold(true);
    m_summary->setFont(summaryFont);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_playPauseAction = new QAction(this);
    m_playPauseAction->setObjectName(u"playPauseAction"_s);
    m_playPauseAction->setShortcut(QKeySequence(Qt::Key_Space));
    m_backAction = new QAction(tr("Back 5 seconds"), this);
    m_backAction->setObjectName(u"seekBackAction"_s);
    m_backAction->setShortcut(QKeySequence(Qt::Key_Left));
    m_forwardAction = new QAction(tr("Forward 5 seconds"), this);
    m_forwardAction->setObjectName(u"seekForwardAction"_s);
    m_forwardAction->setShortcut(QKeySequence(Qt::Key_Right));
    for (QAction *action : {m_playPauseAction, m_backAction, m_forwardAction}) {
        action->setShortcutContext(Qt::WindowShortcut);
        addAction(action);
    }
    connect(m_playPauseAction, &QAction::triggered, this, [this] { m_engine.togglePlayPause(); });
    connect(m_backAction, &QAction::triggered, this, [this] { seekBy(-kSeekStepMs); });
    connect(m_forwardAction, &QAction::triggered, this, [this] { seekBy(kSeekStepMs); });

    m_playPause = new QToolButton(this);
    m_playPause->setObjectName(u"playPause"_s);
    m_playPause->setDefaultAction(m_playPauseAction);
    m_playPause->setToolButtonStyle(Qt::ToolButtonIconOnly);
    m_playPause->setAutoRaise(true);
    m_playPause->setIconSize(QSize(24, 24));

    m_slider = new QSlider(Qt::Horizontal, this);
    m_slider->setObjectName(u"seekSlider"_s);
    m_slider->setToolTip(tr("Position in the recording (Left and Right seek 5 seconds)"));
    m_slider->setSingleStep(1000);
    m_slider->setPageStep(static_cast<int>(kSeekStepMs));
    m_slider->setFocusPolicy(Qt::NoFocus); // the window's Left and Right already seek
    auto *clickToSeek = new ClickToSeekStyle; // over the application's style, which it does not own
    clickToSeek->setParent(m_slider);
    m_slider->setStyle(clickToSeek);
    connect(m_slider, &QSlider::actionTriggered, this, &PlayerBar::onSliderAction);
    connect(m_slider, &QSlider::sliderReleased, this, [this] { m_engine.seek(m_slider->value()); });
    connect(m_slider, &QSlider::sliderMoved, this,
            [this](int value) { m_position->setText(presentation::positionText(value)); });

    m_position = new QLabel(this);
    m_position->setObjectName(u"positionLabel"_s);
    m_duration = new QLabel(this);
    m_duration->setObjectName(u"durationLabel"_s);
    // Room for "0:00:00" so the slider does not jump when the text grows.
    const int timeWidth = m_position->fontMetrics().horizontalAdvance(u"00:00:00"_s);
    m_position->setMinimumWidth(timeWidth);
    m_position->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    m_duration->setMinimumWidth(timeWidth);

    m_message = new QLabel(this);
    m_message->setObjectName(u"playerMessage"_s);
    m_message->setTextFormat(Qt::PlainText);
    m_message->setWordWrap(true);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);
    // Always one line tall, so a message coming and going does not move the table.
    m_message->setMinimumHeight(m_message->fontMetrics().lineSpacing());

    auto *layout = new QGridLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_summary, 0, 0, 1, 4);
    layout->addWidget(m_playPause, 1, 0);
    layout->addWidget(m_position, 1, 1);
    layout->addWidget(m_slider, 1, 2);
    layout->addWidget(m_duration, 1, 3);
    layout->addWidget(m_message, 2, 0, 1, 4);
    layout->setColumnStretch(2, 1);

    connect(&m_engine, &PlaybackEngine::positionChanged, this, &PlayerBar::updatePosition);
    connect(&m_engine, &PlaybackEngine::durationChanged, this, &PlayerBar::updateDuration);
    connect(&m_engine, &PlaybackEngine::stateChanged, this, &PlayerBar::updateControls);
    connect(&m_engine, &PlaybackEngine::sourceChanged, this, [this] {
        updateDuration(m_engine.duration());
        updatePosition(m_engine.position());
        updateControls();
    });
    connect(&m_engine, &PlaybackEngine::waitingForDataChanged, this, [this](bool waiting) {
        if (m_engine.errorString().isEmpty())
            setMessage(waiting ? tr("Waiting for earshot-sync to download this part…") : QString(), false);
    });
    connect(&m_engine, &PlaybackEngine::errorOccurred, this, [this](const QString &message) {
        setMessage(message, true);
        updateControls();
    });
    showNothing();
}

void PlayerBar::showCall(const QString &summary)
{
    m_summary->setText(summary);
    setMessage({}, false);
    updateDuration(m_engine.duration());
    updatePosition(m_engine.position());
    updateControls();
}

void PlayerBar::showOpening(const QString &summary)
{
    m_summary->setText(summary);
    setMessage(tr("Opening the recording…"), false);
    updateDuration(0);
    updatePosition(0);
    updateControls();
}

void PlayerBar::showUnplayable(const QString &summary, const QString &reason)
{
    m_summary->setText(summary);
    setMessage(reason, false);
    updateDuration(0);
    updatePosition(0);
    updateControls();
}

void PlayerBar::showNothing()
{
    m_summary->setText(tr("No call selected"));
    setMessage(tr("Select a call in the list to play its recording."), false);
    updateDuration(0);
    updatePosition(0);
    updateControls();
}

void PlayerBar::seekBy(qint64 deltaMs)
{
    m_engine.seek(m_engine.position() + deltaMs);
}

void PlayerBar::onSliderAction(int action)
{
    // Clicks on the groove and wheel steps; dragging seeks once, on release.
    if (action == QAbstractSlider::SliderMove || action == QAbstractSlider::SliderNoAction)
        return;
    m_engine.seek(m_slider->sliderPosition());
}

void PlayerBar::updateControls()
{
    const bool playable = m_engine.hasSource() && m_engine.errorString().isEmpty();
    const bool playing = m_engine.state() == PlaybackEngine::State::Playing;
    m_playPauseAction->setIcon(style()->standardIcon(playing ? QStyle::SP_MediaPause : QStyle::SP_MediaPlay));
    m_playPauseAction->setText(playing ? tr("Pause") : tr("Play"));
    m_playPauseAction->setToolTip(playing ? tr("Pause (Space)") : tr("Play (Space)"));
    for (QAction *action : {m_playPauseAction, m_backAction, m_forwardAction})
        action->setEnabled(playable);
    m_slider->setEnabled(playable);
}

void PlayerBar::updatePosition(qint64 positionMs)
{
    if (!m_slider->isSliderDown()) {
        const QSignalBlocker blocker(m_slider);
        m_slider->setValue(clampToInt(positionMs));
        m_position->setText(presentation::positionText(positionMs));
    }
}

void PlayerBar::updateDuration(qint64 durationMs)
{
    const QSignalBlocker blocker(m_slider);
    m_slider->setRange(0, clampToInt(durationMs));
    m_duration->setText(presentation::positionText(durationMs));
}

void PlayerBar::setMessage(const QString &message, bool isProblem)
{
    m_message->setText(message);
    QPalette palette = this->palette();
    if (isProblem)
        palette.setColor(QPalette::WindowText, QColor(0xb0, 0x20, 0x20));
    m_message->setPalette(palette);
}

} // namespace earshot
