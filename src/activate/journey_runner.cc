#include "activate/journey_runner.h"

#include <simdjson.h>

#include <algorithm>
#include <functional>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "audience/evaluate.h"
#include "common/json_writer.h"
#include "common/time_format.h"
#include "profile/computed/computed_match.h"

namespace rapport {
namespace {

constexpr char kCountsKey[] = "journeys";
constexpr int64_t kSecond = 1'000'000;
constexpr int64_t kDay = 86'400 * kSecond;
constexpr size_t kMaxTriggerProperties = 16384;  // bytes of `properties` kept with an instance

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - (a % b != 0 && (a < 0) != (b < 0)); }

std::shared_ptr<const TimeZone> Utc() {
  static const auto utc = std::make_shared<const TimeZone>(TimeZone::Fixed(0));
  return utc;
}

std::vector<uint64_t> JourneyIds(const ProfileRecord& p) {
  std::vector<uint64_t> ids;
  for (auto it = p.ext.lower_bound("j"); it != p.ext.end() && it->first[0] == 'j'; ++it) {
    if (auto id = ParseJourneyExtKey(it->first)) ids.push_back(*id);
  }
  return ids;
}

// What an instance keeps of its trigger event for later sends.
std::string TriggerEvent(simdjson::dom::element doc) {
  std::string out = "{";
  for (const char* key : {"type", "event", "name", "messageId", "timestamp", "properties"}) {
    simdjson::dom::element v;
    if (doc[key].get(v) != simdjson::SUCCESS) continue;
    std::string json = simdjson::minify(v);
    if (json.size() > kMaxTriggerProperties) continue;
    if (out.size() > 1) out += ',';
    AppendJsonString(&out, key);
    out += ':';
    out += json;
  }
  return out + "}";
}

void AppendProfile(const ProfileRecord& p, std::string* out) {
  *out += "{\"id\":";
  AppendJsonString(out, ProfileIdText(p.id));
  *out += ",\"traits\":{";
  bool first = true;
  for (const auto& [name, v] : p.traits) {
    if (!first) *out += ',';
    first = false;
    AppendJsonString(out, name);
    *out += ':';
    *out += v.json;
  }
  *out += "},\"identities\":[";
  for (size_t i = 0; i < p.identities.size(); ++i) {
    if (i) *out += ',';
    *out += "{\"type\":";
    AppendJsonString(out, p.identities[i].id.type);
    *out += ",\"value\":";
    AppendJsonString(out, p.identities[i].id.value);
    *out += '}';
  }
  *out += "]}";
}

}  // namespace

struct JourneyRunner::CompiledJourney {
  JourneyDef def;
  uint64_t audience = 0;  // the trigger audience's id (0: an event trigger, or it is gone)
  ComputedDef match;      // the trigger event
  struct Step {
    size_t next = 0, alt = 0;  // targets (def.steps.size(): exit)
    int64_t duration_us = 0;   // wait, wait_for
    ComputedDef match;         // wait_for
    LeafBindings bindings;     // branch: pointers into def and JourneySet::computed
    bool accounts = false;     // branch: reads account traits
  };
  std::vector<Step> steps;
  std::shared_ptr<const TimeZone> zone;  // for profiles without a valid `timezone` trait
};

struct JourneyRunner::JourneySet {
  std::vector<ComputedDef> computed;  // filled first: bindings point into it
  std::map<uint64_t, std::unique_ptr<CompiledJourney>> by_id;
  std::map<std::string, std::vector<const CompiledJourney*>, std::less<>> by_event;
  std::map<uint64_t, std::vector<const CompiledJourney*>> by_audience;
  std::vector<std::string> problems;

  const CompiledJourney* Find(uint64_t id) const {
    auto it = by_id.find(id);
    return it == by_id.end() ? nullptr : it->second.get();
  }
};

