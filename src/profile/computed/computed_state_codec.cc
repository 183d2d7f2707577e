// ComputedState::Encode / Decode: the byte format of docs/formats/computed-state.md.
#include <simdjson.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>

#include "profile/computed/computed_state.h"

namespace rapport {

namespace {

constexpr uint8_t kVersion = 1;
constexpr uint8_t kFlagWindowed = 1, kFlagHorizon = 2;
constexpr uint8_t kValueFalse = 1, kValueTrue = 2, kValueNumber = 3, kValueString = 4,
                  kValueJson = 5;
constexpr uint64_t kCanonicalNan = 0x7FF8000000000000;
constexpr uint64_t kNegativeZero = 0x8000000000000000;

void PutVarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

void PutFixed64(std::string* out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

void PutDouble(std::string* out, double x) {
  uint64_t bits = std::bit_cast<uint64_t>(x == 0 ? 0.0 : x);  // -0 is written as 0
  if (std::isnan(x)) bits = kCanonicalNan;                    // one NaN, so bytes are stable
  PutFixed64(out, bits);
}

void PutBytes(std::string* out, std::string_view s) {
  PutVarint(out, s.size());
  out->append(s);
}

uint64_t ZigZag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
int64_t UnZigZag(uint64_t v) { return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1); }

// Bounds-checked reading; the first failure sticks and names the byte it happened at.
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}

  bool ok() const { return error_.empty(); }
  bool done() const { return pos_ == in_.size(); }
  size_t pos() const { return pos_; }
  Status status() const {
    return Status::Corruption("computed state: " + error_ + " at byte " + std::to_string(at_));
  }
  bool Fail(std::string what) { return FailAt(pos_, std::move(what)); }
  bool FailAt(size_t at, std::string what) {
    if (ok()) {
      error_ = std::move(what);
      at_ = at;
    }
    return false;
  }

  bool Byte(uint8_t* v) {
    if (!ok()) return false;
    if (pos_ >= in_.size()) return Fail("truncated");
    *v = static_cast<uint8_t>(in_[pos_++]);
    return true;
  }
  bool Varint(uint64_t* v) {
    if (!ok()) return false;
    const size_t start = pos_;
    uint64_t result = 0;
    for (int shift = 0; shift < 70; shift += 7) {
      if (pos_ >= in_.size()) return Fail("truncated varint");
      const uint8_t b = static_cast<uint8_t>(in_[pos_++]);
      if (shift == 63 && b > 1) return FailAt(start, "varint over 64 bits");
      result |= static_cast<uint64_t>(b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        if (b == 0 && pos_ - start > 1) return FailAt(start, "varint not minimal");
        *v = result;
        return true;
      }
    }
    return FailAt(start, "varint over 10 bytes");
  }
  bool Fixed64(uint64_t* v) {
    if (!ok()) return false;
    if (in_.size() - pos_ < 8) return Fail("truncated 8-byte field");
    uint64_t r = 0;
    for (int i = 0; i < 8; ++i)
      r |= static_cast<uint64_t>(static_cast<uint8_t>(in_[pos_ + i])) << (8 * i);
    pos_ += 8;
    *v = r;
    return true;
  }
  // A double: finite ones only unless `allow_special` (±infinity and the one canonical NaN);
  // never -0, which Encode does not write.
  bool Double(double* x, bool allow_special) {
    const size_t start = pos_;
    uint64_t bits = 0;
    if (!Fixed64(&bits)) return false;
    const double d = std::bit_cast<double>(bits);
    if (bits == kNegativeZero) return FailAt(start, "negative zero");
    if (std::isnan(d) ? !(allow_special && bits == kCanonicalNan)
                      : (std::isinf(d) && !allow_special)) {
      return FailAt(start, "number out of range");
    }
    *x = d;
    return true;
  }
  bool Bytes(std::string_view* s, uint64_t max_len) {
    uint64_t len = 0;
    const size_t start = pos_;
    if (!Varint(&len)) return false;
    if (len > in_.size() - pos_) return FailAt(start, "length past the end");
    if (len > max_len) return FailAt(start, "string too long");
    *s = in_.substr(pos_, len);
    pos_ += len;
    if (!simdjson::validate_utf8(s->data(), s->size())) return FailAt(start, "invalid UTF-8");
    return true;
  }

