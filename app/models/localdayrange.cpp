#include "models/localdayrange.h"

#include <QTime>

namespace earshot {

namespace {

// Local midnight; where the clocks jump over midnight, the first moment of the day.
QDateTime startOfLocalDay(QDate day)
{
    return day.startOfDay(Qt::LocalTime).toUTC();
}

} // namespace

UtcRange utcRangeForLocalDays(QDate firstDay, QDate lastDay)
{
    if (lastDay < firstDay)
        std::swap(firstDay, lastDay);
    return {startOfLocalDay(firstDay), startOfLocalDay(lastDay.addDays(1))};
}

} // namespace earshot
