#include "profile/overlay.h"

#include <algorithm>

namespace rapport {

StateOverlay::StateOverlay(StateStore* store, StateCache* cache, StateBatch* out,
                           uint64_t next_profile_id)
    : store_(store), cache_(cache), next_profile_id_(next_profile_id), out_(out) {}

Result<std::optional<uint64_t>> StateOverlay::Find(const Identifier& id) {
  std::string key = IdentifierKey(id);
  if (auto it = bound_.find(key); it != bound_.end()) return std::optional<uint64_t>(it->second);
  if (cache_) {
    if (const std::optional<uint64_t> cached = cache_->identifiers.Find(key)) {
      return *cached == 0 ? std::nullopt : cached;
    }
    if (cache_->identifiers.complete()) return std::optional<uint64_t>();
  }
  ASSIGN_OR_RETURN(auto found, store_->FindIdentifierKey(key));
  // A committed value: safe to remember at once.
  if (cache_) cache_->identifiers.Put(key, found.value_or(0));
  return found;
}

Result<std::vector<Identifier>> StateOverlay::IdentifiersOf(uint64_t profile) {
  ASSIGN_OR_RETURN(ProfileRecord * r, Profile(profile));
  return r->Identifiers();
}

Result<ProfileRecord*> StateOverlay::Profile(uint64_t id) {
  if (auto it = profiles_.find(id); it != profiles_.end()) return it->second;
  if (cache_) {
    if (std::unique_ptr<ProfileRecord>* cached = cache_->profiles.Find(id)) {
      return profiles_[id] = cached->get();
    }
  }
  ASSIGN_OR_RETURN(auto stored, store_->GetProfile(id));
  if (!stored) {
    return Status::Corruption("state store: the identifier index names profile " +
                              ProfileIdText(id) + ", which does not exist");
  }
  return Keep(std::make_unique<ProfileRecord>(std::move(*stored)));
}

ProfileRecord* StateOverlay::NewProfile() {
  auto record = std::make_unique<ProfileRecord>();
  record->id = next_profile_id_++;
  return Keep(std::move(record));
}

ProfileRecord* StateOverlay::Keep(std::unique_ptr<ProfileRecord> record) {
  ProfileRecord* raw = record.get();
  if (cache_) {
    cache_->profiles.Put(raw->id, std::move(record));
  } else {
    owned_.push_back(std::move(record));
  }
  profiles_[raw->id] = raw;
  return raw;
}

Result<AccountRecord*> StateOverlay::Account(std::string_view group_id) {
  if (auto it = accounts_.find(group_id); it != accounts_.end()) return it->second.get();
  if (cache_) {
    if (auto cached = cache_->accounts.Take(std::string(group_id))) {
      AccountRecord* raw = cached->get();
      accounts_.emplace(std::string(group_id), std::move(*cached));
      return raw;
    }
  }
  ASSIGN_OR_RETURN(auto stored, store_->GetAccount(group_id));
  auto record = std::make_unique<AccountRecord>();
  if (stored) {
    *record = std::move(*stored);
  } else {
    record->group_id = std::string(group_id);
  }
  AccountRecord* raw = record.get();
  accounts_.emplace(std::string(group_id), std::move(record));
  return raw;
}

void StateOverlay::Bind(const Identifier& id, uint64_t profile) {
  bound_[IdentifierKey(id)] = profile;
}

void StateOverlay::AddTimeline(ProfileRecord* p, TimelinePos pos, std::string_view source,
                               std::string_view json) {
  out_->PutTimeline(p->id, pos, source, json);
  timeline_bytes_ += json.size() + 40;
  p->timeline.push_back(pos);
  if (p->timeline.size() >= ProfileRecord::kTimelineChunk) SpillTimeline(p);
}

void StateOverlay::SpillTimeline(ProfileRecord* p) {
  if (p->timeline.empty()) return;
  out_->PutTimelineChunk(p->id, p->timeline);
  p->timeline.clear();
}

void StateOverlay::Flush() {
  StateBatch* batch = out_;
  // In key order, like the timeline (StateBatch::AddTimeline): cheaper memtable inserts.
  std::vector<const std::pair<const std::string, uint64_t>*> bound;
  bound.reserve(bound_.size());
  for (const auto& entry : bound_) bound.push_back(&entry);
  std::sort(bound.begin(), bound.end(),
            [](const auto* a, const auto* b) { return a->first < b->first; });
  for (const auto* entry : bound) batch->PutIdentifierKey(entry->first, entry->second);
  std::vector<const ProfileRecord*> records;
  records.reserve(profiles_.size());
  for (const auto& [id, record] : profiles_) records.push_back(record);
  std::sort(records.begin(), records.end(),
            [](const ProfileRecord* a, const ProfileRecord* b) { return a->id < b->id; });
  for (const ProfileRecord* r : records) batch->PutProfile(*r);
  for (const auto& [group, account] : accounts_) batch->PutAccount(*account);
  batch->PutNextProfileId(next_profile_id_);
  // The timeline entries are sorted into the write on the state-write thread (StateStore::Write),
  // which waits for this one less than this one waits for it.
}

void StateOverlay::Commit() {
  if (cache_) {
    for (const auto& [key, profile] : bound_) cache_->identifiers.Put(key, profile);
    for (auto& [group, record] : accounts_) cache_->accounts.Put(group, std::move(record));
  }
  profiles_.clear();
  owned_.clear();
  accounts_.clear();
  bound_.clear();
  timeline_bytes_ = 0;
}

}  // namespace rapport
