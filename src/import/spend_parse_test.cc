// ParseSpend: the three input forms, every kind of bad row named by line or index, all or nothing,
// duplicates, limits; ParseSpendDay / FormatSpendDay.
#include "import/spend_parse.h"

#include <cmath>
#include <cstdint>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace rapport {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

MATCHER_P4(Spend, date, channel, campaign, cost, "") {
  return FormatSpendDay(arg.day) == date && arg.channel == channel && arg.campaign == campaign &&
         arg.cost == cost;
}

std::string ErrorOf(std::string_view text, SpendFormat format) {
  auto parsed = ParseSpend(text, format);
  EXPECT_FALSE(parsed.ok()) << text;
  return parsed.ok() ? "" : parsed.status().message();
}

TEST(ParseSpendTest, CsvColumnsInAnyOrderWithQuotesCrlfAndBom) {
  auto rows = ParseSpend(
      "\xEF\xBB\xBF"
      "Cost, campaign ,date,channel\r\n"
      "120.50,brand,2026-01-31,Paid Search\r\n"
      "\r\n"
      "3,\"spring, \"\"sale\"\"\",2026-02-01,  Email  \r\n"
      "0,,2026-02-01,Email\r\n",
      SpendFormat::kCsv);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_THAT(*rows, ElementsAre(Spend("2026-01-31", "Paid Search", "brand", 120.5),
                                 Spend("2026-02-01", "Email", "spring, \"sale\"", 3.0),
                                 Spend("2026-02-01", "Email", "", 0.0)));
}

TEST(ParseSpendTest, CsvCampaignColumnIsOptional) {
  auto rows = ParseSpend("date,channel,cost\n2024-02-29,Social,7\n", SpendFormat::kCsv);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_THAT(*rows, ElementsAre(Spend("2024-02-29", "Social", "", 7.0)));
}

TEST(ParseSpendTest, CsvBadRowsAreNamedByLineAndNothingIsReturned) {
  const std::string message = ErrorOf(
      "date,channel,campaign,cost\n"
      "2026-01-01,Email,,1\n"
      "2026-01-02,Email,,\"1,234\"\n"
      "2026-01-03,Email,,$5\n"
      "2026-01-04,Email,,-3\n"
      "2026-01-05,Email,,nan\n"
      "2026-02-30,Email,,1\n"
      "31/01/2026,,,1e3\n"
      "2026-01-08,Email,,1\n"
      "2026-01-01,Email,,2\n",
      SpendFormat::kCsv);
  EXPECT_THAT(message, HasSubstr("7 bad rows, nothing was imported: line 3: cost \"1,234\" is "
                                 "not a plain decimal number"));
  EXPECT_THAT(message, HasSubstr("line 4: cost \"$5\" is not a plain decimal"));
  EXPECT_THAT(message, HasSubstr("line 5: cost \"-3\" is negative"));
  EXPECT_THAT(message, HasSubstr("line 6: cost \"nan\" is not a plain decimal"));
  EXPECT_THAT(message, HasSubstr("line 7: date \"2026-02-30\" is not a calendar date"));
  EXPECT_THAT(message, HasSubstr("line 8: date \"31/01/2026\" is not written YYYY-MM-DD, channel "
                                 "is empty, cost \"1e3\" is not a plain decimal"));
  EXPECT_THAT(message, HasSubstr("line 10: the same date, channel and campaign (2026-01-01, "
                                 "\"Email\", \"\") as line 2"));
  EXPECT_THAT(message, ::testing::Not(HasSubstr("line 9")));
}

TEST(ParseSpendTest, NamesAtMostTwentyBadRows) {
  std::string csv = "date,channel,cost\n";
  for (int i = 0; i < 25; ++i) csv += "2026-01-01,Email,-1\n";
  const std::string message = ErrorOf(csv, SpendFormat::kCsv);
  EXPECT_THAT(message, HasSubstr("25 bad rows"));
  EXPECT_THAT(message, HasSubstr("line 21: cost \"-1\" is negative; …and 5 more"));
  EXPECT_THAT(message, ::testing::Not(HasSubstr("line 22")));
}

