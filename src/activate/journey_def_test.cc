// Journey definitions: a full example, canonical JSON round trips, step targets, every error
// message (the field it names and why) in a table, and the examples of docs/journeys.md.
#include "activate/journey_def.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace rapport {
namespace {

constexpr char kCart[] = R"({
  "name": "cart_abandonment",
  "description": "Remind people who leave a cart",
  "trigger": {"event": "Product Added", "where": [{"path": "properties.price", "op": "gt", "value": 10}]},
  "reentry": "after_days", "reentry_days": 7,
  "frequency_cap": {"max_sends": 2, "per_days": 7},
  "quiet_hours": {"start": "21:00", "end": "08:00"},
  "timezone": "Europe/Paris",
  "steps": [
    {"name": "wait_order", "type": "wait_for", "event": "Order Completed", "timeout": "4 hours",
     "on_event": "exit"},
    {"name": "is_pro", "type": "branch", "condition": "traits.plan = \"pro\" or in audience \"vip\"",
     "else": "remind"},
    {"name": "remind_pro", "type": "send", "destination": "email", "data": {"template": "cart-pro"},
     "next": "exit"},
    {"name": "remind", "type": "send", "destination": "email", "data": {"template": "cart-1"}},
    {"name": "pause", "type": "wait", "duration": "1 day"},
    {"name": "done", "type": "exit"}
  ]
})";

TEST(JourneyDefTest, ParsesAFullDefinition) {
  auto def = ParseJourneyDef(kCart);
  ASSERT_TRUE(def.ok()) << def.status().ToString();
  EXPECT_EQ(def->name, "cart_abandonment");
  EXPECT_EQ(def->trigger.event, "Product Added");
  ASSERT_EQ(def->trigger.where.size(), 1u);
  EXPECT_EQ(def->reentry, Reentry::kAfterDays);
  EXPECT_EQ(def->reentry_days, 7);
  EXPECT_EQ(def->cap_sends, 2);
  EXPECT_EQ(def->cap_days, 7);
  EXPECT_EQ(def->quiet_start, 21 * 60);
  EXPECT_EQ(def->quiet_end, 8 * 60);
  EXPECT_EQ(def->timezone, "Europe/Paris");
  ASSERT_EQ(def->steps.size(), 6u);
  EXPECT_EQ(def->steps[0].type, JourneyStepType::kWaitFor);
  EXPECT_EQ(def->steps[0].duration.micros(), 4 * 3600 * 1'000'000LL);
  EXPECT_EQ(def->steps[1].condition.kind, Node::Kind::kOr);
  EXPECT_EQ(def->steps[2].data, R"({"template":"cart-pro"})");
  EXPECT_EQ(def->steps[4].duration.micros(), 86'400'000'000LL);
  // Targets: named, "exit", or the following step.
  EXPECT_EQ(def->Target(0, false), 6u);  // on_event: exit
  EXPECT_EQ(def->Target(0, true), 1u);   // on_timeout: the next step
  EXPECT_EQ(def->Target(1, false), 2u);
  EXPECT_EQ(def->Target(1, true), 3u);
  EXPECT_EQ(def->Target(2, false), 6u);
  EXPECT_EQ(def->Target(3, false), 4u);
  EXPECT_EQ(def->Target(5, false), 6u);
}

TEST(JourneyDefTest, CanonicalJsonRoundTrips) {
  auto def = ParseJourneyDef(kCart);
  ASSERT_TRUE(def.ok());
  const std::string json = ToJson(*def);
  auto again = ParseJourneyDef(json);
  ASSERT_TRUE(again.ok()) << again.status().ToString() << "\n" << json;
  EXPECT_EQ(*again, *def);
  EXPECT_EQ(ToJson(*again), json);
  EXPECT_NE(json.find(R"("condition":"traits.plan = \"pro\" or in audience \"vip\"")"),
            std::string::npos)
      << json;
  EXPECT_NE(json.find(R"("timeout":"4 hours")"), std::string::npos);
  EXPECT_NE(json.find(R"("duration":"1 day")"), std::string::npos);

  auto minimal = ParseJourneyDef(
      R"({"name":"w","trigger":{"audience":"vip"},"steps":[{"name":"s","type":"send","destination":"d"}]})");
  ASSERT_TRUE(minimal.ok()) << minimal.status().ToString();
  EXPECT_EQ(
      ToJson(*minimal),
      R"({"name":"w","trigger":{"audience":"vip"},"reentry":"never","steps":[{"name":"s","type":"send","destination":"d"}]})");
  // Step data is kept as minified JSON that reads back the same.
  auto data = ParseJourneyDef(
      R"({"name":"w","trigger":{"event":"E"},"steps":[{"name":"s","type":"send","destination":"d",)"
      R"("data":{"a":1.0,"b":1e300,"c":-0.0,"d":12345678901234567890,"e":"\u00e9\"","f":[],"g":{}}}]})");
  ASSERT_TRUE(data.ok()) << data.status().ToString();
  auto data_again = ParseJourneyDef(ToJson(*data));
  ASSERT_TRUE(data_again.ok()) << ToJson(*data);
  EXPECT_EQ(data_again->steps[0].data, data->steps[0].data);
  // The JSON tree form of a condition is accepted and written back as text.
  auto tree = ParseJourneyDef(
      R"({"name":"w","trigger":{"event":"E"},"steps":[{"name":"b","type":"branch","condition":{"trait":"plan","op":"eq","value":"pro"}}]})");
  ASSERT_TRUE(tree.ok()) << tree.status().ToString();
  EXPECT_NE(ToJson(*tree).find(R"("condition":"traits.plan = \"pro\"")"), std::string::npos);
}

