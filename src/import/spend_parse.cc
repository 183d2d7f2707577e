#include "import/spend_parse.h"

#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <unordered_map>
#include <utility>

#include <fmt/format.h>

#include "common/json_writer.h"
#include "common/time_format.h"
#include "import/csv_reader.h"
#include "import/jsonl_reader.h"
#include "import/utf8.h"

namespace rapport {
namespace {

constexpr int64_t kMicrosPerDay = 86'400'000'000;
constexpr int64_t kFirstDay = -719'162;  // 0001-01-01
constexpr int64_t kLastDay = 2'932'896;  // 9999-12-31
constexpr double kMaxCost = 1e15;        // keeps every sum of costs finite
constexpr size_t kMaxShownChars = 40;    // of a bad value quoted in a message
constexpr size_t kMaxRecordBytes = 64 * 1024;

// `v` JSON-quoted for a message: valid UTF-8, at most kMaxShownChars characters.
std::string Shown(std::string_view v) {
  size_t cut = 0;
  for (size_t chars = 0; cut < v.size() && chars < kMaxShownChars; ++chars) {
    ++cut;
    while (cut < v.size() && (static_cast<unsigned char>(v[cut]) & 0xC0) == 0x80) ++cut;
  }
  std::string out = JsonString(ToValidUtf8(v.substr(0, cut)));
  if (cut < v.size()) out.insert(out.size() - 1, "…");
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// What is wrong with one row, as phrases ("date … is not a calendar date").
using Issues = std::vector<std::string>;

void CheckDate(std::string_view text, StoredSpend* row, Issues* issues) {
  auto day = ParseSpendDay(Trim(text));
  if (day.ok()) {
    row->day = *day;
  } else {
    issues->push_back(day.status().message());
  }
}

void CheckName(std::string_view field, std::string_view text, size_t max_chars, bool required,
               std::string* out, Issues* issues) {
  text = Trim(text);
  if (text.empty() && required) {
    issues->push_back(fmt::format("{} is empty", field));
    return;
  }
  size_t chars = 0;
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      issues->push_back(fmt::format("{} {} has a control character", field, Shown(text)));
      return;
    }
    chars += (u & 0xC0) != 0x80;
  }
  if (chars > max_chars) {
    issues->push_back(fmt::format("{} has {} characters; at most {}", field, chars, max_chars));
    return;
  }
  out->assign(text);
}

void CheckCost(double cost, std::string_view shown, StoredSpend* row, Issues* issues) {
  if (cost < 0) {
    issues->push_back(fmt::format("cost {} is negative", shown));
  } else if (!(cost <= kMaxCost)) {  // also NaN
    issues->push_back(fmt::format("cost {} is over the limit of 1e15", shown));
  } else {
    row->cost = cost + 0.0;  // -0 → 0
  }
}

// A CSV cost: a plain decimal, digits with an optional fraction ("120", "120.50").
void CheckCostText(std::string_view text, StoredSpend* row, Issues* issues) {
  text = Trim(text);
  if (text.empty()) {
    issues->push_back("cost is empty");
    return;
  }
  const bool negative = text.front() == '-';
  std::string_view digits = negative ? text.substr(1) : text;
  const size_t dot = digits.find('.');
  const std::string_view whole = digits.substr(0, dot);
  const std::string_view fraction =
      dot == std::string_view::npos ? std::string_view("0") : digits.substr(dot + 1);
  const bool plain = !whole.empty() && !fraction.empty() &&
                     std::all_of(whole.begin(), whole.end(), IsDigit) &&
                     std::all_of(fraction.begin(), fraction.end(), IsDigit);
  if (!plain) {
    issues->push_back(
        fmt::format("cost {} is not a plain decimal number like 120.50", Shown(text)));
    return;
  }
  if (negative) {
    issues->push_back(fmt::format("cost {} is negative", Shown(text)));
    return;
  }
  double cost = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), cost);
  if (ec == std::errc::result_out_of_range) cost = HUGE_VAL;
  CheckCost(cost, Shown(text), row, issues);
}

// The rows of one input, checked as they come: bad rows are counted and the first
// kMaxSpendProblems named; a (day, channel, campaign) seen before is a bad row.
class Collector {
 public:
  // kTooLarge once there are more than kMaxSpendRows rows.
  Status Add(std::string where, StoredSpend row, const Issues& issues) {
    if (++rows_seen_ > kMaxSpendRows) {
      return Status::TooLarge(
          fmt::format("more than {} spend rows in one upload; send them in parts (by month, say)",
                      kMaxSpendRows));
    }
    if (issues.empty()) {
      std::string key = fmt::format("{}\x1f{}\x1f{}", row.day, row.channel, row.campaign);
      auto [it, fresh] = seen_.try_emplace(std::move(key), where);
      if (fresh) {
        rows_.push_back(std::move(row));
        return Status::OK();
      }
      Bad(where, fmt::format("the same date, channel and campaign ({}, {}, {}) as {}",
                             FormatSpendDay(row.day), Shown(row.channel), Shown(row.campaign),
                             it->second));
      return Status::OK();
    }
    std::string what;
    for (const std::string& i : issues) what += (what.empty() ? "" : ", ") + i;
    Bad(where, what);
    return Status::OK();
  }

