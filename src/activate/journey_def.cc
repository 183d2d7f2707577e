#include "activate/journey_def.h"

#include <simdjson.h>

#include <array>
#include <functional>
#include <map>

#include <fmt/format.h>

#include "activate/destination_def.h"
#include "activate/journey_tz.h"
#include "audience/json_form.h"
#include "audience/parser.h"
#include "audience/printer.h"
#include "common/json_describe.h"
#include "common/json_writer.h"

namespace rapport {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

constexpr std::array<std::string_view, 5> kStepTypeNames = {"wait", "wait_for", "branch", "send",
                                                            "exit"};
constexpr std::array<std::string_view, 3> kReentryNames = {"never", "after_exit", "after_days"};
constexpr std::string_view kFieldList =
    "name, description, trigger, reentry, reentry_days, frequency_cap, quiet_hours, timezone, "
    "steps";
constexpr std::string_view kExit = "exit";

// The fields each step type takes (besides name and type), and what its targets are called.
struct StepShape {
  std::vector<std::string_view> fields;
  std::string_view next, alt;  // "" when the type has none
};

const StepShape& ShapeOf(JourneyStepType t) {
  static const std::array<StepShape, 5> kShapes = {{
      {{"duration", "next"}, "next", ""},
      {{"event", "where", "timeout", "on_event", "on_timeout"}, "on_event", "on_timeout"},
      {{"condition", "then", "else"}, "then", "else"},
      {{"destination", "data", "next"}, "next", ""},
      {{}, "", ""},
  }};
  return kShapes[static_cast<size_t>(t)];
}

std::string Quoted(std::string_view field) { return "\"" + std::string(field) + "\""; }

// "3 days", "1 week", "90 minutes": a whole number and a unit.
bool ParseDurationText(std::string_view s, Window* out) {
  size_t i = 0;
  int64_t n = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9' && n <= 100'000'000)
    n = n * 10 + (s[i++] - '0');
  if (i == 0 || i >= s.size() || s[i] != ' ') return false;
  while (i < s.size() && s[i] == ' ') ++i;
  std::string_view unit = s.substr(i);
  if (unit.size() > 1 && unit.back() == 's') unit.remove_suffix(1);
  static const std::map<std::string_view, TimeUnit> kUnits = {{"minute", TimeUnit::kMinutes},
                                                              {"hour", TimeUnit::kHours},
                                                              {"day", TimeUnit::kDays},
                                                              {"week", TimeUnit::kWeeks}};
  auto it = kUnits.find(unit);
  if (it == kUnits.end() || n < 1 || n > MaxWindowAmount(it->second)) return false;
  out->amount = static_cast<int32_t>(n);
  out->unit = it->second;
  return true;
}

// "21:00" → 1260.
bool ParseClock(std::string_view s, int32_t* minutes) {
  auto digit = [&](size_t i) { return s[i] >= '0' && s[i] <= '9'; };
  if (s.size() != 5 || s[2] != ':' || !digit(0) || !digit(1) || !digit(3) || !digit(4)) {
    return false;
  }
  const int h = (s[0] - '0') * 10 + (s[1] - '0');
  const int m = (s[3] - '0') * 10 + (s[4] - '0');
  if (h > 23 || m > 59) return false;
  *minutes = h * 60 + m;
  return true;
}

std::string FormatClock(int32_t minutes) {
  return fmt::format("{:02}:{:02}", minutes / 60, minutes % 60);
}

bool HasPerformed(const Node& n, const Node** at) {
  if (n.kind == Node::Kind::kPerformed) {
    *at = &n;
    return true;
  }
  for (const Node& c : n.children) {
    if (HasPerformed(c, at)) return true;
  }
  return false;
}

class DefParser {
 public:
  Result<JourneyDef> Parse(element root) {
    simdjson::dom::object obj;
    if (root.get_object().get(obj) != simdjson::SUCCESS) {
      return Fail("the definition must be a JSON object, got " + DescribeJson(root));
    }
    element name;
    if (obj.at_key("name").get(name) != simdjson::SUCCESS) return Fail("\"name\" is required");
    std::string_view name_text;
    if (name.get_string().get(name_text) != simdjson::SUCCESS || !IsAudienceName(name_text)) {
      return Fail(
          "\"name\" must be 1 to 64 characters of a-z, 0-9 and _, starting with a letter, got " +
          DescribeJson(name));
    }
    def_.name = std::string(name_text);
    prefix_ = "journey " + JsonString(def_.name) + ": ";

    constexpr std::array<std::string_view, 9> kFields = {
        "name",          "description", "trigger",  "reentry", "reentry_days",
        "frequency_cap", "quiet_hours", "timezone", "steps"};
    std::array<bool, kFields.size()> seen{};
    for (simdjson::dom::key_value_pair kv : obj) {
      size_t field = 0;
      while (field < kFields.size() && kFields[field] != kv.key) ++field;
      if (field == kFields.size()) {
        return Fail("unknown field " + JsonString(TruncateUtf8(kv.key, 64)) +
                    " (fields: " + std::string(kFieldList) + ")");
      }
      if (seen[field]) return Fail("field " + Quoted(kv.key) + " appears twice");
      seen[field] = true;
      RETURN_IF_ERROR(Field(field, kv.value));
    }
    if (!seen[2]) {
      return Fail("\"trigger\" is required ({\"event\": name} or {\"audience\": name})");
    }
    if (!seen[8]) return Fail("\"steps\" is required (a list of 1 to 64 steps)");
    if ((def_.reentry == Reentry::kAfterDays) != seen[4]) {
      return Fail(seen[4] ? "\"reentry_days\" goes only with \"reentry\": \"after_days\""
                          : "\"reentry\": \"after_days\" needs \"reentry_days\" (1 to 3650)");
    }
    return std::move(def_);
  }