namespace {

ComputedDef EventMatch(const std::string& event, const std::vector<WhereClause>& where) {
  ComputedDef d;
  d.name = "_journey";
  d.type = EventType::kTrack;
  d.event = event;
  d.where = where;
  return d;
}

std::shared_ptr<const JourneyRunner::JourneySet> Compile(
    const std::vector<JourneyDef>& journeys, const std::map<std::string, uint64_t>& audiences,
    const std::vector<ComputedDef>& computed, TimeZoneCache* zones) {
  auto set = std::make_shared<JourneyRunner::JourneySet>();
  set->computed = computed;
  std::map<std::string, const ComputedDef*, std::less<>> computed_by_name;
  for (const ComputedDef& c : set->computed) computed_by_name[c.name] = &c;
  for (const JourneyDef& def : journeys) {
    auto j = std::make_unique<JourneyRunner::CompiledJourney>();
    j->def = def;
    const std::string prefix = "journey " + JsonString(def.name) + ": ";
    auto problem = [&](std::string what) { set->problems.push_back(prefix + what); };
    if (!def.trigger.audience.empty()) {
      auto it = audiences.find(def.trigger.audience);
      if (it == audiences.end()) {
        problem("its trigger audience " + JsonString(def.trigger.audience) +
                " does not exist: no profile starts it");
      } else {
        j->audience = it->second;
      }
    } else {
      j->match = EventMatch(def.trigger.event, def.trigger.where);
    }
    j->zone = Utc();
    if (!def.timezone.empty()) {
      if (auto zone = zones->Get(def.timezone)) {
        j->zone = zone;
      } else {
        problem("time zone " + JsonString(def.timezone) + " is unknown here: UTC is used");
      }
    }
    j->steps.resize(def.steps.size());
    for (size_t i = 0; i < def.steps.size(); ++i) {
      const JourneyStep& s = j->def.steps[i];
      JourneyRunner::CompiledJourney::Step& c = j->steps[i];
      c.next = j->def.Target(i, false);
      c.alt = j->def.Target(i, true);
      c.duration_us = s.duration.micros();
      if (s.type == JourneyStepType::kWaitFor) c.match = EventMatch(s.event, s.where);
      if (s.type != JourneyStepType::kBranch) continue;
      std::function<void(const Node&)> bind = [&](const Node& n) {
        if (n.kind == Node::Kind::kCompare && n.compare.scope == CompareScope::kComputed) {
          auto it = computed_by_name.find(n.compare.clause.path);
          if (it != computed_by_name.end()) {
            c.bindings.defs[&n] = it->second;
          } else {
            problem("step " + JsonString(s.name) + " reads computed trait " +
                    JsonString(n.compare.clause.path) + ", which does not exist (false)");
          }
        } else if (n.kind == Node::Kind::kCompare && n.compare.scope == CompareScope::kAccount) {
          c.accounts = true;
        } else if (n.kind == Node::Kind::kInAudience) {
          auto it = audiences.find(n.name);
          if (it != audiences.end()) {
            c.bindings.audiences[&n] = it->second;
          } else {
            problem("step " + JsonString(s.name) + " tests audience " + JsonString(n.name) +
                    ", which does not exist (false)");
          }
        }
        for (const Node& child : n.children) bind(child);
      };
      bind(s.condition);
    }
    const JourneyRunner::CompiledJourney* raw = j.get();
    if (raw->audience != 0) set->by_audience[raw->audience].push_back(raw);
    if (!raw->def.trigger.event.empty()) set->by_event[raw->def.trigger.event].push_back(raw);
    set->by_id[def.id] = std::move(j);
  }
  return set;
}

}  // namespace

std::optional<std::string> CatalogJourneySender::Purpose(std::string_view destination) const {
  std::optional<DestinationDef> def = catalog_->Get(destination);
  if (!def) return std::nullopt;
  return def->purpose;
}

Status CatalogJourneySender::Send(std::string_view destination,
                                  const std::vector<DestinationMessage>& messages) {
  return catalog_->Send(destination, messages);
}

