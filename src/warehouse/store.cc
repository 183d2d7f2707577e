#include "warehouse/store.h"

#include <unistd.h>

#include <algorithm>
#include <set>

#include "warehouse/memory_snapshot.h"
#include "warehouse/store_snapshot.h"

namespace rapport::warehouse {

namespace {
constexpr char kManifestName[] = "MANIFEST";
}  // namespace

size_t DefaultCacheBytes() {
  const long pages = ::sysconf(_SC_PHYS_PAGES);
  const long page_size = ::sysconf(_SC_PAGESIZE);
  const size_t floor = size_t{256} << 20;
  if (pages <= 0 || page_size <= 0) return floor;
  return std::max(floor, static_cast<size_t>(pages) * static_cast<size_t>(page_size) / 4);
}

Warehouse::Warehouse(WarehouseOptions options)
    : options_(std::move(options)),
      env_(options_.env ? options_.env : Env::Default()),
      cache_(std::make_unique<BlockCache>(options_.cache_bytes ? options_.cache_bytes
                                                               : DefaultCacheBytes())),
      profile_map_(std::make_shared<const ProfileMap>()) {}

Warehouse::~Warehouse() = default;

std::string Warehouse::PathOf(const PartEntry& p) const {
  return options_.dir + "/" + PartFileName(p.day, p.id);
}

Result<std::unique_ptr<Warehouse>> Warehouse::Open(WarehouseOptions options) {
  std::unique_ptr<Warehouse> w(new Warehouse(std::move(options)));  // NOLINT: private ctor
  Env* env = w->env_;
  const std::string& dir = w->options_.dir;
  RETURN_IF_ERROR(env->CreateDirs(dir + "/parts"));
  ASSIGN_OR_RETURN(w->lock_, env->LockFile(dir + "/LOCK"));
  const std::string manifest_path = dir + "/" + kManifestName;
  if (env->Exists(manifest_path)) {
    std::string bytes;
    RETURN_IF_ERROR(ReadFileToString(env, manifest_path, &bytes));
    auto m = Manifest::Decode(bytes);
    if (!m.ok()) return Status::Corruption(manifest_path + ": " + m.status().message());
    w->manifest_ = std::move(*m);
  }
  for (const std::string& name : w->manifest_.events) w->events_.Intern(name);
  if (w->events_.size() != w->manifest_.events.size() + 1) {
    return Status::Corruption(manifest_path + ": the event dictionary has a repeated name");
  }
  std::set<std::string> named;
  for (const PartEntry& p : w->manifest_.parts) {
    const std::string path = w->PathOf(p);
    ASSIGN_OR_RETURN(auto reader, PartReader::Open(path, w->cache_.get()));
    if (reader->meta().id != p.id || reader->meta().rows != p.rows) {
      return Status::Corruption(path + ": the part does not match the manifest");
    }
    for (size_t b = 0; b < reader->blocks(); ++b) {
      w->max_profile_ = std::max(w->max_profile_, reader->info(b).max_profile);
    }
    w->readers_[p.id] = std::move(reader);
    named.insert(PartFileName(p.day, p.id).substr(6));  // without "parts/"
    w->stats_.rows += p.rows;
    w->stats_.bytes += p.bytes;
  }
  // Files no manifest names are what a crash left mid-flush or mid-merge.
  ASSIGN_OR_RETURN(auto files, env->ListDir(dir + "/parts"));
  for (const std::string& f : files) {
    if (!named.count(f)) RETURN_IF_ERROR(env->RemoveFile(dir + "/parts/" + f));
  }
  w->added_offsets_ = w->manifest_.offsets;
  w->profile_map_ = std::make_shared<const ProfileMap>(w->merges_, w->max_profile_);
  w->stats_.parts = w->manifest_.parts.size();
  return w;
}

void Warehouse::Add(std::vector<Row> rows, const std::vector<uint64_t>& offsets) {
  std::lock_guard<std::mutex> lock(mu_);
  for (Row& r : rows) {
    max_profile_ = std::max(max_profile_, r.profile);
    buffer_.push_back(std::move(r));
  }
  if (added_offsets_.size() < offsets.size()) added_offsets_.resize(offsets.size(), 0);
  for (size_t p = 0; p < offsets.size(); ++p) {
    added_offsets_[p] = std::max(added_offsets_[p], offsets[p]);
  }
  cached_.reset();
}

Status Warehouse::WriteManifestLocked() {
  manifest_.events.assign(events_.names().begin() + 1, events_.names().end());
  return WriteFileAtomic(env_, options_.dir + "/" + kManifestName, manifest_.Encode());
}

Status Warehouse::Flush() {
  std::vector<uint64_t> offsets;
  std::map<int64_t, std::vector<Row>> by_day;
  std::map<int64_t, uint64_t> ids;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (buffer_.empty()) {
      if (added_offsets_ == manifest_.offsets) return Status::OK();
    }
    flushing_ = std::move(buffer_);
    buffer_.clear();
    offsets = added_offsets_;
    for (const Row& r : flushing_) {
      events_.Intern(r.event);  // so that writing only looks names up
      by_day[DayOf(r.ts)].push_back(r);
    }
    for (const auto& [day, rows] : by_day) ids[day] = manifest_.next_part_id++;
  }
  std::vector<PartEntry> written;
  std::vector<std::shared_ptr<PartReader>> readers;
  Status status;
  for (auto& [day, rows] : by_day) {
    PartEntry e;
    e.id = ids[day];
    e.day = day;
    EventDictionary* dict = &events_;  // every name is interned: WritePart only reads it
    auto meta = WritePart(env_, PathOf(e), e.id, day, std::move(rows), dict, options_.part);
    if (!meta.ok()) {
      status = meta.status();
      break;
    }
    e.rows = meta->rows;
    e.min_ts = meta->min_ts;
    e.max_ts = meta->max_ts;
    e.bytes = meta->file_bytes;
    auto reader = PartReader::Open(PathOf(e), cache_.get());
    if (!reader.ok()) {
      status = reader.status();
      break;
    }
    written.push_back(e);
    readers.push_back(std::move(*reader));
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (status.ok()) {
    Manifest before = manifest_;
    for (size_t i = 0; i < written.size(); ++i) {
      manifest_.parts.push_back(written[i]);
      readers_[written[i].id] = readers[i];
    }
    std::sort(manifest_.parts.begin(), manifest_.parts.end(),
              [](const PartEntry& a, const PartEntry& b) {
                return std::make_pair(a.day, a.id) < std::make_pair(b.day, b.id);
              });
    manifest_.offsets = offsets;
    status = WriteManifestLocked();
    if (status.ok()) {
      for (const PartEntry& e : written) {
        stats_.rows += e.rows;
        stats_.bytes += e.bytes;
      }
      stats_.parts = manifest_.parts.size();
      ++stats_.flushes;
      flushing_.clear();
      cached_.reset();
      return Status::OK();
    }
    for (const PartEntry& e : written) readers_.erase(e.id);
    const uint64_t next = manifest_.next_part_id;
    manifest_ = std::move(before);
    manifest_.next_part_id = next;
  }
  // Nothing became visible: put the rows back in front of what arrived meanwhile and drop the
  // files (a restart would remove them too).
  for (const PartEntry& e : written) (void)env_->RemoveFile(PathOf(e));
  flushing_.insert(flushing_.end(), std::make_move_iterator(buffer_.begin()),
                   std::make_move_iterator(buffer_.end()));
  buffer_ = std::move(flushing_);
  flushing_.clear();
  cached_.reset();
  return status;
}

Status Warehouse::MergeStep(bool* merged) {
  *merged = false;
  std::vector<PartEntry> victims;
  std::vector<std::shared_ptr<PartReader>> sources;
  EventDictionary dict;
  PartEntry out;
  {
    std::lock_guard<std::mutex> lock(mu_);
    std::map<int64_t, std::vector<PartEntry>> by_day;
    for (const PartEntry& p : manifest_.parts) by_day[p.day].push_back(p);
    size_t best = 0;
    for (auto& [day, parts] : by_day) {
      // Size-tiered: the smallest parts of the day, adding the next only while it is at most
      // twice what is picked so far, so a big part is rewritten only once smaller ones add up
      // to half of it (each row is rewritten O(log n) times, even under steady ingest).
      std::sort(parts.begin(), parts.end(),
                [](const PartEntry& a, const PartEntry& b) { return a.rows < b.rows; });
      std::vector<PartEntry> pick;
      uint64_t rows = 0;
      for (const PartEntry& p : parts) {
        if (rows + p.rows > options_.merge_max_rows) break;
        if (!pick.empty() && p.rows > 2 * rows) break;
        rows += p.rows;
        pick.push_back(p);
      }
      if (pick.size() >= options_.merge_min_parts && pick.size() > best) {
        best = pick.size();
        victims = pick;
      }
    }
    if (victims.empty()) return Status::OK();
    for (const PartEntry& p : victims) sources.push_back(readers_.at(p.id));
    dict = events_;
    out.id = manifest_.next_part_id++;
    out.day = victims[0].day;
  }
  std::vector<Row> rows;
  for (const auto& reader : sources) {
    if (options_.part.between_blocks) options_.part.between_blocks();  // pace between parts too
    ASSIGN_OR_RETURN(std::vector<Row> part_rows, reader->ReadRows(dict));
    rows.insert(rows.end(), std::make_move_iterator(part_rows.begin()),
                std::make_move_iterator(part_rows.end()));
  }
  ASSIGN_OR_RETURN(PartMeta meta, WritePart(env_, PathOf(out), out.id, out.day, std::move(rows),
                                            &dict, options_.part));
  out.rows = meta.rows;
  out.min_ts = meta.min_ts;
  out.max_ts = meta.max_ts;
  out.bytes = meta.file_bytes;
  auto reader = PartReader::Open(PathOf(out), cache_.get());
  if (!reader.ok()) {
    (void)env_->RemoveFile(PathOf(out));
    return reader.status();
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    const Manifest before = manifest_;
    std::set<uint64_t> gone;
    for (const PartEntry& p : victims) gone.insert(p.id);
    std::erase_if(manifest_.parts, [&](const PartEntry& p) { return gone.count(p.id) > 0; });
    manifest_.parts.push_back(out);
    std::sort(manifest_.parts.begin(), manifest_.parts.end(),
              [](const PartEntry& a, const PartEntry& b) {
                return std::make_pair(a.day, a.id) < std::make_pair(b.day, b.id);
              });
    Status s = WriteManifestLocked();
    if (!s.ok()) {
      const uint64_t next = manifest_.next_part_id;
      manifest_ = before;
      manifest_.next_part_id = next;
      (void)env_->RemoveFile(PathOf(out));
      return s;
    }
    for (const PartEntry& p : victims) {
      readers_.erase(p.id);
      stats_.bytes -= p.bytes;
    }
    readers_[out.id] = std::move(*reader);
    stats_.bytes += out.bytes;
    stats_.parts = manifest_.parts.size();
    ++stats_.merges_done;
    stats_.rows_merged += out.rows;
    cached_.reset();
  }
  // Running queries keep the old files mapped; unlinking does not disturb them.
  for (const PartEntry& p : victims) {
    (void)env_->RemoveFile(PathOf(p));
    cache_->Erase(p.id);
  }
  *merged = true;
  return Status::OK();
}

void Warehouse::AddMerges(const std::vector<std::pair<uint64_t, uint64_t>>& merges,
                          uint64_t max_id) {
  std::lock_guard<std::mutex> lock(mu_);
  if (merges.empty() && max_id <= max_profile_) return;
  merges_.insert(merges_.end(), merges.begin(), merges.end());
  max_profile_ = std::max(max_profile_, max_id);
  profile_map_ = std::make_shared<const ProfileMap>(merges_, max_profile_);
  cached_.reset();
}

SnapshotPtr Warehouse::Snapshot() const {
  std::lock_guard<std::mutex> lock(mu_);
  if (cached_) return cached_;
  std::vector<std::shared_ptr<PartReader>> parts;
  for (const PartEntry& p : manifest_.parts) parts.push_back(readers_.at(p.id));
  std::shared_ptr<const MemorySnapshot> memory;
  if (!buffer_.empty() || !flushing_.empty()) {
    std::vector<Row> rows = flushing_;
    rows.insert(rows.end(), buffer_.begin(), buffer_.end());
    memory = std::make_shared<const MemorySnapshot>(std::move(rows), profile_map_,
                                                    options_.memory_chunk_rows, events_,
                                                    manifest_.next_part_id + 1'000'000'000);
  }
  cached_ = std::make_shared<const StoreSnapshot>(std::move(parts), std::move(memory), events_,
                                                  profile_map_);
  return cached_;
}

std::vector<uint64_t> Warehouse::durable_offsets() const {
  std::lock_guard<std::mutex> lock(mu_);
  return manifest_.offsets;
}

std::vector<uint64_t> Warehouse::added_offsets() const {
  std::lock_guard<std::mutex> lock(mu_);
  return added_offsets_;
}

size_t Warehouse::buffered_rows() const {
  std::lock_guard<std::mutex> lock(mu_);
  return buffer_.size() + flushing_.size();
}

Warehouse::Stats Warehouse::GetStats() const {
  std::lock_guard<std::mutex> lock(mu_);
  Stats s = stats_;
  s.buffered = buffer_.size() + flushing_.size();
  return s;
}

}  // namespace rapport::warehouse