  void Bad(const std::string& where, std::string_view what) {
    if (++bad_ <= kMaxSpendProblems) {
      shown_ += fmt::format("{}{}: {}", shown_.empty() ? "" : "; ", where, what);
    }
  }

  Result<std::vector<StoredSpend>> Finish(std::string_view empty_message) {
    if (bad_ > 0) {
      std::string more =
          bad_ > kMaxSpendProblems ? fmt::format("; …and {} more", bad_ - kMaxSpendProblems) : "";
      return Status::InvalidArgument(fmt::format("{} bad row{}, nothing was imported: {}{}", bad_,
                                                 bad_ == 1 ? "" : "s", shown_, more));
    }
    if (rows_.empty()) return Status::InvalidArgument(std::string(empty_message));
    return std::move(rows_);
  }

 private:
  std::vector<StoredSpend> rows_;
  std::unordered_map<std::string, std::string> seen_;  // key → where it was first
  size_t rows_seen_ = 0;
  size_t bad_ = 0;
  std::string shown_;
};

Result<std::vector<StoredSpend>> ParseCsv(std::string_view text) {
  auto source = StringSource(std::string(text));
  ReaderOptions options;
  options.max_record_bytes = kMaxRecordBytes;
  ASSIGN_OR_RETURN(auto reader, CsvReader::Open(source.get(), CsvOptions{}, options));
  enum { kDate, kChannel, kCampaign, kCost, kColumns };
  constexpr std::string_view kNames[kColumns] = {"date", "channel", "campaign", "cost"};
  constexpr std::string_view kExpected =
      "the columns are date, channel, cost and optionally campaign";
  int column[kColumns] = {-1, -1, -1, -1};
  const std::vector<std::string>& header = reader->columns();
  for (size_t i = 0; i < header.size(); ++i) {
    std::string name(Trim(header[i]));
    std::transform(name.begin(), name.end(), name.begin(),
                   [](char c) { return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c; });
    const auto* known = std::find(std::begin(kNames), std::end(kNames), name);
    if (known == std::end(kNames)) {
      return Status::InvalidArgument(
          fmt::format("the header row has an unknown column {}: {}", Shown(header[i]), kExpected));
    }
    int& slot = column[known - std::begin(kNames)];
    if (slot >= 0) {
      return Status::InvalidArgument(fmt::format("the header row names {} twice", name));
    }
    slot = static_cast<int>(i);
  }
  for (int c : {kDate, kChannel, kCost}) {
    if (column[c] < 0) {
      return Status::InvalidArgument(
          fmt::format("the header row has no {} column: {}", kNames[c], kExpected));
    }
  }
  Collector rows;
  Record record;
  for (;;) {
    ASSIGN_OR_RETURN(bool got, reader->Next(&record));
    if (!got) break;
    std::string where = fmt::format("line {}", record.line);
    if (!record.error.empty()) {
      rows.Bad(where, record.error);
      continue;
    }
    const auto field = [&](int c) {
      return column[c] < 0 ? std::string_view() : std::string_view(record.fields[column[c]]);
    };
    StoredSpend row;
    Issues issues;
    CheckDate(field(kDate), &row, &issues);
    CheckName("channel", field(kChannel), kMaxSpendChannelChars, true, &row.channel, &issues);
    CheckName("campaign", field(kCampaign), kMaxSpendCampaignChars, false, &row.campaign, &issues);
    CheckCostText(field(kCost), &row, &issues);
    RETURN_IF_ERROR(rows.Add(std::move(where), std::move(row), issues));
  }
  return rows.Finish("the CSV file has a header row but no spend rows");
}

