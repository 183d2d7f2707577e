#include "profile/profile_record.h"

#include <algorithm>
#include <charconv>

#include "common/coding.h"

namespace rapport {
namespace {

// 1: without consent, audiences, next check and ext; 2: without the timeline positions.
constexpr uint8_t kVersion = 3;

void PutIdentifier(std::string* out, const Identifier& id) {
  PutLengthPrefixed(out, id.type);
  PutLengthPrefixed(out, id.value);
}
bool GetIdentifier(Decoder* d, Identifier* id) {
  return d->LengthPrefixed(&id->type) && d->LengthPrefixed(&id->value);
}

void PutTraits(std::string* out, const TraitMap& traits) {
  PutVarint64(out, traits.size());
  for (const auto& [name, v] : traits) {
    PutLengthPrefixed(out, name);
    PutLengthPrefixed(out, v.json);
    PutSignedVarint64(out, v.ts_us);
    PutVarint64(out, v.seq);
    PutLengthPrefixed(out, v.source);
  }
}

// `limit`: the record's size; each trait takes at least one byte.
bool GetTraits(Decoder* d, size_t limit, TraitMap* traits) {
  uint64_t n = 0;
  if (!d->Varint64(&n) || n > limit) return false;
  for (uint64_t i = 0; i < n; ++i) {
    std::string name;
    StampedValue v;
    if (!d->LengthPrefixed(&name) || !d->LengthPrefixed(&v.json) || !d->SignedVarint64(&v.ts_us) ||
        !d->Varint64(&v.seq) || !d->LengthPrefixed(&v.source)) {
      return false;
    }
    traits->emplace(std::move(name), std::move(v));
  }
  return true;
}

// Sets `name` in `traits` unless the stored value is newer.
void SetStamped(TraitMap* traits, std::string_view name, StampedValue value) {
  auto it = traits->find(name);
  if (it == traits->end()) {
    traits->emplace(std::string(name), std::move(value));
  } else if (value.NewerThan(it->second)) {
    it->second = std::move(value);
  }
}

bool MergeOrder(const MergeEvent& a, const MergeEvent& b) {
  if (a.seq != b.seq) return a.seq < b.seq;
  if (a.kind != b.kind) return a.kind < b.kind;
  return a.from < b.from;
}

// Keeps every merge and the newest kMaxBlockedKept blocked decisions.
void CapBlocked(ProfileRecord* r) {
  size_t blocked = std::count_if(r->merges.begin(), r->merges.end(), [](const MergeEvent& e) {
    return e.kind == MergeEvent::Kind::kBlocked;
  });
  if (blocked <= ProfileRecord::kMaxBlockedKept) return;
  size_t excess = blocked - ProfileRecord::kMaxBlockedKept;
  r->blocked_dropped += excess;
  std::vector<MergeEvent> kept;
  for (MergeEvent& e : r->merges) {
    if (e.kind == MergeEvent::Kind::kBlocked && excess > 0) {
      --excess;
      continue;
    }
    kept.push_back(std::move(e));
  }
  r->merges = std::move(kept);
}

}  // namespace

std::vector<Identifier> ProfileRecord::Identifiers() const {
  std::vector<Identifier> out;
  out.reserve(identities.size());
  for (const IdentityEntry& e : identities) out.push_back(e.id);
  return out;
}

void ProfileRecord::SetTrait(std::string_view name, StampedValue value) {
  SetStamped(&traits, name, std::move(value));
}

void ProfileRecord::SetConsent(std::string_view category, StampedValue value) {
  SetStamped(&consent, category, std::move(value));
}

void ProfileRecord::AddAccount(std::string_view group_id) {
  auto it = std::lower_bound(accounts.begin(), accounts.end(), group_id);
  if (it == accounts.end() || *it != group_id) accounts.insert(it, std::string(group_id));
}

void ProfileRecord::AddMergeEvent(MergeEvent e) {
  auto it = std::upper_bound(merges.begin(), merges.end(), e, MergeOrder);
  merges.insert(it, std::move(e));
  CapBlocked(this);
}

void ProfileRecord::MergeFrom(const ProfileRecord& other) {
  for (const IdentityEntry& e : other.identities) {
    bool have = std::any_of(identities.begin(), identities.end(),
                            [&](const IdentityEntry& mine) { return mine.id == e.id; });
    if (!have) identities.push_back(e);
  }
  for (const auto& [name, value] : other.traits) SetTrait(name, value);
  for (const auto& [name, value] : other.consent) SetConsent(name, value);
  if (other.event_count > 0) {
    first_seen_us =
        event_count > 0 ? std::min(first_seen_us, other.first_seen_us) : other.first_seen_us;
    last_seen_us =
        event_count > 0 ? std::max(last_seen_us, other.last_seen_us) : other.last_seen_us;
  }
  event_count += other.event_count;
  for (const std::string& a : other.accounts) AddAccount(a);
  std::vector<uint64_t> all = members;
  all.insert(all.end(), other.members.begin(), other.members.end());
  all.push_back(other.id);
  std::sort(all.begin(), all.end());
  all.erase(std::unique(all.begin(), all.end()), all.end());
  members = std::move(all);
  std::vector<MergeEvent> history;
  std::merge(merges.begin(), merges.end(), other.merges.begin(), other.merges.end(),
             std::back_inserter(history), MergeOrder);
  merges = std::move(history);
  blocked_dropped += other.blocked_dropped;
  CapBlocked(this);
}

std::string ProfileRecord::Encode() const {
  std::string out;
  EncodeTo(&out);
  return out;
}

void ProfileRecord::EncodeTo(std::string* buffer) const {
  std::string& out = *buffer;
  out.clear();
  out.push_back(static_cast<char>(kVersion));
  PutVarint64(&out, id);
  PutVarint64(&out, merged_into);
  if (merged_into != 0) return;
  PutSignedVarint64(&out, first_seen_us);
  PutSignedVarint64(&out, last_seen_us);
  PutVarint64(&out, event_count);
  PutVarint64(&out, identities.size());
  for (const IdentityEntry& e : identities) {
    PutIdentifier(&out, e.id);
    PutSignedVarint64(&out, e.first_seen_us);
    PutLengthPrefixed(&out, e.source);
  }
  PutTraits(&out, traits);
  PutVarint64(&out, computed.size());
  for (const auto& [name, state] : computed) {
    PutLengthPrefixed(&out, name);
    PutLengthPrefixed(&out, state);
  }
  PutVarint64(&out, accounts.size());
  for (const std::string& a : accounts) PutLengthPrefixed(&out, a);
  PutVarint64(&out, members.size());
  for (uint64_t m : members) PutVarint64(&out, m);
  PutVarint64(&out, merges.size());
  for (const MergeEvent& e : merges) {
    out.push_back(static_cast<char>(e.kind));
    PutVarint64(&out, e.from);
    PutVarint64(&out, e.ids.size());
    for (const Identifier& id : e.ids) PutIdentifier(&out, id);
    PutLengthPrefixed(&out, e.conflict);
    PutLengthPrefixed(&out, e.message_id);
    PutLengthPrefixed(&out, e.source);
    PutSignedVarint64(&out, e.ts_us);
    PutVarint64(&out, e.seq);
  }
  PutVarint64(&out, blocked_dropped);
  PutTraits(&out, consent);
  PutVarint64(&out, audiences.size());
  for (const auto& [audience, mark] : audiences) {
    PutVarint64(&out, audience);
    out.push_back(mark.member ? 1 : 0);
    PutSignedVarint64(&out, mark.since_us);
    PutSignedVarint64(&out, mark.next_us);
  }
  PutSignedVarint64(&out, next_check_us);
  PutVarint64(&out, ext.size());
  for (const auto& [key, value] : ext) {
    PutLengthPrefixed(&out, key);
    PutLengthPrefixed(&out, value);
  }
  PutVarint64(&out, timeline.size());
  for (const TimelinePos& pos : timeline) {
    PutSignedVarint64(&out, pos.ts_us);
    PutVarint64(&out, pos.seq);
  }
}

Result<ProfileRecord> ProfileRecord::Decode(std::string_view bytes) {
  Decoder d(bytes);
  ProfileRecord r;
  uint8_t version = 0;
  auto corrupt = [&](const char* what) {
    return Status::Corruption(std::string("profile record: ") + what + " at byte " +
                              std::to_string(d.position()));
  };
  if (!d.Byte(&version)) return corrupt("empty");
  if (version < 1 || version > kVersion) return corrupt("unknown version");
  if (!d.Varint64(&r.id) || !d.Varint64(&r.merged_into)) return corrupt("bad id");
  if (r.merged_into != 0) {
    if (!d.done()) return corrupt("bytes after a merged record");
    return r;
  }
  uint64_t n = 0;
  if (!d.SignedVarint64(&r.first_seen_us) || !d.SignedVarint64(&r.last_seen_us) ||
      !d.Varint64(&r.event_count) || !d.Varint64(&n)) {
    return corrupt("bad header");
  }
  // Each element takes at least one byte: a count larger than the input is corrupt.
  auto too_many = [&](uint64_t count) { return count > bytes.size(); };
  if (too_many(n)) return corrupt("bad identity count");
  for (uint64_t i = 0; i < n; ++i) {
    IdentityEntry e;
    if (!GetIdentifier(&d, &e.id) || !d.SignedVarint64(&e.first_seen_us) ||
        !d.LengthPrefixed(&e.source)) {
      return corrupt("bad identity");
    }
    r.identities.push_back(std::move(e));
  }
  if (!GetTraits(&d, bytes.size(), &r.traits)) return corrupt("bad trait");
  if (!d.Varint64(&n) || too_many(n)) return corrupt("bad computed count");
  for (uint64_t i = 0; i < n; ++i) {
    std::string name, state;
    if (!d.LengthPrefixed(&name) || !d.LengthPrefixed(&state)) return corrupt("bad computed");
    r.computed.emplace(std::move(name), std::move(state));
  }
  if (!d.Varint64(&n) || too_many(n)) return corrupt("bad account count");
  for (uint64_t i = 0; i < n; ++i) {
    std::string a;
    if (!d.LengthPrefixed(&a)) return corrupt("bad account");
    r.accounts.push_back(std::move(a));
  }
  if (!d.Varint64(&n) || too_many(n)) return corrupt("bad member count");
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t m;
    if (!d.Varint64(&m)) return corrupt("bad member");
    r.members.push_back(m);
  }
  if (!d.Varint64(&n) || too_many(n)) return corrupt("bad merge count");
  for (uint64_t i = 0; i < n; ++i) {
    MergeEvent e;
    uint8_t kind;
    uint64_t ids = 0;
    if (!d.Byte(&kind) || (kind != 1 && kind != 2) || !d.Varint64(&e.from) || !d.Varint64(&ids) ||
        too_many(ids)) {
      return corrupt("bad merge");
    }
    e.kind = static_cast<MergeEvent::Kind>(kind);
    for (uint64_t k = 0; k < ids; ++k) {
      Identifier id;
      if (!GetIdentifier(&d, &id)) return corrupt("bad merge identifier");
      e.ids.push_back(std::move(id));
    }
    if (!d.LengthPrefixed(&e.conflict) || !d.LengthPrefixed(&e.message_id) ||
        !d.LengthPrefixed(&e.source) || !d.SignedVarint64(&e.ts_us) || !d.Varint64(&e.seq)) {
      return corrupt("bad merge");
    }
    r.merges.push_back(std::move(e));
  }
  if (!d.Varint64(&r.blocked_dropped)) return corrupt("bad blocked count");
  if (version >= 2) {
    if (!GetTraits(&d, bytes.size(), &r.consent)) return corrupt("bad consent");
    if (!d.Varint64(&n) || too_many(n)) return corrupt("bad audience count");
    for (uint64_t i = 0; i < n; ++i) {
      uint64_t audience = 0;
      AudienceMark m;
      uint8_t member = 0;
      if (!d.Varint64(&audience) || !d.Byte(&member) || member > 1 ||
          !d.SignedVarint64(&m.since_us) || !d.SignedVarint64(&m.next_us)) {
        return corrupt("bad audience mark");
      }
      m.member = member == 1;
      r.audiences.emplace(audience, m);
    }
    if (!d.SignedVarint64(&r.next_check_us)) return corrupt("bad next check");
    if (!d.Varint64(&n) || too_many(n)) return corrupt("bad ext count");
    for (uint64_t i = 0; i < n; ++i) {
      std::string key, value;
      if (!d.LengthPrefixed(&key) || !d.LengthPrefixed(&value)) return corrupt("bad ext");
      r.ext.emplace(std::move(key), std::move(value));
    }
  }
  if (version >= 3) {
    if (!d.Varint64(&n) || too_many(n)) return corrupt("bad timeline count");
    r.timeline.resize(n);
    for (TimelinePos& pos : r.timeline) {
      if (!d.SignedVarint64(&pos.ts_us) || !d.Varint64(&pos.seq)) return corrupt("bad timeline");
    }
  }
  if (!d.done()) return corrupt("trailing bytes");
  return r;
}

std::string ProfileIdText(uint64_t id) { return "p" + std::to_string(id); }

std::optional<uint64_t> ParseProfileId(std::string_view text) {
  if (text.size() < 2 || text.size() > 21 || text[0] != 'p' || text[1] == '0') return std::nullopt;
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(text.data() + 1, text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size()) return std::nullopt;
  return v;
}

}  // namespace rapport
