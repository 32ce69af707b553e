#pragma once

#include "domain/call.h"

#include <QByteArray>

#include <optional>

namespace earshot::apijson {

// A page of calls read with simdjson instead of QJsonDocument: the agent reads a million
// of them on a first fill, where building a QJsonDocument (and its CBOR values) per page
// cost more than storing the rows. It accepts only what parseCallsPage() accepts, with
// the same result; on anything else (bad JSON, a bad field, an unusual number or time)
// it gives up with nullopt, and parseCallsPage() reads the page again to name the problem.
std::optional<CallsPage> parseCallsPageFast(const QByteArray &body);

} // namespace earshot::apijson
