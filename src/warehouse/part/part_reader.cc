#include "warehouse/part/part_reader.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "common/crc32c.h"
#include "warehouse/part/column_codec.h"
#include "warehouse/part/int_codec.h"

namespace rapport::warehouse {

using part::BlockEntry;
using part::ColumnEntry;
using part::ColumnKind;

// The bytes of the file: a read-only mapping, or a string for OpenBuffer.
class PartReader::Mapping {
 public:
  explicit Mapping(std::string bytes) : bytes_(std::move(bytes)) {}
  Mapping(void* addr, size_t size) : addr_(addr), size_(size) {}
  ~Mapping() {
    if (addr_ != nullptr) ::munmap(addr_, size_);
  }
  std::string_view view() const {
    return addr_ != nullptr ? std::string_view(static_cast<const char*>(addr_), size_)
                            : std::string_view(bytes_);
  }

 private:
  std::string bytes_;
  void* addr_ = nullptr;
  size_t size_ = 0;
};

namespace {

Status ErrnoStatus(std::string_view op, const std::string& path, int err) {
  std::string msg = std::string(op) + " " + path + ": " + std::strerror(err);
  return err == ENOENT ? Status::NotFound(std::move(msg)) : Status::IOError(std::move(msg));
}

std::string ColumnName(const ColumnEntry& c) {
  switch (c.kind) {
    case ColumnKind::kTs:
      return "ts";
    case ColumnKind::kSeq:
      return "seq";
    case ColumnKind::kProfile:
      return "profile";
    case ColumnKind::kEvent:
      return "event";
    case ColumnKind::kType:
      return "type";
    case ColumnKind::kVariant:
      return "\"" + c.name + "\"";
    case ColumnKind::kRest:
      return "rest";
  }
  return "?";
}

struct FixedSummary {
  int64_t min_ts, max_ts;
  uint8_t max_type;
  bool sorted;  // by (profile, ts, seq)
};

// Simple loops the compiler vectorizes (the ternaries, not std::min, and locals, not members of
// the result); built for AVX2 too.
#if defined(__x86_64__) && (defined(__clang__) || __GNUC__ >= 12)
__attribute__((target_clones("avx2", "default")))
#endif
FixedSummary
Summarize(const int64_t* ts, const uint64_t* seq, const uint64_t* profile, const uint8_t* type,
          size_t n) {
  int64_t min_ts = ts[0], max_ts = ts[0];
  for (size_t i = 0; i < n; ++i) {
    min_ts = ts[i] < min_ts ? ts[i] : min_ts;
    max_ts = ts[i] > max_ts ? ts[i] : max_ts;
  }
  uint8_t max_type = 0;
  for (size_t i = 0; i < n; ++i) max_type = type[i] > max_type ? type[i] : max_type;
  uint64_t bad = 0;
  for (size_t i = 1; i < n; ++i) {
    const uint64_t p_down = profile[i] < profile[i - 1];
    const uint64_t p_same = profile[i] == profile[i - 1];
    const uint64_t t_down = ts[i] < ts[i - 1];
    const uint64_t t_same = ts[i] == ts[i - 1];
    const uint64_t s_down = seq[i] < seq[i - 1];
    bad |= p_down | (p_same & (t_down | (t_same & s_down)));
  }
  return FixedSummary{min_ts, max_ts, max_type, bad == 0};
}

Value ValueAt(const PropertyColumn& col, size_t i) {
  Value v;
  v.kind = col.kind[i];
  if (v.kind == ValueKind::kNumber) v.number = col.number[i];
  if (v.kind == ValueKind::kString || v.kind == ValueKind::kJson) v.text = col.strings[col.code[i]];
  return v;
}

}  // namespace

PartReader::~PartReader() = default;

Result<std::unique_ptr<PartReader>> PartReader::Open(const std::string& path, BlockCache* cache) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("open", path, errno);
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    const int err = errno;
    ::close(fd);
    return ErrnoStatus("fstat", path, err);
  }
  const auto size = static_cast<size_t>(st.st_size);
  if (size < part::kHeaderSize + part::kTrailerSize) {
    ::close(fd);
    return Status::Corruption("part " + path + ": file too short (" + std::to_string(size) +
                              " bytes)");
  }
  void* addr = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  const int err = errno;
  ::close(fd);
  if (addr == MAP_FAILED) return ErrnoStatus("mmap", path, err);
  std::unique_ptr<PartReader> reader(new PartReader());
  reader->name_ = path;
  reader->mapping_ = std::make_unique<Mapping>(addr, size);
  reader->cache_ = cache;
  return Init(std::move(reader));
}