TEST(ParseSpendTest, NameLengthsAndControlCharacters) {
  const std::string ok_channel(100, 'x');
  const std::string ok_campaign = std::string(199, 'y') + "é";  // 200 characters, 201 bytes
  auto rows = ParseSpend(
      "date,channel,campaign,cost\n2026-01-01," + ok_channel + "," + ok_campaign + ",1\n",
      SpendFormat::kCsv);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  const std::string message =
      ErrorOf("date,channel,campaign,cost\n2026-01-01," + ok_channel + "x,c,1\n" + "2026-01-01,a," +
                  ok_campaign + "z,1\n2026-01-01,\"a\tb\nc\",,1\n",
              SpendFormat::kCsv);
  EXPECT_THAT(message, HasSubstr("line 2: channel has 101 characters; at most 100"));
  EXPECT_THAT(message, HasSubstr("line 3: campaign has 201 characters; at most 200"));
  EXPECT_THAT(message, HasSubstr("line 4: channel \"a\\tb\\nc\" has a control character"));
}

TEST(ParseSpendTest, CsvHeaderProblems) {
  EXPECT_THAT(ErrorOf("date,channel,costs\n", SpendFormat::kCsv),
              HasSubstr("unknown column \"costs\""));
  EXPECT_THAT(ErrorOf("date,channel\n2026-01-01,a\n", SpendFormat::kCsv),
              HasSubstr("no cost column"));
  EXPECT_THAT(ErrorOf("date,channel,cost,Date\n", SpendFormat::kCsv),
              HasSubstr("names date twice"));
  EXPECT_THAT(ErrorOf("", SpendFormat::kCsv), HasSubstr("empty"));
  EXPECT_THAT(ErrorOf("date,channel,cost\n", SpendFormat::kCsv), HasSubstr("no spend rows"));
  EXPECT_THAT(ErrorOf("date,channel,cost\n2026-01-01,a\n", SpendFormat::kCsv),
              HasSubstr("line 2: the row has 2 columns; the header has 3"));
}

TEST(ParseSpendTest, Json) {
  auto rows = ParseSpend(
      R"({"rows":[{"date":"2026-01-31","channel":"Paid Search","campaign":"brand","cost":120.5},
                  {"channel":"Email","cost":3,"date":"2026-01-31","campaign":null},
                  {"date":"2026-02-01","channel":"Email","cost":0}]})",
      SpendFormat::kJson);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_THAT(*rows, ElementsAre(Spend("2026-01-31", "Paid Search", "brand", 120.5),
                                 Spend("2026-01-31", "Email", "", 3.0),
                                 Spend("2026-02-01", "Email", "", 0.0)));
}

TEST(ParseSpendTest, JsonBadRowsAreNamedByIndex) {
  const std::string message = ErrorOf(
      R"({"rows":[{"date":"2026-01-31","channel":"Email","cost":1},
                  {"date":"2026-01-31","channel":"Email","cost":"1"},
                  {"date":20260131,"channel":"Email","cost":-2,"costs":1},
                  7,
                  {"channel":"Email","cost":1e300},
                  {"date":"2026-01-31","channel":"Email","cost":5}]})",
      SpendFormat::kJson);
  EXPECT_THAT(message, HasSubstr("5 bad rows"));
  EXPECT_THAT(message, HasSubstr("rows[1]: cost must be a number"));
  EXPECT_THAT(message, HasSubstr("rows[2]: date must be a string, cost -2 is negative, unknown "
                                 "field \"costs\""));
  EXPECT_THAT(message, HasSubstr("rows[3]: not a JSON object"));
  EXPECT_THAT(message, HasSubstr("rows[5]: the same date, channel and campaign"));
  EXPECT_THAT(message, HasSubstr("as rows[0]"));
}

