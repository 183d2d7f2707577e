// Channel grouping: a touchpoint's source / medium / campaign (Segment's context.campaign
// {source, medium, name}, or the utm_* parameters of a page URL) → a channel name, by ordered
// rules; the first rule that matches wins, else the fallback. Matching is case-insensitive
// (ASCII); empty fields are "" (so `equals ""` tests for a missing field).
//
// A rule holds conditions on fields; it matches when every condition does (an empty rule
// matches everything). A condition matches when any of its operators matches:
// equals / in (exact), contains, starts_with, ends_with — each with one or several values.
// JSON form (ParseChannelRules):
//   {"rules": [{"channel": "Paid Search",
//               "when": {"source": {"contains": ["google", "bing"]},
//                        "medium": {"in": ["cpc", "ppc"], "starts_with": "paid"}}}, ...],
//    "fallback": "(Other)"}
// Fields: source, medium, campaign. Errors are kInvalidArgument naming the place
// ("rules[2].when.medium: unknown operator \"like\"").
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace rapport::insight {

struct CampaignFields {
  std::string source, medium, campaign;
};

enum class ChannelField { kSource, kMedium, kCampaign };
enum class MatchOp { kEquals, kContains, kStartsWith, kEndsWith };  // "in" is kEquals

struct ChannelCondition {
  ChannelField field = ChannelField::kSource;
  // Alternatives: (operator, value) pairs, values lower-cased; any one matching suffices.
  std::vector<std::pair<MatchOp, std::string>> any;
};

struct ChannelRule {
  std::string channel;
  std::vector<ChannelCondition> all;
};

struct ChannelRules {
  std::vector<ChannelRule> rules;
  std::string fallback = "(Other)";
};

// Rules resembling Google Analytics' default channel grouping, in this order: Direct (no
// source, or "(direct)", and no medium, "(none)" or "(not set)"), Paid Search (a search engine
// source; medium cpc/ppc/retargeting/paid*/…cp…), Paid Social (a social source, the same paid
// media), Display (display, banner, expandable, interstitial, cpm), Organic Social (a social
// source or a social medium), Organic Search (medium organic, or a search engine source),
// Email (email, e-mail, e_mail, e mail, newsletter as source or medium), Affiliates (affiliate),
// Referral (referral, app, link); fallback (Other).
const ChannelRules& DefaultChannelRules();

Result<ChannelRules> ParseChannelRules(std::string_view json);

// The channel for the fields under the rules.
std::string_view AssignChannel(const ChannelRules& rules, const CampaignFields& fields);

// utm_source, utm_medium and utm_campaign from a URL's query string (after '?', before '#'),
// percent-decoded ('+' is a space); a name repeated keeps its first value; absent ones are "".
CampaignFields ParseUtm(std::string_view url);

// %XX decoding (and '+' as space when `plus_is_space`); malformed escapes are kept as written.
std::string PercentDecode(std::string_view s, bool plus_is_space);

}  // namespace rapport::insight