Result<std::unique_ptr<PartReader>> PartReader::OpenBuffer(std::string bytes, BlockCache* cache,
                                                           std::string name) {
  std::unique_ptr<PartReader> reader(new PartReader());
  reader->name_ = std::move(name);
  reader->mapping_ = std::make_unique<Mapping>(std::move(bytes));
  reader->cache_ = cache;
  return Init(std::move(reader));
}

Result<std::unique_ptr<PartReader>> PartReader::Init(std::unique_ptr<PartReader> r) {
  r->file_ = r->mapping_->view();
  const std::string prefix = "part " + r->name_;
  RETURN_IF_ERROR(part::CheckHeader(r->file_).WithContext(prefix));
  RETURN_IF_ERROR(part::DecodeFooter(r->file_, &r->footer_).WithContext(prefix));
  const size_t trailer = r->file_.size() - part::kTrailerSize;
  std::memcpy(&r->tag_, r->file_.data() + trailer + 8, 4);
  const part::Footer& f = r->footer_;
  r->meta_ = {f.id, f.day, f.rows, f.min_ts, f.max_ts, f.min_seq, f.max_seq, r->file_.size()};
  for (const BlockEntry& b : f.blocks) {
    ChunkInfo info;
    info.min_ts = b.min_ts;
    info.max_ts = b.max_ts;
    info.min_profile = b.min_profile;
    info.max_profile = b.max_profile;
    info.rows = b.rows;
    info.part = f.id;
    info.day = f.day;
    r->infos_.push_back(info);
  }
  return r;
}

Status PartReader::Corrupt(size_t b, const ColumnEntry* column, std::string_view what) const {
  std::string msg = "part " + name_ + ": block " + std::to_string(b);
  if (column != nullptr) msg += ", column " + ColumnName(*column);
  msg += ": ";
  msg += what;
  return Status::Corruption(std::move(msg));
}

Status PartReader::ReadColumn(size_t b, const ColumnEntry& c, Payload* out) const {
  // DecodeFooter checked that the column lies inside the file.
  const std::string_view stored = file_.substr(c.offset, c.stored_len);
  if (crc32c::Value(stored) != crc32c::Unmask(c.crc)) return Corrupt(b, &c, "checksum mismatch");
  Status s = part::Decompress(c.codec, stored, c.raw_len, &out->buf, &out->bytes);
  if (!s.ok()) return Corrupt(b, &c, s.message());
  return Status::OK();
}

const ColumnEntry* PartReader::FindTyped(size_t b, std::string_view path) const {
  const auto& cols = footer_.blocks[b].columns;
  auto begin = cols.begin() + part::kFixedColumns;
  auto end = cols.end();
  if (end != begin && (end - 1)->kind == ColumnKind::kRest) --end;
  auto it = std::lower_bound(begin, end, path,
                             [](const ColumnEntry& c, std::string_view p) { return c.name < p; });
  return it != end && it->name == path ? &*it : nullptr;
}

const ColumnEntry* PartReader::RestOf(size_t b) const {
  const auto& cols = footer_.blocks[b].columns;
  return cols.back().kind == ColumnKind::kRest ? &cols.back() : nullptr;
}

std::vector<std::string> PartReader::Paths(size_t b) const {
  std::vector<std::string> paths;
  for (const ColumnEntry& c : footer_.blocks[b].columns) {
    if (c.kind == ColumnKind::kVariant) paths.push_back(c.name);
    if (c.kind == ColumnKind::kRest) {
      paths.insert(paths.end(), c.rest_paths.begin(), c.rest_paths.end());
    }
  }
  std::sort(paths.begin(), paths.end());
  return paths;
}

