#include "audience/preview.h"

#include <algorithm>

#include "profile/apply.h"

namespace rapport {

Result<PreviewResult> PreviewAudience(const Node& root, const StateStore& store,
                                      const PreviewOptions& options) {
  constexpr uint64_t kPreviewId = UINT64_MAX;  // never a saved audience's id
  std::vector<AudienceDef> defs = options.saved;
  defs.push_back({kPreviewId, "_preview", "", root});
  std::vector<std::string> problems;
  auto set = AudienceSet::Compile(std::move(defs), options.computed, &problems);
  const CompiledAudience* audience = set->Find(kPreviewId);
  if (audience == nullptr) {
    return Status::InvalidArgument(problems.empty() ? "the definition cannot be evaluated"
                                                    : problems.back());
  }
  // Leaves the pipeline does not keep are computed from each profile's timeline.
  std::vector<const ComputedDef*> recompute;
  for (const ComputedDef& d : set->hidden_defs()) {
    if (std::find(audience->hidden.begin(), audience->hidden.end(), d.name) !=
            audience->hidden.end() &&
        !options.kept_hidden.count(d.name)) {
      recompute.push_back(&d);
    }
  }
  EventApplier applier(nullptr, nullptr);  // only its Recompute, which needs no settings

  PreviewResult result;
  auto visit = [&](ProfileRecord record) -> Status {
    for (const ComputedDef* d : recompute) RETURN_IF_ERROR(applier.Recompute(*d, store, &record));
    std::vector<AccountRecord> accounts;
    if (audience->accounts) {
      for (const std::string& gid : record.accounts) {
        ASSIGN_OR_RETURN(auto a, store.GetAccount(gid));
        if (a) accounts.push_back(std::move(*a));
      }
    }
    EvalContext ctx;
    ctx.profile = &record;
    for (const AccountRecord& a : accounts) ctx.accounts.push_back(&a);
    ctx.bindings = &audience->bindings;
    ctx.in_audience = [&record](uint64_t id) {
      auto it = record.audiences.find(id);
      return it != record.audiences.end() && it->second.member;
    };
    ctx.now_us = options.now_us;
    ++result.evaluated;
    if (Evaluate(audience->root, ctx).value) {
      ++result.size;
      if (result.examples.size() < options.examples) result.examples.push_back(record.id);
    }
    return Status::OK();
  };

  ASSIGN_OR_RETURN(uint64_t next_id, store.NextProfileId());
  const uint64_t ids = next_id - 1;
  if (ids <= options.max_profiles) {
    Status inner;
    RETURN_IF_ERROR(store.ScanProfiles(1, [&](const ProfileRecord& r) {
      inner = visit(r);
      return inner.ok();
    }));
    RETURN_IF_ERROR(inner);
    return result;
  }
  // An evenly spaced sample of ids; merged-away ids are skipped, so live profiles are sampled
  // at the same rate and the share of members carries over.
  const uint64_t stride = (ids + options.max_profiles - 1) / options.max_profiles;
  uint64_t probed = 0, live = 0;
  for (uint64_t id = 1; id <= ids; id += stride) {
    ++probed;
    ASSIGN_OR_RETURN(auto r, store.GetProfile(id));
    if (!r || r->merged_into != 0) continue;
    ++live;
    RETURN_IF_ERROR(visit(std::move(*r)));
  }
  result.estimate = true;
  if (live > 0) {
    const double live_total = static_cast<double>(ids) * live / probed;
    result.size = static_cast<uint64_t>(live_total * result.size / live + 0.5);
  }
  return result;
}

}  // namespace rapport
