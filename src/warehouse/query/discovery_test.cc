#include "warehouse/query/discovery.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <tuple>

#include "common/time_format.h"
#include "warehouse/memory_snapshot.h"
#include "warehouse/query/test_util.h"
#include "warehouse/row.h"

namespace rapport::warehouse {
namespace {

using testing::ParseError;

template <typename Spec>
Spec MustParse(Result<Spec> (*parse)(simdjson::dom::object), const std::string& json) {
  simdjson::dom::parser parser;
  auto r = parse(parser.parse(json).get_object().value());
  EXPECT_TRUE(r.ok()) << json << ": " << r.status().ToString();
  return r.ok() ? *r : Spec{};
}

template <typename Spec>
std::string Error(Result<Spec> (*parse)(simdjson::dom::object), const std::string& json) {
  return ParseError(json, [&](simdjson::dom::object o) { return parse(o).status(); });
}

Row Ev(std::string_view time, uint64_t profile, std::string event,
       std::vector<std::pair<std::string, Value>> props, EventType type = EventType::kTrack) {
  static uint64_t seq = 0;
  Row r;
  r.ts = *ParseIso8601("2024-05-06T" + std::string(time) + ":00Z");
  r.seq = ++seq;
  r.profile = profile;
  r.type = type;
  r.event = std::move(event);
  r.props = std::move(props);
  return r;
}

std::vector<std::vector<Row>> Parts() {
  return {{
      Ev("10:00", 1, "Signed Up",
         {{"properties.plan", Value::String("pro")}, {"properties.seats", Value::Number(3)}}),
      Ev("10:05", 1, "Pricing", {{"properties.plan", Value::String("free")}}, EventType::kPage),
      Ev("11:00", 2, "Signed Up",
         {{"properties.plan", Value::String("pro")}, {"properties.tags", Value::Json("[\"a\"]")}}),
      Ev("12:00", 0, "Signed Up", {{"properties.plan", Value::Null()}}),
      Ev("13:00", 2, "", {{"traits.email", Value::String("x@y")}}, EventType::kIdentify),
  }};
}

const std::string kDay = R"("from":"2024-05-06","to":"2024-05-07")";

TEST(DiscoveryTest, Events) {
  auto snap = testing::MakePartsSnapshot(Parts(), ProfileMap(), 2);
  auto r = RunEvents(*snap, MustParse(ParseEventsSpec, "{" + kDay + R"(,"profiles":true})"),
                     QueryOptions{2, 0});
  ASSERT_TRUE(r.ok());
  std::string json;
  AppendEventsJson(*r, *snap, &json);
  EXPECT_EQ(json, R"({"events":[{"name":"Signed Up","type":"track","count":3,"profiles":2,)"
                  R"("last_seen":"2024-05-06T12:00:00.000Z"},)"
                  R"({"name":null,"type":"identify","count":1,"profiles":1,)"
                  R"("last_seen":"2024-05-06T13:00:00.000Z"},)"
                  R"({"name":"Pricing","type":"page","count":1,"profiles":1,)"
                  R"("last_seen":"2024-05-06T10:05:00.000Z"}]})");
  EXPECT_EQ(EventsTable(*r).Render(),
            "event      type      count  profiles  last seen               \n"
            "---------  --------  -----  --------  ------------------------\n"
            "Signed Up  track         3         2  2024-05-06T12:00:00.000Z\n"
            "(no name)  identify      1         1  2024-05-06T13:00:00.000Z\n"
            "Pricing    page          1         1  2024-05-06T10:05:00.000Z\n");
  r = RunEvents(*snap,
                MustParse(ParseEventsSpec, R"({"from":"2024-05-06T10:30:00Z","to":"2024-05-07"})"),
                QueryOptions{1, 0});
  ASSERT_TRUE(r.ok());
  json.clear();
  AppendEventsJson(*r, *snap, &json);
  EXPECT_EQ(
      json,
      R"({"events":[{"name":"Signed Up","type":"track","count":2,)"
      R"("last_seen":"2024-05-06T12:00:00.000Z"},)"
      R"({"name":null,"type":"identify","count":1,"last_seen":"2024-05-06T13:00:00.000Z"}]})");
}

TEST(DiscoveryTest, PropertiesAndValues) {
  auto snap = testing::MakePartsSnapshot(Parts(), ProfileMap(), 3);
  auto props =
      RunProperties(*snap, MustParse(ParsePropertiesSpec, "{" + kDay + "}"), QueryOptions{2, 0});
  ASSERT_TRUE(props.ok());
  std::string json;
  AppendPropertiesJson(*props, *snap, &json);
  EXPECT_EQ(json,
            R"({"properties":[{"path":"properties.plan","count":4,"kinds":["string","null"]},)"
            R"({"path":"properties.seats","count":1,"kinds":["number"]},)"
            R"({"path":"properties.tags","count":1,"kinds":["array"]},)"
            R"({"path":"traits.email","count":1,"kinds":["string"]}]})");
  // The same through a MemorySnapshot (its Paths lists a chunk's columns).
  MemorySnapshot memory(Parts()[0], ProfileMap(), 2);
  auto again =
      RunProperties(memory, MustParse(ParsePropertiesSpec, "{" + kDay + "}"), QueryOptions{2, 0});
  ASSERT_TRUE(again.ok());
  std::string memory_json;
  AppendPropertiesJson(*again, memory, &memory_json);
  EXPECT_EQ(memory_json, json);
  props = RunProperties(
      *snap, MustParse(ParsePropertiesSpec, "{" + kDay + R"(,"event":"Pricing"})"), {1, 0});
  ASSERT_TRUE(props.ok());
  EXPECT_EQ(PropertiesTable(*props).Render(),
            "path             count  kinds \n"
            "---------------  -----  ------\n"
            "properties.plan      1  string\n");
  props = RunProperties(*snap, MustParse(ParsePropertiesSpec, "{" + kDay + R"(,"event":"Nope"})"),
                        {1, 0});
  ASSERT_TRUE(props.ok());
  EXPECT_TRUE(props->properties.empty());

  auto values = RunValues(
      *snap, MustParse(ParseValuesSpec, "{" + kDay + R"(,"path":"properties.plan","limit":2})"),
      QueryOptions{2, 0});
  ASSERT_TRUE(values.ok());
  json.clear();
  AppendValuesJson(*values, *snap, &json);
  EXPECT_EQ(json,
            R"({"values":[{"value":"pro","count":2},{"value":null,"count":1}],"other_count":1})");
  values = RunValues(
      *snap,
      MustParse(ParseValuesSpec, "{" + kDay + R"(,"path":"properties.tags","event":"Signed Up"})"),
      QueryOptions{1, 0});
  ASSERT_TRUE(values.ok());
  json.clear();
  AppendValuesJson(*values, *snap, &json);
  EXPECT_EQ(json, R"({"values":[{"value":["a"],"count":1}],"other_count":0})");
  EXPECT_EQ(ValuesTable(*values).Render(),
            "value  count\n"
            "-----  -----\n"
            "[\"a\"]      1\n");
}

TEST(DiscoveryTest, SpecErrors) {
  EXPECT_EQ(Error(ParseEventsSpec, "{" + kDay + R"(,"kind":"events"})"), "accepted");
  EXPECT_EQ(Error(ParseEventsSpec, "{" + kDay + R"(,"profiles":1})"),
            "\"profiles\" must be true or false, got 1");
  EXPECT_EQ(Error(ParseEventsSpec, "{" + kDay + R"(,"event":"x"})"),
            "the query has an unknown field \"event\" (known: \"kind\", \"from\", \"to\", "
            "\"profiles\")");
  EXPECT_EQ(Error(ParseEventsSpec, R"({"from":"2024-05-06"})"),
            "\"to\" is required (an ISO-8601 time)");
  EXPECT_EQ(Error(ParsePropertiesSpec, "{" + kDay + R"(,"event":""})"),
            "\"event\" must be a string of 1 to 256 bytes, got \"\"");
  EXPECT_EQ(Error(ParsePropertiesSpec, "{" + kDay + R"(,"path":"x"})"),
            "the query has an unknown field \"path\" (known: \"kind\", \"from\", \"to\", "
            "\"event\")");
  EXPECT_EQ(Error(ParseValuesSpec, "{" + kDay + "}"),
            "\"path\" is required (a property path such as \"properties.plan\")");
  EXPECT_EQ(Error(ParseValuesSpec, "{" + kDay + R"(,"path":".plan"})"),
            "\"path\" must be a dotted path such as \"properties.plan\" (names separated by "
            "single dots, at most 256 bytes), got \".plan\"");
  EXPECT_EQ(Error(ParseValuesSpec, "{" + kDay + R"(,"path":"properties.plan","limit":1001})"),
            "\"limit\" must be a whole number from 1 to 1000, got 1001");
  EXPECT_EQ(Error(ParseValuesSpec, "{" + kDay + R"(,"path":"properties.plan","event":7})"),
            "\"event\" must be a string of 1 to 256 bytes, got 7");
  const ValuesSpec spec = MustParse(
      ParseValuesSpec, "{" + kDay + R"(,"kind":"values","path":"properties.plan","event":"E"})");
  EXPECT_EQ(spec.path, "properties.plan");
  EXPECT_EQ(spec.event, "E");
  EXPECT_EQ(spec.limit, 50);
}

// ---- Against plain references on random data ----------------------------------------------------

TEST(DiscoveryTest, MatchesReferenceOnRandomSnapshots) {
  const char* events[] = {"", "A", "Home", "Nope"};
  const char* paths[] = {"properties.channel", "properties.revenue", "traits.plan",
                         "properties.none"};
  for (uint64_t seed = 1; seed <= 200; ++seed) {
    const testing::RandomData d = testing::MakeRandomData(seed);
    const ProfileMap map(d.merges, d.max_profile);
    auto snap = testing::MakePartsSnapshot(d.parts, map, d.chunk_rows);
    const std::vector<Row> rows = testing::AllRows(d);
    std::mt19937_64 rng(seed * 17);
    auto pick = [&](size_t n) { return static_cast<size_t>(rng() % n); };
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    for (const Row& r : rows) lo = std::min(lo, r.ts), hi = std::max(hi, r.ts);
    if (rows.empty()) lo = hi = 0;
    TimeRange range{lo + static_cast<int64_t>(pick(3)) * kHourUs * 9,
                    hi + 1 - static_cast<int64_t>(pick(3)) * kHourUs * 13};
    if (range.to_us <= range.from_us) range.to_us = range.from_us + kDayUs;
    const std::string what = "seed " + std::to_string(seed);

    // Events.
    std::map<std::pair<EventType, std::string>, std::tuple<uint64_t, std::set<uint64_t>, int64_t>>
        ref_events;
    for (const Row& r : rows) {
      if (!range.Contains(r.ts)) continue;
      auto& [count, profiles, last] = ref_events[{r.type, r.event}];
      if (count++ == 0) last = r.ts;
      last = std::max(last, r.ts);
      if (r.profile) profiles.insert(map.Current(r.profile));
    }
    std::vector<std::tuple<uint64_t, EventType, std::string, uint64_t, int64_t>> want_events;
    for (const auto& [k, v] : ref_events) {
      want_events.push_back(
          {std::get<0>(v), k.first, k.second, std::get<1>(v).size(), std::get<2>(v)});
    }
    std::sort(want_events.begin(), want_events.end(), [](const auto& a, const auto& b) {
      return std::make_tuple(-static_cast<double>(std::get<0>(a)), std::get<1>(a), std::get<2>(a)) <
             std::make_tuple(-static_cast<double>(std::get<0>(b)), std::get<1>(b), std::get<2>(b));
    });
    for (int threads : {1, 2}) {
      auto got = RunEvents(*snap, EventsSpec{range, true}, QueryOptions{threads, 0});
      ASSERT_TRUE(got.ok());
      ASSERT_EQ(got->events.size(), want_events.size()) << what;
      for (size_t i = 0; i < want_events.size(); ++i) {
        const EventStats& e = got->events[i];
        ASSERT_EQ(std::make_tuple(e.count, e.type, e.name, e.profiles.value_or(999), e.last_seen),
                  want_events[i])
            << what << " event " << i;
      }
    }

    // Properties of one event (or all).
    PropertiesSpec ps{range, events[pick(4)]};
    EventFilter f;
    f.event = ps.event;
    std::map<std::string, std::pair<uint64_t, std::set<std::string>>> ref_props;
    for (const Row& r : rows) {
      if (!range.Contains(r.ts) || !testing::RefMatches(f, r)) continue;
      for (const auto& [path, v] : r.props) {
        auto& [count, kinds] = ref_props[path];
        ++count;
        const char* kind[] = {"", "null", "boolean", "boolean", "number", "string", ""};
        kinds.insert(v.kind == ValueKind::kJson ? (v.text[0] == '[' ? "array" : "object")
                                                : kind[static_cast<int>(v.kind)]);
      }
    }
    auto got_props = RunProperties(*snap, ps, QueryOptions{2, 0});
    ASSERT_TRUE(got_props.ok());
    ASSERT_EQ(got_props->properties.size(), ref_props.size()) << what;
    for (size_t i = 0; i < got_props->properties.size(); ++i) {
      const PropertyStats& p = got_props->properties[i];
      ASSERT_TRUE(ref_props.count(p.path)) << what << " " << p.path;
      EXPECT_EQ(p.count, ref_props[p.path].first) << what << " " << p.path;
      EXPECT_EQ(std::set<std::string>(p.kinds.begin(), p.kinds.end()), ref_props[p.path].second)
          << what << " " << p.path;
      if (i > 0) {
        EXPECT_GE(got_props->properties[i - 1].count, p.count);
      }
    }

    // Values at one path.
    ValuesSpec vs{range, paths[pick(4)], events[pick(4)], static_cast<int64_t>(1 + pick(6))};
    f.event = vs.event;
    std::map<std::tuple<ValueKind, double, std::string>, uint64_t> ref_values;
    for (const Row& r : rows) {
      if (!range.Contains(r.ts) || !testing::RefMatches(f, r)) continue;
      const Value* v = testing::Prop(r, vs.path);
      if (v != nullptr) ++ref_values[{v->kind, v->number, v->text}];
    }
    std::vector<std::pair<uint64_t, std::tuple<ValueKind, double, std::string>>> ranked;
    for (const auto& [k, n] : ref_values) ranked.push_back({n, k});
    std::stable_sort(ranked.begin(), ranked.end(),
                     [](const auto& a, const auto& b) { return a.first > b.first; });
    auto got_values = RunValues(*snap, vs, QueryOptions{2, 0});
    ASSERT_TRUE(got_values.ok());
    uint64_t other = 0;
    for (size_t i = static_cast<size_t>(vs.limit); i < ranked.size(); ++i) other += ranked[i].first;
    EXPECT_EQ(got_values->other_count, other) << what;
    ASSERT_EQ(got_values->values.size(), std::min<size_t>(ranked.size(), vs.limit)) << what;
    for (size_t i = 0; i < got_values->values.size(); ++i) {
      const ValueStats& v = got_values->values[i];
      EXPECT_EQ(v.count, ranked[i].first) << what;
      EXPECT_EQ(std::make_tuple(v.value.kind, v.value.number, v.value.text), ranked[i].second)
          << what << " value " << i;
    }
  }
}

}  // namespace
}  // namespace rapport::warehouse
