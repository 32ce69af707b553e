#include "secrets/keychainsecretstore.h"

#include "logging.h"

#include <QEventLoop>
#include <QPointer>
#include <QTimer>

#include <qt6keychain/keychain.h>

using namespace Qt::StringLiterals;

namespace earshot {

namespace {

struct JobOutcome
{
    bool finished = false;
    QKeychain::Error error = QKeychain::NoError;
    QString errorText;
    QByteArray data;
};

// Runs a configured job to completion or timeout. The job deletes itself when it
// finishes, even after a timeout, so nothing dangles if the keyring answers late.
JobOutcome runJob(QKeychain::Job *job, std::chrono::milliseconds timeout)
{
    job->setAutoDelete(true);
    job->setInsecureFallback(false);
    JobOutcome outcome;
    QEventLoop loop;
    QObject::connect(job, &QKeychain::Job::finished, &loop, [&outcome, &loop](QKeychain::Job *finishedJob) {
        outcome.finished = true;
        outcome.error = finishedJob->error();
        outcome.errorText = finishedJob->errorString();
        if (auto *readJob = qobject_cast<QKeychain::ReadPasswordJob *>(finishedJob))
            outcome.data = readJob->binaryData();
        loop.quit();
    });
    QTimer::singleShot(timeout, &loop, &QEventLoop::quit);
    job->start();
    loop.exec();
    return outcome;
}

QString describeFailure(const JobOutcome &outcome, const QString &action)
{
    if (!outcome.finished)
        return u"The system keychain did not answer while %1; it may be locked. Unlock it and try again."_s.arg(action);
    return u"The system keychain failed while %1 (%2). Earshot keeps credentials only in the keychain: "
           "make sure a keyring service (GNOME Keyring, KWallet, macOS Keychain, Windows Credential Manager) "
           "is running and unlocked."_s.arg(action, outcome.errorText);
}

} // namespace

KeychainSecretStore::KeychainSecretStore(QString service, std::chrono::milliseconds timeout)
    : m_service(std::move(service))
    , m_timeout(timeout)
{
}

Expected<std::optional<QByteArray>> KeychainSecretStore::read(const QString &key)
{
    auto *job = new QKeychain::ReadPasswordJob(m_service);
    job->setKey(key);
    const JobOutcome outcome = runJob(job, m_timeout);
    if (outcome.finished && outcome.error == QKeychain::NoError)
        return std::optional<QByteArray>(outcome.data);
    if (outcome.finished && outcome.error == QKeychain::EntryNotFound)
        return std::optional<QByteArray>();
    qCWarning(lcSecrets) << "keychain read failed:" << outcome.errorText;
    return Expected<std::optional<QByteArray>>::failure(describeFailure(outcome, u"reading credentials"_s));
}

Status KeychainSecretStore::write(const QString &key, const QByteArray &secret)
{
    auto *job = new QKeychain::WritePasswordJob(m_service);
    job->setKey(key);
    job->setBinaryData(secret);
    const JobOutcome outcome = runJob(job, m_timeout);
    if (outcome.finished && outcome.error == QKeychain::NoError)
        return Status::ok();
    qCWarning(lcSecrets) << "keychain write failed:" << outcome.errorText;
    return Status::failure(describeFailure(outcome, u"saving credentials"_s));
}

Status KeychainSecretStore::remove(const QString &key)
{
    auto *job = new QKeychain::DeletePasswordJob(m_service);
    job->setKey(key);
    const JobOutcome outcome = runJob(job, m_timeout);
    if (outcome.finished && (outcome.error == QKeychain::NoError || outcome.error == QKeychain::EntryNotFound))
        return Status::ok();
    qCWarning(lcSecrets) << "keychain delete failed:" << outcome.errorText;
    return Status::failure(describeFailure(outcome, u"removing credentials"_s));
}

} // namespace earshot
