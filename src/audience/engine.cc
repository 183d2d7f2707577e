#include "audience/engine.h"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "common/coding.h"
#include "common/json_writer.h"
#include "common/time_format.h"

namespace rapport {
namespace {

constexpr char kRunsKey[] = "audiences";
constexpr int64_t kDayUs = 86'400'000'000;

// The meta key of an audience's day history: "audience_days/" + id.
std::string HistoryKey(uint64_t audience) { return "audience_days/" + std::to_string(audience); }

std::string EncodeHistory(const std::map<int64_t, AudienceEngine::DayCount>& days) {
  std::string out;
  PutVarint64(&out, days.size());
  for (const auto& [day, count] : days) {
    PutSignedVarint64(&out, day);
    PutVarint64(&out, count.entered);
    PutVarint64(&out, count.exited);
  }
  return out;
}

Status DecodeHistory(std::string_view bytes, std::map<int64_t, AudienceEngine::DayCount>* days) {
  Decoder d(bytes);
  uint64_t n = 0;
  if (!d.Varint64(&n) || n > bytes.size()) {
    return Status::Corruption("state store: bad audience day history");
  }
  for (uint64_t i = 0; i < n; ++i) {
    int64_t day = 0;
    AudienceEngine::DayCount c;
    if (!d.SignedVarint64(&day) || !d.Varint64(&c.entered) || !d.Varint64(&c.exited)) {
      return Status::Corruption("state store: bad audience day history");
    }
    (*days)[day] = c;
  }
  return Status::OK();
}
constexpr char kTimelineSource[] = "_audiences";
constexpr size_t kScanChunk = 256;

// Keys of a JSON object member of `doc` (e.g. "traits"), when it is an object.
template <typename F>
void ForEachKey(simdjson::simdjson_result<simdjson::dom::element> obj, F f) {
  simdjson::dom::object o;
  if (obj.get(o) != simdjson::SUCCESS) return;
  for (auto field : o) f(field.key);
}

}  // namespace

AudienceEngine::AudienceEngine(AudienceEngineOptions options) : options_(std::move(options)) {
  if (options_.metrics) {
    entered_ = options_.metrics->GetCounter("rapport_audience_entered_total",
                                            "Profiles that entered an audience.");
    exited_ = options_.metrics->GetCounter("rapport_audience_exited_total",
                                           "Profiles that left an audience.");
    evaluations_ = options_.metrics->GetCounter("rapport_audience_evaluations_total",
                                                "Audience definitions evaluated for a profile.");
  }
}

std::vector<ComputedDef> AudienceEngine::HiddenDefinitions(
    const std::vector<AudienceDef>& audiences) {
  std::map<std::string, ComputedDef> defs;
  std::function<void(const Node&)> visit = [&](const Node& n) {
    if (n.kind == Node::Kind::kPerformed) {
      ComputedDef d = HiddenDefFor(n.performed);
      defs.emplace(d.name, std::move(d));
    }
    for (const Node& c : n.children) visit(c);
  };
  for (const AudienceDef& a : audiences) visit(a.root);
  std::vector<ComputedDef> out;
  for (auto& [name, d] : defs) out.push_back(std::move(d));
  return out;
}

std::string AudienceEngine::EncodeRuns() const {
  std::string out;
  PutVarint64(&out, runs_.size());
  for (const auto& [id, run] : runs_) {
    PutVarint64(&out, id);
    out.push_back(static_cast<char>(run.phase));
    PutVarint64(&out, run.cursor);
    PutSignedVarint64(&out, run.size);
  }
  return out;
}

Status AudienceEngine::Open(StateStore* store) {
  store_ = store;
  fired_before_ = 0;
  runs_.clear();
  run_at_.clear();
  days_.clear();
  ASSIGN_OR_RETURN(auto stored, store->Meta(kRunsKey));
  if (stored) {
    Decoder d(*stored);
    uint64_t n = 0;
    if (!d.Varint64(&n) || n > stored->size()) {
      return Status::Corruption("state store: bad audience runs");
    }
    for (uint64_t i = 0; i < n; ++i) {
      uint64_t id = 0;
      uint8_t phase = 0;
      Run run;
      if (!d.Varint64(&id) || !d.Byte(&phase) || phase > 2 || !d.Varint64(&run.cursor) ||
          !d.SignedVarint64(&run.size)) {
        return Status::Corruption("state store: bad audience runs");
      }
      run.phase = static_cast<Phase>(phase);
      ASSIGN_OR_RETURN(auto history, store->Meta(HistoryKey(id)));
      if (history) RETURN_IF_ERROR(DecodeHistory(*history, &days_[id]));
      runs_[id] = run;
    }
  }
  if (set_) ReconcileRuns();
  Publish(runs_, nullptr);
  return Status::OK();
}

void AudienceEngine::DefinitionsChanged(const std::vector<ComputedDef>& defs,
                                        const std::vector<bool>& ready) {
  ready_defs_.clear();
  std::vector<ComputedDef> user;
  for (size_t i = 0; i < defs.size(); ++i) {
    if (ready[i]) ready_defs_.insert(defs[i].name);
    if (defs[i].name.empty() || defs[i].name[0] != '_') user.push_back(defs[i]);
  }
  std::vector<AudienceDef> audiences;
  if (options_.load) {
    auto loaded = options_.load();
    if (!loaded.ok()) {
      spdlog::error("audiences: cannot load definitions: {}", loaded.status().ToString());
      return;  // keep what is in force
    }
    audiences = std::move(*loaded);
  }
  std::vector<std::string> problems;
  set_ = AudienceSet::Compile(std::move(audiences), std::move(user), &problems);
  for (const std::string& p : problems) spdlog::warn("audiences: {}", p);
  {
    std::lock_guard lock(mu_);
    problems_ = std::move(problems);
  }
  ReconcileRuns();
  Publish(runs_, nullptr);
}

void AudienceEngine::ReconcileRuns() {
  // With no profiles yet there is nothing to evaluate over: a new audience is live at once, so
  // a rebuild from the log evaluates it from the first event, as the live pipeline did.
  bool no_profiles = false;
  if (store_) {
    auto next = store_->NextProfileId();
    no_profiles = next.ok() && *next == 1;
  }
  for (const auto& a : set_->audiences()) {
    auto [it, added] = runs_.try_emplace(a->id);
    if (added && no_profiles) it->second.phase = Phase::kLive;
  }
  for (auto it = runs_.begin(); it != runs_.end();) {
    if (set_->Find(it->first) == nullptr) {
      deleted_.push_back(it->first);
      days_.erase(it->first);
      it = runs_.erase(it);
    } else {
      ++it;
    }
  }
  IndexRuns();
}

void AudienceEngine::Publish(const std::map<uint64_t, Run>& runs,
                             const std::map<uint64_t, Days>* changed) {
  std::vector<AudienceStatus> statuses;
  if (set_) {
    for (const auto& a : set_->audiences()) {
      AudienceStatus s;
      s.id = a->id;
      s.name = a->name;
      auto it = runs.find(a->id);
      if (it != runs.end()) {
        s.phase = it->second.phase;
        s.scanned = it->second.phase == Phase::kScanning ? it->second.cursor - 1 : 0;
        s.size = it->second.size;
      }
      statuses.push_back(std::move(s));
    }
  }
  std::lock_guard lock(mu_);
  published_ = std::move(statuses);
  if (changed == nullptr) {
    published_days_ = days_;
  } else {
    for (const auto& [id, days] : *changed) published_days_[id] = days;
  }
  for (auto it = published_days_.begin(); it != published_days_.end();) {
    it = runs.count(it->first) ? std::next(it) : published_days_.erase(it);
  }
}

std::map<int64_t, AudienceEngine::DayCount> AudienceEngine::History(uint64_t audience) const {
  std::lock_guard lock(mu_);
  auto it = published_days_.find(audience);
  return it == published_days_.end() ? std::map<int64_t, DayCount>{} : it->second;
}

std::vector<AudienceEngine::AudienceStatus> AudienceEngine::Statuses() const {
  std::lock_guard lock(mu_);
  return published_;
}

std::vector<std::string> AudienceEngine::Problems() const {
  std::lock_guard lock(mu_);
  return problems_;
}

bool AudienceEngine::Active(size_t i, uint64_t profile) const {
  const Run* run = i < run_at_.size() ? run_at_[i] : nullptr;
  if (run == nullptr) return false;
  return run->phase == Phase::kLive || (run->phase == Phase::kScanning && profile < run->cursor);
}

void AudienceEngine::IndexRuns() {
  run_at_.clear();
  if (!set_) return;
  for (const auto& a : set_->audiences()) {
    auto it = runs_.find(a->id);
    run_at_.push_back(it == runs_.end() ? nullptr : &it->second);
  }
}

Status AudienceEngine::BeginBatch(StateOverlay* overlay, StateBatch* batch, int64_t limit) {
  overlay_ = overlay;
  batch_ = batch;
  limit_ = limit;
  changed_ = false;
  due_.clear();
  batch_timers_.clear();
  std::vector<std::pair<int64_t, uint64_t>> stored;
  RETURN_IF_ERROR(store_->TimersDue(fired_before_, limit, SIZE_MAX, &stored));
  due_.insert(stored.begin(), stored.end());
  for (const Generation& g : pending_) {  // written by batches still in flight
    for (const auto& t : g.timers) {
      if (t.first <= limit) due_.insert(t);
    }
  }
  for (uint64_t id : deleted_) {
    batch->DeleteAudienceMembers(id);
    batch->DeleteMeta(HistoryKey(id));
  }
  if (!deleted_.empty()) changed_ = true;
  deleted_.clear();
  return Status::OK();
}

Status AudienceEngine::BeforeEvent(int64_t now) { return FireDue(now); }

Status AudienceEngine::FireDue(int64_t up_to) {
  while (!due_.empty() && due_.begin()->first <= up_to) {
    const auto [due, id] = *due_.begin();
    due_.erase(due_.begin());
    batch_->DeleteTimer(due, id);
    changed_ = true;
    ASSIGN_OR_RETURN(ProfileRecord * p, overlay_->Profile(id));
    if (p->merged_into != 0 || p->next_check_us != due) continue;  // superseded
    RETURN_IF_ERROR(EvaluateProfile(p, due, {}));
    RETURN_IF_ERROR(WakeReactors(p, due));
  }
  return Status::OK();
}

Status AudienceEngine::AfterEvent(const AppliedEvent& applied) {
  for (const AppliedEvent::Gone& gone : applied.merged) DropMerged(gone, applied.now);
  if (applied.profile == 0 || !set_ || (set_->audiences().empty() && reactors_.empty())) {
    return Status::OK();  // nothing to evaluate, nobody to tell
  }
  const size_t n = set_->audiences().size();
  // A new profile is checked against every audience: some hold for a customer with no history
  // ("not performed ...", "traits.phone is not set"). A merge changes everything at once.
  std::vector<bool> affected(n, applied.created || !applied.merged.empty());
  auto mark = [&](const std::vector<size_t>* list) {
    if (list) {
      for (size_t i : *list) affected[i] = true;
    }
  };
  for (const ComputedDef* def : applied.matched) mark(set_->ByDefinition(def->name));
  simdjson::dom::element doc = applied.doc;
  std::string_view type;
  if (doc["type"].get(type) != simdjson::SUCCESS) type = "";
  auto by_trait = [&](std::string_view key) { mark(set_->ByTrait(key)); };
  if (type == "identify") ForEachKey(doc["traits"], by_trait);
  ForEachKey(doc["context"]["traits"], by_trait);
  simdjson::dom::element consent;
  if (doc["context"]["consent"].get(consent) == simdjson::SUCCESS) mark(&set_->with_consent());
  ASSIGN_OR_RETURN(ProfileRecord * p, overlay_->Profile(applied.profile));
  if (type == "group" && !set_->with_accounts().empty()) {
    mark(&set_->with_accounts());
    // The account's traits may have changed: its other members are re-evaluated too.
    std::vector<bool> accounts_only(n, false);
    for (size_t i : set_->with_accounts()) accounts_only[i] = true;
    std::vector<uint64_t> others;
    for (const std::string& gid : p->accounts) {
      ASSIGN_OR_RETURN(AccountRecord * account, overlay_->Account(gid));
      for (uint64_t m : account->members) {
        if (m != p->id) others.push_back(m);
      }
    }
    std::sort(others.begin(), others.end());
    others.erase(std::unique(others.begin(), others.end()), others.end());
    for (uint64_t m : others) {
      ASSIGN_OR_RETURN(ProfileRecord * member, overlay_->Profile(m));
      if (member->merged_into == 0) {
        RETURN_IF_ERROR(EvaluateProfile(member, applied.now, accounts_only));
      }
    }
  }
  RETURN_IF_ERROR(EvaluateProfile(p, applied.now, std::move(affected)));
  if (reactors_.empty()) return Status::OK();
  RETURN_IF_ERROR(WakeReactors(p, applied.now));  // what was due before this event first
  for (AudienceReactor* r : reactors_) RETURN_IF_ERROR(r->OnEvent(applied, p));
  Schedule(p);
  return Status::OK();
}

Status AudienceEngine::WakeReactors(ProfileRecord* p, int64_t now) {
  for (AudienceReactor* r : reactors_) {
    const int64_t wake = r->NextWake(*p);
    if (wake != 0 && wake <= now) RETURN_IF_ERROR(r->OnWake(p, now));
  }
  Schedule(p);
  return Status::OK();
}

Status AudienceEngine::EvaluateProfile(ProfileRecord* p, int64_t now, std::vector<bool> affected) {
  if (!set_) return Status::OK();
  const auto& list = set_->audiences();
  affected.resize(list.size(), false);
  const size_t marks_before = p->audiences.size();
  // Marks of audiences that no longer exist go; audiences with a mark due by now are evaluated.
  for (auto it = p->audiences.begin(); it != p->audiences.end();) {
    const int i = set_->IndexOf(it->first);
    if (i < 0) {
      it = p->audiences.erase(it);
      continue;
    }
    if (it->second.next_us != 0 && it->second.next_us <= now) affected[i] = true;
    ++it;
  }
  std::vector<const AccountRecord*> accounts;
  bool accounts_loaded = false;
  bool marks_changed = false;
  for (size_t i = 0; i < list.size(); ++i) {
    if (!affected[i] || !Active(i, p->id)) continue;
    const CompiledAudience& a = *list[i];
    if (a.accounts && !accounts_loaded) {
      for (const std::string& gid : p->accounts) {
        ASSIGN_OR_RETURN(AccountRecord * account, overlay_->Account(gid));
        accounts.push_back(account);
      }
      accounts_loaded = true;
    }
    EvalContext ctx;
    ctx.profile = p;
    ctx.accounts = accounts;
    ctx.bindings = &a.bindings;
    ctx.in_audience = [p](uint64_t id) {
      auto it = p->audiences.find(id);
      return it != p->audiences.end() && it->second.member;
    };
    ctx.now_us = now;
    const EvalResult r = Evaluate(a.root, ctx);
    if (evaluations_) evaluations_->Inc();
    AudienceMark& m = p->audiences[a.id];
    const AudienceMark before = m;
    if (r.value != m.member) {
      m.member = r.value;
      m.since_us = r.value ? now : 0;
      RecordTransition(a, p, r.value, now);
      for (size_t d : a.dependents) affected[d] = true;
    }
    m.next_us = r.next_us;
    marks_changed = marks_changed || !(m == before);
    if (!m.member && m.next_us == 0) p->audiences.erase(a.id);
  }
  if (marks_changed || p->audiences.size() != marks_before) changed_ = true;
  Schedule(p);
  return Status::OK();
}

void AudienceEngine::Schedule(ProfileRecord* p) {
  int64_t next = 0;
  for (const auto& [id, m] : p->audiences) {
    if (m.next_us != 0 && (next == 0 || m.next_us < next)) next = m.next_us;
  }
  for (const AudienceReactor* r : reactors_) {
    const int64_t wake = r->NextWake(*p);
    if (wake != 0 && (next == 0 || wake < next)) next = wake;
  }
  if (next == p->next_check_us) return;
  if (p->next_check_us != 0) batch_->DeleteTimer(p->next_check_us, p->id);
  if (next != 0) {
    batch_->PutTimer(next, p->id);
    batch_timers_.emplace_back(next, p->id);
    if (next <= limit_) due_.emplace(next, p->id);
  }
  p->next_check_us = next;
  changed_ = true;
}

void AudienceEngine::RecordTransition(const CompiledAudience& a, ProfileRecord* p, bool entered,
                                      int64_t at) {
  Run& run = runs_[a.id];
  run.size += entered ? 1 : -1;
  CountDay(a.id, at, entered);
  if (entered) {
    batch_->PutMember(a.id, p->id, at);
  } else {
    batch_->DeleteMember(a.id, p->id);
  }
  std::string json = "{\"type\":\"track\",\"event\":";
  AppendJsonString(&json, entered ? "Audience Entered" : "Audience Exited");
  json += ",\"properties\":{\"audience\":";
  AppendJsonString(&json, a.name);
  json += ",\"audience_id\":" + std::to_string(a.id) + "},\"timestamp\":";
  AppendJsonString(&json, FormatIso8601(at));
  const std::string key = "aud-" + std::to_string(a.id) + "-" + std::to_string(p->id) + "-" +
                          std::to_string(at) + (entered ? "-in" : "-out");
  json += ",\"messageId\":";
  AppendJsonString(&json, key);
  json += '}';
  overlay_->AddTimeline(p, {at, TransitionSeq(a.id, p->id, at)}, kTimelineSource, json);
  if (Counter* c = entered ? entered_ : exited_) c->Inc();
  const AudienceTransition t{a.id, a.name, p->id, entered, at, key};
  for (AudienceReactor* r : reactors_) r->OnTransition(t, p);
  changed_ = true;
}

// A transition's timeline seq: (at << 10) | slot, unique per profile and time. The slot is the
// audience id's low 10 bits unless a transition of the same profile at the same time took it
// already (audiences whose ids differ by a multiple of 1,024, moved by one event); then the next
// free one. A profile's transitions at one time are recorded one after another (one event, timer
// or scan step evaluates it), in the same order on replay, so they get the same slots. A profile
// with more than 1,024 transitions in one microsecond reuses slots (docs/formats/profile-state.md).
uint64_t AudienceEngine::TransitionSeq(uint64_t audience, uint64_t profile, int64_t at) {
  if (at != slots_at_ || profile != slots_profile_) {
    slots_at_ = at;
    slots_profile_ = profile;
    slots_.reset();
  }
  uint64_t slot = audience & 1023;
  for (int tries = 0; tries < 1024 && slots_.test(slot); ++tries) slot = (slot + 1) & 1023;
  slots_.set(slot);
  return (static_cast<uint64_t>(at) << 10) | slot;
}

void AudienceEngine::CountDay(uint64_t audience, int64_t at, bool entered) {
  const int64_t day = at >= 0 ? at / kDayUs : (at - kDayUs + 1) / kDayUs;
  Days& days = days_[audience];
  DayCount& c = days[day];
  ++(entered ? c.entered : c.exited);
  while (days.size() > kHistoryDays) days.erase(days.begin());
  history_changed_.insert(audience);
}

void AudienceEngine::DropMerged(const AppliedEvent::Gone& gone, int64_t now) {
  for (const auto& [id, mark] : gone.audiences) {
    if (!mark.member) continue;
    batch_->DeleteMember(id, gone.id);
    auto run = runs_.find(id);
    if (run != runs_.end()) {
      --run->second.size;
      CountDay(id, now, false);
    }
  }
  if (gone.next_check_us != 0) batch_->DeleteTimer(gone.next_check_us, gone.id);
  changed_ = true;
}

Status AudienceEngine::EndBatch(int64_t done, bool* changed) {
  RETURN_IF_ERROR(FireDue(done));
  // Timers due later than `done` stay for the next batch; the ones in flight were fired too.
  fired_before_ = std::max(fired_before_, done);
  for (AudienceReactor* r : reactors_) RETURN_IF_ERROR(r->Flush());
  if (changed_) batch_->PutMeta(kRunsKey, EncodeRuns());
  std::map<uint64_t, Days> changed_days;
  for (uint64_t id : history_changed_) {
    if (!runs_.count(id)) continue;
    batch_->PutMeta(HistoryKey(id), EncodeHistory(days_[id]));
    changed_days[id] = days_[id];
  }
  history_changed_.clear();
  *changed = changed_;
  pending_.push_back({std::move(batch_timers_), runs_, std::move(changed_days)});
  batch_timers_.clear();
  due_.clear();
  overlay_ = nullptr;
  batch_ = nullptr;
  return Status::OK();
}

void AudienceEngine::Committed() {
  if (pending_.empty()) return;
  Generation g = std::move(pending_.front());
  pending_.pop_front();
  Publish(g.runs, &g.days);
}

void AudienceEngine::Reset() {
  for (AudienceReactor* r : reactors_) r->Discard();
  fired_before_ = 0;  // what the failed batches fired is due again
  pending_.clear();
  due_.clear();
  batch_timers_.clear();
  history_changed_.clear();
  runs_.clear();
  run_at_.clear();
  days_.clear();
  slots_profile_ = 0;  // profile ids start at 1: the next transition starts afresh
  overlay_ = nullptr;
  batch_ = nullptr;
}

bool AudienceEngine::Startable(const CompiledAudience& a) const {
  for (const std::string& d : a.hidden) {
    if (!ready_defs_.count(d)) return false;
  }
  for (const std::string& d : a.computed) {
    if (!ready_defs_.count(d)) return false;
  }
  for (uint64_t r : a.refs) {
    auto it = runs_.find(r);
    if (it == runs_.end() || it->second.phase != Phase::kLive) return false;
  }
  return true;
}

bool AudienceEngine::HasBackgroundWork() const {
  if (!set_) return false;
  const auto& list = set_->audiences();
  for (size_t i = 0; i < list.size(); ++i) {
    const Run* run = i < run_at_.size() ? run_at_[i] : nullptr;
    if (run == nullptr) return true;  // not reconciled yet: let BackgroundStep see it
    if (run->phase == Phase::kScanning) return true;
    if (run->phase == Phase::kWaiting && Startable(*list[i])) return true;
  }
  return false;
}

Status AudienceEngine::BackgroundStep(bool* more) {
  *more = false;
  if (!set_) return Status::OK();
  // Waiting audiences start once what they read is computed over history.
  for (const auto& a : set_->audiences()) {
    Run& run = runs_[a->id];
    if (run.phase != Phase::kWaiting || !Startable(*a)) continue;
    run.phase = Phase::kScanning;
    run.cursor = 1;
    changed_ = true;
  }
  std::vector<size_t> scanning;
  uint64_t from = UINT64_MAX;
  for (size_t i = 0; i < set_->audiences().size(); ++i) {
    const Run& run = runs_[set_->audiences()[i]->id];
    if (run.phase != Phase::kScanning) continue;
    scanning.push_back(i);
    from = std::min(from, run.cursor);
  }
  if (scanning.empty()) return Status::OK();
  std::vector<uint64_t> ids;
  RETURN_IF_ERROR(store_->ScanProfiles(from, [&](const ProfileRecord& r) {
    ids.push_back(r.id);
    return ids.size() < kScanChunk;
  }));
  for (uint64_t id : ids) {
    std::vector<bool> affected(set_->audiences().size(), false);
    for (size_t i : scanning) {
      Run& run = runs_[set_->audiences()[i]->id];
      if (run.cursor > id) continue;
      run.cursor = id + 1;
      affected[i] = true;
    }
    ASSIGN_OR_RETURN(ProfileRecord * p, overlay_->Profile(id));
    RETURN_IF_ERROR(EvaluateProfile(p, limit_, std::move(affected)));
  }
  if (ids.size() < kScanChunk) {
    for (size_t i : scanning) runs_[set_->audiences()[i]->id].phase = Phase::kLive;
  }
  changed_ = true;
  *more = ids.size() == kScanChunk;  // audiences waiting on these start at the next step
  return Status::OK();
}

}  // namespace rapport
