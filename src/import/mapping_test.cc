#include "import/mapping.h"

#include <gtest/gtest.h>

#include <string>

namespace rapport {
namespace {

// The message of parsing `toml`, or "ok".
std::string Error(const std::string& toml) {
  auto m = ParseMapping(toml, "m.toml");
  return m.ok() ? "ok" : m.status().message();
}

constexpr const char* kOrders = R"(
format = "csv"
[csv]
delimiter = ";"
[event]
type = "track"
name = "Order Completed"
timestamp = { column = "ordered_at", format = "%d/%m/%Y %H:%M", utc_offset = "+01:00" }
message_id = { column = "order_id", prefix = "shop-order-" }
[identifiers]
email = "email"
crm_id = "contact_id"
user_id = "customer_id"
[properties]
revenue = { column = "total", type = "number" }
currency = { column = "currency", default = "EUR" }
source = { value = "shop" }
paid = { column = "paid", type = "boolean", required = true }
[properties.shipping]
city = "city"
country = "country"
)";

TEST(MappingTest, ParsesEveryPart) {
  auto m = ParseMapping(kOrders, "orders.toml");
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_EQ(m->origin, "orders.toml");
  EXPECT_EQ(m->format, InputFormat::kCsv);
  EXPECT_EQ(m->delimiter, ';');
  EXPECT_EQ(m->type, ImportEventType::kTrack);
  EXPECT_EQ(m->event_name, "Order Completed");
  ASSERT_TRUE(m->timestamp);
  EXPECT_EQ(m->timestamp->column, "ordered_at");
  EXPECT_EQ(m->timestamp->type, ValueType::kTimestamp);
  EXPECT_EQ(m->timestamp->time.kind, TimeFormat::Kind::kPattern);
  EXPECT_EQ(m->timestamp->time.utc_offset_us, 3600LL * 1'000'000);
  EXPECT_TRUE(m->timestamp->required);
  ASSERT_TRUE(m->message_id);
  EXPECT_EQ(m->message_id->column, "order_id");
  EXPECT_EQ(m->message_id_prefix, "shop-order-");
  // Standard identifiers first, in their precedence order, then the others.
  ASSERT_EQ(m->identifiers.size(), 3u);
  EXPECT_EQ(m->identifiers[0].type, "user_id");
  EXPECT_EQ(m->identifiers[1].type, "email");
  EXPECT_EQ(m->identifiers[2].type, "crm_id");
  EXPECT_EQ(m->identifiers[2].field.column, "contact_id");
  ASSERT_EQ(m->properties.size(), 5u);
  const FieldNode* revenue = nullptr;
  const FieldNode* shipping = nullptr;
  for (const auto& p : m->properties) {
    if (p.key == "revenue") revenue = &p;
    if (p.key == "shipping") shipping = &p;
    if (p.key == "currency") {
      EXPECT_EQ(p.spec.fallback, "\"EUR\"");
    }
    if (p.key == "source") {
      EXPECT_EQ(p.spec.constant, "\"shop\"");
    }
    if (p.key == "paid") {
      EXPECT_TRUE(p.spec.required);
    }
  }
  ASSERT_NE(revenue, nullptr);
  EXPECT_EQ(revenue->spec.type, ValueType::kNumber);
  EXPECT_EQ(revenue->spec.line, 15);
  ASSERT_NE(shipping, nullptr);
  EXPECT_TRUE(shipping->is_object);
  EXPECT_EQ(shipping->children.size(), 2u);
}

TEST(MappingTest, ErrorsNameTheLine) {
  EXPECT_EQ(Error("[event]\ntype = \"track\"\nname = \"X\"\nnmae = 1\n[identifiers]\nemail = "
                  "\"e\"\n"),
            "m.toml:4: unknown key \"nmae\" in [event] (known: type, name, name_column, "
            "timestamp, message_id, group_id, derive_anonymous_id)");
  EXPECT_EQ(Error("[event]\ntype = \"track\"\nname = \"X\"\n[identifiers]\nemail = \"e\"\n"
                  "[properties]\nrevenue = { column = \"t\", type = \"numbr\" }\n"),
            "m.toml:7: [properties] revenue type \"numbr\" is not one of string, number, "
            "integer, boolean, json, timestamp");
  EXPECT_EQ(Error("[event]\ntype = \"track\"\nname = \"X\"\n[identifiers]\nemail = 3\n"),
            "m.toml:5: [identifiers] email must be a column name (a string) or a table like { "
            "column = \"...\", type = \"number\" }");
  EXPECT_EQ(Error("[event]\ntype = \"page\"\n"),
            "m.toml:2: [event] type \"page\" is not identify, track or group");
  // A TOML syntax error: line and column from toml++.
  EXPECT_EQ(Error("[event]\ntype = \"track\n").substr(0, 9), "m.toml:2:");
}

TEST(MappingTest, WhatEachEventTypeNeeds) {
  const std::string ids = "[identifiers]\nemail = \"e\"\n";
  EXPECT_NE(Error("[event]\ntype = \"track\"\n" + ids).find("a track event needs its name"),
            std::string::npos);
  EXPECT_NE(Error("[event]\ntype = \"track\"\nname = \"A\"\nname_column = \"b\"\n" + ids)
                .find("either name"),
            std::string::npos);
  EXPECT_NE(Error("[event]\ntype = \"identify\"\nname = \"A\"\n" + ids)
                .find("name and name_column are for track events"),
            std::string::npos);
  EXPECT_NE(Error("[event]\ntype = \"identify\"\n" + ids + "[properties]\na = \"b\"\n")
                .find("[properties] is for track events"),
            std::string::npos);
  EXPECT_NE(Error("[event]\ntype = \"group\"\n" + ids).find("needs group_id"), std::string::npos);
  EXPECT_NE(Error("[event]\ntype = \"track\"\nname = \"A\"\ngroup_id = \"g\"\n" + ids)
                .find("group_id is for group events"),
            std::string::npos);
  EXPECT_NE(Error("[event]\ntype = \"identify\"\n").find("[identifiers] is missing"),
            std::string::npos);
  EXPECT_NE(Error(ids).find("[event] is missing"), std::string::npos);
  EXPECT_NE(Error("[event]\ntype = \"identify\"\n[identifiers]\n\"CRM Id\" = \"c\"\n")
                .find("1-64 characters of a-z, 0-9 and _"),
            std::string::npos);
  EXPECT_EQ(Error("[event]\ntype = \"group\"\ngroup_id = \"company_id\"\n" + ids), "ok");
  EXPECT_EQ(Error("[event]\ntype = \"track\"\nname_column = \"event\"\n" + ids), "ok");
}

TEST(MappingTest, FieldErrors) {
  const std::string head = "[event]\ntype = \"identify\"\n[identifiers]\nemail = \"e\"\n[traits]\n";
  EXPECT_NE(Error(head + "a = { type = \"number\" }\n").find("needs either column"),
            std::string::npos);
  EXPECT_NE(Error(head + "a = { column = \"x\", value = 1 }\n").find("needs either column"),
            std::string::npos);
  EXPECT_NE(Error(head + "a = { value = 1, type = \"string\" }\n").find("a constant"),
            std::string::npos);
  EXPECT_NE(Error(head + "a = { column = \"x\", format = \"unix\" }\n")
                .find("format and utc_offset go with type = \"timestamp\""),
            std::string::npos);
  EXPECT_NE(Error(head + "a = { column = \"x\", type = \"timestamp\", format = \"dd/mm\" }\n")
                .find("is not iso8601, unix, unix_ms"),
            std::string::npos);
  EXPECT_NE(Error(head + "a = { column = \"x\", type = \"timestamp\", format = \"%H:%M\" }\n")
                .find("needs a year"),
            std::string::npos);
  EXPECT_NE(Error(head + "a = { column = \"x\", type = \"timestamp\", utc_offset = \"CET\" }\n")
                .find("not a UTC offset"),
            std::string::npos);
  EXPECT_NE(Error(head + "a = { column = \"x\", required = \"yes\" }\n").find("true or false"),
            std::string::npos);
  EXPECT_NE(Error(head + "a = { value = [1, 2] }\n").find("a string, a number or a boolean"),
            std::string::npos);
  EXPECT_NE(Error(head + "a = \"\"\n").find("the column name is empty"), std::string::npos);
  EXPECT_NE(Error(head + "email = \"x\"\n").find("already set by [identifiers] email"),
            std::string::npos);
  EXPECT_NE(Error(head + "[traits.address]\n").find("is an empty table"), std::string::npos);
  EXPECT_EQ(Error(head + "a = { value = 1.5 }\nb = { value = true }\nc = { column = \"x\", type = "
                         "\"timestamp\", format = \"unix_ms\" }\n"),
            "ok");
}

TEST(MappingTest, CsvSection) {
  const std::string tail = "[event]\ntype = \"identify\"\n[identifiers]\nemail = \"e\"\n";
  EXPECT_NE(Error("[csv]\ndelimiter = \";;\"\n" + tail).find("one character"), std::string::npos);
  EXPECT_NE(Error("[csv]\nheader = false\n" + tail).find("needs columns"), std::string::npos);
  EXPECT_NE(Error("[csv]\ncolumns = [\"a\"]\n" + tail).find("set header = false"),
            std::string::npos);
  EXPECT_NE(Error("format = \"jsonl\"\n[csv]\ndelimiter = \";\"\n" + tail).find("jsonl"),
            std::string::npos);
  EXPECT_NE(Error("format = \"xml\"\n" + tail).find("not csv or jsonl"), std::string::npos);
  EXPECT_NE(Error("max_record_bytes = 10\n" + tail).find("max_record_bytes"), std::string::npos);
  auto m = ParseMapping(
      "[csv]\nheader = false\ncolumns = [\"a\", \"e\"]\ndelimiter = \"\\t\"\n" + tail, "m");
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_FALSE(m->header);
  EXPECT_EQ(m->columns, (std::vector<std::string>{"a", "e"}));
  EXPECT_EQ(m->delimiter, '\t');
}

TEST(MappingTest, FormatFromExtension) {
  auto m = ParseMapping("[event]\ntype = \"identify\"\n[identifiers]\nemail = \"e\"\n", "m");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(*ResolveFormat(*m, "/x/contacts.CSV"), InputFormat::kCsv);
  EXPECT_EQ(*ResolveFormat(*m, "t.tsv"), InputFormat::kCsv);
  EXPECT_EQ(ResolveDelimiter(*m, "t.tsv"), '\t');
  EXPECT_EQ(ResolveDelimiter(*m, "t.csv"), ',');
  EXPECT_EQ(*ResolveFormat(*m, "a.b/tickets.jsonl"), InputFormat::kJsonl);
  EXPECT_EQ(*ResolveFormat(*m, "x.ndjson"), InputFormat::kJsonl);
  EXPECT_FALSE(ResolveFormat(*m, "export").ok());
  EXPECT_FALSE(ResolveFormat(*m, "dir.csv/export").ok());
  m->format = InputFormat::kJsonl;
  EXPECT_EQ(*ResolveFormat(*m, "export"), InputFormat::kJsonl);
}

}  // namespace
}  // namespace rapport
