#include "import/row_mapper.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <string>
#include <vector>

#include "common/ids.h"

namespace rapport {
namespace {

using Strings = std::vector<std::string>;

class Mapper {
 public:
  Mapper(const std::string& toml, const Strings& columns, InputFormat format = InputFormat::kCsv) {
    auto m = ParseMapping(toml, "m.toml");
    EXPECT_TRUE(m.ok()) << m.status().message();
    if (!m.ok()) return;
    RowMapperOptions options;
    options.file_name = format == InputFormat::kCsv ? "data.csv" : "data.jsonl";
    options.library_version = "9.9";
    auto mapper = RowMapper::Create(*m, format, columns, options);
    if (!mapper.ok()) {
      create_error = mapper.status().message();
      return;
    }
    mapper_ = std::move(*mapper);
  }

  // The event for a CSV row (fields) or a JSON line (raw); the reason when rejected.
  std::string Csv(const Strings& fields, int64_t line = 2) {
    Record r;
    r.line = line;
    r.fields = fields;
    for (const auto& f : fields) r.raw += (r.raw.empty() ? "" : ",") + f;
    return Map(r);
  }
  std::string Json(const std::string& raw, int64_t line = 1) {
    Record r;
    r.line = line;
    r.raw = raw;
    return Map(r);
  }

  std::string create_error;

 private:
  std::string Map(const Record& r) {
    if (!mapper_) return "no mapper: " + create_error;
    std::string event;
    Status s = mapper_->Map(r, &event);
    return s.ok() ? event : "rejected: " + s.message();
  }
  std::unique_ptr<RowMapper> mapper_;
};

std::string Hash(const std::string& s) { return "imp-" + Sha256Hex(s).substr(0, 32); }

constexpr const char* kContacts = R"(
[event]
type = "identify"
[identifiers]
email = "Email"
phone = "Phone"
crm_id = "Contact ID"
[traits]
first_name = "First Name"
company = "Company"
lifecycle_stage = "Stage"
)";
const Strings kContactColumns = {"Contact ID", "First Name", "Email", "Phone", "Company", "Stage"};

TEST(RowMapperTest, IdentifyFromCsv) {
  Mapper m(kContacts, kContactColumns);
  const Strings row = {"C-1", "Ada", "Ada@Example.com", "+44 20 7946 0000", "Engines", "lead"};
  const std::string raw = "C-1,Ada,Ada@Example.com,+44 20 7946 0000,Engines,lead";
  EXPECT_EQ(m.Csv(row, 7),
            "{\"type\":\"identify\",\"anonymousId\":\"" + Hash("email:ada@example.com") +
                "\",\"traits\":{\"email\":\"Ada@Example.com\",\"phone\":\"+44 20 7946 0000\","
                "\"company\":\"Engines\",\"first_name\":\"Ada\",\"lifecycle_stage\":\"lead\"},"
                "\"context\":{\"library\":{\"name\":\"rapport-import\",\"version\":\"9.9\"},"
                "\"import\":{\"file\":\"data.csv\",\"line\":7},\"externalIds\":[{\"id\":\"C-1\","
                "\"type\":\"crm_id\",\"collection\":\"users\",\"encoding\":\"none\"}]},"
                "\"messageId\":\"" +
                Hash("identify\n\n" + raw) + "\"}");
  // Same row, same event (de-duplicated on re-import); another row, another messageId.
  EXPECT_EQ(m.Csv(row, 7), m.Csv(row, 7));
  EXPECT_NE(m.Csv(row), m.Csv({"C-2", "Ada", "ada@example.com", "", "Engines", "lead"}));
}

TEST(RowMapperTest, EmptyCellsAreLeftOutAndIdentifiersTrimmed) {
  Mapper m(kContacts, kContactColumns);
  std::string e = m.Csv({" C-9 ", "", "", "", "", "customer"});
  EXPECT_NE(e.find("\"traits\":{\"lifecycle_stage\":\"customer\"}"), std::string::npos) << e;
  EXPECT_NE(e.find("\"anonymousId\":\"" + Hash("crm_id:C-9") + "\""), std::string::npos) << e;
  EXPECT_NE(e.find("{\"id\":\"C-9\",\"type\":\"crm_id\""), std::string::npos) << e;
}

TEST(RowMapperTest, NoIdentifier) {
  Mapper m(kContacts, kContactColumns);
  EXPECT_EQ(m.Csv({"", "Ada", " ", "", "", ""}),
            "rejected: no identifier: email, phone, crm_id are all empty");
  Mapper one("[event]\ntype = \"identify\"\n[identifiers]\nemail = \"e\"\n", {"e"});
  EXPECT_EQ(one.Csv({""}), "rejected: no identifier: email is empty");
  Mapper strict(
      "[event]\ntype = \"identify\"\nderive_anonymous_id = false\n[identifiers]\nemail = \"e\"\n",
      {"e"});
  EXPECT_NE(strict.Csv({"a@b.c"}).find("rejected: no user_id or anonymous_id"), std::string::npos);
}

constexpr const char* kOrders = R"(
[event]
type = "track"
name = "Order Completed"
timestamp = { column = "ordered_at", format = "%d/%m/%Y %H:%M" }
message_id = { column = "order_id", prefix = "shop-order-" }
[identifiers]
user_id = "customer_id"
email = "email"
[traits]
plan = "plan"
[properties]
revenue = { column = "total", type = "number" }
items = { column = "items", type = "integer" }
gift = { column = "gift", type = "boolean" }
currency = { column = "currency", default = "EUR" }
channel = { value = "web" }
extra = { column = "extra", type = "json" }
[properties.shipping]
city = "city"
)";
const Strings kOrderColumns = {"order_id", "customer_id", "email", "ordered_at", "total", "items",
                               "gift",     "currency",    "extra", "city",       "plan"};

