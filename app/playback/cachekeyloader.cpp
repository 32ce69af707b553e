#include "playback/cachekeyloader.h"

#include "applogging.h"
#include "cache/cacheformat.h"
#include "cache/cachekey.h"
#include "secrets/keychainsecretstore.h"
#include "store/syncstate.h"

#include <QCoreApplication>

using namespace Qt::StringLiterals;

namespace earshot {

namespace {

class CacheKeyText
{
    Q_DECLARE_TR_FUNCTIONS(CacheKeyLoader)
};

} // namespace

CacheKeyLoader::CacheKeyLoader(QSqlDatabase db, QObject *parent)
    : QObject(parent)
    , m_db(std::move(db))
    , m_secrets(QStringLiteral("Earshot"))
{
}

CacheKeyLoader::~CacheKeyLoader() = default;

void CacheKeyLoader::load()
{
    if (m_state == State::Loading || m_state == State::Ready)
        return;
    const QString keyId = SyncState(m_db).value(CacheKey::kKeyIdState);
    if (keyId.isEmpty()) {
        m_state = State::Loading;
        finish({}, CacheKeyText::tr("No recording has been downloaded on this computer yet: earshot-sync creates "
                                    "the cache key with the first one."));
        return;
    }
    m_state = State::Loading;
    qCDebug(lcPlayer) << "reading the cache key from the keychain";
    // QtKeychain answers through D-Bus on this thread's event loop; it is not to be used
    // from other threads while this one uses it too.
    m_secrets.readAsync(CacheKey::keychainEntry(keyId), this, [this](const Expected<std::optional<QByteArray>> &read) {
        if (!read) {
            finish({}, CacheKeyText::tr("Unlock your keyring to play offline recordings. %1").arg(read.error()));
        } else if (!read->has_value() || (*read)->size() != cacheformat::kKeySize) {
            finish({}, CacheKeyText::tr("The keychain has no key for this computer's recording cache; earshot-sync "
                                        "downloads the recordings again under a new one."));
        } else {
            finish(**read, {});
        }
    });
}

void CacheKeyLoader::finish(const QByteArray &key, const QString &error)
{
    if (error.isEmpty()) {
        m_key = key;
        m_error.clear();
        m_state = State::Ready;
    } else {
        m_error = error;
        m_state = State::Failed;
        qCWarning(lcPlayer) << "no cache key:" << error;
    }
    Q_EMIT finished();
}

} // namespace earshot
