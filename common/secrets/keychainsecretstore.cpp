#include "secrets/keychainsecretstore.h"

#include "logging.h"

#include <QEventLoop>
#include <QPointer>
#include <QTimer>

#include <functional>
#include <memory>
#include <optional>

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

// Starts a configured job; `done` runs once, on `context`'s thread, when it finishes or
// times out. The job deletes itself when it finishes, even after a timeout, so nothing
// dangles if the keyring answers late.
void startJob(QKeychain::Job *job, std::chrono::milliseconds timeout, QObject *context,
              std::function<void(const JobOutcome &)> done)
{
    job->setAutoDelete(true);
    job->setInsecureFallback(false);
    auto pending = std::make_shared<std::function<void(const JobOutcome &)>>(std::move(done));
    const auto finish = [pending](const JobOutcome &outcome) {
        if (auto callback = std::exchange(*pending, nullptr))
            callback(outcome);
    };
    QObject::connect(job, &QKeychain::Job::finished, context, [finish](QKeychain::Job *finishedJob) {
        JobOutcome outcome;
        outcome.finished = true;
        outcome.error = finishedJob->error();
        outcome.errorText = finishedJob->errorString();
        if (auto *readJob = qobject_cast<QKeychain::ReadPasswordJob *>(finishedJob))
            outcome.data = readJob->binaryData();
        finish(outcome);
    });
    QTimer::singleShot(timeout, context, [finish] { finish(JobOutcome{}); });
    job->start();
}

// Runs a configured job to completion or timeout on a local event loop.
JobOutcome runJob(QKeychain::Job *job, std::chrono::milliseconds timeout)
{
    std::optional<JobOutcome> result;
    QEventLoop loop;
    startJob(job, timeout, &loop, [&result, &loop](const JobOutcome &outcome) {
        result = outcome;
        loop.quit();
    });
    if (!result)
        loop.exec();
    return *result;
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

namespace {

Expected<std::optional<QByteArray>> readResult(const JobOutcome &outcome)
{
    if (outcome.finished && outcome.error == QKeychain::NoError)
        return std::optional<QByteArray>(outcome.data);
    if (outcome.finished && outcome.error == QKeychain::EntryNotFound)
        return std::optional<QByteArray>();
    qCWarning(lcSecrets) << "keychain read failed:" << outcome.errorText;
    return Expected<std::optional<QByteArray>>::failure(describeFailure(outcome, u"reading credentials"_s));
}

} // namespace

Expected<std::optional<QByteArray>> KeychainSecretStore::read(const QString &key)
{
    auto *job = new QKeychain::ReadPasswordJob(m_service);
    job->setKey(key);
    return readResult(runJob(job, m_timeout));
}

void KeychainSecretStore::readAsync(const QString &key, QObject *context, ReadCallback done)
{
    auto *job = new QKeychain::ReadPasswordJob(m_service);
    job->setKey(key);
    startJob(job, m_timeout, context, [done = std::move(done)](const JobOutcome &outcome) { done(readResult(outcome)); });
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