// One row object of the JSON forms.
void CheckJsonRow(simdjson::dom::element element, StoredSpend* row, Issues* issues) {
  simdjson::dom::object object;
  if (element.get_object().get(object) != simdjson::SUCCESS) {
    issues->push_back("not a JSON object like {\"date\":\"2026-01-31\",\"channel\":…,\"cost\":…}");
    return;
  }
  bool seen[4] = {false, false, false, false};
  constexpr std::string_view kFields[4] = {"date", "channel", "campaign", "cost"};
  for (auto [key, value] : object) {
    const auto* known = std::find(std::begin(kFields), std::end(kFields), key);
    if (known == std::end(kFields)) {
      issues->push_back(fmt::format("unknown field {}", Shown(key)));
      continue;
    }
    const size_t k = known - std::begin(kFields);
    if (std::exchange(seen[k], true)) {
      issues->push_back(fmt::format("\"{}\" is given twice", key));
      continue;
    }
    std::string_view text;
    if (key == "cost") {
      double cost = 0;
      if (value.get_double().get(cost) != simdjson::SUCCESS) {
        issues->push_back("cost must be a number");
      } else {
        CheckCost(cost, fmt::format("{}", cost), row, issues);
      }
    } else if (key == "campaign" && value.is_null()) {
      // null: no campaign
    } else if (value.get_string().get(text) != simdjson::SUCCESS) {
      issues->push_back(fmt::format("{} must be a string", key));
    } else if (key == "date") {
      CheckDate(text, row, issues);
    } else if (key == "channel") {
      CheckName("channel", text, kMaxSpendChannelChars, true, &row->channel, issues);
    } else {
      CheckName("campaign", text, kMaxSpendCampaignChars, false, &row->campaign, issues);
    }
  }
  for (size_t k : {0, 1, 3}) {
    if (!seen[k]) issues->push_back(fmt::format("\"{}\" is missing", kFields[k]));
  }
}

Result<std::vector<StoredSpend>> ParseJson(std::string_view text) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (auto err = parser.parse(text.data(), text.size()).get(root); err) {
    return Status::InvalidArgument(
        fmt::format("the body is not valid JSON: {}", simdjson::error_message(err)));
  }
  simdjson::dom::object object;
  simdjson::dom::array array;
  if (root.get_object().get(object) != simdjson::SUCCESS ||
      object["rows"].get_array().get(array) != simdjson::SUCCESS) {
    return Status::InvalidArgument(
        "the body must be a JSON object {\"rows\": [ … ]} whose rows have date, channel, cost "
        "and optionally campaign");
  }
  int rows_keys = 0;
  for (auto [key, value] : object) {
    if (key != "rows") return Status::InvalidArgument(fmt::format("unknown field {}", Shown(key)));
    if (++rows_keys > 1) return Status::InvalidArgument("\"rows\" is given twice");
  }
  Collector rows;
  size_t index = 0;
  for (simdjson::dom::element element : array) {
    StoredSpend row;
    Issues issues;
    CheckJsonRow(element, &row, &issues);
    RETURN_IF_ERROR(rows.Add(fmt::format("rows[{}]", index++), std::move(row), issues));
  }
  return rows.Finish("\"rows\" is empty: no spend to import");
}

Result<std::vector<StoredSpend>> ParseJsonLines(std::string_view text) {
  auto source = StringSource(std::string(text));
  ReaderOptions options;
  options.max_record_bytes = kMaxRecordBytes;
  JsonlReader reader(source.get(), options);
  simdjson::dom::parser parser;
  Collector rows;
  Record record;
  for (;;) {
    ASSIGN_OR_RETURN(bool got, reader.Next(&record));
    if (!got) break;
    std::string where = fmt::format("line {}", record.line);
    if (!record.error.empty()) {
      rows.Bad(where, record.error);
      continue;
    }
    simdjson::dom::element element;
    if (auto err = parser.parse(record.raw).get(element); err) {
      rows.Bad(where, fmt::format("not valid JSON: {}", simdjson::error_message(err)));
      continue;
    }
    StoredSpend row;
    Issues issues;
    CheckJsonRow(element, &row, &issues);
    RETURN_IF_ERROR(rows.Add(std::move(where), std::move(row), issues));
  }
  return rows.Finish("the JSON Lines input has no spend rows");
}

}  // namespace

Result<std::vector<StoredSpend>> ParseSpend(std::string_view text, SpendFormat format) {
  if (text.size() > kMaxSpendBytes) {
    return Status::TooLarge(fmt::format(
        "the spend upload is {} bytes, over the limit of {}; send it in parts (by month, say)",
        text.size(), kMaxSpendBytes));
  }
  switch (format) {
    case SpendFormat::kCsv:
      return ParseCsv(text);
    case SpendFormat::kJson:
      return ParseJson(text);
    case SpendFormat::kJsonLines:
      return ParseJsonLines(text);
  }
  return Status::Internal("unknown spend format");
}

Result<int64_t> ParseSpendDay(std::string_view text) {
  bool shape = text.size() == 10 && text[4] == '-' && text[7] == '-';
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) shape = shape && IsDigit(text[i]);
  if (!shape) {
    return Status::InvalidArgument(
        text.empty() ? std::string("date is empty (YYYY-MM-DD)")
                     : fmt::format("date {} is not written YYYY-MM-DD", Shown(text)));
  }
  auto micros = ParseIso8601(text);
  if (!micros.ok()) {
    return Status::InvalidArgument(fmt::format("date {} is not a calendar date", Shown(text)));
  }
  return *micros / kMicrosPerDay;  // midnight: exact, also before 1970
}

std::string FormatSpendDay(int64_t day) {
  return FormatIso8601(std::clamp(day, kFirstDay, kLastDay) * kMicrosPerDay).substr(0, 10);
}

}  // namespace rapport