std::string JourneyContext(const JourneyDef& journey, uint64_t audience_id, size_t step,
                           const JourneyState& state, const ProfileRecord& profile,
                           const std::string& key, int64_t now) {
  const JourneyStep& s = journey.steps[step];
  std::string out = "{\"type\":\"journey\",\"messageId\":";
  AppendJsonString(&out, key);
  out += ",\"timestamp\":";
  AppendJsonString(&out, FormatIso8601(now));
  out += ",\"journey\":{\"id\":" + std::to_string(journey.id) + ",\"name\":";
  AppendJsonString(&out, journey.name);
  out += ",\"instance\":" + std::to_string(state.instance) + "},\"step\":{\"name\":";
  AppendJsonString(&out, s.name);
  out += ",\"index\":" + std::to_string(step);
  if (!s.data.empty()) out += ",\"data\":" + s.data;
  out += "},\"profile\":";
  AppendProfile(profile, &out);
  if (!journey.trigger.audience.empty()) {
    out += ",\"audience\":{\"id\":" + std::to_string(audience_id) + ",\"name\":";
    AppendJsonString(&out, journey.trigger.audience);
    out += '}';
  }
  if (!state.event.empty()) out += ",\"event\":" + state.event;
  return out + "}";
}

JourneyRunner::JourneyRunner(JourneyRunnerOptions options)
    : options_(std::move(options)), zones_(options_.zones) {
  if (!zones_) {
    own_zones_ = std::make_unique<TimeZoneCache>();
    zones_ = own_zones_.get();
  }
  if (Registry* m = options_.metrics) {
    started_ = m->GetCounter("rapport_journey_started_total", "Journey instances started.");
    sent_ = m->GetCounter("rapport_journey_sent_total", "Journey messages handed to destinations.");
    skipped_ = m->GetCounter("rapport_journey_skipped_total",
                             "Journey sends skipped (frequency cap, consent, no destination).");
  }
}

JourneyRunner::~JourneyRunner() = default;

Status JourneyRunner::Reload() {
  auto loaded = std::make_shared<Loaded>();
  if (options_.load) {
    ASSIGN_OR_RETURN(loaded->journeys, options_.load());
  }
  if (options_.audiences) {
    ASSIGN_OR_RETURN(loaded->audiences, options_.audiences());
  }
  std::lock_guard lock(mu_);
  loaded_ = std::move(loaded);
  ++loaded_generation_;
  return Status::OK();
}

std::optional<JourneyCounts> JourneyRunner::Counts(uint64_t journey) const {
  std::lock_guard lock(mu_);
  auto it = published_.find(journey);
  if (it == published_.end()) return std::nullopt;
  return it->second;
}

std::vector<std::string> JourneyRunner::Problems() const {
  std::lock_guard lock(mu_);
  return problems_;
}

Status JourneyRunner::Open(const StateStore* store) {
  store_ = store;
  counts_.clear();
  ASSIGN_OR_RETURN(auto stored, store->Meta(kCountsKey));
  if (stored) {
    ASSIGN_OR_RETURN(counts_, DecodeJourneyCounts(*stored));
  }
  reconcile_ = true;
  std::lock_guard lock(mu_);
  published_ = counts_;
  return Status::OK();
}

void JourneyRunner::ComputedChanged(const std::vector<ComputedDef>& defs) {
  computed_.clear();
  for (const ComputedDef& d : defs) {
    if (d.name.empty() || d.name[0] != '_') computed_.push_back(d);
  }
  recompile_ = true;
  // Audiences changed too, perhaps (their API reloads the pipeline's definitions): re-read
  // which audience ids the names mean.
  Status s = Reload();
  if (!s.ok()) spdlog::error("journeys: reload: {}", s.ToString());
}

void JourneyRunner::BeginBatch(StateOverlay* overlay, StateBatch* batch) {
  overlay_ = overlay;
  batch_ = batch;
  Adopt();
}

