// DescribeJson: a JSON value as error messages show it after "got": "an object", "an array",
// null, true/false, a number as written, a string quoted and cut to 64 bytes (at a UTF-8
// character boundary, "..." appended when cut). Pure, thread-safe.
#pragma once

#include <simdjson.h>

#include <string>

namespace rapport {

std::string DescribeJson(simdjson::dom::element e);

}  // namespace rapport
