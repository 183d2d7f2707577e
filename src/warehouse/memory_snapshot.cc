#include "warehouse/memory_snapshot.h"

#include <algorithm>
#include <map>
#include <tuple>
#include <unordered_map>

namespace rapport::warehouse {

ChunkPtr BuildChunk(const std::vector<const Row*>& rows, EventDictionary* events) {
  auto chunk = std::make_shared<Chunk>();
  auto fixed = std::make_shared<FixedColumns>();
  const size_t n = rows.size();
  chunk->rows = n;
  fixed->ts.reserve(n);
  fixed->seq.reserve(n);
  fixed->profile.reserve(n);
  fixed->event.reserve(n);
  fixed->type.reserve(n);
  std::map<std::string, std::shared_ptr<PropertyColumn>> columns;
  std::map<std::string, std::unordered_map<std::string, uint32_t>> codes;
  for (size_t r = 0; r < n; ++r) {
    const Row& row = *rows[r];
    fixed->ts.push_back(row.ts);
    fixed->seq.push_back(row.seq);
    fixed->profile.push_back(row.profile);
    fixed->event.push_back(events->Intern(row.event));
    fixed->type.push_back(row.type);
    chunk->min_ts = r == 0 ? row.ts : std::min(chunk->min_ts, row.ts);
    chunk->max_ts = r == 0 ? row.ts : std::max(chunk->max_ts, row.ts);
    for (const auto& [path, value] : row.props) {
      auto& col = columns[path];
      if (!col) {
        col = std::make_shared<PropertyColumn>();
        col->path = path;
        col->kind.assign(n, ValueKind::kAbsent);
        col->number.assign(n, 0);
        col->code.assign(n, 0);
      }
      col->kind[r] = value.kind;
      if (value.kind == ValueKind::kNumber) col->number[r] = value.number;
      if (value.kind == ValueKind::kString || value.kind == ValueKind::kJson) {
        auto [it, fresh] =
            codes[path].emplace(value.text, static_cast<uint32_t>(col->strings.size()));
        if (fresh) col->strings.push_back(value.text);
        col->code[r] = it->second;
      }
    }
  }
  chunk->fixed = std::move(fixed);
  for (auto& [path, col] : columns) chunk->columns.push_back(std::move(col));
  return chunk;
}

MemorySnapshot::MemorySnapshot(std::vector<Row> rows, ProfileMap profiles, size_t chunk_rows,
                               EventDictionary events, uint64_t first_part_id)
    : MemorySnapshot(std::move(rows), std::make_shared<const ProfileMap>(std::move(profiles)),
                     chunk_rows, std::move(events), first_part_id) {}

MemorySnapshot::MemorySnapshot(std::vector<Row> rows, std::shared_ptr<const ProfileMap> profiles,
                               size_t chunk_rows, EventDictionary events, uint64_t first_part_id)
    : events_(std::move(events)), profiles_(std::move(profiles)) {
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
    return std::make_tuple(DayOf(a.ts), a.profile, a.ts, a.seq) <
           std::make_tuple(DayOf(b.ts), b.profile, b.ts, b.seq);
  });
  uint64_t part = first_part_id;
  for (size_t begin = 0; begin < rows.size();) {
    const int64_t day = DayOf(rows[begin].ts);
    size_t end = begin;
    while (end < rows.size() && DayOf(rows[end].ts) == day) ++end;
    std::vector<const Row*> part_rows;
    for (size_t i = begin; i < end; ++i) part_rows.push_back(&rows[i]);
    AddPart(part_rows, day, part++, chunk_rows);
    begin = end;
  }
}

MemorySnapshot::MemorySnapshot(std::vector<std::vector<Row>> parts, ProfileMap profiles,
                               size_t chunk_rows)
    : profiles_(std::make_shared<const ProfileMap>(std::move(profiles))) {
  std::vector<std::pair<int64_t, size_t>> order;  // (day, part index): chunks come day by day
  for (size_t p = 0; p < parts.size(); ++p) {
    if (!parts[p].empty()) order.emplace_back(DayOf(parts[p][0].ts), p);
  }
  std::stable_sort(order.begin(), order.end());
  for (auto [day, p] : order) {
    std::vector<const Row*> rows;
    for (const Row& r : parts[p]) rows.push_back(&r);
    std::sort(rows.begin(), rows.end(), [](const Row* a, const Row* b) {
      return std::tie(a->profile, a->ts, a->seq) < std::tie(b->profile, b->ts, b->seq);
    });
    AddPart(rows, day, p + 1, chunk_rows);
  }
}

void MemorySnapshot::AddPart(const std::vector<const Row*>& rows, int64_t day, uint64_t part,
                             size_t chunk_rows) {
  for (size_t b = 0; b < rows.size(); b += chunk_rows) {
    const size_t e = std::min(rows.size(), b + chunk_rows);
    std::vector<const Row*> slice(rows.begin() + b, rows.begin() + e);
    ChunkPtr chunk = BuildChunk(slice, &events_);
    ChunkInfo info;
    info.min_ts = chunk->min_ts;
    info.max_ts = chunk->max_ts;
    info.min_profile = slice.front()->profile;
    info.max_profile = slice.back()->profile;
    info.rows = slice.size();
    info.part = part;
    info.day = day;
    infos_.push_back(info);
    chunks_.push_back(std::move(chunk));
  }
}

std::vector<std::string> MemorySnapshot::Paths(size_t i) const {
  std::vector<std::string> out;
  for (const auto& col : chunks_[i]->columns) out.push_back(col->path);
  return out;  // columns are sorted by path
}

Result<ChunkPtr> MemorySnapshot::Load(size_t i, const std::vector<std::string>& paths) const {
  const ChunkPtr& all = chunks_[i];
  auto chunk = std::make_shared<Chunk>();
  chunk->rows = all->rows;
  chunk->min_ts = all->min_ts;
  chunk->max_ts = all->max_ts;
  chunk->fixed = all->fixed;
  for (const auto& col : all->columns) {
    if (std::find(paths.begin(), paths.end(), col->path) != paths.end()) {
      chunk->columns.push_back(col);
    }
  }
  return ChunkPtr(std::move(chunk));
}

}  // namespace rapport::warehouse