  Status Fail(std::string message) const {
    return Status::InvalidArgument((prefix_.empty() ? "journey: " : prefix_) + message);
  }

 private:
  Status Field(size_t field, element v) {
    switch (field) {
      case 0:
        return Status::OK();  // read first
      case 1: {
        std::string_view s;
        if (v.get_string().get(s) != simdjson::SUCCESS || s.size() > kMaxJourneyDescriptionBytes) {
          return Fail("\"description\" must be a string of at most 1024 bytes, got " +
                      (v.type() == element_type::STRING ? std::to_string(s.size()) + " bytes"
                                                        : DescribeJson(v)));
        }
        def_.description = std::string(s);
        return Status::OK();
      }
      case 2:
        return Trigger(v);
      case 3: {
        std::string_view s;
        size_t i = 0;
        if (v.get_string().get(s) == simdjson::SUCCESS) {
          while (i < kReentryNames.size() && kReentryNames[i] != s) ++i;
        } else {
          i = kReentryNames.size();
        }
        if (i == kReentryNames.size()) {
          return Fail("\"reentry\" must be \"never\", \"after_exit\" or \"after_days\", got " +
                      DescribeJson(v));
        }
        def_.reentry = static_cast<Reentry>(i);
        return Status::OK();
      }
      case 4:
        return Int(v, "reentry_days", 1, kMaxReentryDays, &def_.reentry_days);
      case 5:
        return Cap(v);
      case 6:
        return Quiet(v);
      case 7: {
        std::string_view s;
        if (v.get_string().get(s) != simdjson::SUCCESS || !TimeZoneCache::ValidName(s)) {
          return Fail(
              "\"timezone\" must be an IANA time zone name such as \"Europe/Paris\" or \"UTC\", "
              "got " +
              DescribeJson(v));
        }
        def_.timezone = std::string(s);
        return Status::OK();
      }
      default:
        return Steps(v);
    }
  }

  Status Int(element v, std::string_view field, int64_t lo, int64_t hi, int32_t* out) {
    int64_t n = 0;
    if (v.type() != element_type::INT64 || v.get_int64().get(n) != simdjson::SUCCESS || n < lo ||
        n > hi) {
      return Fail(fmt::format("\"{}\" must be an integer from {} to {}, got {}", field, lo, hi,
                              DescribeJson(v)));
    }
    *out = static_cast<int32_t>(n);
    return Status::OK();
  }

