#include "warehouse/part/part_writer.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string_view>
#include <unordered_map>

#include "common/crc32c.h"
#include "warehouse/part/column_codec.h"
#include "warehouse/part/format.h"
#include "warehouse/part/int_codec.h"

namespace rapport::warehouse {
namespace {

using part::BlockEntry;
using part::Codec;
using part::ColumnEntry;
using part::ColumnKind;
using part::IntTransform;

class Sink {
 public:
  virtual ~Sink() = default;
  virtual Status Append(std::string_view data) = 0;
};

class StringSink final : public Sink {
 public:
  explicit StringSink(std::string* out) : out_(out) {}
  Status Append(std::string_view data) override {
    out_->append(data);
    return Status::OK();
  }

 private:
  std::string* out_;
};

class FileSink final : public Sink {
 public:
  explicit FileSink(WritableFile* file) : file_(file) {}
  Status Append(std::string_view data) override { return file_->Append(data); }

 private:
  WritableFile* file_;
};

bool AlwaysTyped(std::string_view path) {
  return path == "userId" || path == "anonymousId" || path == "messageId";
}

// Sorts and indexes the rows (Prepare), then streams the file block by block (Write).
class PartBuilder {
 public:
  PartBuilder(uint64_t id, int64_t day, std::vector<Row> rows, EventDictionary* events,
              const PartWriteOptions& options)
      : id_(id), day_(day), rows_(std::move(rows)), events_(events), options_(options) {}

  Status Prepare();
  Status Write(Sink* sink, PartMeta* meta);

 private:
  Status CheckOptions() const;
  Status AddColumn(ColumnKind kind, std::string_view name, Codec codec, BlockEntry* block);

  const uint64_t id_;
  const int64_t day_;
  std::vector<Row> rows_;
  EventDictionary* const events_;
  const PartWriteOptions options_;

  // Row r of the part (in sorted order) is rows_[order_[r]].
  std::vector<uint32_t> order_;
  std::vector<uint32_t> event_ids_;
  // The present (path, value) pairs of sorted row r: [prop_begin_[r], prop_begin_[r + 1]).
  std::vector<size_t> prop_begin_;
  std::vector<uint32_t> prop_path_;
  std::vector<const Value*> prop_value_;
  std::vector<std::string_view> path_names_;  // by path id
  std::vector<int32_t> typed_slot_;           // by path id: index in typed_paths_, or -1
  std::vector<uint32_t> typed_paths_;         // path ids, sorted by name

