#include "server/admin_actions.h"

#include <spdlog/spdlog.h>

#include "policy/allowlist.h"
#include "core/text.h"

namespace guardfeed::server {

namespace {
// Actors, reasons and comments land in the audit log and in key="value" log lines.
constexpr size_t kMaxText = 500;
}  // namespace

Result<Indicator> ParseIndicatorValue(std::string_view value) {
  if (value.empty()) return Status::InvalidArgument("missing indicator");
  Result<Indicator> indicator = NormalizeIndicator(value);
  if (!indicator.ok()) {
    return Status::InvalidArgument("\"" + std::string(value) + "\" is not an IP address or domain: " +
                                   indicator.status().message());
  }
  return indicator;
}

Status RemoveIndicator(ServerContext& ctx, const Generation& generation, const Indicator& indicator,
                       std::string_view reason_text, std::string_view actor_text) {
  const std::string reason = CleanActorText(reason_text, kMaxText);
  const std::string actor = CleanActorText(actor_text, kMaxText);
  const Pipeline& p = *generation.pipeline;
  Status status = p.store->Remove(indicator, reason, actor, p.clock->Now());
  if (status.code() == Status::Code::kNotFound) {
    return Status::NotFound(indicator.value + ": never seen; nothing removed");
  }
  if (!status.ok()) return status;
  spdlog::info("admin action=remove indicator={} actor=\"{}\" reason=\"{}\"", indicator.value,
               actor, reason);
  ctx.AcceptShrink("*");
  ctx.NotifyStoreChanged();
  return Status::Ok();
}

Status RestoreIndicator(ServerContext& ctx, const Generation& generation,
                        const Indicator& indicator, std::string_view actor_text) {
  const std::string actor = CleanActorText(actor_text, kMaxText);
  const Pipeline& p = *generation.pipeline;
  GF_RETURN_IF_ERROR(p.store->Unremove(indicator, actor, p.clock->Now()));
  spdlog::info("admin action=unremove indicator={} actor=\"{}\"", indicator.value, actor);
  ctx.NotifyStoreChanged();
  return Status::Ok();
}

Result<AllowlistRecord> AddAllowlistEntry(ServerContext& ctx, const Generation& generation,
                                          std::string_view entry, std::string_view comment,
                                          bool force, std::string_view actor) {
  if (entry.empty()) return Status::InvalidArgument("entry: expected a CIDR, IP or domain");
  Result<std::string> canonical = Allowlist::Canonicalize(entry);
  if (!canonical.ok()) return Status::InvalidArgument("entry: " + canonical.status().message());
  const Pipeline& p = *generation.pipeline;
  if (!force) {
    Status width = Allowlist::CheckWidth(*canonical, p.policy->options().allowlist.width_limits());
    if (!width.ok()) return Status::FailedPrecondition(width.message());
  }
  AllowlistRecord record{*canonical, CleanActorText(comment, kMaxText),
                         CleanActorText(actor, kMaxText), p.clock->Now()};
  GF_RETURN_IF_ERROR(p.store->AddAllowlist(record));
  spdlog::info("admin action=allow_add entry={} actor=\"{}\" force={}", record.entry, record.actor,
               force);
  // A forced wide entry may unblock much: forcing it accepts that, in the feeds too.
  if (force) ctx.AcceptShrink("*");
  ctx.NotifyStoreChanged();
  return record;
}

Result<std::string> RemoveAllowlistEntry(ServerContext& ctx, const Generation& generation,
                                         std::string_view entry, std::string_view actor_text) {
  const std::string actor = CleanActorText(actor_text, kMaxText);
  if (entry.empty()) return Status::InvalidArgument("missing allowlist entry");
  Result<std::string> canonical = Allowlist::Canonicalize(entry);
  if (!canonical.ok()) return Status::InvalidArgument("entry: " + canonical.status().message());
  const Pipeline& p = *generation.pipeline;
  GF_RETURN_IF_ERROR(p.store->RemoveAllowlist(*canonical, actor, p.clock->Now()));
  spdlog::info("admin action=allow_remove entry={} actor=\"{}\"", *canonical, actor);
  ctx.NotifyStoreChanged();
  return *canonical;
}

}  // namespace guardfeed::server
