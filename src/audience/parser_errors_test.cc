// Every error of the text form, each checked for its message and the exact line and column it
// points at.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "audience/parser.h"

namespace rapport {
namespace {

struct Case {
  std::string text;
  int line, column;
  std::string message;
};

void Check(const std::vector<Case>& cases) {
  for (const Case& c : cases) {
    ParseError e;
    e.line = -1;
    auto r = ParseAudience(c.text, &e);
    if (r.ok()) {
      ADD_FAILURE() << "accepted: " << c.text;
      continue;
    }
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << c.text;
    EXPECT_EQ(e.message, c.message) << c.text;
    EXPECT_EQ(e.line, c.line) << c.text << "\n  " << e.message;
    EXPECT_EQ(e.column, c.column) << c.text << "\n  " << e.message;
    EXPECT_EQ(r.status().message(), "line " + std::to_string(e.line) + ", column " +
                                        std::to_string(e.column) + ": " + e.message);
    // The error out-parameter is optional.
    auto again = ParseAudience(c.text);
    EXPECT_EQ(again.status().message(), r.status().message());
  }
}

const std::string kCondition =
    R"(expected a condition (traits.<name>, computed.<name>, account.<name>, performed, in audience, consented to, not or "("), found )";
const std::string kComparison =
    "(=, !=, >, >=, <, <=, in [...], contains, is set or is not set), found ";
const std::string kValue = "expected a value (a string, number, true, false or null) ";

TEST(AudienceParserErrorsTest, Lexical) {
  Check({
      {R"(traits.x = "abc)", 1, 12, "unterminated string"},
      {"traits.x = \"abc\ndef\"", 1, 12, "unterminated string"},
      {R"(traits.x = "abc\)", 1, 12, "unterminated string"},
      {R"(traits.x = "a\qb")", 1, 14,
       R"(invalid escape \q in a string (escapes: \" \\ \/ \b \f \n \r \t \uXXXX))"},
      {R"(traits.x = "\u12G4")", 1, 13, R"(expected 4 hex digits after \u)"},
      {R"(traits.x = "\u12")", 1, 13, R"(expected 4 hex digits after \u)"},
      {R"(traits.x = "\ud83d")", 1, 13,
       R"(unpaired surrogate \ud83d (it must be followed by a \uDC00 to \uDFFF))"},
      {R"(traits.x = "\ud83d\u0041")", 1, 13,
       R"(unpaired surrogate \ud83d (it must be followed by a \uDC00 to \uDFFF))"},
      {R"(traits.x = "ok\ude00")", 1, 15,
       R"(unpaired surrogate \ude00 (the second half of a pair comes after a \uD800 to \uDBFF))"},
      {"traits.x = \"a\xff\"", 1, 14, "invalid UTF-8 in a string"},
      {"traits.x = \"\xed\xa0\x80\"", 1, 13, "invalid UTF-8 in a string"},  // a surrogate
      {"traits.x = \"\xc0\xaf\"", 1, 13, "invalid UTF-8 in a string"},      // overlong
      {"traits.x\xc3 = 1", 1, 9, "invalid UTF-8"},
      {"traits.`a\xff` = 1", 1, 10, "invalid UTF-8 in a name"},
      {"# caf\xc3\n traits.x is set", 1, 6, "invalid UTF-8"},
      {"traits.x = 'pro'", 1, 12,
       R"(unexpected character "'" (strings are written in double quotes))"},
      {"traits.x = 1 && traits.y = 2", 1, 14, R"(unexpected character "&" (write and))"},
      {"traits.x = 1 || traits.y = 2", 1, 14, R"(unexpected character "|" (write or))"},
      {"traits.x ! 1", 1, 10, R"(unexpected character "!" (write != for "not equal" or not))"},
      {"traits.x = 1 @", 1, 14, R"(unexpected character "@")"},
      {"traits.x = \"日本\" and §", 1, 21, R"(unexpected character "§")"},
      {"traits.x = \x01", 1, 12, R"(unexpected character "\u0001")"},
      {"traits.x = -y", 1, 12, R"(unexpected character "-")"},
      {"traits.`my.name` is set", 1, 8, R"(a path segment cannot contain ".")"},
      {"traits.`` is set", 1, 8, "a path segment cannot be empty"},
      {"traits.`abc is set", 1, 8, "unterminated backquoted name"},
      {"traits.`abc\n` is set", 1, 8, "unterminated backquoted name"},
      {"traits.x = 1e999", 1, 12, "the number 1e999 is out of range"},
      {"traits.x = -1e-999", 1, 12, "the number -1e-999 is out of range"},
      {"traits.x = " + std::string(65, '1'), 1, 12, "a number can have at most 64 characters"},
      {"traits.1st is set", 1, 8,
       "a path segment that starts with a digit must be all digits; write other names in "
       "backquotes, e.g. `1st`"},
      {"traits.x = 1 and\n  traits.y = \"abc\n", 2, 14, "unterminated string"},
      // A lexical error past the first syntax error is not reached.
      {"traits.x = = \"abc", 1, 12, kValue + R"(after "=", found "=")"},
  });
}

TEST(AudienceParserErrorsTest, Structure) {
  Check({
      {"", 1, 1, kCondition + "the end of the input"},
      {"   \n  ", 2, 3, kCondition + "the end of the input"},
      {"# only a comment\n", 2, 1, kCondition + "the end of the input"},
      {"plan = \"pro\"", 1, 1, kCondition + R"("plan" (did you mean traits.plan?))"},
      {"address.city is set", 1, 1, kCondition + R"("address" (did you mean traits.address?))"},
      {"\"Order Completed\"", 1, 1, kCondition + R"(the string "Order Completed")"},
      {"not", 1, 4, kCondition + "the end of the input"},
      {"traits.x is set and or traits.y is set", 1, 21, kCondition + R"("or")"},
      {"traits.x = 1 or\n", 2, 1, kCondition + "the end of the input"},
      {"traits.x is set traits.y is set", 1, 17,
       R"(expected "and", "or" or the end of the input, found "traits")"},
      {"traits.x = 1.", 1, 13, R"(expected "and", "or" or the end of the input, found ".")"},
      {"traits.x is set)", 1, 16, R"~(unexpected ")" without a matching "(")~"},
      {"(traits.x is set", 1, 17,
       R"~(expected "and", "or" or ")" to close the "(" at line 1, column 1, found the end of the input)~"},
      {"traits.a = 1 and (\n  traits.x is set\n  traits.y is set)", 3, 3,
       R"~(expected "and", "or" or ")" to close the "(" at line 1, column 18, found "traits")~"},
      {"()", 1, 2, kCondition + R"~(")")~"},
  });
}

TEST(AudienceParserErrorsTest, Comparisons) {
  Check({
      {"traits.plan = and", 1, 15, kValue + R"(after "=", found "and")"},
      {"traits.plan == \n  and", 2, 3, kValue + R"(after "==", found "and")"},
      {"traits.plan = [1]", 1, 15, kValue + R"(after "=", found "[")"},
      {"traits.plan = ", 1, 15, kValue + R"(after "=", found the end of the input)"},
      {"traits plan = 1", 1, 8,
       R"(expected "." and a name after "traits" (as in traits.plan), found "plan")"},
      {"account = 1", 1, 9,
       R"(expected "." and a name after "account" (as in account.plan), found "=")"},
      {"traits. = 1", 1, 9, R"(expected a name after "traits.", found "=")"},
      {"traits.a. = 1", 1, 11, R"(expected a name after ".", found "=")"},
      {"traits.\"plan\" = 1", 1, 8, R"(expected a name after "traits.", found the string "plan")"},
      {"traits.age > true", 1, 14, R"(expected a number or a string after ">", found "true")"},
      {"traits.age <= null", 1, 15, R"(expected a number or a string after "<=", found "null")"},
      {"traits.plan equals \"pro\"", 1, 13,
       "expected a comparison after traits.plan " + kComparison + R"("equals")"},
      {"traits.`a b`.c\n", 2, 1,
       "expected a comparison after traits.`a b`.c " + kComparison + "the end of the input"},
      {"traits.x is \"a\"", 1, 13,
       R"(expected "set" or "not set" after "is", found the string "a")"},
      {"traits.x is not 1", 1, 17, R"(expected "set" after "is not", found the number 1)"},
      {"traits.x contains 5", 1, 19, R"(expected a string after "contains", found the number 5)"},
      {"traits.x in \"a\"", 1, 13,
       R"(expected a list in brackets after "in", such as ["a", "b"], found the string "a")"},
      {"traits.x in []", 1, 14, "a list needs at least one value"},
      {"traits.x in [1,]", 1, 16, kValue + R"(in the list, found "]")"},
      {"traits.x in [1 2]", 1, 16, R"(expected "," or "]" in the list, found the number 2)"},
      {"traits.x in [[1]]", 1, 14, kValue + R"(in the list, found "[")"},
      {"traits.x in [1,\n 2", 2, 3,
       R"(expected "," or "]" in the list, found the end of the input)"},
      {"computed.Orders = 1", 1, 10,
       R"(a computed trait name must be 1 to 64 characters of a-z, 0-9 and _, starting with a letter, got "Orders")"},
      {"computed.`orders 30d` = 1", 1, 10,
       R"(a computed trait name must be 1 to 64 characters of a-z, 0-9 and _, starting with a letter, got "orders 30d")"},
  });
}

TEST(AudienceParserErrorsTest, AudiencesAndConsent) {
  Check({
      {"in audience \"VIP\"", 1, 13,
       R"(an audience name must be 1 to 64 characters of a-z, 0-9 and _, starting with a letter, got "VIP")"},
      {"in audience \"\"", 1, 13,
       R"(an audience name must be 1 to 64 characters of a-z, 0-9 and _, starting with a letter, got "")"},
      {"in audience \"" + std::string(65, 'a') + "\"", 1, 13,
       "an audience name must be 1 to 64 characters of a-z, 0-9 and _, starting with a letter, "
       "got a string of 65 bytes"},
      {"in \"vip\"", 1, 4, R"(expected "audience" after "in", found the string "vip")"},
      {"in audience vip", 1, 13,
       R"(expected the audience's name in quotes after "in audience", found "vip")"},
      {"consented \"x\"", 1, 11, R"(expected "to" after "consented", found the string "x")"},
      {"consented to \"\"", 1, 14, R"(a consent category must be 1 to 128 bytes, got "")"},
      {"consented to \"" + std::string(129, 'c') + "\"", 1, 14,
       "a consent category must be 1 to 128 bytes, got a string of 129 bytes"},
      {"consented to Advertising", 1, 14,
       R"(expected a consent category in quotes after "consented to", found "Advertising")"},
  });
}

TEST(AudienceParserErrorsTest, Performed) {
  const std::string what =
      R"(expected what was performed after "performed": an event name in quotes, page, screen or any event, found )";
  const std::string within = R"("within" needs a duration from 1 minute to 3650 days, got )";
  Check({
      {"performed Order", 1, 11, what + R"("Order")"},
      {"performed", 1, 10, what + "the end of the input"},
      {"performed \"\"", 1, 11, R"(an event name must be 1 to 256 bytes, got "")"},
      {"performed \"" + std::string(257, 'e') + "\"", 1, 11,
       "an event name must be 1 to 256 bytes, got a string of 257 bytes"},
      {"performed page \"\"", 1, 16, R"(a page name must be 1 to 256 bytes, got "")"},
      {"performed screen \"\"", 1, 18, R"(a screen name must be 1 to 256 bytes, got "")"},
      {"performed any \"x\"", 1, 15, R"(expected "event" after "any", found the string "x")"},
      {"performed \"A\" at least 0 times", 1, 24,
       R"("at least" needs a count of 1 to 1000, got 0)"},
      {"performed \"A\" at least -1 times", 1, 24,
       R"("at least" needs a count of 1 to 1000, got -1)"},
      {"performed \"A\" at most 1001 times", 1, 23,
       R"("at most" needs a count of 0 to 1000, got 1001)"},
      {"performed \"A\" exactly 2.5 times", 1, 23,
       R"("exactly" needs a count of 0 to 1000, got 2.5)"},
      {"performed \"A\" exactly 1e1 times", 1, 23,
       R"("exactly" needs a count of 0 to 1000, got 1e1)"},
      {"performed \"A\" at least 2 days", 1, 26,
       R"(expected "times" after the count 2, found "days")"},
      {"performed \"A\"\n  at least 2\n", 3, 1,
       R"(expected "times" after the count 2, found the end of the input)"},
      {"performed \"A\" at 2 times", 1, 18,
       R"(expected "least" or "most" after "at", found the number 2)"},
      {"performed \"A\" at least times", 1, 24,
       R"(expected a count after "at least", found "times")"},
      {"performed \"A\" exactly", 1, 22,
       R"(expected a count after "exactly", found the end of the input)"},
      {"performed \"A\" within 7 dayz", 1, 24,
       R"(unknown time unit "dayz" (minutes, hours, days, weeks))"},
      {"performed \"A\" within 7 d", 1, 24,
       R"(unknown time unit "d" (minutes, hours, days, weeks))"},
      {"performed \"A\" within days", 1, 22,
       R"(expected a duration after "within", such as 7 days, found "days")"},
      {"performed \"A\" within 7", 1, 23,
       R"(expected a time unit (minutes, hours, days, weeks) after 7, found the end of the input)"},
      {"performed \"A\" within 7 \"days\"", 1, 24,
       R"(expected a time unit (minutes, hours, days, weeks) after 7, found the string "days")"},
      {"performed \"A\" within 0 days", 1, 22, within + "0 days"},
      {"performed \"A\" within 3651 days", 1, 22, within + "3651 days"},
      {"performed \"A\" within 522 weeks", 1, 22, within + "522 weeks"},
      {"performed \"A\" within 87601 hours", 1, 22, within + "87601 hours"},
      {"performed \"A\" within 5256001 minutes", 1, 22, within + "5256001 minutes"},
      {"performed \"A\" within 99999999999999999999 minutes", 1, 22,
       within + "99999999999999999999 minutes"},
      {"performed \"A\" within 1.5 days", 1, 22,
       R"("within" needs a whole number of minutes, hours, days or weeks, got 1.5)"},
      {"performed \"A\" within -1 days", 1, 22,
       R"("within" needs a whole number of minutes, hours, days or weeks, got -1)"},
      {"performed \"A\" at least 2 times where x = 1", 1, 32,
       R"("where" comes right after the event, before the count and "within")"},
      {"performed \"A\" within 2 days at least 2 times", 1, 29,
       R"(the count (at least, at most, exactly, once) comes before "within")"},
      {"performed \"A\" within 2 days once", 1, 29,
       R"(the count (at least, at most, exactly, once) comes before "within")"},
      {"performed \"A\" where x = 1 where y = 2", 1, 27,
       R"(a performed condition has one "where"; join its conditions with and)"},
  });
}

TEST(AudienceParserErrorsTest, WhereConditions) {
  Check({
      {"performed \"A\" where", 1, 20,
       R"(expected an event property after "where", found the end of the input)"},
      {"performed \"A\" where traits.plan = \"pro\"", 1, 21,
       R"(expected an event property after "where", found "traits" (for an event property with that name, write properties.traits))"},
      {"performed \"A\" where not x = 1", 1, 21,
       R"(expected an event property after "where", found "not" (for an event property with that name, write properties.not))"},
      {"performed \"A\" where (x = 1)", 1, 21,
       R"(expected an event property after "where", found "(")"},
      {"performed \"A\" where x > 1 and", 1, 30,
       R"(expected an event property after "and", found the end of the input)"},
      {"performed \"A\" where x > 1 and = 2", 1, 31,
       R"(expected an event property after "and", found "=")"},
      {"performed \"A\" where x", 1, 22,
       "expected a comparison after x " + kComparison + "the end of the input"},
      {"performed \"A\" where 1.5 = 1", 1, 21,
       R"(expected an event property after "where", found the number 1.5)"},
      {"performed \"A\"\n  where revenue > \"a\" and\n        currency = EUR", 3, 20,
       kValue + R"(after "=", found "EUR")"},
      // After a performed condition, a bare name is taken for a misplaced event condition.
      {"performed \"A\" at least 2 times and currency = \"EUR\"", 1, 36,
       kCondition +
           R"("currency" (a condition on the event goes in its "where" list, before the count and "within"; a profile trait is written traits.currency))"},
      {"performed \"A\" within 2 days\n  and x.y is set", 2, 7,
       kCondition +
           R"("x" (a condition on the event goes in its "where" list, before the count and "within"; a profile trait is written traits.x))"},
      {"performed \"A\" or x = 1", 1, 18, kCondition + R"("x" (did you mean traits.x?))"},
      // x > 1 and y ... : y is a property, so the comparison is missing.
      {"performed \"A\" where x > 1 and y or traits.b is set", 1, 33,
       "expected a comparison after y " + kComparison + R"("or")"},
  });
}

TEST(AudienceParserErrorsTest, Limits) {
  std::string leaves = "traits.x is set";
  for (size_t i = 1; i <= kMaxAudienceLeaves; ++i) leaves += " or traits.x is set";
  const int last = static_cast<int>(leaves.rfind("traits")) + 1;

  std::string parens(kMaxAudienceDepth + 1, '(');
  parens += "traits.x is set" + std::string(kMaxAudienceDepth + 1, ')');
  std::string nots;
  for (int i = 0; i <= kMaxAudienceDepth; ++i) nots += "not ";
  nots += "traits.x is set";
  // 32 parentheses but 33 levels of and / or: the outermost group is one too deep.
  std::string groups = "traits.x is set";
  for (int i = 0; i <= kMaxAudienceDepth; ++i) {
    groups = "traits.x is set " + std::string(i % 2 ? "and" : "or") +
             (i == kMaxAudienceDepth ? " " + groups : " (" + groups + ")");
  }

  std::string where = "performed \"A\" where p0 = 0";
  for (size_t i = 1; i <= kMaxWhereClauses; ++i) where += " and p" + std::to_string(i) + " = 0";
  std::string list = "traits.x in [0";
  for (size_t i = 1; i <= kMaxInValues; ++i) list += ",1";
  list += "]";

  const std::string deep = "too deeply nested: at most 32 levels of and, or, not and parentheses";
  Check({
      {leaves, 1, last, "too many conditions: an audience can have at most 256"},
      {parens, 1, 33, deep},
      {nots, 1, 4 * kMaxAudienceDepth + 1, deep},
      {groups, 1, 1, deep},
      {where, 1, static_cast<int>(where.rfind("p16")) + 1,
       R"(at most 16 "where" conditions per performed condition)"},
      {list, 1, static_cast<int>(list.size()) - 1, "a list can hold at most 256 values"},
      {"traits." + std::string(257, 'p') + " is set", 1, 8,
       "a path can be at most 256 bytes, got 257"},
      {"traits.a." + std::string(255, 'p') + " is set", 1, 8,
       "a path can be at most 256 bytes, got 257"},
      {"performed \"A\" where " + std::string(246, 'p') + " is set", 1, 21,
       "a path can be at most 256 bytes, got 257"},
      {std::string(kMaxAudienceTextBytes + 1, ' '), 1, kMaxAudienceTextBytes + 1,
       "the audience is 65537 bytes; the limit is 65536"},
      // Raw control characters are written as \u0001 in the canonical text, which must fit.
      {"traits.x = \"" + std::string(20000, '\x01') + "\"", 1, 1,
       "written in canonical form (with escapes and spaces) the audience is 120013 bytes; the "
       "limit is 65536"},
      {"traits.x is set\n" + std::string(kMaxAudienceTextBytes, '#'), 2,
       static_cast<int>(kMaxAudienceTextBytes) - 15,
       "the audience is 65552 bytes; the limit is 65536"},
  });
}

}  // namespace
}  // namespace rapport