  std::string raw_, stored_, block_;
  uint64_t offset_ = 0;
};

Status PartBuilder::CheckOptions() const {
  if (options_.block_rows == 0 || options_.block_rows > part::kMaxBlockRows) {
    return Status::InvalidArgument("block_rows must be in [1, 2^20]");
  }
  if (!(options_.column_min_share >= 0 && options_.column_min_share <= 1)) {
    return Status::InvalidArgument("column_min_share must be in [0, 1]");
  }
  return Status::OK();
}

Status PartBuilder::Prepare() {
  RETURN_IF_ERROR(CheckOptions());
  const size_t n = rows_.size();
  if (n == 0) return Status::InvalidArgument("a part needs at least one row");
  if (n > std::numeric_limits<uint32_t>::max()) {
    return Status::InvalidArgument("too many rows for one part");
  }
  struct Key {
    uint64_t profile;
    int64_t ts;
    uint64_t seq;
    uint32_t index;
    bool operator<(const Key& o) const {
      if (profile != o.profile) return profile < o.profile;
      if (ts != o.ts) return ts < o.ts;
      if (seq != o.seq) return seq < o.seq;
      return index < o.index;
    }
  };
  std::vector<Key> keys(n);
  for (size_t i = 0; i < n; ++i) {
    const Row& row = rows_[i];
    if (DayOf(row.ts) != day_) {
      return Status::InvalidArgument("row " + std::to_string(i) + ": time " +
                                     std::to_string(row.ts) + " is not of day " +
                                     std::to_string(day_));
    }
    if (static_cast<uint8_t>(row.type) >= kEventTypes) {
      return Status::InvalidArgument("row " + std::to_string(i) + ": bad event type");
    }
    keys[i] = {row.profile, row.ts, row.seq, static_cast<uint32_t>(i)};
  }
  if (!std::is_sorted(keys.begin(), keys.end())) std::sort(keys.begin(), keys.end());
  order_.resize(n);
  for (size_t i = 0; i < n; ++i) order_[i] = keys[i].index;
  keys = {};

  // Event ids, with a local map so that each name is interned once.
  std::unordered_map<std::string_view, uint32_t> event_cache;
  event_ids_.resize(n);
  for (size_t r = 0; r < n; ++r) {
    const std::string& name = rows_[order_[r]].event;
    auto it = event_cache.find(name);
    if (it == event_cache.end()) it = event_cache.emplace(name, events_->Intern(name)).first;
    event_ids_[r] = it->second;
  }

  // Paths: ids, rows per path, and each row's pairs flattened.
  std::unordered_map<std::string_view, uint32_t> path_ids;
  std::vector<uint64_t> path_rows;
  std::vector<uint64_t> last_row;  // by path id: 1 + the last row that had it
  prop_begin_.reserve(n + 1);
  for (size_t r = 0; r < n; ++r) {
    prop_begin_.push_back(prop_path_.size());
    for (const auto& [path, value] : rows_[order_[r]].props) {
      if (value.kind == ValueKind::kAbsent) continue;
      if (static_cast<uint8_t>(value.kind) > static_cast<uint8_t>(ValueKind::kJson)) {
        return Status::InvalidArgument("row at " + std::to_string(rows_[order_[r]].ts) +
                                       ": bad value kind at path " + path);
      }
      auto [it, fresh] = path_ids.try_emplace(path, static_cast<uint32_t>(path_names_.size()));
      if (fresh) {
        path_names_.push_back(path);
        path_rows.push_back(0);
        last_row.push_back(0);
      }
      const uint32_t p = it->second;
      if (last_row[p] == r + 1) {
        return Status::InvalidArgument("path " + path + " appears twice in one row");
      }
      last_row[p] = r + 1;
      ++path_rows[p];
      prop_path_.push_back(p);
      prop_value_.push_back(&value);
    }
  }
  prop_begin_.push_back(prop_path_.size());

  // Typed columns: the always-typed paths, and the most frequent paths over the share.
  const double min_rows = options_.column_min_share * static_cast<double>(n);
  std::vector<uint32_t> candidates;
  for (uint32_t p = 0; p < path_names_.size(); ++p) {
    if (AlwaysTyped(path_names_[p])) {
      typed_paths_.push_back(p);
    } else if (static_cast<double>(path_rows[p]) >= min_rows) {
      candidates.push_back(p);
    }
  }
  std::sort(candidates.begin(), candidates.end(), [&](uint32_t a, uint32_t b) {
    if (path_rows[a] != path_rows[b]) return path_rows[a] > path_rows[b];
    return path_names_[a] < path_names_[b];
  });
  if (candidates.size() > options_.max_columns) candidates.resize(options_.max_columns);
  typed_paths_.insert(typed_paths_.end(), candidates.begin(), candidates.end());
  std::sort(typed_paths_.begin(), typed_paths_.end(),
            [&](uint32_t a, uint32_t b) { return path_names_[a] < path_names_[b]; });
  typed_slot_.assign(path_names_.size(), -1);
  for (size_t s = 0; s < typed_paths_.size(); ++s) {
    typed_slot_[typed_paths_[s]] = static_cast<int32_t>(s);
  }
  return Status::OK();
}

Status PartBuilder::AddColumn(ColumnKind kind, std::string_view name, Codec codec,
                              BlockEntry* block) {
  if (raw_.size() > part::kMaxColumnBytes) {
    return Status::TooLarge("a column is over 1 GiB: use smaller blocks");
  }
  ColumnEntry e;
  e.kind = kind;
  e.name = name;
  e.codec = part::Compress(raw_, codec, options_.zstd_level, &stored_);
  e.offset = offset_;
  e.stored_len = stored_.size();
  e.raw_len = raw_.size();
  e.crc = crc32c::Mask(crc32c::Value(stored_));
  offset_ += stored_.size();
  block_.append(stored_);
  block->columns.push_back(std::move(e));
  return Status::OK();
}

Status PartBuilder::Write(Sink* sink, PartMeta* meta) {
  const size_t n = order_.size();
  const size_t block_rows = options_.block_rows;
  part::Footer footer;
  footer.id = id_;
  footer.day = day_;
  footer.rows = n;
  footer.block_rows = block_rows;
  footer.min_ts = footer.max_ts = rows_[order_[0]].ts;
  footer.min_seq = footer.max_seq = rows_[order_[0]].seq;

  const std::string header = part::EncodeHeader();
  RETURN_IF_ERROR(sink->Append(header));
  offset_ = header.size();

  std::vector<part::VariantBuilder> typed(typed_paths_.size());
  std::vector<uint32_t> typed_touched;
  std::vector<size_t> typed_block(typed_paths_.size(), 0);  // footer.blocks.size() when touched
  std::vector<int32_t> rest_slot(path_names_.size(), -1);
  std::vector<part::RestGroupBuilder> rest_pool;
  std::vector<uint32_t> rest_touched;  // path ids
  std::vector<uint64_t> ts(block_rows), seq(block_rows), profile(block_rows), event(block_rows),
      type(block_rows);
  for (size_t b0 = 0; b0 < n; b0 += block_rows) {
    const size_t k = std::min(block_rows, n - b0);
    footer.blocks.emplace_back();
    BlockEntry& block = footer.blocks.back();
    block.rows = k;
    for (size_t i = 0; i < k; ++i) {
      const Row& row = rows_[order_[b0 + i]];
      ts[i] = static_cast<uint64_t>(row.ts);
      seq[i] = row.seq;
      profile[i] = row.profile;
      event[i] = event_ids_[b0 + i];
      type[i] = static_cast<uint64_t>(row.type);
    }
    const auto [min_ts, max_ts] = std::minmax_element(
        ts.begin(), ts.begin() + k,
        [](uint64_t a, uint64_t b) { return static_cast<int64_t>(a) < static_cast<int64_t>(b); });
    const auto [min_seq, max_seq] = std::minmax_element(seq.begin(), seq.begin() + k);
    block.min_ts = static_cast<int64_t>(*min_ts);
    block.max_ts = static_cast<int64_t>(*max_ts);
    block.min_seq = *min_seq;
    block.max_seq = *max_seq;
    block.min_profile = profile[0];
    block.max_profile = profile[k - 1];
    footer.min_ts = std::min(footer.min_ts, block.min_ts);
    footer.max_ts = std::max(footer.max_ts, block.max_ts);
    footer.min_seq = std::min(footer.min_seq, block.min_seq);
    footer.max_seq = std::max(footer.max_seq, block.max_seq);

    block_.clear();
    constexpr auto kNone = IntTransform::kNone;
    constexpr auto kDelta = IntTransform::kDelta;
    constexpr auto kZigZag = IntTransform::kZigZagDelta;
    raw_.clear();
    part::EncodeIntsBest(ts.data(), k, {kNone, kDelta, kZigZag}, &raw_);
    RETURN_IF_ERROR(AddColumn(ColumnKind::kTs, "", Codec::kLz4, &block));
    raw_.clear();
    part::EncodeIntsBest(seq.data(), k, {kNone, kDelta, kZigZag}, &raw_);
    RETURN_IF_ERROR(AddColumn(ColumnKind::kSeq, "", Codec::kLz4, &block));
    raw_.clear();
    part::EncodeIntsBest(profile.data(), k, {kDelta, kNone}, &raw_);
    RETURN_IF_ERROR(AddColumn(ColumnKind::kProfile, "", Codec::kLz4, &block));
    raw_.clear();
    part::EncodeIntsBest(event.data(), k, {kNone, kZigZag}, &raw_);
    RETURN_IF_ERROR(AddColumn(ColumnKind::kEvent, "", Codec::kLz4, &block));
    raw_.clear();
    part::EncodeInts(type.data(), k, kNone, &raw_);
    RETURN_IF_ERROR(AddColumn(ColumnKind::kType, "", Codec::kLz4, &block));

    // Property values: typed columns and rest groups.
    typed_touched.clear();
    rest_touched.clear();
    for (size_t i = 0; i < k; ++i) {
      for (size_t q = prop_begin_[b0 + i]; q < prop_begin_[b0 + i + 1]; ++q) {
        const uint32_t p = prop_path_[q];
        const int32_t slot = typed_slot_[p];
        if (slot >= 0) {
          part::VariantBuilder& col = typed[static_cast<size_t>(slot)];
          if (typed_block[static_cast<size_t>(slot)] != footer.blocks.size()) {
            typed_block[static_cast<size_t>(slot)] = footer.blocks.size();
            col.Reset(k);
            typed_touched.push_back(static_cast<uint32_t>(slot));
          }
          col.Set(i, *prop_value_[q]);
        } else {
          int32_t& rs = rest_slot[p];
          if (rs < 0) {
            rs = static_cast<int32_t>(rest_touched.size());
            rest_touched.push_back(p);
            if (rest_pool.size() <= rest_touched.size()) rest_pool.resize(rest_touched.size());
            part::RestGroupBuilder& g = rest_pool[static_cast<size_t>(rs)];
            g.path = path_names_[p];
            g.rows.clear();
            g.values.Reset(0);
          }
          part::RestGroupBuilder& g = rest_pool[static_cast<size_t>(rs)];
          g.rows.push_back(i);
          g.values.Append(*prop_value_[q]);
        }
      }
    }
    std::sort(typed_touched.begin(), typed_touched.end());  // slots are in name order
    for (uint32_t slot : typed_touched) {
      raw_.clear();
      typed[slot].Encode(&raw_);
      RETURN_IF_ERROR(
          AddColumn(ColumnKind::kVariant, path_names_[typed_paths_[slot]], Codec::kZstd, &block));
    }
    if (!rest_touched.empty()) {
      std::vector<const part::RestGroupBuilder*> groups;
      for (size_t g = 0; g < rest_touched.size(); ++g) groups.push_back(&rest_pool[g]);
      std::sort(groups.begin(), groups.end(),
                [](const auto* a, const auto* b) { return a->path < b->path; });
      raw_.clear();
      part::EncodeRest(groups, &raw_);
      RETURN_IF_ERROR(AddColumn(ColumnKind::kRest, "", Codec::kZstd, &block));
      for (const auto* g : groups) block.columns.back().rest_paths.emplace_back(g->path);
      for (uint32_t p : rest_touched) rest_slot[p] = -1;
    }
    RETURN_IF_ERROR(sink->Append(block_));
    if (options_.between_blocks) options_.between_blocks();
  }

  std::string tail;
  part::EncodeFooter(footer, &tail);
  const uint64_t footer_offset = offset_;
  tail += part::EncodeTrailer(footer_offset, tail);
  RETURN_IF_ERROR(sink->Append(tail));
  offset_ += tail.size();

  if (meta != nullptr) {
    meta->id = id_;
    meta->day = day_;
    meta->rows = n;
    meta->min_ts = footer.min_ts;
    meta->max_ts = footer.max_ts;
    meta->min_seq = footer.min_seq;
    meta->max_seq = footer.max_seq;
    meta->file_bytes = offset_;
  }
  return Status::OK();
}

}  // namespace

Result<std::string> EncodePart(uint64_t id, int64_t day, std::vector<Row> rows,
                               EventDictionary* events, const PartWriteOptions& options,
                               PartMeta* meta) {
  PartBuilder builder(id, day, std::move(rows), events, options);
  RETURN_IF_ERROR(builder.Prepare());
  std::string out;
  StringSink sink(&out);
  RETURN_IF_ERROR(builder.Write(&sink, meta));
  return out;
}

Result<PartMeta> WritePart(Env* env, const std::string& path, uint64_t id, int64_t day,
                           std::vector<Row> rows, EventDictionary* events,
                           const PartWriteOptions& options) {
  if (env->Exists(path)) return Status::AlreadyExists("part file " + path + " exists");
  PartBuilder builder(id, day, std::move(rows), events, options);
  RETURN_IF_ERROR(builder.Prepare());
  const std::string tmp = path + ".tmp";
  ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> file, env->OpenAppendable(tmp));
  PartMeta meta;
  Status s = file->Truncate(0);
  if (s.ok()) {
    FileSink sink(file.get());
    s = builder.Write(&sink, &meta);
  }
  if (s.ok()) s = file->Sync();
  Status closed = file->Close();
  if (s.ok()) s = closed;
  if (s.ok()) s = env->RenameFile(tmp, path);
  if (!s.ok()) {
    (void)env->RemoveFile(tmp);  // best effort: a stale .tmp is harmless
    return s.WithContext("writing part " + path);
  }
  s = env->SyncDir(DirName(path));
  if (!s.ok()) {
    // The rename may not be durable: take the file back so the caller's error means "no part".
    (void)env->RemoveFile(path);
    return s.WithContext("writing part " + path);
  }
  return meta;
}

}  // namespace rapport::warehouse
