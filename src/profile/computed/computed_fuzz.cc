// libFuzzer target for the computed-traits parsers. The first input byte picks the target:
//   0: ParseComputedDef. Accepted definitions must survive ToJson → Parse unchanged.
//   1: ComputedState::Decode. Accepted bytes must re-encode to themselves, and the state must
//      evaluate to valid JSON, merge with itself and prune without crashing.
//   2: a program of Add/Merge/Prune steps for one definition: two states fed a split of the
//      events and merged must equal one state fed everything (the monoid law).
// Anything else is ignored. Violations abort.
#include <simdjson.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "profile/computed/computed_def.h"
#include "profile/computed/computed_state.h"

namespace {

using rapport::Aggregate;
using rapport::ComputedDef;
using rapport::ComputedState;
using rapport::ComputedValue;

void Check(bool ok) {
  if (!ok) std::abort();
}

bool IsJson(simdjson::dom::parser& parser, const std::string& text) {
  simdjson::dom::element e;
  return parser.parse(text).get(e) == simdjson::SUCCESS;
}

void FuzzDef(std::string_view body) {
  auto d = rapport::ParseComputedDef(body);
  if (!d.ok()) {
    Check(d.status().message().rfind("computed trait", 0) == 0);
    return;
  }
  const std::string canonical = rapport::ToJson(*d);
  auto again = rapport::ParseComputedDef(canonical);
  Check(again.ok() && *again == *d && rapport::ToJson(*again) == canonical);
}

void FuzzDecode(std::string_view body, simdjson::dom::parser& parser) {
  auto s = ComputedState::Decode(body);
  if (!s.ok()) {
    Check(s.status().code() == rapport::StatusCode::kCorruption);
    return;
  }
  Check(s->Encode() == body);
  if (s->empty()) return;
  ComputedDef def;
  def.name = "f";
  def.aggregate = *s->aggregate();
  def.property = "p";
  def.window_days = s->windowed() ? 30 : 0;
  if (def.aggregate == Aggregate::kLatestTimes) def.keep = 3;  // fewer than most decoded states
  constexpr int64_t kNow = 1706702400000000;
  for (int64_t now : {kNow, INT64_MIN, INT64_MAX, int64_t{0}}) {
    Check(IsJson(parser, s->Evaluate(def, now)));
    auto next = s->NextChange(def, now);
    Check(!next || *next > now);
    (void)s->Saturated(def, now);
  }
  ComputedState twice = *s;
  twice.Merge(def, *s);
  Check(IsJson(parser, twice.Evaluate(def, kNow)));
  twice.Prune(def, kNow);
  auto back = ComputedState::Decode(twice.Encode());
  Check(back.ok() && back->Encode() == twice.Encode());
}

// Reads the program of target 2 byte by byte; zeros once the input runs out.
class Bytes {
 public:
  explicit Bytes(std::string_view in) : in_(in) {}
  bool more() const { return pos_ < in_.size(); }
  uint8_t Next() { return pos_ < in_.size() ? static_cast<uint8_t>(in_[pos_++]) : 0; }

 private:
  std::string_view in_;
  size_t pos_ = 0;
};

void FuzzProgram(std::string_view body) {
  Bytes in(body);
  ComputedDef def;
  def.name = "f";
  def.aggregate = static_cast<Aggregate>(in.Next() % 9);
  def.property = "p";
  const uint8_t w = in.Next() % 4;
  def.window_days = w == 0 ? 0 : (w == 1 ? 1 : (w == 2 ? 7 : 3650));
  const bool sums = def.aggregate == Aggregate::kSum || def.aggregate == Aggregate::kAvg;
  constexpr int64_t kT0 = 1706702400000000, kHour = 3'600'000'000;
  static const char* kTexts[] = {"a", "b", "7", "true", "", "x\xC3\xA9"};
  ComputedState all, part[2];
  int64_t horizon = INT64_MIN;
  uint64_t seq = 0;
  while (in.more()) {
    const uint8_t op = in.Next();
    if (op >= 0xF0) {  // prune one part
      const int64_t now = kT0 + (static_cast<int64_t>(in.Next()) - 64) * kHour * 12;
      part[op & 1].Prune(def, now);
      if (def.windowed() && now > horizon) horizon = now;
      continue;
    }
    ComputedValue v;
    const uint8_t arg = in.Next();
    switch (op % 6) {
      case 0:
        v = ComputedValue::Number(static_cast<double>(static_cast<int8_t>(arg)) / 4);
        break;
      case 1:
        v = ComputedValue::String(kTexts[arg % 6]);
        break;
      case 2:
        v = ComputedValue::Bool(arg & 1);
        break;
      case 3:
        v = arg & 1 ? ComputedValue::Null() : ComputedValue::Json("[1]");
        break;
      case 4:
        v = ComputedValue::String(std::to_string(static_cast<int>(arg) - 100));
        break;
      default:
        break;  // missing
    }
    const int64_t ts = kT0 + (static_cast<int64_t>(in.Next()) - 128) * kHour * 7 + arg;
    ++seq;
    all.Add(def, v, ts, seq);
    part[(op >> 3) & 1].Add(def, v, ts, seq);
  }
  if (horizon != INT64_MIN) all.Prune(def, horizon);
  ComputedState merged = part[0];
  merged.Merge(def, part[1]);
  ComputedState reversed = part[1];
  reversed.Merge(def, part[0]);
  if (!sums) {
    Check(merged == all && reversed == all);
    Check(merged.Encode() == all.Encode());
  }
  for (int64_t now : {kT0 - 100 * kHour, kT0, kT0 + 1000 * kHour}) {
    if (!sums) Check(merged.Evaluate(def, now) == all.Evaluate(def, now));
    Check(merged.NextChange(def, now) == all.NextChange(def, now));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static simdjson::dom::parser parser;
  const std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0]) {
    case 0:
      FuzzDef(body);
      break;
    case 1:
      FuzzDecode(body, parser);
      break;
    case 2:
      FuzzProgram(body);
      break;
    default:
      break;
  }
  return 0;
}
