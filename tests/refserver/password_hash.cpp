#include "password_hash.h"

#include "crypto_util.h"

#include <QtCore/QString>
#include <QtNetwork/QPasswordDigestor>

namespace earshot::refserver {

namespace {

constexpr int Iterations = 20'000;
constexpr quint64 KeyLength = 32;

QByteArray derive(QAnyStringView password, const QByteArray &salt)
{
    return QPasswordDigestor::deriveKeyPbkdf2(QCryptographicHash::Sha256, password.toString().toUtf8(),
                                              salt, Iterations, KeyLength);
}

} // namespace

PasswordHash hashPassword(QAnyStringView password)
{
    const QByteArray salt = randomBytes(16);
    return {salt, derive(password, salt)};
}

bool verifyPassword(QAnyStringView password, const QByteArray &salt, const QByteArray &expectedHash)
{
    return constantTimeEquals(derive(password, salt), expectedHash);
}

} // namespace earshot::refserver
