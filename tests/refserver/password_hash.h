// Salted PBKDF2-SHA256 password hashes for the users table.
#pragma once

#include <QtCore/QAnyStringView>
#include <QtCore/QByteArray>

namespace earshot::refserver {

struct PasswordHash
{
    QByteArray salt;
    QByteArray hash;
};

PasswordHash hashPassword(QAnyStringView password);
bool verifyPassword(QAnyStringView password, const QByteArray &salt, const QByteArray &expectedHash);

} // namespace earshot::refserver