// A definition with one step (the one under test) and a prefix for the expected message.
std::string WithStep(const std::string& step) {
  return R"({"name":"j","trigger":{"event":"E"},"steps":[)" + step + "]}";
}

TEST(JourneyDefTest, Errors) {
  struct Case {
    std::string json;
    std::string message;
  } cases[] = {
      {"", "journey: not valid JSON"},
      {"[]", "journey: the definition must be a JSON object, got an array"},
      {"{}", "journey: \"name\" is required"},
      {R"({"name":"Bad Name"})",
       "journey: \"name\" must be 1 to 64 characters of a-z, 0-9 and _, starting with a letter, "
       "got \"Bad Name\""},
      {R"({"name":"j","nope":1})",
       "journey \"j\": unknown field \"nope\" (fields: name, description, trigger, reentry, "
       "reentry_days, frequency_cap, quiet_hours, timezone, steps)"},
      {R"({"name":"j","steps":[]})",
       "journey \"j\": \"steps\" must be an array of 1 to 64 steps, got an array of 0"},
      {R"({"name":"j","steps":[{"name":"a","type":"exit"}]})",
       "journey \"j\": \"trigger\" is required ({\"event\": name} or {\"audience\": name})"},
      {R"({"name":"j","trigger":{"event":"E"}})",
       "journey \"j\": \"steps\" is required (a list of 1 to 64 steps)"},
      {R"({"name":"j","description":5})",
       "journey \"j\": \"description\" must be a string of at most 1024 bytes, got 5"},
      {R"({"name":"j","trigger":{"event":"E","audience":"a"}})",
       "journey \"j\": \"trigger\" needs exactly one of \"audience\" and \"event\""},
      {R"({"name":"j","trigger":{}})",
       "journey \"j\": \"trigger\" needs exactly one of \"audience\" and \"event\""},
      {R"({"name":"j","trigger":"E"})",
       "journey \"j\": \"trigger\" must be {\"audience\": name} or {\"event\": name, \"where\": "
       "[...]}, got \"E\""},
      {R"({"name":"j","trigger":{"event":"E","when":1}})",
       "journey \"j\": \"trigger\" has an unknown field \"when\" (fields: audience, event, where)"},
      {R"({"name":"j","trigger":{"audience":"vip","where":[]}})",
       "journey \"j\": \"trigger.where\" goes only with \"trigger.event\""},
      {R"({"name":"j","trigger":{"audience":"VIP"}})",
       "journey \"j\": \"trigger.audience\" must be an audience name, got \"VIP\""},
      {R"({"name":"j","trigger":{"event":""}})",
       "journey \"j\": \"trigger.event\" must be a non-empty string of at most 256 bytes, got "
       "\"\""},
      {R"({"name":"j","trigger":{"event":"E","where":[{"path":"x","op":"big"}]}})",
       "journey \"j\": \"trigger.where[0].op\" must be one of eq, neq, gt, gte, lt, lte, exists, "
       "not_exists, contains, in, got \"big\""},
      {R"({"name":"j","reentry":"sometimes"})",
       "journey \"j\": \"reentry\" must be \"never\", \"after_exit\" or \"after_days\", got "
       "\"sometimes\""},
      {R"({"name":"j","trigger":{"event":"E"},"reentry":"after_days","steps":[{"name":"a","type":"exit"}]})",
       "journey \"j\": \"reentry\": \"after_days\" needs \"reentry_days\" (1 to 3650)"},
      {R"({"name":"j","trigger":{"event":"E"},"reentry_days":3,"steps":[{"name":"a","type":"exit"}]})",
       "journey \"j\": \"reentry_days\" goes only with \"reentry\": \"after_days\""},
      {R"({"name":"j","reentry_days":0})",
       "journey \"j\": \"reentry_days\" must be an integer from 1 to 3650, got 0"},
      {R"({"name":"j","frequency_cap":{"max_sends":2}})",
       "journey \"j\": \"frequency_cap.per_days\" is required (1 to 365)"},
      {R"({"name":"j","frequency_cap":{"max_sends":0,"per_days":1}})",
       "journey \"j\": \"frequency_cap.max_sends\" must be an integer from 1 to 100, got 0"},
      {R"({"name":"j","frequency_cap":{"max_sends":1,"per_days":1.5}})",
       "journey \"j\": \"frequency_cap.per_days\" must be an integer from 1 to 365, got 1.5"},
      {R"({"name":"j","frequency_cap":3})",
       "journey \"j\": \"frequency_cap\" must be {\"max_sends\": 1 to 100, \"per_days\": 1 to "
       "365}, "
       "got 3"},
      {R"({"name":"j","quiet_hours":{"start":"9pm","end":"08:00"}})",
       "journey \"j\": \"quiet_hours.start\" must be a time of day \"HH:MM\" (00:00 to 23:59), got "
       "\"9pm\""},
      {R"({"name":"j","quiet_hours":{"start":"21:00","end":"24:00"}})",
       "journey \"j\": \"quiet_hours.end\" must be a time of day \"HH:MM\" (00:00 to 23:59), got "
       "\"24:00\""},
      {R"({"name":"j","quiet_hours":{"start":"21:00"}})",
       "journey \"j\": \"quiet_hours.end\" is required (\"HH:MM\")"},
      {R"({"name":"j","quiet_hours":{"start":"08:00","end":"08:00"}})",
       "journey \"j\": \"quiet_hours\" must not start and end at the same time"},
      {R"({"name":"j","timezone":"../etc/passwd"})",
       "journey \"j\": \"timezone\" must be an IANA time zone name such as \"Europe/Paris\" or "
       "\"UTC\", got \"../etc/passwd\""},
      {R"({"name":"j","name":"k"})", "journey \"j\": field \"name\" appears twice"},
      {WithStep("1"),
       "journey \"j\": \"steps[0]\" must be an object with \"name\" and \"type\", got 1"},
      {WithStep(R"({"type":"exit"})"), "journey \"j\": \"steps[0].name\" is required"},
      {WithStep(R"({"name":"exit","type":"exit"})"),
       "journey \"j\": \"steps[0].name\" must be 1 to 64 characters of a-z, 0-9 and _, starting "
       "with a letter (not \"exit\"), got \"exit\""},
      {WithStep(R"({"name":"a"})"),
       "journey \"j\": \"steps[0].type\" is required (wait, wait_for, branch, send, exit)"},
      {WithStep(R"({"name":"a","type":"sleep"})"),
       "journey \"j\": \"steps[0].type\" must be one of wait, wait_for, branch, send, exit, got "
       "\"sleep\""},
      {WithStep(R"({"name":"a","type":"wait","timeout":"1 day"})"),
       "journey \"j\": \"steps[0]\" has field \"timeout\", which a \"wait\" step does not take "
       "(fields: name, type, duration, next)"},
      {WithStep(R"({"name":"a","type":"wait"})"),
       "journey \"j\": \"steps[0].duration\" is required (a duration such as \"3 days\")"},
      {WithStep(R"({"name":"a","type":"wait","duration":"3d"})"),
       "journey \"j\": \"steps[0].duration\" must be a duration such as \"3 days\" (a whole "
       "number of minutes, hours, days or weeks, at most 3650 days), got \"3d\""},
      {WithStep(R"({"name":"a","type":"wait","duration":"3651 days"})"),
       "journey \"j\": \"steps[0].duration\" must be a duration such as \"3 days\""},
      {WithStep(R"({"name":"a","type":"wait","duration":"0 minutes"})"),
       "journey \"j\": \"steps[0].duration\" must be a duration such as \"3 days\""},
      {WithStep(R"({"name":"a","type":"wait","duration":5})"),
       "journey \"j\": \"steps[0].duration\" must be a duration such as \"3 days\""},
      {WithStep(R"({"name":"a","type":"wait_for","timeout":"1 day"})"),
       "journey \"j\": \"steps[0].event\" is required"},
      {WithStep(R"({"name":"a","type":"wait_for","event":"E"})"),
       "journey \"j\": \"steps[0].timeout\" is required (a duration such as \"3 days\")"},
      {WithStep(R"({"name":"a","type":"wait_for","event":"E","timeout":"1 day","where":{}})"),
       "journey \"j\": \"steps[0].where\" must be an array of at most 16 conditions, got an "
       "object"},
      {WithStep(R"({"name":"a","type":"branch"})"),
       "journey \"j\": \"steps[0].condition\" is required (the audience language"},
      {WithStep(R"({"name":"a","type":"branch","condition":"traits.plan = "})"),
       "journey \"j\": \"steps[0].condition\": line 1, column 15: "},
      {WithStep(
           R"({"name":"a","type":"branch","condition":"traits.plan = \"pro\" and performed \"Order Completed\" within 7 days"})"),
       "journey \"j\": \"steps[0].condition\": a branch cannot test `performed` (line 1, column "
       "25); define an audience with that condition and test `in audience \"name\"`"},
      {WithStep(R"({"name":"a","type":"branch","condition":{"trait":"plan"}})"),
       "journey \"j\": \"steps[0].condition\": audience: "},
      {WithStep(R"({"name":"a","type":"branch","condition":7})"),
       "journey \"j\": \"steps[0].condition\" must be the audience language (a string) or its "
       "JSON tree (an object), got 7"},
      {WithStep(R"({"name":"a","type":"send"})"),
       "journey \"j\": \"steps[0].destination\" is required"},
      {WithStep(R"({"name":"a","type":"send","destination":"Bad!"})"),
       "journey \"j\": \"steps[0].destination\" must be a destination name, got \"Bad!\""},
      {WithStep(R"({"name":"a","type":"send","destination":"d","data":[1]})"),
       "journey \"j\": \"steps[0].data\" must be a JSON object, got an array"},
      {WithStep(R"({"name":"a","type":"send","destination":"d","data":{"x":")" +
                std::string(5000, 'x') + R"("}})"),
       "journey \"j\": \"steps[0].data\" must be at most 4096 bytes of JSON, got 5008"},
      {WithStep(R"({"name":"a","type":"exit","next":"b"})"),
       "journey \"j\": \"steps[0]\" has field \"next\", which a \"exit\" step does not take "
       "(fields: name, type)"},
      {WithStep(R"({"name":"a","type":"exit","name":"b"})"),
       "journey \"j\": \"steps[0]\" has field \"name\" twice"},
      {WithStep(R"({"name":"a","type":"send","destination":"d","next":5})"),
       "journey \"j\": \"steps[0].next\" must be a step name or \"exit\", got 5"},
      {WithStep(R"({"name":"a","type":"send","destination":"d","next":"nowhere"})"),
       "journey \"j\": \"steps[0].next\" must name a later step or \"exit\" (journeys only go "
       "forward), got \"nowhere\""},
      {WithStep(
           R"({"name":"a","type":"wait","duration":"1 day"},{"name":"b","type":"branch","condition":"traits.x is set","else":"a"})"),
       "journey \"j\": \"steps[1].else\" must name a later step or \"exit\" (journeys only go "
       "forward), got \"a\""},
      {WithStep(R"({"name":"a","type":"exit"},{"name":"a","type":"exit"})"),
       "journey \"j\": \"steps[1].name\": another step is called \"a\""},
  };
  for (const Case& c : cases) {
    auto def = ParseJourneyDef(c.json);
    ASSERT_FALSE(def.ok()) << c.json;
    EXPECT_EQ(def.status().code(), StatusCode::kInvalidArgument) << c.json;
    EXPECT_EQ(def.status().message().substr(0, c.message.size()), c.message) << c.json;
  }
  std::string big(kMaxJourneyDefBytes + 1, ' ');
  EXPECT_EQ(ParseJourneyDef(big).status().code(), StatusCode::kTooLarge);
  std::string many = R"({"name":"j","trigger":{"event":"E"},"steps":[)";
  for (int i = 0; i < 65; ++i) {
    many += std::string(i ? "," : "") + R"({"name":"s)" + std::to_string(i) + R"(","type":"exit"})";
  }
  EXPECT_NE(ParseJourneyDef(many + "]}").status().message().find("got an array of 65"),
            std::string::npos);
}