Result<std::shared_ptr<const FixedColumns>> PartReader::DecodeFixed(size_t b) const {
  const BlockEntry& block = footer_.blocks[b];
  const size_t n = block.rows;
  auto f = std::make_shared<FixedColumns>();
  f->ts.resize(n);
  f->seq.resize(n);
  f->profile.resize(n);
  f->event.resize(n);
  f->type.resize(n);
  for (int k = 0; k < part::kFixedColumns; ++k) {
    const ColumnEntry& c = block.columns[static_cast<size_t>(k)];
    Payload payload;
    RETURN_IF_ERROR(ReadColumn(b, c, &payload));
    size_t pos = 0;
    bool ok = false;
    switch (c.kind) {
      case ColumnKind::kTs:
        ok = part::DecodeInts(payload.bytes, &pos, n, f->ts.data());
        break;
      case ColumnKind::kSeq:
        ok = part::DecodeInts(payload.bytes, &pos, n, f->seq.data());
        break;
      case ColumnKind::kProfile:
        ok = part::DecodeInts(payload.bytes, &pos, n, f->profile.data());
        break;
      case ColumnKind::kEvent:
        ok = part::DecodeInts(payload.bytes, &pos, n, f->event.data());
        break;
      case ColumnKind::kType:
        ok = part::DecodeInts(payload.bytes, &pos, n, reinterpret_cast<uint8_t*>(f->type.data()));
        break;
      default:
        break;
    }
    if (!ok || pos != payload.bytes.size()) return Corrupt(b, &c, "bad integer stream");
  }
  // What the directory says about the block must hold, and rows must be in order.
  const FixedSummary sum = Summarize(f->ts.data(), f->seq.data(), f->profile.data(),
                                     reinterpret_cast<const uint8_t*>(f->type.data()), n);
  if (sum.max_type >= kEventTypes) {
    return Corrupt(b, &block.columns[4], "event type out of range");
  }
  if (!sum.sorted) return Corrupt(b, nullptr, "rows out of order");
  if (sum.min_ts != block.min_ts || sum.max_ts != block.max_ts ||
      f->profile[0] != block.min_profile || f->profile[n - 1] != block.max_profile) {
    return Corrupt(b, nullptr, "columns disagree with the block directory");
  }
  return std::shared_ptr<const FixedColumns>(std::move(f));
}

Result<std::shared_ptr<const PropertyColumn>> PartReader::DecodeTyped(size_t b,
                                                                      const ColumnEntry& c) const {
  Payload payload;
  RETURN_IF_ERROR(ReadColumn(b, c, &payload));
  auto col = std::make_shared<PropertyColumn>();
  col->path = c.name;
  size_t pos = 0;
  Status s = part::DecodeVariant(payload.bytes, &pos, footer_.blocks[b].rows,
                                 /*allow_absent=*/true, col.get());
  if (!s.ok()) return Corrupt(b, &c, s.message());
  if (pos != payload.bytes.size()) return Corrupt(b, &c, "bytes after the values");
  return std::shared_ptr<const PropertyColumn>(std::move(col));
}

Status PartReader::DecodeRest(size_t b, const std::vector<std::string_view>* wanted,
                              std::vector<RestGroup>* out) const {
  const ColumnEntry& c = *RestOf(b);
  Payload payload;
  RETURN_IF_ERROR(ReadColumn(b, c, &payload));
  const size_t n = footer_.blocks[b].rows;
  size_t index = 0, next = 0;
  Status s = part::ForEachRestGroup(
      payload.bytes, [&](std::string_view path, std::string_view bytes) -> Status {
        if (index >= c.rest_paths.size() || c.rest_paths[index++] != path) {
          return Status::Corruption("groups differ from the directory's paths");
        }
        if (wanted != nullptr) {
          if (next == wanted->size() || (*wanted)[next] != path) return Status::OK();
          ++next;
        }
        RestGroup& g = out->emplace_back();
        g.path = path;
        return part::DecodeRestGroup(bytes, n, &g.rows, &g.values)
            .WithContext("group \"" + std::string(path) + "\"");
      });
  if (s.ok() && index != c.rest_paths.size()) {
    s = Status::Corruption("groups differ from the directory's paths");
  }
  if (s.ok() && wanted != nullptr && next != wanted->size()) {
    s = Status::Corruption("a listed path has no group");
  }
  if (!s.ok()) return Corrupt(b, &c, s.message());
  return Status::OK();
}

