#include "warehouse/query/paths.h"

#include <algorithm>
#include <tuple>
#include <unordered_map>
#include <utility>

#include "common/json_describe.h"
#include "common/json_writer.h"
#include "warehouse/query/parallel.h"
#include "warehouse/query/trends_scan.h"

namespace rapport::warehouse {

namespace {

using simdjson::dom::element;
using simdjson::dom::object;

// Node names by (call type, event id); ids index `names` (0 is no node).
struct Nodes {
  size_t events = 0;
  std::vector<std::string> names = {""};
  std::vector<uint32_t> of;  // type * events + event id → node
  uint32_t terminator = 0;   // "(end)" or "(start)"
  uint32_t other = 0;        // "(other)"

  uint32_t Of(EventType t, uint32_t event) const {
    return of[static_cast<size_t>(t) * events + event];
  }
};

Nodes MakeNodes(const EventDictionary& dict, bool from_end) {
  Nodes n;
  n.events = dict.size();
  std::unordered_map<std::string, uint32_t> ids;
  auto intern = [&](std::string name) {
    auto [it, fresh] = ids.try_emplace(name, static_cast<uint32_t>(n.names.size()));
    if (fresh) n.names.push_back(std::move(name));
    return it->second;
  };
  n.of.resize(kEventTypes * n.events);
  for (int t = 0; t < kEventTypes; ++t) {
    const auto type = static_cast<EventType>(t);
    const std::string type_name(EventTypeName(type));
    for (size_t e = 0; e < n.events; ++e) {
      const std::string_view name = dict.Name(static_cast<uint32_t>(e));
      std::string node;
      switch (type) {
        case EventType::kTrack:
          node = name.empty() ? type_name : std::string(name);
          break;
        case EventType::kPage:
        case EventType::kScreen:
          node = name.empty() ? type_name : type_name + ": " + std::string(name);
          break;
        default:
          node = type_name;
      }
      n.of[t * n.events + e] = intern(std::move(node));
    }
  }
  n.terminator = intern(from_end ? "(start)" : "(end)");
  n.other = intern("(other)");
  return n;
}

// Events of one profile, fed in the order the path reads them (forward from `start`, backward
// from `end`): the first anchor match, then up to `steps` nodes (consecutive repeats collapsed
// when asked). `head`: the last node << 8 | the number of nodes (0: no anchor yet), the only
// word most rows touch; `nodes`: room for steps + 1, only written.
struct Feeder {
  uint32_t steps = 0;
  bool collapse = true;