void JourneyRunner::Adopt() {
  std::shared_ptr<const Loaded> loaded;
  uint64_t generation = 0;
  {
    std::lock_guard lock(mu_);
    loaded = loaded_;
    generation = loaded_generation_;
  }
  if (!loaded) return;  // never loaded: keep the counts as they are
  if (!set_ || generation != set_generation_ || recompile_) {
    set_ = Compile(loaded->journeys, loaded->audiences, computed_, zones_);
    set_generation_ = generation;
    recompile_ = false;
    reconcile_ = true;
    for (const std::string& p : set_->problems) spdlog::warn("journeys: {}", p);
    std::lock_guard lock(mu_);
    problems_ = set_->problems;
  }
  if (!reconcile_) return;
  reconcile_ = false;
  for (const auto& [id, j] : set_->by_id) {
    auto [it, added] = counts_.try_emplace(id);
    if (added || it->second.steps.size() != j->def.steps.size()) {
      it->second.steps.resize(j->def.steps.size());
      counts_changed_ = true;
    }
  }
  for (auto it = counts_.begin(); it != counts_.end();) {
    if (set_->by_id.count(it->first)) {
      ++it;
    } else {
      it = counts_.erase(it);
      counts_changed_ = true;
    }
  }
}

void JourneyRunner::EndBatch(bool* changed) {
  if (counts_changed_ && batch_) {
    batch_->PutMeta(kCountsKey, EncodeJourneyCounts(counts_));
    *changed = true;
    generations_.push_back(counts_);
  } else {
    generations_.push_back(std::nullopt);
  }
  counts_changed_ = false;
  overlay_ = nullptr;
  batch_ = nullptr;
}

void JourneyRunner::Committed() {
  if (generations_.empty()) return;
  auto g = std::move(generations_.front());
  generations_.pop_front();
  if (!g) return;
  std::lock_guard lock(mu_);
  published_ = std::move(*g);
}

void JourneyRunner::Reset() {
  generations_.clear();
  outgoing_.clear();
  counts_changed_ = false;
  overlay_ = nullptr;
  batch_ = nullptr;
}

JourneyCounts& JourneyRunner::CountsOf(const CompiledJourney& j) {
  JourneyCounts& c = counts_[j.def.id];
  if (c.steps.size() != j.def.steps.size()) c.steps.resize(j.def.steps.size());
  counts_changed_ = true;
  return c;
}

JourneyState JourneyRunner::Load(const ProfileRecord& p, uint64_t journey) {
  auto it = p.ext.find(JourneyExtKey(journey));
  if (it == p.ext.end()) return {};
  auto s = JourneyState::Decode(it->second);
  if (!s.ok()) {
    spdlog::error("journeys: {} journey {}: {} (state reset)", ProfileIdText(p.id), journey,
                  s.status().ToString());
    return {};
  }
  return std::move(*s);
}

void JourneyRunner::Store(ProfileRecord* p, uint64_t journey, const JourneyState& s) {
  p->ext[JourneyExtKey(journey)] = s.Encode();
}

void JourneyRunner::DropDeleted(ProfileRecord* p) {
  if (!set_) return;
  for (uint64_t id : JourneyIds(*p)) {
    if (!set_->Find(id)) p->ext.erase(JourneyExtKey(id));
  }
}

void JourneyRunner::OnTransition(const AudienceTransition& t, ProfileRecord* p) {
  if (!set_ || !t.entered) return;
  auto it = set_->by_audience.find(t.audience);
  if (it == set_->by_audience.end()) return;
  DropDeleted(p);
  // Started now, run at the wake-up that follows at the same time: by then every audience of
  // the profile is current (the engine evaluates them in order, and this is one of them).
  for (const CompiledJourney* j : it->second) {
    if (t.at_us >= j->def.created_at_us) Start(*j, p, t.at_us, "", false);
  }
}

