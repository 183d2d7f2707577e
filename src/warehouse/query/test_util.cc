#include "warehouse/query/test_util.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <random>

#include "common/time_format.h"
#include "profile/computed/computed_match.h"
#include "warehouse/memory_snapshot.h"
#include "warehouse/query/common.h"

namespace rapport::warehouse::testing {

int64_t T(std::string_view iso) { return *ParseIso8601(iso); }

Row Ev(uint64_t profile, int64_t ts, std::string event,
       std::vector<std::pair<std::string, Value>> props) {
  Row r;
  r.profile = profile;
  r.ts = ts;
  r.event = std::move(event);
  r.props = std::move(props);
  return r;
}

std::vector<Row> Seq(std::vector<Row> rows) {
  for (size_t i = 0; i < rows.size(); ++i) rows[i].seq = (i + 1) << 8;
  return rows;
}

std::vector<std::vector<Row>> DealIntoParts(const std::vector<Row>& rows, int parts_per_day,
                                            uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::map<std::pair<int64_t, int>, std::vector<Row>> parts;
  for (const Row& r : rows) {
    parts[{DayOf(r.ts), static_cast<int>(rng() % parts_per_day)}].push_back(r);
  }
  std::vector<std::vector<Row>> out;
  for (auto& [key, part] : parts) out.push_back(std::move(part));
  return out;
}

std::unique_ptr<Snapshot> MakePartsSnapshot(std::vector<std::vector<Row>> parts,
                                            const ProfileMap& profiles, size_t chunk_rows) {
  return std::make_unique<MemorySnapshot>(std::move(parts), profiles, chunk_rows);
}

RandomData MakeRandomData(uint64_t seed) {
  std::mt19937_64 rng(seed);
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<uint64_t>(n)); };
  RandomData d;
  const int64_t base_days[] = {19700, -3, 19722};
  const int64_t base = base_days[pick(3)];
  const int days = 1 + pick(seed % 4 == 0 ? 70 : 12);
  const int profiles = 1 + pick(40);
  const int rows = pick(500);
  const char* names[] = {"A", "B", "C", "Signed Up"};
  const char* channels[] = {"web", "ios", "android", "email", "ads", "x1", "x2", "x3"};
  const char* plans[] = {"free", "pro", "team"};
  std::vector<Row> all;
  for (int i = 0; i < rows; ++i) {
    Row r;
    const int64_t day = base + pick(days);
    r.ts = day * kDayUs + pick(24) * kHourUs + pick(3) * 60'000'000;
    r.seq = (static_cast<uint64_t>(pick(1000000)) << 20) | static_cast<uint64_t>(i);
    r.profile = pick(8) == 0 ? 0 : 1 + pick(profiles);
    const int t = pick(100);
    r.type = t < 70   ? EventType::kTrack
             : t < 80 ? EventType::kPage
             : t < 85 ? EventType::kScreen
             : t < 93 ? EventType::kIdentify
             : t < 97 ? EventType::kGroup
                      : EventType::kAlias;
    if (r.type == EventType::kTrack) r.event = names[pick(4)];
    if (r.type == EventType::kPage || r.type == EventType::kScreen) {
      const int k = pick(3);
      r.event = k == 0 ? "" : k == 1 ? "Home" : "A";
    }
    const int c = pick(100);
    if (c < 75) {
      r.props.push_back({"properties.channel", Value::String(channels[pick(pick(2) ? 3 : 8)])});
    } else if (c < 80) {
      r.props.push_back({"properties.channel", Value::Number(pick(2) ? 3 : 2.5)});
    } else if (c < 85) {
      r.props.push_back({"properties.channel", Value::Bool(pick(2))});
    } else if (c < 90) {
      r.props.push_back({"properties.channel", Value::Null()});
    }
    const int v = pick(100);
    if (v < 55) {
      r.props.push_back({"properties.revenue", Value::Number(pick(400) * 0.25 - 20)});
    } else if (v < 65) {
      r.props.push_back({"properties.revenue", Value::String(std::to_string(pick(50)))});
    } else if (v < 70) {
      r.props.push_back({"properties.revenue", Value::String("abc")});
    } else if (v < 72) {
      r.props.push_back({"properties.revenue", Value::Json("[1,2]")});
    }
    if ((r.type == EventType::kIdentify || r.type == EventType::kGroup) && pick(10) < 8) {
      r.props.push_back(
          {"traits.plan", pick(8) == 0 ? Value::Null() : Value::String(plans[pick(3)])});
    }
    if (pick(5) == 0) r.props.push_back({"context.traits.plan", Value::String(plans[pick(3)])});
    all.push_back(std::move(r));
  }
  // One to three parts per day, rows spread over them at random: they overlap in time.
  std::map<int64_t, std::vector<std::vector<Row>>> by_day;
  std::map<int64_t, int> parts_of_day;
  for (Row& r : all) {
    const int64_t day = DayOf(r.ts);
    if (!parts_of_day.count(day)) parts_of_day[day] = 1 + pick(seed % 3 == 0 ? 1 : 3);
    auto& parts = by_day[day];
    parts.resize(parts_of_day[day]);
    parts[pick(parts_of_day[day])].push_back(std::move(r));
  }
  for (auto& [day, parts] : by_day) {
    for (auto& p : parts) d.parts.push_back(std::move(p));
  }
  const int merges = seed % 2 == 0 ? 0 : pick(6);
  for (int i = 0; i < merges && profiles > 1; ++i) {
    const uint64_t from = 1 + pick(profiles), into = 1 + pick(profiles);
    d.merges.push_back({from, into});
  }
  d.max_profile = static_cast<uint64_t>(profiles);
  d.chunk_rows = seed % 5 == 0 ? 64 : 1 + pick(7);
  return d;
}

