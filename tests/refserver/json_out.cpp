#include "json_out.h"

#include <charconv>

namespace earshot::refserver::json {

namespace {

// Writes one escaped ASCII character at p; returns the new end.
char *writeAscii(char *p, char16_t c)
{
    static constexpr char hex[] = "0123456789abcdef";
    if (c >= 0x20 && c != u'"' && c != u'\\') {
        *p++ = static_cast<char>(c);
        return p;
    }
    *p++ = '\\';
    switch (c) {
    case u'"': *p++ = '"'; return p;
    case u'\\': *p++ = '\\'; return p;
    case u'\b': *p++ = 'b'; return p;
    case u'\f': *p++ = 'f'; return p;
    case u'\n': *p++ = 'n'; return p;
    case u'\r': *p++ = 'r'; return p;
    case u'\t': *p++ = 't'; return p;
    default:
        *p++ = 'u';
        *p++ = '0';
        *p++ = '0';
        *p++ = hex[(c >> 4) & 0xf];
        *p++ = hex[c & 0xf];
        return p;
    }
}

// Grows out by room bytes and returns where to write; finish with shrinkTo().
char *makeRoom(QByteArray &out, qsizetype room)
{
    const qsizetype used = out.size();
    out.resize(used + room); // keeps geometric growth; capacity survives the shrink below
    return out.data() + used;
}

void shrinkTo(QByteArray &out, const char *end)
{
    out.resize(end - out.constData());
}

// Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
void civilFromDays(qint64 days, qint64 *year, unsigned *month, unsigned *day)
{
    days += 719468;
    const qint64 era = (days >= 0 ? days : days - 146096) / 146097;
    const auto doe = static_cast<unsigned>(days - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    *day = doy - (153 * mp + 2) / 5 + 1;
    *month = mp < 10 ? mp + 3 : mp - 9;
    *year = static_cast<qint64>(yoe) + era * 400 + (*month <= 2 ? 1 : 0);
}

void appendDigits(char *&p, qint64 value, int width)
{
    for (int i = width - 1; i >= 0; --i) {
        p[i] = static_cast<char>('0' + value % 10);
        value /= 10;
    }
    p += width;
}

} // namespace

void appendString(QByteArray &out, QStringView text)
{
    // Worst case per UTF-16 unit: six bytes ("\\u001f"); surrogate pairs take four for two.
    char *p = makeRoom(out, 2 + text.size() * 6);
    *p++ = '"';
    const qsizetype n = text.size();
    for (qsizetype i = 0; i < n; ++i) {
        const char16_t c = text[i].unicode();
        if (c < 0x80) {
            p = writeAscii(p, c);
            continue;
        }
        char32_t code = c;
        if (QChar::isHighSurrogate(c) && i + 1 < n && QChar::isLowSurrogate(text[i + 1].unicode())) {
            code = QChar::surrogateToUcs4(c, text[i + 1].unicode());
            ++i;
        } else if (QChar::isSurrogate(c)) {
            code = 0xfffd; // a lone surrogate cannot be encoded; substitute like toUtf8() does
        }
        if (code < 0x800) {
            *p++ = static_cast<char>(0xc0 | (code >> 6));
        } else if (code < 0x10000) {
            *p++ = static_cast<char>(0xe0 | (code >> 12));
            *p++ = static_cast<char>(0x80 | ((code >> 6) & 0x3f));
        } else {
            *p++ = static_cast<char>(0xf0 | (code >> 18));
            *p++ = static_cast<char>(0x80 | ((code >> 12) & 0x3f));
            *p++ = static_cast<char>(0x80 | ((code >> 6) & 0x3f));
        }
        *p++ = static_cast<char>(0x80 | (code & 0x3f));
    }
    *p++ = '"';
    shrinkTo(out, p);
}

void appendString(QByteArray &out, QByteArrayView utf8)
{
    char *p = makeRoom(out, 2 + utf8.size() * 6);
    *p++ = '"';
    for (const char byte : utf8) {
        const auto c = static_cast<unsigned char>(byte);
        if (c >= 0x80)
            *p++ = byte; // UTF-8 continuation and lead bytes pass through
        else
            p = writeAscii(p, c);
    }
    *p++ = '"';
    shrinkTo(out, p);
}

void appendInt(QByteArray &out, qint64 value)
{
    char buffer[24];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    out.append(buffer, result.ptr - buffer);
}

void appendDouble(QByteArray &out, double value)
{
    char buffer[32];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    out.append(buffer, result.ptr - buffer);
}

void appendTimestamp(QByteArray &out, qint64 msSinceEpoch, bool withMillis)
{
    constexpr qint64 msPerDay = 86'400'000;
    qint64 days = msSinceEpoch / msPerDay;
    qint64 msOfDay = msSinceEpoch % msPerDay;
    if (msOfDay < 0) {
        msOfDay += msPerDay;
        --days;
    }
    qint64 year = 0;
    unsigned month = 0, day = 0;
    civilFromDays(days, &year, &month, &day);
    const qint64 seconds = msOfDay / 1000;

    char buffer[32];
    char *p = buffer;
    *p++ = '"';
    appendDigits(p, year, 4);
    *p++ = '-';
    appendDigits(p, month, 2);
    *p++ = '-';
    appendDigits(p, day, 2);
    *p++ = 'T';
    appendDigits(p, seconds / 3600, 2);
    *p++ = ':';
    appendDigits(p, seconds / 60 % 60, 2);
    *p++ = ':';
    appendDigits(p, seconds % 60, 2);
    if (withMillis) {
        *p++ = '.';
        appendDigits(p, msOfDay % 1000, 3);
    }
    *p++ = 'Z';
    *p++ = '"';
    out.append(buffer, p - buffer);
}

QByteArray timestamp(qint64 msSinceEpoch, bool withMillis)
{
    QByteArray quoted;
    appendTimestamp(quoted, msSinceEpoch, withMillis);
    return quoted.mid(1, quoted.size() - 2);
}

} // namespace earshot::refserver::json