Status JourneyRunner::OnEvent(const AppliedEvent& applied, ProfileRecord* p) {
  if (!set_) return Status::OK();
  if (!batch_ && !warned_unwrapped_) {
    warned_unwrapped_ = true;
    spdlog::error(
        "journeys: the pipeline's hooks are not wrapped in JourneyHooks: counts are "
        "not saved");
  }
  const int64_t now = applied.now;
  for (const AppliedEvent::Gone& gone : applied.merged) MergeIn(gone, p);
  DropDeleted(p);
  // Instances waiting for this event first: the event that starts an instance is not one it
  // waits for.
  for (uint64_t id : JourneyIds(*p)) {
    const CompiledJourney* j = set_->Find(id);
    JourneyState s = Load(*p, id);
    if (!j || !s.active || !s.in_step || s.step >= j->steps.size() ||
        j->def.steps[s.step].type != JourneyStepType::kWaitFor ||
        !Matches(j->steps[s.step].match, applied.doc)) {
      continue;
    }
    Leave(*j, &s, j->steps[s.step].next, false);
    Run(*j, &s, p, now, false);
    Store(p, id, s);
  }
  std::string_view type, event;
  if (applied.doc["type"].get(type) != simdjson::SUCCESS || type != "track" ||
      applied.doc["event"].get(event) != simdjson::SUCCESS) {
    return Status::OK();
  }
  auto it = set_->by_event.find(event);
  if (it == set_->by_event.end()) return Status::OK();
  for (const CompiledJourney* j : it->second) {
    if (now >= j->def.created_at_us && Matches(j->match, applied.doc)) {
      Start(*j, p, now, TriggerEvent(applied.doc), true);
    }
  }
  return Status::OK();
}

Status JourneyRunner::OnWake(ProfileRecord* p, int64_t now) {
  if (!set_) return Status::OK();
  DropDeleted(p);
  for (uint64_t id : JourneyIds(*p)) {
    const CompiledJourney* j = set_->Find(id);
    JourneyState s = Load(*p, id);
    if (!j || !s.active || s.wake_us == 0 || s.wake_us > now) continue;
    Run(*j, &s, p, now, true);
    Store(p, id, s);
  }
  return Status::OK();
}

int64_t JourneyRunner::NextWake(const ProfileRecord& p) const {
  int64_t next = 0;
  for (auto it = p.ext.lower_bound("j"); it != p.ext.end() && it->first[0] == 'j'; ++it) {
    if (!ParseJourneyExtKey(it->first)) continue;
    const int64_t wake = JourneyState::PeekWake(it->second);
    if (wake != 0 && (next == 0 || wake < next)) next = wake;
  }
  return next;
}

Status JourneyRunner::Flush() {
  for (auto& [destination, messages] : outgoing_) {
    Status s = options_.sender->Send(destination, messages);
    if (s.code() == StatusCode::kNotFound) {
      spdlog::warn("journeys: destination \"{}\" was deleted: {} messages not sent", destination,
                   messages.size());
      continue;
    }
    if (!s.ok()) return s.WithContext("journeys: send to \"" + destination + "\"");
  }
  outgoing_.clear();
  return Status::OK();
}

void JourneyRunner::Start(const CompiledJourney& j, ProfileRecord* p, int64_t now,
                          std::string event, bool run) {
  JourneyState s = Load(*p, j.def.id);
  if (s.active) return;
  if (s.entries > 0) {
    if (j.def.reentry == Reentry::kNever) return;
    if (j.def.reentry == Reentry::kAfterDays &&
        now < s.last_entered_us + int64_t{j.def.reentry_days} * kDay) {
      return;
    }
  }
  s.active = true;
  s.in_step = false;
  s.entries++;
  s.origin = p->id;
  s.instance = s.entries;
  s.step = 0;
  s.event = std::move(event);
  s.last_entered_us = now;
  s.wake_us = now;
  CountsOf(j).entered++;
  if (started_) started_->Inc();
  if (run) Run(j, &s, p, now, false);
  Store(p, j.def.id, s);
}