 private:
  std::string_view in_;
  size_t pos_ = 0;
  std::string error_;
  size_t at_ = 0;
};

// True when `text` is exactly what CanonicalText gives for some number.
bool CanonicalNumberText(std::string_view text) {
  std::optional<double> x = ParseDecimal(text);
  return x && FormatJsonNumber(*x) == text;
}

}  // namespace

// Encodes and decodes the private parts of a ComputedState.
class ComputedStateCodec {
 public:
  using Partial = ComputedState::Partial;
  using Entry = ComputedState::Entry;

  static void PutValue(std::string* out, const ComputedValue& v) {
    switch (v.kind()) {
      case ComputedValue::Kind::kBool:
        out->push_back(static_cast<char>(v.boolean() ? kValueTrue : kValueFalse));
        return;
      case ComputedValue::Kind::kNumber:
        out->push_back(static_cast<char>(kValueNumber));
        PutDouble(out, v.number());
        return;
      case ComputedValue::Kind::kString:
        out->push_back(static_cast<char>(kValueString));
        PutBytes(out, v.text());
        return;
      case ComputedValue::Kind::kJson:
        out->push_back(static_cast<char>(kValueJson));
        PutBytes(out, v.text());
        return;
      default:
        return;  // not kept: Add skips missing and null
    }
  }

  static void PutPartial(std::string* out, Aggregate a, const Partial& p) {
    switch (a) {
      case Aggregate::kCount:
        PutVarint(out, p.n);
        return;
      case Aggregate::kSum:
      case Aggregate::kAvg:
        PutVarint(out, p.n);
        PutDouble(out, p.sum);
        PutDouble(out, p.comp);
        return;
      case Aggregate::kMin:
      case Aggregate::kMax:
        PutVarint(out, p.n);
        PutDouble(out, p.extreme);
        return;
      case Aggregate::kFirst:
      case Aggregate::kLast:
        PutFixed64(out, static_cast<uint64_t>(p.pick_ts));
        PutVarint(out, p.pick_seq);
        PutValue(out, p.pick);
        return;
      case Aggregate::kLatestTimes:
        // Newest first: the first time in full, then each step back as a varint.
        PutVarint(out, p.times.size());
        PutFixed64(out, static_cast<uint64_t>(p.times[0]));
        for (size_t i = 1; i < p.times.size(); ++i) {
          PutVarint(out, static_cast<uint64_t>(p.times[i - 1]) - static_cast<uint64_t>(p.times[i]));
        }
        return;
      case Aggregate::kDistinctCount:
      case Aggregate::kMostFrequent:
        out->push_back(p.saturated ? 1 : 0);
        PutVarint(out, p.values.size());
        for (const auto& [text, e] : p.values) {  // std::map: ascending byte order
          PutBytes(out, text);
          if (a == Aggregate::kMostFrequent) {
            PutVarint(out, e.count);
            out->push_back(static_cast<char>(e.kinds));
          }
        }
        return;
    }
  }

  static bool GetValue(Reader* r, ComputedValue* v) {
    const size_t start = r->pos();
    uint8_t tag = 0;
    if (!r->Byte(&tag)) return false;
    switch (tag) {
      case kValueFalse:
      case kValueTrue:
        *v = ComputedValue::Bool(tag == kValueTrue);
        return true;
      case kValueNumber: {
        double x = 0;
        if (!r->Double(&x, false)) return false;
        *v = ComputedValue::Number(x);
        return true;
      }
      case kValueString:
      case kValueJson: {
        std::string_view s;
        if (!r->Bytes(&s, std::numeric_limits<uint64_t>::max())) return false;
        if (tag == kValueJson && !IsMinifiedContainer(s)) {
          return r->FailAt(start, "value is not a minified JSON object or array");
        }
        *v = tag == kValueString ? ComputedValue::String(std::string(s))
                                 : ComputedValue::Json(std::string(s));
        return true;
      }
      default:
        return r->FailAt(start, "unknown value tag " + std::to_string(tag));
    }
  }

