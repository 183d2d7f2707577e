// AppendFunnelJson and FunnelTable: a funnel result as the API's JSON and as the CLI's table.
#include <string>
#include <vector>

#include "common/json_writer.h"
#include "warehouse/query/funnel.h"

namespace rapport::warehouse {

namespace {

void AppendOptional(const std::optional<double>& x, std::string* out) {
  if (x) {
    AppendJsonNumber(*x, out);
  } else {
    *out += "null";
  }
}

double Ratio(uint64_t a, uint64_t b) {
  return b == 0 ? 0 : static_cast<double>(a) / static_cast<double>(b);
}

void AppendStepsJson(const std::vector<FunnelStep>& steps, std::string* out) {
  out->push_back('[');
  for (size_t j = 0; j < steps.size(); ++j) {
    const FunnelStep& s = steps[j];
    if (j) out->push_back(',');
    *out += "{\"name\":";
    AppendJsonString(out, s.name);
    *out += ",\"count\":" + std::to_string(s.count) + ",\"conversion\":";
    AppendJsonNumber(j == 0 ? 1 : Ratio(s.count, steps[0].count), out);
    *out += ",\"step_conversion\":";
    AppendJsonNumber(j == 0 ? 1 : Ratio(s.count, steps[j - 1].count), out);
    *out += ",\"drop_off\":" + std::to_string(j == 0 ? 0 : steps[j - 1].count - s.count);
    *out += ",\"median_seconds_from_previous\":";
    AppendOptional(s.median_seconds_from_previous, out);
    out->push_back('}');
  }
  out->push_back(']');
}

std::string Percent(double x) { return FormatNumber(x * 100) + "%"; }

void AddRows(const std::optional<std::string>& group, const std::vector<FunnelStep>& steps,
             Table* table) {
  for (size_t j = 0; j < steps.size(); ++j) {
    const FunnelStep& s = steps[j];
    std::vector<std::string> row;
    if (group) row.push_back(*group);
    row.push_back(std::to_string(j + 1));
    row.push_back(s.name);
    row.push_back(std::to_string(s.count));
    row.push_back(Percent(j == 0 ? 1 : Ratio(s.count, steps[0].count)));
    row.push_back(Percent(j == 0 ? 1 : Ratio(s.count, steps[j - 1].count)));
    row.push_back(std::to_string(j == 0 ? 0 : steps[j - 1].count - s.count));
    row.push_back(s.median_seconds_from_previous ? FormatNumber(*s.median_seconds_from_previous)
                                                 : "-");
    table->rows.push_back(std::move(row));
  }
}

}  // namespace

void AppendFunnelJson(const FunnelResult& result, const Snapshot& snapshot, std::string* out) {
  *out += "{\"steps\":";
  AppendStepsJson(result.steps, out);
  *out += ",\"time_to_convert\":{\"median_seconds\":";
  AppendOptional(result.median_seconds_to_convert, out);
  *out += ",\"buckets\":[";
  for (size_t i = 0; i < result.time_to_convert.size(); ++i) {
    if (i) out->push_back(',');
    *out += "{\"le_seconds\":" + std::to_string(result.time_to_convert[i].le_seconds) +
            ",\"count\":" + std::to_string(result.time_to_convert[i].count) + "}";
  }
  *out += "]}";
  if (result.has_breakdown) {
    *out += ",\"breakdown\":[";
    for (size_t g = 0; g < result.breakdown.size(); ++g) {
      const FunnelGroup& group = result.breakdown[g];
      if (g) out->push_back(',');
      *out += "{\"value\":";
      if (group.value) {
        AppendJsonString(out, *group.value);
      } else {
        *out += "null";
      }
      *out += ",\"steps\":";
      AppendStepsJson(group.steps, out);
      out->push_back('}');
    }
    out->push_back(']');
  }
  out->push_back('}');
}

Table FunnelTable(const FunnelResult& result) {
  Table table;
  if (result.has_breakdown) table.columns.push_back("breakdown");
  for (const char* c : {"step", "event", "profiles", "conversion", "from previous", "drop-off",
                        "median s from previous"}) {
    table.columns.push_back(c);
  }
  if (result.has_breakdown) {
    AddRows(std::string("(all)"), result.steps, &table);
    for (const FunnelGroup& g : result.breakdown)
      AddRows(g.value ? *g.value : "(none)", g.steps, &table);
  } else {
    AddRows(std::nullopt, result.steps, &table);
  }
  return table;
}

}  // namespace rapport::warehouse
