#include "insight/attribution/channel.h"

#include <simdjson.h>

#include <algorithm>

namespace rapport::insight {
namespace {

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

std::string LowerCopy(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = Lower(c);
  return out;
}

bool Matches(MatchOp op, std::string_view text, std::string_view v) {
  switch (op) {
    case MatchOp::kEquals:
      return text == v;
    case MatchOp::kContains:
      return text.find(v) != std::string_view::npos;
    case MatchOp::kStartsWith:
      return text.substr(0, v.size()) == v;
    case MatchOp::kEndsWith:
      return text.size() >= v.size() && text.substr(text.size() - v.size()) == v;
  }
  return false;
}

ChannelCondition Cond(ChannelField f,
                      std::vector<std::pair<MatchOp, std::vector<std::string>>> ops) {
  ChannelCondition c{f, {}};
  for (auto& [op, values] : ops) {
    for (std::string& v : values) c.any.emplace_back(op, std::move(v));
  }
  return c;
}

ChannelRules MakeDefault() {
  using F = ChannelField;
  using M = MatchOp;
  const std::vector<std::string> search{"google", "bing",   "yahoo", "baidu", "duckduckgo",
                                        "yandex", "ecosia", "naver", "qwant", "startpage"};
  const std::vector<std::string> social{"facebook", "instagram", "linkedin", "twitter", "pinterest",
                                        "reddit",   "tiktok",    "snapchat", "quora",   "youtube",
                                        "threads",  "mastodon",  "tumblr",   "vk.com"};
  const std::vector<std::string> social_exact{"fb", "ig", "x", "x.com", "t.co", "lnkd.in"};
  auto paid = [] {
    return Cond(F::kMedium, {{M::kEquals, {"ppc", "retargeting", "sem"}},
                             {M::kStartsWith, {"paid"}},
                             {M::kContains, {"cp"}}});
  };
  auto search_source = [&] { return Cond(F::kSource, {{M::kContains, search}}); };
  auto social_source = [&] {
    return Cond(F::kSource, {{M::kContains, social}, {M::kEquals, social_exact}});
  };
  const std::vector<std::string> email{"email", "e-mail", "e_mail", "e mail", "newsletter"};
  ChannelRules r;
  r.rules = {
      {"Direct",
       {Cond(F::kSource, {{M::kEquals, {"", "(direct)"}}}),
        Cond(F::kMedium, {{M::kEquals, {"", "(none)", "(not set)"}}})}},
      {"Paid Search", {search_source(), paid()}},
      {"Paid Social", {social_source(), paid()}},
      {"Display",
       {Cond(F::kMedium,
             {{M::kEquals, {"display", "banner", "expandable", "interstitial", "cpm"}}})}},
      {"Organic Social", {social_source()}},
      {"Organic Social",
       {Cond(F::kMedium, {{M::kEquals,
                           {"social", "social-network", "social-media", "sm", "social network",
                            "social media", "organic_social"}}})}},
      {"Organic Search", {Cond(F::kMedium, {{M::kEquals, {"organic"}}})}},
      {"Organic Search", {search_source()}},
      {"Email", {Cond(F::kSource, {{M::kEquals, email}})}},
      {"Email", {Cond(F::kMedium, {{M::kEquals, email}})}},
      {"Affiliates", {Cond(F::kMedium, {{M::kEquals, {"affiliate", "affiliates"}}})}},
      {"Referral", {Cond(F::kMedium, {{M::kEquals, {"referral", "app", "link"}}})}},
  };
  r.fallback = "(Other)";
  return r;
}

int Hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = Lower(c);
  return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

using simdjson::dom::element;

// Reads a string or an array of strings (lower-cased) into *out; false when neither.
bool Strings(element v, std::vector<std::string>* out) {
  std::string_view s;
  if (v.get_string().get(s) == simdjson::SUCCESS) {
    out->push_back(LowerCopy(s));
    return true;
  }
  simdjson::dom::array items;
  if (v.get_array().get(items) != simdjson::SUCCESS || items.size() == 0) return false;
  for (element item : items) {
    if (item.get_string().get(s) != simdjson::SUCCESS) return false;
    out->push_back(LowerCopy(s));
  }
  return true;
}

Status Fail(const std::string& where, const std::string& what) {
  return Status::InvalidArgument("channel rules: " + where + ": " + what);
}

Result<ChannelCondition> ParseCondition(const std::string& where, std::string_view field,
                                        element v) {
  ChannelCondition c;
  if (field == "source") {
    c.field = ChannelField::kSource;
  } else if (field == "medium") {
    c.field = ChannelField::kMedium;
  } else if (field == "campaign") {
    c.field = ChannelField::kCampaign;
  } else {
    return Fail(where, "unknown field (expected source, medium or campaign)");
  }
  simdjson::dom::object ops;
  if (v.get_object().get(ops) != simdjson::SUCCESS || ops.size() == 0) {
    return Fail(where,
                "must be an object of operators (equals, in, contains, starts_with, "
                "ends_with)");
  }
  for (simdjson::dom::key_value_pair kv : ops) {
    MatchOp op;
    if (kv.key == "equals" || kv.key == "in") {
      op = MatchOp::kEquals;
    } else if (kv.key == "contains") {
      op = MatchOp::kContains;
    } else if (kv.key == "starts_with") {
      op = MatchOp::kStartsWith;
    } else if (kv.key == "ends_with") {
      op = MatchOp::kEndsWith;
    } else {
      return Fail(where, "unknown operator \"" + std::string(kv.key) + "\"");
    }
    std::vector<std::string> values;
    if (!Strings(kv.value, &values)) {
      return Fail(where + "." + std::string(kv.key),
                  "must be a string or a non-empty array of "
                  "strings");
    }
    for (std::string& s : values) c.any.emplace_back(op, std::move(s));
  }
  return c;
}

}  // namespace

const ChannelRules& DefaultChannelRules() {
  static const ChannelRules* rules = new ChannelRules(MakeDefault());
  return *rules;
}

std::string_view AssignChannel(const ChannelRules& rules, const CampaignFields& fields) {
  const std::string f[3] = {LowerCopy(fields.source), LowerCopy(fields.medium),
                            LowerCopy(fields.campaign)};
  for (const ChannelRule& rule : rules.rules) {
    const bool all = std::all_of(rule.all.begin(), rule.all.end(), [&](const auto& c) {
      const std::string& text = f[static_cast<int>(c.field)];
      return std::any_of(c.any.begin(), c.any.end(),
                         [&](const auto& alt) { return Matches(alt.first, text, alt.second); });
    });
    if (all) return rule.channel;
  }
  return rules.fallback;
}

std::string PercentDecode(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && Hex(s[i + 1]) >= 0 && Hex(s[i + 2]) >= 0) {
      out += static_cast<char>(Hex(s[i + 1]) * 16 + Hex(s[i + 2]));
      i += 2;
    } else if (s[i] == '+' && plus_is_space) {
      out += ' ';
    } else {
      out += s[i];
    }
  }
  return out;
}