  // Reads one non-empty partial of aggregate `a`.
  static bool GetPartial(Reader* r, Aggregate a, Partial* p) {
    switch (a) {
      case Aggregate::kCount:
      case Aggregate::kSum:
      case Aggregate::kAvg:
      case Aggregate::kMin:
      case Aggregate::kMax: {
        const size_t start = r->pos();
        if (!r->Varint(&p->n)) return false;
        if (p->n == 0) return r->FailAt(start, "empty partial (count 0)");
        if (a == Aggregate::kSum || a == Aggregate::kAvg) {
          return r->Double(&p->sum, true) && r->Double(&p->comp, true);
        }
        if (a == Aggregate::kMin || a == Aggregate::kMax) return r->Double(&p->extreme, false);
        return true;
      }
      case Aggregate::kFirst:
      case Aggregate::kLast: {
        uint64_t ts = 0;
        if (!r->Fixed64(&ts) || !r->Varint(&p->pick_seq)) return false;
        p->has_pick = true;
        p->pick_ts = static_cast<int64_t>(ts);
        return GetValue(r, &p->pick);
      }
      case Aggregate::kLatestTimes: {
        uint64_t m = 0, first = 0;
        const size_t start = r->pos();
        if (!r->Varint(&m)) return false;
        if (m == 0 || m > static_cast<uint64_t>(kMaxKeep)) {
          return r->FailAt(start, "latest_times count out of range");
        }
        if (!r->Fixed64(&first)) return false;
        p->times.push_back(static_cast<int64_t>(first));
        for (uint64_t i = 1; i < m; ++i) {
          uint64_t step = 0;
          const size_t at = r->pos();
          if (!r->Varint(&step)) return false;
          const int64_t prev = p->times.back();
          if (step > static_cast<uint64_t>(prev) - static_cast<uint64_t>(INT64_MIN)) {
            return r->FailAt(at, "latest_times step past the oldest time");
          }
          p->times.push_back(static_cast<int64_t>(static_cast<uint64_t>(prev) - step));
        }
        return true;
      }
      case Aggregate::kDistinctCount:
      case Aggregate::kMostFrequent: {
        uint8_t saturated = 0;
        uint64_t m = 0;
        const size_t start = r->pos();
        if (!r->Byte(&saturated)) return false;
        if (saturated > 1) return r->FailAt(start, "bad saturated flag");
        p->saturated = saturated == 1;
        if (!r->Varint(&m)) return false;
        if (m == 0) return r->FailAt(start + 1, "empty value map");
        if (m > ComputedState::kMaxTrackedValues) {
          return r->FailAt(start + 1, "value map over 10000 entries");
        }
        if (p->saturated && m != ComputedState::kMaxTrackedValues) {
          return r->FailAt(start, "saturated value map not full");
        }
        std::string_view prev;
        for (uint64_t i = 0; i < m; ++i) {
          std::string_view text;
          const size_t entry = r->pos();
          if (!r->Bytes(&text, kMaxTrackedValueBytes)) return false;
          if (i > 0 && !(prev < text)) return r->FailAt(entry, "value map not in ascending order");
          prev = text;
          Entry e;
          if (a == Aggregate::kMostFrequent) {
            const size_t count_at = r->pos();
            if (!r->Varint(&e.count) || !r->Byte(&e.kinds)) return false;
            if (e.count == 0) return r->FailAt(count_at, "value count 0");
            if (!ValidKinds(text, e.kinds)) {
              return r->FailAt(r->pos() - 1, "value kinds do not fit the text");
            }
          }
          p->values.emplace_hint(p->values.end(), std::string(text), e);
        }
        return true;
      }
    }
    return false;
  }

  // The kinds bits of a most_frequent entry: some set, only known ones; a number must be in
  // canonical form and true/false text for a boolean, unless a string was also seen.
  static bool ValidKinds(std::string_view text, uint8_t kinds) {
    constexpr uint8_t kAll =
        ComputedState::kKindString | ComputedState::kKindNumber | ComputedState::kKindBool;
    if (kinds == 0 || (kinds & ~kAll) != 0) return false;
    const bool number = kinds & ComputedState::kKindNumber;
    const bool boolean = kinds & ComputedState::kKindBool;
    if (number && boolean) return false;
    if (number && !CanonicalNumberText(text)) return false;
    if (boolean && text != "true" && text != "false") return false;
    return true;
  }

  static bool IsMinifiedContainer(std::string_view s) {
    if (s.empty() || (s[0] != '{' && s[0] != '[')) return false;
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    if (parser.parse(s.data(), s.size()).get(root) != simdjson::SUCCESS) return false;
    return simdjson::minify(root) == s;
  }
};