TEST(ParseSpendTest, JsonDocumentProblems) {
  EXPECT_THAT(ErrorOf("{", SpendFormat::kJson), HasSubstr("not valid JSON"));
  EXPECT_THAT(ErrorOf("[]", SpendFormat::kJson), HasSubstr("{\"rows\": [ … ]}"));
  EXPECT_THAT(ErrorOf(R"({"rows":[],"x":1})", SpendFormat::kJson),
              HasSubstr("unknown field \"x\""));
  EXPECT_THAT(ErrorOf(R"({"rows":[]})", SpendFormat::kJson), HasSubstr("\"rows\" is empty"));
  EXPECT_THAT(ErrorOf(R"({"rows":[{"date":"2026-01-01","channel":"a","cost":1,"cost":2}]})",
                      SpendFormat::kJson),
              HasSubstr("\"cost\" is given twice"));
  // -0 is stored as 0; 1e15 is the most one row may cost.
  auto rows = ParseSpend(R"({"rows":[{"date":"2026-01-01","channel":"a","cost":-0.0},
                                     {"date":"2026-01-02","channel":"a","cost":1e15}]})",
                         SpendFormat::kJson);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_FALSE(std::signbit((*rows)[0].cost));
  EXPECT_THAT(ErrorOf(R"({"rows":[{"date":"2026-01-01","channel":"a","cost":1.1e15}]})",
                      SpendFormat::kJson),
              HasSubstr("over the limit"));
}

TEST(ParseSpendTest, JsonLinesNamedByLine) {
  auto rows = ParseSpend(
      "{\"date\":\"2026-01-31\",\"channel\":\"Email\",\"cost\":1}\n\n"
      "{\"date\":\"2026-02-01\",\"channel\":\"Email\",\"cost\":2}\n",
      SpendFormat::kJsonLines);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ(rows->size(), 2u);
  const std::string message = ErrorOf(
      "{\"date\":\"2026-01-31\",\"channel\":\"Email\",\"cost\":1}\n{nope\n"
      "{\"date\":\"2026-01-31\",\"channel\":\"\",\"cost\":1}\n",
      SpendFormat::kJsonLines);
  EXPECT_THAT(message, HasSubstr("line 2: not valid JSON"));
  EXPECT_THAT(message, HasSubstr("line 3: channel is empty"));
}

TEST(ParseSpendTest, Limits) {
  auto big = ParseSpend(std::string(kMaxSpendBytes + 1, ' '), SpendFormat::kCsv);
  EXPECT_EQ(big.status().code(), StatusCode::kTooLarge);
  std::string csv = "date,channel,cost\n";
  for (size_t i = 0; i <= kMaxSpendRows; ++i) csv += fmt::format("2026-01-01,c{},1\n", i);
  auto many = ParseSpend(csv, SpendFormat::kCsv);
  EXPECT_EQ(many.status().code(), StatusCode::kTooLarge);
  EXPECT_THAT(many.status().message(), HasSubstr("more than 200000 spend rows"));
}

TEST(SpendDayTest, ParseAndFormat) {
  EXPECT_EQ(*ParseSpendDay("1970-01-01"), 0);
  EXPECT_EQ(*ParseSpendDay("1969-12-31"), -1);
  EXPECT_EQ(*ParseSpendDay("2026-01-31"), 20484);
  for (const char* d : {"0001-01-01", "1969-12-31", "2024-02-29", "2026-01-31", "9999-12-31"}) {
    EXPECT_EQ(FormatSpendDay(*ParseSpendDay(d)), d);
  }
  for (const char* bad : {"", "2023-02-29", "2026-13-01", "2026-1-31", "2026-01-31T00:00:00Z",
                          "0000-01-01", " 2026-01-31"}) {
    EXPECT_FALSE(ParseSpendDay(bad).ok()) << bad;
  }
  EXPECT_EQ(FormatSpendDay(INT64_MAX), "9999-12-31");
  EXPECT_EQ(FormatSpendDay(INT64_MIN), "0001-01-01");
}

}  // namespace
}  // namespace rapport