CampaignFields ParseUtm(std::string_view url) {
  CampaignFields out;
  bool seen[3] = {false, false, false};
  const size_t q = url.find('?');
  if (q == std::string_view::npos) return out;
  std::string_view query = url.substr(q + 1);
  query = query.substr(0, query.find('#'));
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    const size_t eq = pair.find('=');
    const std::string key = LowerCopy(PercentDecode(pair.substr(0, eq), true));
    const std::string_view raw =
        eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    int i = key == "utm_source" ? 0 : key == "utm_medium" ? 1 : key == "utm_campaign" ? 2 : -1;
    if (i < 0 || seen[i]) continue;
    seen[i] = true;
    std::string* field[3] = {&out.source, &out.medium, &out.campaign};
    *field[i] = PercentDecode(raw, true);
  }
  return out;
}

Result<ChannelRules> ParseChannelRules(std::string_view json) {
  simdjson::dom::parser parser;
  element root;
  if (auto err = parser.parse(json.data(), json.size()).get(root); err != simdjson::SUCCESS) {
    return Status::InvalidArgument(std::string("channel rules: not valid JSON: ") +
                                   simdjson::error_message(err));
  }
  simdjson::dom::object obj;
  if (root.get_object().get(obj) != simdjson::SUCCESS) {
    return Fail("(root)", "must be an object with \"rules\"");
  }
  ChannelRules out;
  bool have_rules = false;
  for (simdjson::dom::key_value_pair kv : obj) {
    if (kv.key == "fallback") {
      std::string_view s;
      if (kv.value.get_string().get(s) != simdjson::SUCCESS || s.empty()) {
        return Fail("fallback", "must be a non-empty string");
      }
      out.fallback = std::string(s);
    } else if (kv.key == "rules") {
      have_rules = true;
      simdjson::dom::array rules;
      if (kv.value.get_array().get(rules) != simdjson::SUCCESS) {
        return Fail("rules", "must be an array");
      }
      size_t i = 0;
      for (element r : rules) {
        const std::string where = "rules[" + std::to_string(i++) + "]";
        simdjson::dom::object ro;
        if (r.get_object().get(ro) != simdjson::SUCCESS) return Fail(where, "must be an object");
        ChannelRule rule;
        for (simdjson::dom::key_value_pair f : ro) {
          if (f.key == "channel") {
            std::string_view s;
            if (f.value.get_string().get(s) != simdjson::SUCCESS || s.empty()) {
              return Fail(where + ".channel", "must be a non-empty string");
            }
            rule.channel = std::string(s);
          } else if (f.key == "when") {
            simdjson::dom::object when;
            if (f.value.get_object().get(when) != simdjson::SUCCESS) {
              return Fail(where + ".when", "must be an object");
            }
            for (simdjson::dom::key_value_pair c : when) {
              const std::string at = where + ".when." + std::string(c.key);
              ASSIGN_OR_RETURN(ChannelCondition cond, ParseCondition(at, c.key, c.value));
              rule.all.push_back(std::move(cond));
            }
          } else {
            return Fail(where + "." + std::string(f.key), "unknown field");
          }
        }
        if (rule.channel.empty()) return Fail(where + ".channel", "is required");
        out.rules.push_back(std::move(rule));
      }
    } else {
      return Fail(std::string(kv.key), "unknown field (expected rules, fallback)");
    }
  }
  if (!have_rules) return Fail("rules", "is required");
  return out;
}

}  // namespace rapport::insight
