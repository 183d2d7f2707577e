// StateOverlay: the pipeline's working set for one batch of events. Reads fall through to the
// StateCache, then the StateStore; changes stay in memory (read-your-writes) until Flush adds
// them to one StateBatch; Commit (once that batch is being written) hands the identifiers and
// accounts to the cache. Profile records are changed in place in the cache (a record read from
// the store or created goes into it first): no move out and back per batch. So a batch that
// fails leaves the cache ahead of the store, and the pipeline must clear it (it does, in
// ResetToStore, after any failure). It is the IdentityView the resolver sees. Single-threaded
// (the pipeline thread).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include "identity/resolver.h"
#include "profile/state_cache.h"
#include "profile/state_store.h"

namespace rapport {

class StateOverlay final : public IdentityView {
 public:
  // Timeline entries go straight into *out; Flush adds the rest.
  // `cache` may be nullptr.
  StateOverlay(StateStore* store, StateCache* cache, StateBatch* out, uint64_t next_profile_id);

  Result<std::optional<uint64_t>> Find(const Identifier& id) override;
  Result<std::vector<Identifier>> IdentifiersOf(uint64_t profile) override;

  // The record to change (loaded once per batch); kCorruption if `id` does not exist.
  Result<ProfileRecord*> Profile(uint64_t id);
  ProfileRecord* NewProfile();
  // The account to change, created empty when new.
  Result<AccountRecord*> Account(std::string_view group_id);
  void Bind(const Identifier& id, uint64_t profile);
  // A timeline entry of `p` (a record of this batch); its position goes into the record, and
  // every ProfileRecord::kTimelineChunk positions into an index chunk.
  void AddTimeline(ProfileRecord* p, TimelinePos pos, std::string_view source,
                   std::string_view json);
  // Moves the positions in `p`'s record to an index chunk (before it is merged away).
  void SpillTimeline(ProfileRecord* p);

  void AddMerge(int64_t at_us, uint64_t from, uint64_t into) { out_->PutMerge(at_us, from, into); }

  uint64_t next_profile_id() const { return next_profile_id_; }
  // Adds every change to the batch (with the next profile id).
  void Flush();
  // Once the batch is being written: moves the changed identifiers and accounts into the cache
  // (where the next batches find them before the write lands) and empties the overlay.
  void Commit();
  size_t pending_bytes() const { return timeline_bytes_; }

 private:
  StateStore* store_;
  StateCache* cache_;
  uint64_t next_profile_id_;
  // Adds a record to the cache (or owned_ without one) and to this batch's.
  ProfileRecord* Keep(std::unique_ptr<ProfileRecord> record);

  // This batch's records: changed in place in the cache (or in owned_).
  std::unordered_map<uint64_t, ProfileRecord*> profiles_;
  std::vector<std::unique_ptr<ProfileRecord>> owned_;
  std::map<std::string, std::unique_ptr<AccountRecord>, std::less<>> accounts_;
  std::unordered_map<std::string, uint64_t> bound_;  // IdentifierKey → profile, this batch
  StateBatch* out_;
  size_t timeline_bytes_ = 0;
};

}  // namespace rapport
