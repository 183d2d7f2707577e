#include "profile/pipeline.h"

#include <algorithm>
#include <chrono>

#include <spdlog/spdlog.h>

#include "common/coding.h"
#include "common/pacing.h"
#include "common/threads.h"

namespace rapport {
namespace {

constexpr char kAppliedDefsKey[] = "computed_definitions";

int64_t WallMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

ProfilePipeline::ProfilePipeline(PipelineOptions options)
    : options_(std::move(options)), cache_(StateCache::ForBudget(options_.cache_mb)) {}

Result<std::unique_ptr<ProfilePipeline>> ProfilePipeline::Open(PipelineOptions options) {
  if (options.log == nullptr) return Status::InvalidArgument("profile pipeline: no log");
  std::unique_ptr<ProfilePipeline> p(new ProfilePipeline(std::move(options)));  // NOLINT
  RETURN_IF_ERROR(p->Init());
  return p;
}

ProfilePipeline::~ProfilePipeline() {
  Stop();
  Status s = FinishWrite();
  if (!s.ok()) spdlog::error("profiles: last state write failed: {}", s.ToString());
}

Status ProfilePipeline::Init() {
  ASSIGN_OR_RETURN(store_, StateStore::Open(options_.dir));
  const int n = options_.log->partitions();
  buffered_.resize(n);
  read_next_.resize(n);
  consumed_next_.resize(n);
  for (int p = 0; p < n; ++p) {
    ASSIGN_OR_RETURN(consumed_next_[p], store_->Offset(p));
    read_next_[p] = consumed_next_[p];
  }
  committed_next_ = consumed_next_;
  ASSIGN_OR_RETURN(next_profile_id_, store_->NextProfileId());
  applier_ = std::make_unique<EventApplier>(&options_.identity, &defs_);
  if (options_.metrics) {
    events_counter_ =
        options_.metrics->GetCounter("rapport_profile_events_total", "Events applied to profiles.");
    merges_counter_ = options_.metrics->GetCounter("rapport_profile_merges_total",
                                                   "Profiles merged by identity resolution.");
  }
  if (options_.hooks) RETURN_IF_ERROR(options_.hooks->Open(store_.get()));
  RETURN_IF_ERROR(ReloadDefinitions());
  // Register the consumer at once so that retention waits for it.
  CheckpointLog(true);
  return Status::OK();
}

void ProfilePipeline::Start() {
  stopping_ = false;
  thread_ = std::thread([this] {
    SetThreadName("profiles");
    EnterBackgroundPriority();
    Run();
  });
}

void ProfilePipeline::Stop() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
}

void ProfilePipeline::DefinitionsChanged() { defs_changed_ = true; }

std::vector<ProfilePipeline::DefinitionStatus> ProfilePipeline::Definitions() const {
  std::lock_guard lock(defs_mu_);
  std::vector<DefinitionStatus> out;
  for (size_t i = 0; i < defs_.size(); ++i) out.push_back({defs_[i], defs_ready_[i]});
  return out;
}

ProfilePipeline::Stats ProfilePipeline::GetStats() const {
  Stats s;
  s.events = events_.load();
  s.unattributed = unattributed_.load();
  s.malformed = malformed_.load();
  s.merges = merges_.load();
  s.blocked = blocked_.load();
  s.processed_stamp = processed_stamp_.load();
  return s;
}

Status ProfilePipeline::ReloadDefinitions() {
  RETURN_IF_ERROR(FinishWrite());
  std::vector<ComputedDef> defs;
  if (options_.load_definitions) {
    ASSIGN_OR_RETURN(defs, options_.load_definitions());
  }
  // What the state was computed with: name → canonical JSON.
  std::map<std::string, std::string> applied;
  ASSIGN_OR_RETURN(auto stored, store_->Meta(kAppliedDefsKey));
  if (stored) {
    Decoder d(*stored);
    uint64_t n = 0;
    if (!d.Varint64(&n)) return Status::Corruption("state store: bad applied definitions");
    for (uint64_t i = 0; i < n; ++i) {
      std::string name, json;
      if (!d.LengthPrefixed(&name) || !d.LengthPrefixed(&json)) {
        return Status::Corruption("state store: bad applied definitions");
      }
      applied[name] = json;
    }
  }
  std::vector<bool> ready;
  bool pending = false;
  const bool no_profiles = next_profile_id_ == 1;  // nothing to compute over yet
  for (const ComputedDef& def : defs) {
    auto it = applied.find(def.name);
    ready.push_back(no_profiles || (it != applied.end() && it->second == ToJson(def)));
    pending |= !ready.back();
  }
  {
    std::lock_guard lock(defs_mu_);
    defs_ = std::move(defs);
    defs_ready_ = std::move(ready);
  }
  // Forget removed definitions now, so that re-creating one recomputes it.
  StateBatch batch(store_.get());
  RETURN_IF_ERROR(WriteAppliedDefinitions(&batch, defs_ready_));
  RETURN_IF_ERROR(store_->Write(&batch));
  if (pending) backfill_from_ = 1;
  PublishDefinitions();
  return Status::OK();
}

Status ProfilePipeline::WriteAppliedDefinitions(StateBatch* batch,
                                                const std::vector<bool>& is_ready) {
  std::string value;
  std::vector<const ComputedDef*> ready;
  for (size_t i = 0; i < defs_.size(); ++i) {
    if (is_ready[i]) ready.push_back(&defs_[i]);
  }
  PutVarint64(&value, ready.size());
  for (const ComputedDef* def : ready) {
    PutLengthPrefixed(&value, def->name);
    PutLengthPrefixed(&value, ToJson(*def));
  }
  batch->PutMeta(kAppliedDefsKey, value);
  return Status::OK();
}

Status ProfilePipeline::LoadIdentifierIndex() {
  IdentifierCache& cache = cache_.identifiers;
  const size_t room = cache.keys_without_loss();
  if (store_->EstimateIdentifiers() > room) return Status::OK();
  size_t n = 0;
  RETURN_IF_ERROR(store_->ScanIdentifiers([&](std::string_view key, uint64_t profile) {
    cache.Put(key, profile);
    return ++n <= room;
  }));
  if (n > room) {
    cache.Clear();  // it did not fit after all: the cache fills as it goes, as it did
  } else {
    cache.set_complete();
  }
  return Status::OK();
}

Status ProfilePipeline::Step(size_t* processed) {
  *processed = 0;
  if (!identifiers_loaded_) {
    RETURN_IF_ERROR(LoadIdentifierIndex());
    identifiers_loaded_ = true;
  }
  EventLog* log = options_.log;
  const int64_t watermark = log->DurableStamp();
  const size_t cap = options_.batch_events;
  const int n = log->partitions();
  int64_t limit = watermark;
  std::vector<LogEntry> read;
  for (int p = 0; p < n; ++p) {
    auto& buf = buffered_[p];
    while (buf.size() < cap && (buf.empty() || buf.back().append_time_us <= watermark) &&
           read_next_[p] < log->EndOffset(p)) {
      read.clear();
      RETURN_IF_ERROR(log->Read(p, read_next_[p], cap, &read));
      if (read.empty()) break;
      if (read.front().offset != read_next_[p]) {
        spdlog::error(
            "profiles: log partition {} offsets {}..{} were deleted before they were processed", p,
            read_next_[p], read.front().offset - 1);
      }
      read_next_[p] = read.back().offset + 1;
      for (LogEntry& e : read) buf.push_back(std::move(e));
    }
    // A partition whose read-ahead stopped at the cap may hold more records up to the
    // watermark: go no further than what it has.
    if (buf.size() >= cap && buf.back().append_time_us <= watermark) {
      limit = std::min(limit, buf.back().append_time_us);
    }
  }

  auto batch = std::make_unique<StateBatch>(store_.get());
  StateOverlay overlay(store_.get(), &cache_, batch.get(), next_profile_id_);
  PipelineHooks* hooks = options_.hooks;
  if (hooks) RETURN_IF_ERROR(hooks->BeginBatch(&overlay, batch.get(), limit));
  ApplyStats stats;
  std::vector<size_t> taken(n, 0);
  while (*processed < cap) {
    int best = -1;
    for (int p = 0; p < n; ++p) {
      if (taken[p] >= buffered_[p].size()) continue;
      int64_t t = buffered_[p][taken[p]].append_time_us;
      if (t > limit) continue;
      if (best < 0 || t < buffered_[best][taken[best]].append_time_us) best = p;
    }
    if (best < 0) break;
    const LogEntry& entry = buffered_[best][taken[best]];
    if (hooks) RETURN_IF_ERROR(hooks->BeforeEvent(entry.append_time_us));
    RETURN_IF_ERROR(applier_->Apply(entry, &overlay, &stats));
    if (hooks) RETURN_IF_ERROR(hooks->AfterEvent(applier_->last()));
    ++taken[best];
    ++*processed;
  }
  int64_t done_stamp = limit;
  if (*processed == cap) {
    // Stopped at the cap: done up to the last event applied.
    done_stamp = 0;
    for (int p = 0; p < n; ++p) {
      if (taken[p] > 0)
        done_stamp = std::max(done_stamp, buffered_[p][taken[p] - 1].append_time_us);
    }
  }
  bool hooks_changed = false;
  if (hooks) RETURN_IF_ERROR(hooks->EndBatch(done_stamp, &hooks_changed));
  if (*processed == 0 && !hooks_changed) {
    RETURN_IF_ERROR(FinishWrite());
    if (hooks) hooks->Committed();  // nothing to write: the hooks' (empty) batch is done
    std::lock_guard lock(progress_mu_);
    processed_stamp_ = std::max(processed_stamp_.load(), done_stamp);
  } else {
    overlay.Flush();
    for (int p = 0; p < n; ++p) {
      if (taken[p] > 0) batch->PutOffset(p, buffered_[p][taken[p] - 1].offset + 1);
    }
    // One write in flight at a time: the previous batch lands first.
    RETURN_IF_ERROR(FinishWrite());
    writing_ = std::move(batch);
    write_ = writer_.Submit([store = store_.get(), b = writing_.get()] { return store->Write(b); });
    // The next batches read this one's records from the cache until the write lands.
    overlay.Commit();
    next_profile_id_ = overlay.next_profile_id();
    for (int p = 0; p < n; ++p) {
      if (taken[p] == 0) continue;
      consumed_next_[p] = buffered_[p][taken[p] - 1].offset + 1;
      buffered_[p].erase(buffered_[p].begin(), buffered_[p].begin() + taken[p]);
    }
    writing_next_ = consumed_next_;
    writing_stamp_ = done_stamp;
    // A merge into a profile the running backfill has passed folds in a partial state (the
    // merged profile's history before the definition was not counted yet): recompute from there.
    if (stats.min_merged_into < backfill_from_ &&
        std::find(defs_ready_.begin(), defs_ready_.end(), false) != defs_ready_.end()) {
      backfill_from_ = stats.min_merged_into;
    }
    events_ += *processed;
    unattributed_ += stats.unattributed;
    malformed_ += stats.malformed;
    merges_ += stats.merges;
    blocked_ += stats.blocked;
    if (events_counter_) events_counter_->Inc(*processed);
    if (merges_counter_) merges_counter_->Inc(stats.merges);
    if (stats.malformed > 0) {
      spdlog::error("profiles: skipped {} log records that do not decode", stats.malformed);
    }
  }
  progress_cv_.notify_all();
  CheckpointLog(false);
  return Status::OK();
}

Status ProfilePipeline::FinishWrite() {
  if (!write_.valid()) return Status::OK();
  Status s = write_.get();
  writing_.reset();
  if (!s.ok()) return s;
  committed_next_ = writing_next_;
  if (options_.hooks) options_.hooks->Committed();
  cache_.Trim();  // safe now: nothing is in flight
  {
    std::lock_guard lock(progress_mu_);
    processed_stamp_ = std::max(processed_stamp_.load(), writing_stamp_);
  }
  progress_cv_.notify_all();
  return Status::OK();
}

Status ProfilePipeline::ResetToStore() {
  if (write_.valid()) (void)write_.get();
  writing_.reset();
  cache_.Clear();
  identifiers_loaded_ = false;
  // Read everything first: a failure changes nothing (and the caller tries again).
  std::vector<uint64_t> offsets(buffered_.size());
  for (size_t p = 0; p < offsets.size(); ++p) {
    ASSIGN_OR_RETURN(offsets[p], store_->Offset(static_cast<int>(p)));
  }
  ASSIGN_OR_RETURN(uint64_t next_id, store_->NextProfileId());
  for (size_t p = 0; p < offsets.size(); ++p) {
    buffered_[p].clear();
    committed_next_[p] = consumed_next_[p] = read_next_[p] = offsets[p];
  }
  next_profile_id_ = next_id;
  defs_changed_ = true;  // which definitions are computed: as the store says
  if (options_.hooks) {
    options_.hooks->Reset();
    RETURN_IF_ERROR(options_.hooks->Open(store_.get()));
  }
  return Status::OK();
}

void ProfilePipeline::CheckpointLog(bool force) {
  int64_t now = WallMicros();
  const bool running = checkpoint_.valid() &&
                       checkpoint_.wait_for(std::chrono::seconds(0)) != std::future_status::ready;
  if (!force && (running || now - last_checkpoint_us_ < 1'000'000)) return;
  last_checkpoint_us_ = now;
  if (checkpoint_.valid()) (void)checkpoint_.get();  // logged where it failed
  if (force) {
    (void)SyncAndCheckpoint(committed_next_);
    return;
  }
  checkpoint_ = checkpointer_.Submit(
      [this, offsets = committed_next_] { return SyncAndCheckpoint(offsets); });
}

Status ProfilePipeline::SyncAndCheckpoint(const std::vector<uint64_t>& offsets) {
  // The checkpoint lets retention delete log segments: the state they produced must survive a
  // power loss first (state writes are not synced one by one).
  Status synced = store_->SyncWal();
  if (synced.ok() && options_.sync_before_checkpoint) synced = options_.sync_before_checkpoint();
  if (!synced.ok()) {
    spdlog::warn("profiles: state sync before the log checkpoint: {}", synced.ToString());
    return synced;
  }
  Status result;
  for (int p = 0; p < static_cast<int>(offsets.size()); ++p) {
    Status s = options_.log->CommitCheckpoint(options_.consumer, p, offsets[p]);
    if (!s.ok()) spdlog::warn("profiles: log checkpoint: {}", s.ToString());
    if (result.ok()) result = s;
  }
  return result;
}

Status ProfilePipeline::BackfillStep(bool* more) {
  *more = false;
  std::vector<const ComputedDef*> pending;
  for (size_t i = 0; i < defs_.size(); ++i) {
    if (!defs_ready_[i]) pending.push_back(&defs_[i]);
  }
  if (pending.empty()) return Status::OK();
  RETURN_IF_ERROR(FinishWrite());  // it reads the store
  constexpr int kProfilesPerStep = 256;
  std::vector<ProfileRecord> chunk;
  RETURN_IF_ERROR(store_->ScanProfiles(backfill_from_, [&](const ProfileRecord& r) {
    chunk.push_back(r);
    return chunk.size() < kProfilesPerStep;
  }));
  StateBatch batch(store_.get());
  for (ProfileRecord& r : chunk) {
    for (const ComputedDef* def : pending) RETURN_IF_ERROR(applier_->Recompute(*def, *store_, &r));
    batch.PutProfile(r);
    cache_.profiles.Take(r.id);  // the cached copy is about to be stale
  }
  bool finished = chunk.size() < kProfilesPerStep;
  std::vector<bool> ready = defs_ready_;
  if (finished) ready.assign(ready.size(), true);
  RETURN_IF_ERROR(WriteAppliedDefinitions(&batch, ready));
  RETURN_IF_ERROR(store_->Write(&batch));
  if (finished) {
    {
      std::lock_guard lock(defs_mu_);
      defs_ready_ = std::move(ready);
    }
    PublishDefinitions();
  }
  if (!chunk.empty()) backfill_from_ = chunk.back().id + 1;
  *more = !finished;
  return Status::OK();
}

Status ProfilePipeline::HooksStep(bool* more) {
  *more = false;
  if (!options_.hooks || !options_.hooks->HasBackgroundWork()) return Status::OK();
  RETURN_IF_ERROR(FinishWrite());  // the hooks read the store
  StateBatch batch(store_.get());
  StateOverlay overlay(store_.get(), &cache_, &batch, next_profile_id_);
  RETURN_IF_ERROR(options_.hooks->BeginBatch(&overlay, &batch, processed_stamp_));
  RETURN_IF_ERROR(options_.hooks->BackgroundStep(more));
  bool changed = false;
  RETURN_IF_ERROR(options_.hooks->EndBatch(processed_stamp_, &changed));
  if (!changed) {
    options_.hooks->Committed();  // nothing to write
    return Status::OK();
  }
  overlay.Flush();
  RETURN_IF_ERROR(store_->Write(&batch));
  overlay.Commit();
  options_.hooks->Committed();
  cache_.Trim();
  return Status::OK();
}

void ProfilePipeline::PublishDefinitions() {
  if (options_.hooks) options_.hooks->DefinitionsChanged(defs_, defs_ready_);
}

Status ProfilePipeline::CatchUp() {
  if (defs_changed_.exchange(false)) {
    Status reload = ReloadDefinitions();
    if (!reload.ok()) {
      defs_changed_ = true;
      return reload;
    }
  }
  const int64_t target = options_.log->DurableStamp();
  size_t n = 0;
  bool more = true;
  Status s;
  do {
    s = Step(&n);
  } while (s.ok() && (n > 0 || processed_stamp_ < target));
  while (s.ok() && more) s = BackfillStep(&more);
  for (more = true; s.ok() && more;) s = HooksStep(&more);
  if (s.ok()) s = FinishWrite();
  if (!s.ok()) {
    Status reset = ResetToStore();
    if (!reset.ok()) spdlog::error("profiles: {}", reset.ToString());
    return s;
  }
  CheckpointLog(true);
  return Status::OK();
}

bool ProfilePipeline::WaitCaughtUp(int64_t timeout_us) {
  const int64_t target = options_.log->DurableStamp();
  std::unique_lock lock(progress_mu_);
  return progress_cv_.wait_for(lock, std::chrono::microseconds(timeout_us),
                               [&] { return processed_stamp_ >= target; });
}

void ProfilePipeline::Run() {
  int64_t backoff_ms = 10;
  while (!stopping_) {
    Status s;
    if (needs_reset_) {
      s = ResetToStore();
      if (s.ok()) needs_reset_ = false;
    }
    if (s.ok() && defs_changed_.exchange(false)) {
      s = ReloadDefinitions();
      if (!s.ok()) defs_changed_ = true;  // try again after the reset
    }
    size_t n = 0;
    if (s.ok()) s = Step(&n);
    bool more = false, hooks_more = false;
    if (s.ok()) s = BackfillStep(&more);
    if (s.ok() && !more) s = HooksStep(&hooks_more);
    more = more || hooks_more;
    if (!s.ok()) {
      spdlog::error("profiles: {} (retrying in {} ms)", s.ToString(), backoff_ms);
      needs_reset_ = true;  // start again from what the store holds, before anything else
      std::this_thread::sleep_for(std::chrono::milliseconds(backoff_ms));
      backoff_ms = std::min<int64_t>(backoff_ms * 2, 5000);
      continue;
    }
    backoff_ms = 10;
    if (n > 0 || more) PaceBackground();  // ingest first when the cores are saturated
    if (n == 0 && !more) options_.log->WaitDurable(processed_stamp_, 100'000);
  }
  Status s = FinishWrite();
  if (!s.ok()) spdlog::error("profiles: last state write failed: {}", s.ToString());
  CheckpointLog(true);
}

}  // namespace rapport