Result<ChunkPtr> PartReader::Load(size_t b, const std::vector<std::string>& paths) const {
  if (b >= blocks()) {
    return Status::InvalidArgument("part " + name_ + ": no block " + std::to_string(b));
  }
  const BlockEntry& block = footer_.blocks[b];
  const auto block32 = static_cast<uint32_t>(b);
  auto chunk = std::make_shared<Chunk>();
  chunk->rows = block.rows;
  chunk->min_ts = block.min_ts;
  chunk->max_ts = block.max_ts;
  std::shared_ptr<const FixedColumns> fixed;
  if (cache_ != nullptr) fixed = cache_->LookupFixed(footer_.id, tag_, block32);
  if (fixed == nullptr) {
    ASSIGN_OR_RETURN(fixed, DecodeFixed(b));
    if (cache_ != nullptr) cache_->InsertFixed(footer_.id, tag_, block32, fixed);
  }
  chunk->fixed = std::move(fixed);
  if (paths.empty()) return ChunkPtr(std::move(chunk));

  std::vector<std::string_view> wanted(paths.begin(), paths.end());
  std::sort(wanted.begin(), wanted.end());
  wanted.erase(std::unique(wanted.begin(), wanted.end()), wanted.end());
  const ColumnEntry* rest = RestOf(b);
  std::vector<std::string_view> from_rest;
  for (std::string_view path : wanted) {
    const ColumnEntry* typed = FindTyped(b, path);
    if (typed == nullptr) {
      if (rest != nullptr &&
          std::binary_search(rest->rest_paths.begin(), rest->rest_paths.end(), path)) {
        std::shared_ptr<const PropertyColumn> col;
        if (cache_ != nullptr) col = cache_->LookupColumn(footer_.id, tag_, block32, path);
        if (col != nullptr) {
          chunk->columns.push_back(std::move(col));
        } else {
          from_rest.push_back(path);
        }
      }
      continue;
    }
    std::shared_ptr<const PropertyColumn> col;
    if (cache_ != nullptr) col = cache_->LookupColumn(footer_.id, tag_, block32, path);
    if (col == nullptr) {
      ASSIGN_OR_RETURN(col, DecodeTyped(b, *typed));
      if (cache_ != nullptr) cache_->InsertColumn(footer_.id, tag_, block32, col);
    }
    chunk->columns.push_back(std::move(col));
  }
  if (!from_rest.empty()) {
    std::vector<RestGroup> groups;
    RETURN_IF_ERROR(DecodeRest(b, &from_rest, &groups));
    for (RestGroup& g : groups) {
      std::shared_ptr<const PropertyColumn> col =
          part::Scatter(std::move(g.path), g.rows, std::move(g.values), block.rows);
      if (cache_ != nullptr) cache_->InsertColumn(footer_.id, tag_, block32, col);
      chunk->columns.push_back(std::move(col));
    }
    std::sort(chunk->columns.begin(), chunk->columns.end(),
              [](const auto& x, const auto& y) { return x->path < y->path; });
  }
  return ChunkPtr(std::move(chunk));
}

Result<std::vector<Row>> PartReader::ReadRows(const EventDictionary& events) const {
  std::vector<Row> out;
  out.reserve(footer_.rows);
  std::vector<uint32_t> counts;
  for (size_t b = 0; b < blocks(); ++b) {
    const BlockEntry& block = footer_.blocks[b];
    const size_t n = block.rows;
    ASSIGN_OR_RETURN(std::shared_ptr<const FixedColumns> f, DecodeFixed(b));
    // Every property of the block, typed (dense) and rest (sparse), in path order, so that each
    // row's props come out sorted; counted first so that each row allocates its props once.
    struct Source {
      std::string_view path;
      std::shared_ptr<const PropertyColumn> dense;
      const RestGroup* sparse = nullptr;
    };
    std::vector<Source> sources;
    counts.assign(n, 0);
    for (const ColumnEntry& c : block.columns) {
      if (c.kind != ColumnKind::kVariant) continue;
      ASSIGN_OR_RETURN(std::shared_ptr<const PropertyColumn> col, DecodeTyped(b, c));
      for (size_t i = 0; i < n; ++i) counts[i] += col->kind[i] != ValueKind::kAbsent;
      sources.push_back({c.name, std::move(col), nullptr});
    }
    std::vector<RestGroup> groups;
    if (RestOf(b) != nullptr) RETURN_IF_ERROR(DecodeRest(b, nullptr, &groups));
    for (const RestGroup& g : groups) {
      for (uint32_t r : g.rows) ++counts[r];
      sources.push_back({g.path, nullptr, &g});
    }
    std::sort(sources.begin(), sources.end(),
              [](const Source& x, const Source& y) { return x.path < y.path; });
    const size_t base = out.size();
    for (size_t i = 0; i < n; ++i) {
      if (f->event[i] >= events.size()) {
        return Corrupt(b, &block.columns[3], "event id not in the dictionary");
      }
      Row& row = out.emplace_back();
      row.ts = f->ts[i];
      row.seq = f->seq[i];
      row.profile = f->profile[i];
      row.type = f->type[i];
      row.event = events.Name(f->event[i]);
      row.props.reserve(counts[i]);
    }
    for (const Source& src : sources) {
      if (src.dense != nullptr) {
        for (size_t i = 0; i < n; ++i) {
          if (src.dense->kind[i] != ValueKind::kAbsent) {
            out[base + i].props.emplace_back(src.path, ValueAt(*src.dense, i));
          }
        }
      } else {
        const RestGroup& g = *src.sparse;
        for (size_t j = 0; j < g.rows.size(); ++j) {
          out[base + g.rows[j]].props.emplace_back(src.path, ValueAt(g.values, j));
        }
      }
    }
  }
  return out;
}

}  // namespace rapport::warehouse
