#pragma once

#include <QDate>
#include <QDateTime>

namespace earshot {

// A range of whole local calendar days as the store filters it: UTC instants,
// [from, before). "From 3 March to 5 March" includes all of 5 March, and a day on which
// the clocks change is 23 or 25 hours long, as the person picking it means.
struct UtcRange
{
    QDateTime from;   // inclusive, UTC
    QDateTime before; // exclusive, UTC
};

UtcRange utcRangeForLocalDays(QDate firstDay, QDate lastDay);

} // namespace earshot