  void Feed(uint32_t& head, uint32_t* nodes, uint32_t node, bool match) const {
    const uint32_t len = head & 0xFF;
    if (len == 0) {
      if (match) {
        nodes[0] = node;
        head = node << 8 | 1;
      }
      return;
    }
    if (len == steps + 1 || (collapse && head >> 8 == node)) return;
    nodes[len] = node;
    head = node << 8 | (len + 1);
  }
};
constexpr size_t kMaxNodes = size_t{1} << 24;  // node ids fit in a head word

struct Deferred {
  uint64_t profile;
  int64_t ts;
  uint64_t seq;
  uint32_t node;
  bool match;
};

struct PathWorker {
  std::vector<uint8_t> mask;
  std::vector<Deferred> deferred;
};

}  // namespace

Result<PathsSpec> ParsePathsSpec(object spec) {
  RETURN_IF_ERROR(RejectUnknown(
      spec, {"kind", "from", "to", "start", "end", "steps", "limit", "collapse_repeats"}, ""));
  PathsSpec out;
  ASSIGN_OR_RETURN(out.range, ParseTimeRange(spec));
  element start, end;
  const bool has_start = spec.at_key("start").get(start) == simdjson::SUCCESS;
  const bool has_end = spec.at_key("end").get(end) == simdjson::SUCCESS;
  if (has_start == has_end) {
    return Status::InvalidArgument(
        has_start ? "\"start\" and \"end\" cannot both be given: paths go forward from \"start\" "
                    "or backward from \"end\""
                  : "one of \"start\" and \"end\" is required (an event filter)");
  }
  out.from_end = has_end;
  ASSIGN_OR_RETURN(out.anchor,
                   ParseEventFilter(has_start ? start : end, has_start ? "start" : "end"));
  ASSIGN_OR_RETURN(int64_t steps, ParseInt(spec, "steps", 1, kMaxPathSteps, kDefaultPathSteps));
  ASSIGN_OR_RETURN(int64_t limit, ParseInt(spec, "limit", 1, kMaxPathLimit, kDefaultPathLimit));
  out.steps = static_cast<int>(steps);
  out.limit = static_cast<int>(limit);
  element v;
  if (spec.at_key("collapse_repeats").get(v) == simdjson::SUCCESS &&
      v.get_bool().get(out.collapse_repeats) != simdjson::SUCCESS) {
    return Status::InvalidArgument("\"collapse_repeats\" must be true or false, got " +
                                   DescribeJson(v));
  }
  return out;
}

Result<PathsResult> RunPaths(const Snapshot& snap, const PathsSpec& spec,
                             const QueryOptions& options) {
  const int threads = options.threads > 0 ? options.threads : DefaultQueryThreads();
  const Nodes nodes = MakeNodes(snap.events(), spec.from_end);
  if (nodes.names.size() >= kMaxNodes) {
    return Status::Internal("paths: more distinct event names than a query can hold (" +
                            std::to_string(nodes.names.size()) + ")");
  }
  const CompiledFilter anchor(spec.anchor, snap.events());
  const ProfileMap& map = snap.profiles();
  const Feeder feeder{static_cast<uint32_t>(spec.steps), spec.collapse_repeats};
  const size_t stride = spec.steps + 1;  // nodes per profile

  // Chunks in range, grouped by day; chunks whose first/last profile continues in a neighbour.
  const size_t count = snap.chunk_count();
  uint64_t bound = map.max_id();
  std::vector<std::vector<size_t>> days;
  std::vector<uint8_t> front(count, 0), back(count, 0);
  for (size_t i = 0; i < count; ++i) {
    const ChunkInfo& info = snap.info(i);
    bound = std::max(bound, info.max_profile);
    if (i > 0 && snap.info(i - 1).part == info.part &&
        snap.info(i - 1).max_profile == info.min_profile) {
      front[i] = back[i - 1] = 1;
    }
    if (info.rows == 0 || info.max_ts < spec.range.from_us || info.min_ts >= spec.range.to_us) {
      continue;
    }
    if (days.empty() || snap.info(days.back()[0]).day != info.day) days.emplace_back();
    days.back().push_back(i);
  }
  if (spec.from_end) std::reverse(days.begin(), days.end());
  const trends_internal::ProfileResolver profiles(map, bound + 1);
  // Per-profile state, dense by current id (sparse ids take the sequential path).
  const bool dense = bound < trends_internal::kMaxDenseProfiles;
  std::vector<uint32_t> heads(dense ? bound + 1 : 0, 0);
  std::vector<uint32_t> paths_nodes(dense ? (bound + 1) * stride : 0);
  std::unordered_map<uint64_t, std::pair<uint32_t, std::vector<uint32_t>>> sparse;
  auto feed = [&](uint64_t cur, uint32_t node, bool match) {
    if (dense && cur <= bound) {
      feeder.Feed(heads[cur], &paths_nodes[cur * stride], node, match);
    } else {
      auto& [head, nodes] = sparse[cur];
      if (nodes.empty()) nodes.resize(stride);
      feeder.Feed(head, nodes.data(), node, match);
    }
  };

  std::vector<PathWorker> workers(threads);
  std::vector<std::string> paths = anchor.paths();
  for (const std::vector<size_t>& day : days) {
    bool several_parts = false;
    for (size_t i : day)
      several_parts = several_parts || snap.info(i).part != snap.info(day[0]).part;
    RETURN_IF_ERROR(ParallelChunks(day.size(), threads, [&](int w, size_t k) -> Status {
      const size_t index = day[k];
      ASSIGN_OR_RETURN(ChunkPtr chunk, snap.Load(index, paths));
      const Chunk& c = *chunk;
      PathWorker& pw = workers[w];
      pw.mask.resize(c.rows);
      anchor.Evaluate(c, pw.mask.data());
      const uint64_t* prof = c.profile();
      const int64_t* ts = c.ts();
      const EventType* type = c.type();
      const uint32_t* event = c.event();
      const uint8_t* mask = pw.mask.data();
      for (size_t i = 0; i < c.rows;) {
        size_t j = i + 1;
        while (j < c.rows && prof[j] == prof[i]) ++j;
        const uint64_t stored = prof[i];
        if (stored != 0) {
          bool touched;
          const uint64_t cur = profiles.Resolve(stored, &touched);
          const bool fast = dense && cur <= bound && !several_parts && !touched &&
                            !(front[index] && i == 0) && !(back[index] && j == c.rows);
          for (size_t n = 0; n < j - i; ++n) {
            const size_t r = spec.from_end ? j - 1 - n : i + n;
            if (!spec.range.Contains(ts[r])) continue;
            const uint32_t node = nodes.Of(type[r], event[r]);
            if (fast) {
              feeder.Feed(heads[cur], &paths_nodes[cur * stride], node, mask[r]);
            } else {
              pw.deferred.push_back({cur, ts[r], c.seq()[r], node, mask[r] != 0});
            }
          }
        }
        i = j;
      }
      return Status::OK();
    }));
    std::vector<Deferred> rows;
    for (PathWorker& pw : workers) {
      rows.insert(rows.end(), pw.deferred.begin(), pw.deferred.end());
      pw.deferred.clear();
    }
    std::sort(rows.begin(), rows.end(), [&](const Deferred& a, const Deferred& b) {
      if (a.profile != b.profile) return a.profile < b.profile;
      return spec.from_end ? std::tie(a.ts, a.seq) > std::tie(b.ts, b.seq)
                           : std::tie(a.ts, a.seq) < std::tie(b.ts, b.seq);
    });
    for (const Deferred& d : rows) feed(d.profile, d.node, d.match);
  }

  // Every path as nodes (anchor first), ending with the terminator when short: `flat` holds
  // `len_max` nodes per path, `lens` how many are set.
  PathsResult result;
  const size_t len_max = spec.steps + 1;
  std::vector<uint32_t> flat;
  std::vector<uint8_t> lens;
  auto collect = [&](uint32_t head, const uint32_t* path) {
    uint32_t len = head & 0xFF;
    if (len == 0) return;
    flat.insert(flat.end(), path, path + len);
    if (len < len_max) flat.push_back(nodes.terminator), ++len;
    flat.resize((lens.size() + 1) * len_max, 0);
    lens.push_back(static_cast<uint8_t>(len));
  };
  for (size_t p = 0; p < heads.size(); ++p) collect(heads[p], &paths_nodes[p * stride]);
  for (const auto& [id, s] : sparse) collect(s.first, s.second.data());
  result.profiles = lens.size();

  // Step by step from the anchor: keep the top `limit` links, send the rest to "(other)".
  auto name = [&](uint32_t n) -> const std::string& { return nodes.names[n]; };
  auto step_of = [&](size_t pos) {
    return static_cast<int>(spec.from_end ? spec.steps - pos : pos);
  };
  const size_t node_count = nodes.names.size();
  auto key = [](uint32_t a, uint32_t b) { return uint64_t{a} << 32 | b; };
  std::vector<uint64_t> at(node_count, 0);
  auto add_nodes = [&](int step) {
    for (uint32_t n = 0; n < node_count; ++n) {
      if (at[n]) result.nodes.push_back({step, name(n), at[n]});
    }
  };
  for (size_t p = 0; p < lens.size(); ++p) ++at[flat[p * len_max]];
  add_nodes(step_of(0));
  std::unordered_map<uint64_t, uint64_t> links, kept;
  for (size_t pos = 0; pos + 1 < len_max; ++pos) {
    links.clear();
    for (size_t p = 0; p < lens.size(); ++p) {
      if (lens[p] > pos + 1) ++links[key(flat[p * len_max + pos], flat[p * len_max + pos + 1])];
    }
    if (links.empty()) break;
    std::vector<std::pair<uint64_t, uint64_t>> ranked(links.begin(), links.end());
    std::sort(ranked.begin(), ranked.end(), [&](const auto& a, const auto& b) {
      if (a.second != b.second) return a.second > b.second;
      const uint32_t sa = a.first >> 32, sb = b.first >> 32;
      if (sa != sb) return name(sa) < name(sb);
      return name(static_cast<uint32_t>(a.first)) < name(static_cast<uint32_t>(b.first));
    });
    // The top links stay; the others go to "(other)" (aggregated per source).
    const size_t top = std::min<size_t>(ranked.size(), static_cast<size_t>(spec.limit));
    kept.clear();
    kept.insert(ranked.begin(), ranked.begin() + top);
    for (size_t k = top; k < ranked.size(); ++k) {
      kept[key(ranked[k].first >> 32, nodes.other)] += ranked[k].second;
    }
    std::fill(at.begin(), at.end(), 0);
    for (size_t p = 0; p < lens.size(); ++p) {
      if (lens[p] <= pos + 1) continue;
      uint32_t* link = &flat[p * len_max + pos];
      if (top < ranked.size() && !kept.count(key(link[0], link[1]))) link[1] = nodes.other;
      ++at[link[1]];
    }
    for (const auto& [l, k] : kept) {
      const uint32_t from = l >> 32, to = static_cast<uint32_t>(l);
      PathsLink out;
      out.step = spec.from_end ? step_of(pos + 1) : step_of(pos);
      out.source = spec.from_end ? name(to) : name(from);
      out.target = spec.from_end ? name(from) : name(to);
      out.count = k;
      result.links.push_back(std::move(out));
    }
    add_nodes(step_of(pos + 1));
  }
  std::sort(result.nodes.begin(), result.nodes.end(), [](const PathsNode& a, const PathsNode& b) {
    return std::make_tuple(a.step, -static_cast<double>(a.count), a.name) <
           std::make_tuple(b.step, -static_cast<double>(b.count), b.name);
  });
  std::sort(result.links.begin(), result.links.end(), [](const PathsLink& a, const PathsLink& b) {
    return std::make_tuple(a.step, -static_cast<double>(a.count), a.source, a.target) <
           std::make_tuple(b.step, -static_cast<double>(b.count), b.source, b.target);
  });
  return result;
}

void AppendPathsJson(const PathsResult& result, const Snapshot& snapshot, std::string* out) {
  auto id = [](int step, const std::string& name) { return std::to_string(step) + ":" + name; };
  *out += "{\"nodes\":[";
  for (size_t i = 0; i < result.nodes.size(); ++i) {
    const PathsNode& n = result.nodes[i];
    if (i) out->push_back(',');
    *out += "{\"id\":";
    AppendJsonString(out, id(n.step, n.name));
    *out += ",\"step\":" + std::to_string(n.step) + ",\"name\":";
    AppendJsonString(out, n.name);
    *out += ",\"count\":" + std::to_string(n.count) + "}";
  }
  *out += "],\"links\":[";
  for (size_t i = 0; i < result.links.size(); ++i) {
    const PathsLink& l = result.links[i];
    if (i) out->push_back(',');
    *out += "{\"source\":";
    AppendJsonString(out, id(l.step, l.source));
    *out += ",\"target\":";
    AppendJsonString(out, id(l.step + 1, l.target));
    *out += ",\"count\":" + std::to_string(l.count) + "}";
  }
  *out += "],\"profiles\":" + std::to_string(result.profiles) + "}";
}

Table PathsTable(const PathsResult& result) {
  Table t;
  t.columns = {"step", "from", "to", "profiles"};
  for (const PathsLink& l : result.links) {
    t.rows.push_back({std::to_string(l.step) + "→" + std::to_string(l.step + 1), l.source, l.target,
                      std::to_string(l.count)});
  }
  return t;
}

}  // namespace rapport::warehouse