void JourneyRunner::Run(const CompiledJourney& j, JourneyState* s, ProfileRecord* p, int64_t now,
                        bool woken) {
  const std::vector<JourneyStep>& steps = j.def.steps;
  while (s->active) {
    if (s->step >= steps.size()) {  // the end: the instance exits
      CountsOf(j).exited++;
      const uint64_t entries = s->entries;
      const int64_t entered = s->last_entered_us;
      std::vector<int64_t> sends = std::move(s->sends);
      *s = JourneyState{};
      s->entries = entries;
      s->last_entered_us = entered;
      s->last_exited_us = now;
      s->sends = std::move(sends);
      return;
    }
    const JourneyStep& def = steps[s->step];
    const CompiledJourney::Step& step = j.steps[s->step];
    if (!s->in_step) {
      CountsOf(j).steps[s->step].entered++;
      s->in_step = true;
      s->wake_us = 0;
      if (def.type == JourneyStepType::kWait || def.type == JourneyStepType::kWaitFor) {
        s->wake_us = now + step.duration_us;
        return;
      }
    } else if (!woken) {
      return;  // still waiting
    }
    woken = false;
    switch (def.type) {
      case JourneyStepType::kWait:
        Leave(j, s, step.next, false);
        break;
      case JourneyStepType::kWaitFor:  // timed out
        Leave(j, s, step.alt, true);
        break;
      case JourneyStepType::kBranch: {
        const bool yes = BranchHolds(j, s->step, *p, now);
        Leave(j, s, yes ? step.next : step.alt, !yes);
        break;
      }
      case JourneyStepType::kSend:
        if (!Send(j, s->step, s, p, now)) return;  // held by quiet hours
        Leave(j, s, step.next, false);
        break;
      case JourneyStepType::kExit:
        Leave(j, s, steps.size(), false);
        break;
    }
  }
}

void JourneyRunner::Leave(const CompiledJourney& j, JourneyState* s, size_t to, bool alt) {
  StepCounts& c = CountsOf(j).steps[s->step];
  ++c.exited;
  if (alt) ++c.alt;
  s->step = static_cast<uint32_t>(to);
  s->in_step = false;
  s->wake_us = 0;
}

bool JourneyRunner::BranchHolds(const CompiledJourney& j, size_t step, const ProfileRecord& p,
                                int64_t now) {
  const CompiledJourney::Step& st = j.steps[step];
  EvalContext ctx;
  ctx.profile = &p;
  ctx.bindings = &st.bindings;
  ctx.now_us = now;
  ctx.in_audience = [&p](uint64_t id) {
    auto it = p.audiences.find(id);
    return it != p.audiences.end() && it->second.member;
  };
  if (st.accounts && overlay_) {
    for (const std::string& gid : p.accounts) {
      auto account = overlay_->Account(gid);
      if (account.ok()) ctx.accounts.push_back(*account);
    }
  }
  return Evaluate(j.def.steps[step].condition, ctx).value;
}

std::shared_ptr<const TimeZone> JourneyRunner::ZoneFor(const CompiledJourney& j,
                                                       const ProfileRecord& p) {
  auto it = p.traits.find("timezone");
  if (it != p.traits.end()) {
    const ComputedValue v = ValueOfJson(it->second.json);
    if (v.kind() == ComputedValue::Kind::kString) {
      if (auto zone = zones_->Get(v.text())) return zone;
    }
  }
  return j.zone;
}