std::vector<Row> AllRows(const RandomData& d) {
  std::vector<Row> rows;
  for (const auto& p : d.parts) rows.insert(rows.end(), p.begin(), p.end());
  return rows;
}

const Value* Prop(const Row& r, std::string_view path) {
  for (const auto& [p, v] : r.props) {
    if (p == path) return &v;
  }
  return nullptr;
}

ComputedValue ToComputed(const Value* v) {
  if (v == nullptr) return ComputedValue::Missing();
  switch (v->kind) {
    case ValueKind::kAbsent:
      return ComputedValue::Missing();
    case ValueKind::kNull:
      return ComputedValue::Null();
    case ValueKind::kFalse:
      return ComputedValue::Bool(false);
    case ValueKind::kTrue:
      return ComputedValue::Bool(true);
    case ValueKind::kNumber:
      return ComputedValue::Number(v->number);
    case ValueKind::kString:
      return ComputedValue::String(v->text);
    case ValueKind::kJson:
      return ComputedValue::Json(v->text);
  }
  return ComputedValue::Missing();
}

bool RefMatches(const EventFilter& f, const Row& r) {
  if (f.type && *f.type != r.type) return false;
  if (!f.event.empty() && f.event != r.event) return false;
  for (const WhereClause& c : f.where) {
    if (!Holds(c, ToComputed(Prop(r, c.path)))) return false;
  }
  return true;
}

std::string ParseError(const std::string& json,
                       const std::function<Status(simdjson::dom::object)>& parse) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(json).get(doc) != simdjson::SUCCESS) return "bad test JSON";
  simdjson::dom::object obj;
  if (doc.get_object().get(obj) != simdjson::SUCCESS) return "bad test JSON";
  Status s = parse(obj);
  if (s.ok()) return "accepted";
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << json;
  return s.message();
}

std::vector<Row> ReadBenchCsv(const char* path) {
  std::vector<Row> rows;
  FILE* f = std::fopen(path, "r");
  if (f == nullptr) return rows;
  char line[4096];
  uint64_t seq = 0;
  if (std::fgets(line, sizeof line, f) == nullptr) line[0] = 0;  // the header
  while (std::fgets(line, sizeof line, f) != nullptr) {
    std::vector<std::string> cells(1);
    for (const char* c = line; *c && *c != '\n'; ++c) {
      if (*c == ',') {
        cells.emplace_back();
      } else {
        cells.back().push_back(*c);
      }
    }
    if (cells.size() < 7) continue;
    Row r;
    r.ts = std::strtoll(cells[0].c_str(), nullptr, 10);
    r.profile = std::strtoull(cells[1].c_str(), nullptr, 10);
    r.seq = ++seq << 8;
    r.type = cells[2] == "page"       ? EventType::kPage
             : cells[2] == "identify" ? EventType::kIdentify
                                      : EventType::kTrack;
    r.event = cells[3];
    if (!cells[4].empty()) r.props.push_back({"context.campaign.source", Value::String(cells[4])});
    if (!cells[5].empty()) r.props.push_back({"properties.category", Value::String(cells[5])});
    if (!cells[6].empty()) {
      r.props.push_back(
          {"properties.revenue", Value::Number(std::strtod(cells[6].c_str(), nullptr))});
    }
    rows.push_back(std::move(r));
  }
  std::fclose(f);
  return rows;
}

}  // namespace rapport::warehouse::testing