  // Checks that `obj` has only `allowed` keys, each once.
  Status OnlyFields(simdjson::dom::object obj, std::string_view field,
                    const std::vector<std::string_view>& allowed) {
    std::vector<bool> seen(allowed.size(), false);
    for (simdjson::dom::key_value_pair kv : obj) {
      size_t i = 0;
      while (i < allowed.size() && allowed[i] != kv.key) ++i;
      if (i == allowed.size()) {
        std::string list;
        for (std::string_view a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
        return Fail(Quoted(field) + " has an unknown field " +
                    JsonString(TruncateUtf8(kv.key, 64)) + " (fields: " + list + ")");
      }
      if (seen[i]) return Fail(Quoted(field) + " has field " + Quoted(kv.key) + " twice");
      seen[i] = true;
    }
    return Status::OK();
  }

  Status EventName(element v, std::string_view field, std::string* out) {
    std::string_view s;
    if (v.get_string().get(s) != simdjson::SUCCESS || s.empty() ||
        s.size() > kMaxComputedEventBytes) {
      return Fail(Quoted(field) + " must be a non-empty string of at most 256 bytes, got " +
                  DescribeJson(v));
    }
    *out = std::string(s);
    return Status::OK();
  }

  Status Where(element v, std::string_view field, std::vector<WhereClause>* out) {
    simdjson::dom::array clauses;
    if (v.get_array().get(clauses) != simdjson::SUCCESS || clauses.size() > kMaxWhereClauses) {
      return Fail(Quoted(field) + " must be an array of at most 16 conditions, got " +
                  (v.type() == element_type::ARRAY ? "an array of " + std::to_string(clauses.size())
                                                   : DescribeJson(v)));
    }
    size_t index = 0;
    for (element c : clauses) {
      auto clause = ParseWhereClause(c, std::string(field) + "[" + std::to_string(index++) + "]");
      if (!clause.ok()) return Fail(clause.status().message());
      out->push_back(std::move(*clause));
    }
    return Status::OK();
  }

  Status Trigger(element v) {
    simdjson::dom::object obj;
    const std::string expected =
        "\"trigger\" must be {\"audience\": name} or {\"event\": name, \"where\": [...]}";
    if (v.get_object().get(obj) != simdjson::SUCCESS)
      return Fail(expected + ", got " + DescribeJson(v));
    RETURN_IF_ERROR(OnlyFields(obj, "trigger", {"audience", "event", "where"}));
    element audience, event, where;
    const bool has_audience = obj.at_key("audience").get(audience) == simdjson::SUCCESS;
    const bool has_event = obj.at_key("event").get(event) == simdjson::SUCCESS;
    const bool has_where = obj.at_key("where").get(where) == simdjson::SUCCESS;
    if (has_audience == has_event) {
      return Fail("\"trigger\" needs exactly one of \"audience\" and \"event\"");
    }
    if (has_audience) {
      if (has_where) return Fail("\"trigger.where\" goes only with \"trigger.event\"");
      std::string_view s;
      if (audience.get_string().get(s) != simdjson::SUCCESS || !IsAudienceName(s)) {
        return Fail("\"trigger.audience\" must be an audience name, got " + DescribeJson(audience));
      }
      def_.trigger.audience = std::string(s);
      return Status::OK();
    }
    RETURN_IF_ERROR(EventName(event, "trigger.event", &def_.trigger.event));
    if (has_where) RETURN_IF_ERROR(Where(where, "trigger.where", &def_.trigger.where));
    return Status::OK();
  }

  Status Cap(element v) {
    simdjson::dom::object obj;
    if (v.get_object().get(obj) != simdjson::SUCCESS) {
      return Fail(
          "\"frequency_cap\" must be {\"max_sends\": 1 to 100, \"per_days\": 1 to 365}, got " +
          DescribeJson(v));
    }
    RETURN_IF_ERROR(OnlyFields(obj, "frequency_cap", {"max_sends", "per_days"}));
    element sends, days;
    if (obj.at_key("max_sends").get(sends) != simdjson::SUCCESS) {
      return Fail("\"frequency_cap.max_sends\" is required (1 to 100)");
    }
    if (obj.at_key("per_days").get(days) != simdjson::SUCCESS) {
      return Fail("\"frequency_cap.per_days\" is required (1 to 365)");
    }
    RETURN_IF_ERROR(Int(sends, "frequency_cap.max_sends", 1, kMaxCapSends, &def_.cap_sends));
    return Int(days, "frequency_cap.per_days", 1, kMaxCapDays, &def_.cap_days);
  }

  Status Quiet(element v) {
    simdjson::dom::object obj;
    if (v.get_object().get(obj) != simdjson::SUCCESS) {
      return Fail("\"quiet_hours\" must be {\"start\": \"21:00\", \"end\": \"08:00\"}, got " +
                  DescribeJson(v));
    }
    RETURN_IF_ERROR(OnlyFields(obj, "quiet_hours", {"start", "end"}));
    for (std::string_view key : {"start", "end"}) {
      element e;
      std::string_view s;
      int32_t* out = key == "start" ? &def_.quiet_start : &def_.quiet_end;
      if (obj.at_key(key).get(e) != simdjson::SUCCESS) {
        return Fail("\"quiet_hours." + std::string(key) + "\" is required (\"HH:MM\")");
      }
      if (e.get_string().get(s) != simdjson::SUCCESS || !ParseClock(s, out)) {
        return Fail("\"quiet_hours." + std::string(key) +
                    "\" must be a time of day \"HH:MM\" (00:00 to 23:59), got " + DescribeJson(e));
      }
    }
    if (def_.quiet_start == def_.quiet_end) {
      return Fail("\"quiet_hours\" must not start and end at the same time");
    }
    return Status::OK();
  }

  Status Steps(element v) {
    simdjson::dom::array steps;
    if (v.get_array().get(steps) != simdjson::SUCCESS || steps.size() == 0 ||
        steps.size() > kMaxJourneySteps) {
      return Fail("\"steps\" must be an array of 1 to 64 steps, got " +
                  (v.type() == element_type::ARRAY ? "an array of " + std::to_string(steps.size())
                                                   : DescribeJson(v)));
    }
    size_t index = 0;
    for (element s : steps) RETURN_IF_ERROR(Step(s, index++));
    // Names are unique; targets name later steps (journeys only go forward, so they end).
    std::map<std::string, size_t> position;
    for (size_t i = 0; i < def_.steps.size(); ++i) {
      if (!position.emplace(def_.steps[i].name, i).second) {
        return Fail(fmt::format("\"steps[{}].name\": another step is called {}", i,
                                JsonString(def_.steps[i].name)));
      }
    }
    for (size_t i = 0; i < def_.steps.size(); ++i) {
      const JourneyStep& s = def_.steps[i];
      const StepShape& shape = ShapeOf(s.type);
      for (const auto& [target, field] : {std::pair{&s.next, shape.next}, {&s.alt, shape.alt}}) {
        if (target->empty() || *target == kExit) continue;
        auto it = position.find(*target);
        if (it == position.end() || it->second <= i) {
          return Fail(fmt::format(
              "\"steps[{}].{}\" must name a later step or \"exit\" (journeys only go forward), "
              "got {}",
              i, field, JsonString(*target)));
        }
      }
    }
    return Status::OK();
  }

  Status Step(element v, size_t index) {
    const std::string at = "steps[" + std::to_string(index) + "]";
    simdjson::dom::object obj;
    if (v.get_object().get(obj) != simdjson::SUCCESS) {
      return Fail(Quoted(at) + " must be an object with \"name\" and \"type\", got " +
                  DescribeJson(v));
    }
    JourneyStep step;
    element e;
    std::string_view s;
    if (obj.at_key("name").get(e) != simdjson::SUCCESS)
      return Fail(Quoted(at + ".name") + " is required");
    if (e.get_string().get(s) != simdjson::SUCCESS || !IsAudienceName(s) || s == kExit) {
      return Fail(Quoted(at + ".name") +
                  " must be 1 to 64 characters of a-z, 0-9 and _, starting with a letter (not "
                  "\"exit\"), got " +
                  DescribeJson(e));
    }
    step.name = std::string(s);
    if (obj.at_key("type").get(e) != simdjson::SUCCESS) {
      return Fail(Quoted(at + ".type") + " is required (wait, wait_for, branch, send, exit)");
    }
    size_t type = kStepTypeNames.size();
    if (e.get_string().get(s) == simdjson::SUCCESS) {
      type = 0;
      while (type < kStepTypeNames.size() && kStepTypeNames[type] != s) ++type;
    }
    if (type == kStepTypeNames.size()) {
      return Fail(Quoted(at + ".type") +
                  " must be one of wait, wait_for, branch, send, exit, got " + DescribeJson(e));
    }
    step.type = static_cast<JourneyStepType>(type);
    const StepShape& shape = ShapeOf(step.type);
    for (simdjson::dom::key_value_pair kv : obj) {
      if (kv.key == "name" || kv.key == "type") continue;
      if (std::find(shape.fields.begin(), shape.fields.end(), kv.key) == shape.fields.end()) {
        std::string list = "name, type";
        for (std::string_view f : shape.fields) list += ", " + std::string(f);
        return Fail(Quoted(at) + " has field " + JsonString(TruncateUtf8(kv.key, 64)) +
                    ", which a " + JsonString(kStepTypeNames[type]) +
                    " step does not take (fields: " + list + ")");
      }
    }
    // Duplicate keys: simdjson keeps both; refuse them like the top level does.
    {
      std::vector<std::string_view> keys;
      for (simdjson::dom::key_value_pair kv : obj) {
        if (std::find(keys.begin(), keys.end(), kv.key) != keys.end()) {
          return Fail(Quoted(at) + " has field " + Quoted(kv.key) + " twice");
        }
        keys.push_back(kv.key);
      }
    }
    auto field = [&](std::string_view key, element* out) {
      return obj.at_key(key).get(*out) == simdjson::SUCCESS;
    };
    auto target = [&](std::string_view key, std::string* out) -> Status {
      element t;
      if (key.empty() || !field(key, &t)) return Status::OK();
      std::string_view name;
      if (t.get_string().get(name) != simdjson::SUCCESS || (!IsAudienceName(name))) {
        return Fail(Quoted(at + "." + std::string(key)) + " must be a step name or \"exit\", got " +
                    DescribeJson(t));
      }
      *out = std::string(name);
      return Status::OK();
    };
    auto duration = [&](std::string_view key) -> Status {
      element d;
      const std::string f = at + "." + std::string(key);
      if (!field(key, &d)) return Fail(Quoted(f) + " is required (a duration such as \"3 days\")");
      std::string_view text;
      if (d.get_string().get(text) != simdjson::SUCCESS ||
          !ParseDurationText(text, &step.duration)) {
        return Fail(Quoted(f) +
                    " must be a duration such as \"3 days\" (a whole number of minutes, hours, "
                    "days or weeks, at most 3650 days), got " +
                    DescribeJson(d));
      }
      return Status::OK();
    };
    switch (step.type) {
      case JourneyStepType::kWait:
        RETURN_IF_ERROR(duration("duration"));
        break;
      case JourneyStepType::kWaitFor:
        if (!field("event", &e)) return Fail(Quoted(at + ".event") + " is required");
        RETURN_IF_ERROR(EventName(e, at + ".event", &step.event));
        if (field("where", &e)) RETURN_IF_ERROR(Where(e, at + ".where", &step.where));
        RETURN_IF_ERROR(duration("timeout"));
        break;
      case JourneyStepType::kBranch:
        if (!field("condition", &e)) {
          return Fail(Quoted(at + ".condition") +
                      " is required (the audience language, e.g. \"traits.plan = \\\"pro\\\"\")");
        }
        RETURN_IF_ERROR(Condition(e, at + ".condition", &step.condition));
        break;
      case JourneyStepType::kSend:
        if (!field("destination", &e)) return Fail(Quoted(at + ".destination") + " is required");
        if (e.get_string().get(s) != simdjson::SUCCESS || !ValidDestinationName(s)) {
          return Fail(Quoted(at + ".destination") + " must be a destination name, got " +
                      DescribeJson(e));
        }
        step.destination = std::string(s);
        if (field("data", &e)) {
          if (e.type() != element_type::OBJECT) {
            return Fail(Quoted(at + ".data") + " must be a JSON object, got " + DescribeJson(e));
          }
          step.data = simdjson::minify(e);
          if (step.data.size() > kMaxStepDataBytes) {
            return Fail(Quoted(at + ".data") + " must be at most 4096 bytes of JSON, got " +
                        std::to_string(step.data.size()));
          }
        }
        break;
      case JourneyStepType::kExit:
        break;
    }
    RETURN_IF_ERROR(target(shape.next, &step.next));
    RETURN_IF_ERROR(target(shape.alt, &step.alt));
    def_.steps.push_back(std::move(step));
    return Status::OK();
  }

  Status Condition(element v, const std::string& field, Node* out) {
    Result<Node> root = Status::OK();
    if (v.type() == element_type::STRING) {
      root = ParseAudience(v.get_string().value_unsafe());
    } else if (v.type() == element_type::OBJECT) {
      root = AudienceFromJson(simdjson::minify(v));
    } else {
      return Fail(Quoted(field) +
                  " must be the audience language (a string) or its JSON tree (an object), got " +
                  DescribeJson(v));
    }
    if (!root.ok()) return Fail(Quoted(field) + ": " + root.status().message());
    const Node* performed = nullptr;
    if (HasPerformed(*root, &performed)) {
      std::string where = performed->line > 0 ? fmt::format(" (line {}, column {})",
                                                            performed->line, performed->column)
                                              : "";
      return Fail(Quoted(field) + ": a branch cannot test `performed`" + where +
                  "; define an audience with that condition and test `in audience \"name\"`");
    }
    *out = std::move(*root);
    return Status::OK();
  }

  JourneyDef def_;
  std::string prefix_;
};

void AppendWhere(const std::vector<WhereClause>& where, std::string* out) {
  *out += ",\"where\":[";
  for (size_t i = 0; i < where.size(); ++i) {
    if (i > 0) *out += ',';
    AppendWhereClauseJson(where[i], out);
  }
  *out += ']';
}

void AppendField(std::string* out, std::string_view key, std::string_view value) {
  *out += ",\"";
  *out += key;
  *out += "\":";
  AppendJsonString(out, value);
}

}  // namespace

std::string_view JourneyStepTypeName(JourneyStepType t) {
  return kStepTypeNames[static_cast<size_t>(t)];
}

std::string_view ReentryName(Reentry r) { return kReentryNames[static_cast<size_t>(r)]; }

std::string FormatDuration(const Window& w) {
  std::string unit(TimeUnitName(w.unit));
  if (w.amount == 1) unit.pop_back();
  return std::to_string(w.amount) + " " + unit;
}

size_t JourneyDef::Target(size_t step, bool alt) const {
  const std::string& name = alt ? steps[step].alt : steps[step].next;
  if (steps[step].type == JourneyStepType::kExit || name == kExit) return steps.size();
  if (name.empty()) return step + 1;
  for (size_t i = step + 1; i < steps.size(); ++i) {
    if (steps[i].name == name) return i;
  }
  return steps.size();
}

Result<JourneyDef> ParseJourneyDef(std::string_view json) {
  if (json.size() > kMaxJourneyDefBytes) {
    return Status::TooLarge("journey: the definition is " + std::to_string(json.size()) +
                            " bytes; the limit is " + std::to_string(kMaxJourneyDefBytes));
  }
  simdjson::dom::parser parser;
  element root;
  if (auto err = parser.parse(json.data(), json.size()).get(root); err != simdjson::SUCCESS) {
    return Status::InvalidArgument(std::string("journey: not valid JSON: ") +
                                   simdjson::error_message(err));
  }
  return DefParser().Parse(root);
}

std::string ToJson(const JourneyDef& def) {
  std::string out = "{\"name\":";
  AppendJsonString(&out, def.name);
  if (!def.description.empty()) AppendField(&out, "description", def.description);
  out += ",\"trigger\":{";
  if (!def.trigger.audience.empty()) {
    out += "\"audience\":";
    AppendJsonString(&out, def.trigger.audience);
  } else {
    out += "\"event\":";
    AppendJsonString(&out, def.trigger.event);
    if (!def.trigger.where.empty()) AppendWhere(def.trigger.where, &out);
  }
  out += '}';
  AppendField(&out, "reentry", ReentryName(def.reentry));
  if (def.reentry == Reentry::kAfterDays) {
    out += ",\"reentry_days\":" + std::to_string(def.reentry_days);
  }
  if (def.has_cap()) {
    out += fmt::format(",\"frequency_cap\":{{\"max_sends\":{},\"per_days\":{}}}", def.cap_sends,
                       def.cap_days);
  }
  if (def.has_quiet_hours()) {
    out += ",\"quiet_hours\":{\"start\":\"" + FormatClock(def.quiet_start) + "\",\"end\":\"" +
           FormatClock(def.quiet_end) + "\"}";
  }
  if (!def.timezone.empty()) AppendField(&out, "timezone", def.timezone);
  out += ",\"steps\":[";
  for (size_t i = 0; i < def.steps.size(); ++i) {
    const JourneyStep& s = def.steps[i];
    const StepShape& shape = ShapeOf(s.type);
    if (i > 0) out += ',';
    out += "{\"name\":";
    AppendJsonString(&out, s.name);
    AppendField(&out, "type", JourneyStepTypeName(s.type));
    switch (s.type) {
      case JourneyStepType::kWait:
        AppendField(&out, "duration", FormatDuration(s.duration));
        break;
      case JourneyStepType::kWaitFor:
        AppendField(&out, "event", s.event);
        if (!s.where.empty()) AppendWhere(s.where, &out);
        AppendField(&out, "timeout", FormatDuration(s.duration));
        break;
      case JourneyStepType::kBranch:
        AppendField(&out, "condition", FormatAudience(s.condition));
        break;
      case JourneyStepType::kSend:
        AppendField(&out, "destination", s.destination);
        if (!s.data.empty()) out += ",\"data\":" + s.data;
        break;
      case JourneyStepType::kExit:
        break;
    }
    if (!s.next.empty()) AppendField(&out, shape.next, s.next);
    if (!s.alt.empty()) AppendField(&out, shape.alt, s.alt);
    out += '}';
  }
  return out + "]}";
}

}  // namespace rapport
