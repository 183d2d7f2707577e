// FormatAudience: a syntax tree (ast.h) as canonical text — lower-case keywords, single spaces,
// one line, the fewest parentheses the precedence (not > and > or) allows while keeping the tree
// (a nested and/or of the same kind keeps its parentheses), event properties written bare when
// that reads back the same ("revenue" for properties.revenue), backquotes only where a name
// needs them, counts and windows in the unit they were given in. Pure, thread-safe.
//
// Contract, for every tree n that ParseAudience or AudienceFromJson returns:
// ParseAudience(FormatAudience(n)) == n, and formatting that result gives the same text.
#pragma once

#include <string>

#include "audience/ast.h"

namespace rapport {

std::string FormatAudience(const Node& node);

}  // namespace rapport
