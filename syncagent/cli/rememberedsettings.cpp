#include "cli/rememberedsettings.h"

#include "agentlogging.h"
#include "auth/agentsettings.h"
#include "transfer/transferoptions.h"

#include <QFileInfo>

using namespace Qt::StringLiterals;

namespace earshot {

namespace {

// A remembered whole number within [least, most]; nullopt when absent or unusable.
std::optional<qint64> rememberedNumber(const AgentSettings &settings, const QString &key, qint64 least, qint64 most)
{
    const QVariant value = settings.syncValue(key);
    if (value.isNull())
        return std::nullopt;
    bool ok = false;
    const qint64 number = value.toString().toLongLong(&ok);
    if (!ok || number < least || number > most) {
        qCWarning(lcSync).noquote() << "ignoring" << key << "=" << value.toString() << "in" << settings.filePath()
                                    << u"(expected a whole number from %1 to %2)"_s.arg(least).arg(most);
        return std::nullopt;
    }
    return number;
}

} // namespace

Status applyRememberedSettings(AgentCommand &command, const QString &dataDir)
{
    AgentSettings settings(dataDir);
    AgentCommand::Given &given = command.given;
    if (!given.interval) {
        if (const auto seconds = rememberedNumber(settings, u"interval"_s, 1, kMaxIntervalSeconds))
            command.interval = std::chrono::seconds(*seconds);
    }
    if (!given.parallel) {
        if (const auto parallel = rememberedNumber(settings, u"parallel"_s, 1, TransferOptions::kMaxParallel))
            command.parallel = static_cast<int>(*parallel);
    }
    if (!given.bandwidthLimit) {
        if (const auto limit = rememberedNumber(settings, u"bandwidth_limit"_s, 0, kMaxBandwidthLimit))
            command.bandwidthLimit = *limit;
    }
    if (!given.cacheQuota) {
        if (const auto quota = rememberedNumber(settings, u"cache_quota"_s, 0, kMaxCacheQuota))
            command.cacheQuota = *quota;
    }
    if (!given.caFile)
        command.caFile = settings.syncValue(u"ca_file"_s).toString();
    else if (!command.caFile.isEmpty())
        command.caFile = QFileInfo(command.caFile).absoluteFilePath(); // the app starts the agent elsewhere

    if (command.verb == AgentCommand::Verb::Logout)
        return Status::ok();
    QVariantMap toSave;
    if (given.interval && !command.once)
        toSave.insert(u"interval"_s, static_cast<qint64>(command.interval.count()));
    if (given.parallel)
        toSave.insert(u"parallel"_s, command.parallel);
    if (given.bandwidthLimit)
        toSave.insert(u"bandwidth_limit"_s, command.bandwidthLimit);
    if (given.cacheQuota)
        toSave.insert(u"cache_quota"_s, command.cacheQuota);
    if (given.caFile)
        toSave.insert(u"ca_file"_s, command.caFile);
    return settings.setSyncValues(toSave);
}

} // namespace earshot