TEST(RowMapperTest, TrackWithTypedProperties) {
  Mapper m(kOrders, kOrderColumns);
  EXPECT_EQ(m.Csv({"1001", "u42", "ada@example.com", "31/01/2024 12:00", "59.90", "3", "yes", "",
                   "{\"a\": [1, 2]}", "London", "pro"}),
            "{\"type\":\"track\",\"event\":\"Order Completed\",\"userId\":\"u42\","
            "\"properties\":{\"channel\":\"web\",\"currency\":\"EUR\",\"extra\":{\"a\":[1,2]},"
            "\"gift\":true,\"items\":3,\"revenue\":59.9,\"shipping\":{\"city\":\"London\"}},"
            "\"context\":{\"library\":{\"name\":\"rapport-import\",\"version\":\"9.9\"},"
            "\"import\":{\"file\":\"data.csv\",\"line\":2},\"traits\":{\"email\":"
            "\"ada@example.com\",\"plan\":\"pro\"}},\"timestamp\":\"2024-01-31T12:00:00.000Z\","
            "\"messageId\":\"shop-order-1001\"}");
  // An empty nested object is left out too.
  std::string e =
      m.Csv({"1002", "u42", "", "01/02/2024 00:00", "-1e3", "+0", "N", "USD", "", "", ""});
  EXPECT_NE(e.find("\"properties\":{\"channel\":\"web\",\"currency\":\"USD\",\"gift\":false,"
                   "\"items\":0,\"revenue\":-1000}"),
            std::string::npos)
      << e;
  EXPECT_EQ(e.find("\"traits\""), std::string::npos) << e;
}

// The shortest form of 72634054790231359488.0 is those 20 digits, an integer no JSON parser
// here takes (past 64 bits): numbers that large are written with an exponent (found by fuzzing).
TEST(RowMapperTest, HugeWholeNumbersKeepAnExponent) {
  Mapper m(kOrders, kOrderColumns);
  for (const char* total : {"72634054790231359488", "00000000000860008086000868798221"}) {
    std::string e = m.Csv({"1003", "u42", "", "01/02/2024 00:00", total, "1", "N", "", "", "", ""});
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    ASSERT_EQ(parser.parse(e).get(root), simdjson::SUCCESS) << e;
    double revenue = 0;
    ASSERT_EQ(root["properties"]["revenue"].get_double().get(revenue), simdjson::SUCCESS) << e;
    EXPECT_DOUBLE_EQ(revenue, std::stod(total));
  }
}