bool JourneyRunner::Send(const CompiledJourney& j, size_t step, JourneyState* s, ProfileRecord* p,
                         int64_t now) {
  const JourneyStep& def = j.def.steps[step];
  if (j.def.has_quiet_hours()) {
    const QuietHours quiet{j.def.quiet_start, j.def.quiet_end};
    const std::shared_ptr<const TimeZone> zone = ZoneFor(j, *p);
    const int64_t t = FloorDiv(now, kSecond);
    if (quiet.Contains(*zone, t)) {
      s->wake_us = quiet.End(*zone, t) * kSecond;  // > now
      return false;
    }
  }
  StepCounts& c = CountsOf(j).steps[step];
  auto skip = [&](uint64_t* counter) {
    ++*counter;
    if (skipped_) skipped_->Inc();
    return true;
  };
  const std::optional<std::string> purpose =
      options_.sender ? options_.sender->Purpose(def.destination) : std::nullopt;
  if (!purpose) return skip(&c.no_destination);
  if (!purpose->empty()) {
    auto consent = p->consent.find(*purpose);
    if (consent == p->consent.end() || consent->second.json != "true") {
      return skip(&c.no_consent);
    }
  }
  if (j.def.has_cap()) {
    const int64_t window = int64_t{j.def.cap_days} * kDay;
    s->sends.erase(s->sends.begin(),
                   std::upper_bound(s->sends.begin(), s->sends.end(), now - window));
    if (s->sends.size() >= static_cast<size_t>(j.def.cap_sends)) return skip(&c.capped);
    s->sends.push_back(now);
  }
  ++c.sent;
  if (sent_) sent_->Inc();
  const std::string key =
      fmt::format("jrn:{}:{}:{}:{}", j.def.id, ProfileIdText(s->origin), s->instance, def.name);
  outgoing_[def.destination].push_back({key, ProfileIdText(p->id),
                                        JourneyContext(j.def, j.audience, step, *s, *p, key, now),
                                        fmt::format("journey:{}", j.def.id)});
  return true;
}

void JourneyRunner::MergeIn(const AppliedEvent::Gone& gone, ProfileRecord* p) {
  if (!set_) return;
  for (const auto& [key, bytes] : gone.ext) {
    auto id = ParseJourneyExtKey(key);
    const CompiledJourney* j = id ? set_->Find(*id) : nullptr;
    if (!j) continue;
    auto g = JourneyState::Decode(bytes);
    if (!g.ok()) continue;
    JourneyState s = Load(*p, *id);
    // Entries add up (so a "never" journey stays done, and the survivor's own instance numbers
    // keep growing); times are the latest; sends within the cap window are kept.
    s.entries += g->entries;
    s.last_entered_us = std::max(s.last_entered_us, g->last_entered_us);
    s.last_exited_us = std::max(s.last_exited_us, g->last_exited_us);
    std::vector<int64_t> sends;
    std::merge(s.sends.begin(), s.sends.end(), g->sends.begin(), g->sends.end(),
               std::back_inserter(sends));
    const size_t keep = j->def.has_cap() ? static_cast<size_t>(j->def.cap_sends) : 0;
    if (sends.size() > keep) sends.erase(sends.begin(), sends.end() - keep);
    s.sends = std::move(sends);
    if (g->active && !s.active) {
      s.active = true;
      s.in_step = g->in_step;
      s.wake_us = g->wake_us;
      s.origin = g->origin;
      s.instance = g->instance;
      s.step = g->step;
      s.event = g->event;
    } else if (g->active) {  // two at once: the survivor's goes on
      JourneyCounts& c = CountsOf(*j);
      if (g->in_step && g->step < c.steps.size()) ++c.steps[g->step].exited;
      ++c.exited;
      ++c.dropped;
    }
    Store(p, *id, s);
  }
}

Status JourneyHooks::Open(StateStore* store) {
  RETURN_IF_ERROR(inner_->Open(store));
  return runner_->Open(store);
}

void JourneyHooks::DefinitionsChanged(const std::vector<ComputedDef>& defs,
                                      const std::vector<bool>& ready) {
  inner_->DefinitionsChanged(defs, ready);
  runner_->ComputedChanged(defs);
}

Status JourneyHooks::BeginBatch(StateOverlay* overlay, StateBatch* batch, int64_t limit) {
  runner_->BeginBatch(overlay, batch);  // new definitions first
  return inner_->BeginBatch(overlay, batch, limit);
}

Status JourneyHooks::EndBatch(int64_t done, bool* changed) {
  RETURN_IF_ERROR(inner_->EndBatch(done, changed));  // fires what is due, flushes the reactors
  runner_->EndBatch(changed);
  return Status::OK();
}

void JourneyHooks::Committed() {
  inner_->Committed();
  runner_->Committed();
}

void JourneyHooks::Reset() {
  inner_->Reset();
  runner_->Reset();
}

}  // namespace rapport
