#include "common/json_minify.h"

#include <gtest/gtest.h>

#include <string>

namespace rapport {
namespace {

// AppendMinified's contract is simdjson::minify's bytes: compare on values that exercise every
// type, escaping, number forms and nesting.
TEST(JsonMinifyTest, WritesTheBytesSimdjsonMinifyWrites) {
  const char* docs[] = {
      R"({})",
      R"([])",
      R"( { "a" : [ 1 , -2 , 3.5 , true , false , null , "x" ] , "b" : { } , "c" : [ ] } )",
      R"({"int":-9223372036854775808,"max":9223372036854775807,"big":18446744073709551615})",
      R"([1.0,100.0,0.1,-0.0,1e21,1E-7,5e-324,1.7976931348623157e308,12345678901234567890.5])",
      R"(["\u00e9\/\b\f\n\r\t\"\\","\u0001\u001f","\ud83c\udf89","caf\u00e9 ok"])",
      R"({"dup":1,"dup":2,"":"empty key","k\"q":"v"})",
      R"([[[[[[[[[[{"deep":[[[]]]}]]]]]]]]]])",
      R"("just a string")",
      R"(42)",
      R"({"event":"Order Completed","properties":{"revenue":25.0,"products":[{"sku":"45790-32","price":19}]},"context":{"ip":"8.8.8.8"}})",
  };
  simdjson::dom::parser parser;
  for (const char* doc : docs) {
    simdjson::dom::element root;
    ASSERT_EQ(parser.parse(std::string(doc)).get(root), simdjson::SUCCESS) << doc;
    EXPECT_EQ(Minified(root), simdjson::minify(root)) << doc;
  }
}

TEST(JsonMinifyTest, AppendsAfterWhatIsThere) {
  simdjson::dom::parser parser;
  simdjson::dom::element root = parser.parse(std::string(R"({"a":["b\n",1]})")).value();
  std::string out = "prefix:";
  AppendMinified(root, &out);
  AppendMinified(root["a"].get_array().value(), &out);
  AppendMinified(root.get_object().value(), &out);
  EXPECT_EQ(out, R"(prefix:{"a":["b\n",1]}["b\n",1]{"a":["b\n",1]})");
}

}  // namespace
}  // namespace rapport