TEST(RowMapperTest, ConversionErrorsNameColumnValueAndType) {
  Mapper m(kOrders, kOrderColumns);
  auto row = [](std::string total, std::string items, std::string gift, std::string extra,
                std::string when) {
    return Strings{"1", "u", "", when, total, items, gift, "", extra, "", ""};
  };
  EXPECT_EQ(m.Csv(row("12,50", "", "", "", "31/01/2024 12:00")),
            "rejected: [properties] revenue: column \"total\" value \"12,50\" is not a number");
  EXPECT_EQ(m.Csv(row("", "2.5", "", "", "31/01/2024 12:00")),
            "rejected: [properties] items: column \"items\" value \"2.5\" is not an integer");
  EXPECT_EQ(m.Csv(row("", "", "maybe", "", "31/01/2024 12:00")),
            "rejected: [properties] gift: column \"gift\" value \"maybe\" is not a boolean "
            "(true/false, yes/no, 1/0)");
  EXPECT_NE(m.Csv(row("", "", "", "{oops", "31/01/2024 12:00"))
                .find("rejected: [properties] extra: column \"extra\" value \"{oops\" is not JSON"),
            std::string::npos);
  EXPECT_EQ(m.Csv(row("", "", "", "", "31/02/2024 12:00")),
            "rejected: [event] timestamp: column \"ordered_at\": \"31/02/2024 12:00\" is not a "
            "valid date and time (format \"%d/%m/%Y %H:%M\")");
  EXPECT_EQ(m.Csv(row("", "", "", "", "")),
            "rejected: [event] timestamp: column \"ordered_at\" is empty (required)");
  EXPECT_EQ(m.Csv(row("inf", "", "", "", "31/01/2024 12:00")),
            "rejected: [properties] revenue: column \"total\" value \"inf\" is not a number");
  Strings no_id = row("", "", "", "", "31/01/2024 12:00");
  no_id[0] = "";
  EXPECT_EQ(m.Csv(no_id), "rejected: [event] message_id: column \"order_id\" is empty");
  Strings long_id = row("", "", "", "", "31/01/2024 12:00");
  long_id[0] = std::string(250, '7');
  EXPECT_EQ(m.Csv(long_id), "rejected: [event] message_id is 261 bytes; the limit is 256");
}

TEST(RowMapperTest, RequiredAndNameColumn) {
  Mapper m(R"(
[event]
type = "track"
name_column = { column = "what", default = "Something Happened" }
[identifiers]
user_id = { column = "uid", required = true }
anonymous_id = "aid"
[properties]
note = { column = "note", required = true }
)",
           {"uid", "aid", "what", "note"});
  EXPECT_EQ(m.Csv({"", "a1", "X", "n"}),
            "rejected: [identifiers] user_id: column \"uid\" is "
            "empty (required)");
  EXPECT_EQ(m.Csv({"u1", "a1", "X", ""}),
            "rejected: [properties] note: column \"note\" is empty (required)");
  std::string e = m.Csv({"u1", "a1", "", "n"});
  EXPECT_NE(e.find("\"event\":\"Something Happened\",\"userId\":\"u1\",\"anonymousId\":\"a1\""),
            std::string::npos)
      << e;
  EXPECT_NE(m.Csv({"u1", "a1", "Signed Up", "n"}).find("\"event\":\"Signed Up\""),
            std::string::npos);
}

TEST(RowMapperTest, MappingErrorsAgainstTheHeader) {
  Mapper missing(kContacts, {"Contact ID", "First Name", "email", "Phone", "Company", "Stage"});
  EXPECT_EQ(missing.create_error,
            "m.toml:5: [identifiers] email: column \"Email\" is not in the header of data.csv "
            "(its columns: \"Contact ID\", \"First Name\", \"email\", \"Phone\", \"Company\", "
            "\"Stage\"); did you mean \"email\"?");
  Mapper twice(kContacts,
               {"Contact ID", "First Name", "Email", "Phone", "Company", "Stage", "Email"});
  EXPECT_EQ(twice.create_error,
            "m.toml:5: [identifiers] email: column \"Email\" appears 2 times in the header of "
            "data.csv; rename one");
}

constexpr const char* kTickets = R"(
[event]
type = "track"
name = "Ticket Opened"
timestamp = { column = "created", format = "unix" }
message_id = "id"
[identifiers]
email = "requester.email"
zendesk_id = "/requester/id"
[properties]
priority = "priority"
tags = "tags"
first_tag = "tags.0"
sla_hours = { column = "sla", type = "number" }
urgent = { column = "urgent", type = "boolean" }
id_text = { column = "id", type = "string" }
meta = { column = "meta", type = "json" }
)";