std::string ComputedState::Encode() const {
  std::string out;
  EncodeTo(&out);
  return out;
}

void ComputedState::EncodeTo(std::string* encoded) const {
  std::string& out = *encoded;
  out.clear();
  out.push_back(static_cast<char>(kVersion));
  if (!aggregate_) {
    out.push_back(0);
    return;
  }
  const Aggregate a = *aggregate_;
  out.push_back(static_cast<char>(static_cast<uint8_t>(a) + 1));
  out.push_back(static_cast<char>((windowed_ ? kFlagWindowed : 0) | (horizon_ ? kFlagHorizon : 0)));
  if (horizon_) PutFixed64(&out, static_cast<uint64_t>(*horizon_));
  if (!windowed_) {
    ComputedStateCodec::PutPartial(&out, a, total_);
    return;
  }
  PutVarint(&out, hours_.size());
  int64_t prev = 0;
  bool first = true;
  for (const auto& [hour, p] : hours_) {
    PutVarint(&out, first ? ZigZag(hour) : static_cast<uint64_t>(hour - prev));
    first = false;
    prev = hour;
    ComputedStateCodec::PutPartial(&out, a, p);
  }
}

Result<ComputedState> ComputedState::Decode(std::string_view bytes) {
  Reader r(bytes);
  ComputedState s;
  uint8_t version = 0, aggregate = 0, flags = 0;
  if (!r.Byte(&version)) return r.status();
  if (version != kVersion) {
    r.FailAt(0, "version " + std::to_string(version) + " is not 1");
    return r.status();
  }
  if (!r.Byte(&aggregate)) return r.status();
  if (aggregate > 10) {
    r.FailAt(1, "unknown aggregate " + std::to_string(aggregate));
    return r.status();
  }
  if (aggregate == 0) {
    if (!r.done()) {
      r.Fail("bytes after an empty state");
      return r.status();
    }
    return s;
  }
  const Aggregate a = static_cast<Aggregate>(aggregate - 1);
  s.aggregate_ = a;
  if (!r.Byte(&flags)) return r.status();
  if ((flags & ~(kFlagWindowed | kFlagHorizon)) != 0 ||
      ((flags & kFlagHorizon) && !(flags & kFlagWindowed))) {
    r.FailAt(2, "bad flags " + std::to_string(flags));
    return r.status();
  }
  s.windowed_ = flags & kFlagWindowed;
  // A definition of latest_times has no window (computed_def.cc), so no state of one does.
  if (a == Aggregate::kLatestTimes && s.windowed_) {
    r.FailAt(2, "latest_times is never windowed");
    return r.status();
  }
  if (flags & kFlagHorizon) {
    uint64_t h = 0;
    if (!r.Fixed64(&h)) return r.status();
    s.horizon_ = static_cast<int64_t>(h);
  }
  if (!s.windowed_) {
    if (!ComputedStateCodec::GetPartial(&r, a, &s.total_)) return r.status();
  } else {
    const int64_t min_hour = HourOf(std::numeric_limits<int64_t>::min());
    const int64_t max_hour = HourOf(std::numeric_limits<int64_t>::max());
    uint64_t count = 0;
    const size_t count_at = r.pos();
    if (!r.Varint(&count)) return r.status();
    if (count == 0 && !s.horizon_) {
      r.FailAt(count_at, "windowed state with no buckets and no horizon");
      return r.status();
    }
    int64_t hour = 0;
    for (uint64_t i = 0; i < count; ++i) {
      uint64_t v = 0;
      const size_t hour_at = r.pos();
      if (!r.Varint(&v)) return r.status();
      if (i == 0) {
        hour = UnZigZag(v);
        if (hour < min_hour || hour > max_hour) {
          r.FailAt(hour_at, "hour out of range");
          return r.status();
        }
      } else {
        if (v == 0 || v > static_cast<uint64_t>(max_hour - hour)) {
          r.FailAt(hour_at, "hours not ascending or out of range");
          return r.status();
        }
        hour += static_cast<int64_t>(v);
      }
      Partial p;
      if (!ComputedStateCodec::GetPartial(&r, a, &p)) return r.status();
      s.hours_.emplace_hint(s.hours_.end(), hour, std::move(p));
    }
  }
  if (!r.done()) {
    r.Fail("bytes after the state");
    return r.status();
  }
  return s;
}

}  // namespace rapport