// Every ```json block of docs/journeys.md that is a definition (its first key "name", and it has
// "steps") is valid and round-trips.
TEST(JourneyDefTest, DocsExamplesParse) {
  const char* root = std::getenv("RAPPORT_SOURCE_DIR");
  if (!root) GTEST_SKIP() << "RAPPORT_SOURCE_DIR is not set";
  std::ifstream in(std::string(root) + "/docs/journeys.md");
  ASSERT_TRUE(in) << "docs/journeys.md";
  std::stringstream text;
  text << in.rdbuf();
  const std::string doc = text.str();
  int examples = 0;
  for (size_t at = doc.find("```json\n"); at != std::string::npos;
       at = doc.find("```json\n", at + 1)) {
    const size_t begin = at + 8;
    const size_t end = doc.find("```", begin);
    ASSERT_NE(end, std::string::npos);
    const std::string block = doc.substr(begin, end - begin);
    const size_t first_key = block.find('"');
    if (block.find("\"steps\"") == std::string::npos || first_key == std::string::npos ||
        block.compare(first_key, 6, "\"name\"") != 0) {
      continue;
    }
    auto def = ParseJourneyDef(block);
    ASSERT_TRUE(def.ok()) << def.status().ToString() << "\n" << block;
    auto again = ParseJourneyDef(ToJson(*def));
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(*again, *def);
    ++examples;
  }
  EXPECT_GE(examples, 3);
}

}  // namespace
}  // namespace rapport