TEST(RowMapperTest, JsonLinesPathsAndTypes) {
  Mapper m(kTickets, {}, InputFormat::kJsonl);
  ASSERT_EQ(m.create_error, "");
  EXPECT_EQ(
      m.Json(R"({"id":77,"created":1706702400,"requester":{"email":"a@b.c","id":9001},)"
             R"("priority":"high","tags":["billing","vip"],"sla":"4.5","urgent":1,)"
             R"("meta":"{\"x\":true}"})",
             3),
      "{\"type\":\"track\",\"event\":\"Ticket Opened\",\"anonymousId\":\"" + Hash("email:a@b.c") +
          "\",\"properties\":{\"first_tag\":\"billing\",\"id_text\":\"77\",\"meta\":{\"x\":true},"
          "\"priority\":\"high\",\"sla_hours\":4.5,\"tags\":[\"billing\",\"vip\"],\"urgent\":true},"
          "\"context\":{\"library\":{\"name\":\"rapport-import\",\"version\":\"9.9\"},"
          "\"import\":{\"file\":\"data.jsonl\",\"line\":3},\"traits\":{\"email\":\"a@b.c\"},"
          "\"externalIds\":[{\"id\":\"9001\",\"type\":\"zendesk_id\",\"collection\":\"users\","
          "\"encoding\":\"none\"}]},\"timestamp\":\"2024-01-31T12:00:00.000Z\","
          "\"messageId\":\"77\"}");
  // Missing and null paths are empty; a path through a string is empty.
  std::string e = m.Json(R"({"id":"t1","created":0,"requester":{"email":"a@b.c"},"tags":null,)"
                         R"("priority":{"level":1}})");
  EXPECT_NE(e.find("\"properties\":{\"id_text\":\"t1\",\"priority\":{\"level\":1}}"),
            std::string::npos)
      << e;
}

TEST(RowMapperTest, JsonLinesRejects) {
  Mapper m(kTickets, {}, InputFormat::kJsonl);
  EXPECT_NE(m.Json("{\"id\":1,").find("rejected: not valid JSON: "), std::string::npos);
  EXPECT_EQ(m.Json("[1,2]"), "rejected: the line is a JSON array, not an object");
  EXPECT_EQ(m.Json("\"x\""), "rejected: the line is a JSON value, not an object");
  EXPECT_EQ(m.Json(R"({"id":1,"created":1,"requester":{"email":["a"]}})"),
            "rejected: [identifiers] email: column \"requester.email\" value \"[\\\"a\\\"]\" is "
            "not a string or a number");
  EXPECT_EQ(m.Json(R"({"id":1,"created":1,"requester":{"email":"a@b.c"},"sla":true})"),
            "rejected: [properties] sla_hours: column \"sla\" value \"true\" is not a number");
  EXPECT_EQ(m.Json(R"({"id":1,"created":"soon","requester":{"email":"a@b.c"}})"),
            "rejected: [event] timestamp: column \"created\": \"soon\" is not a number of "
            "seconds since 1970 (format = \"unix\")");
  EXPECT_EQ(m.Json(R"({"created":1,"requester":{"email":"a@b.c"}})"),
            "rejected: [event] message_id: column \"id\" is empty");
}

TEST(RowMapperTest, GroupEvent) {
  Mapper m(R"(
[event]
type = "group"
group_id = "company.id"
[identifiers]
user_id = "user"
email = "email"
[traits]
name = "company.name"
employees = { column = "company.size", type = "integer" }
)",
           {}, InputFormat::kJsonl);
  std::string e = m.Json(R"({"user":"u1","email":"a@b.c","company":{"id":42,"name":"Acme",)"
                         R"("size":"120"}})");
  EXPECT_NE(e.find("{\"type\":\"group\",\"userId\":\"u1\",\"groupId\":\"42\",\"traits\":{"
                   "\"employees\":120,\"name\":\"Acme\"},\"context\":"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("\"traits\":{\"email\":\"a@b.c\"}}"), std::string::npos) << e;
  EXPECT_EQ(m.Json(R"({"user":"u1"})"),
            "rejected: [event] group_id: column \"company.id\" is empty (required)");
}

}  // namespace
}  // namespace rapport
