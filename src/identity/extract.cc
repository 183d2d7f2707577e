#include "identity/extract.h"

#include <algorithm>
#include <string>

namespace rapport {
namespace {

// Strings as they are; numbers as their decimal text (as collect stores userId).
std::optional<std::string> Text(simdjson::dom::element e) {
  switch (e.type()) {
    case simdjson::dom::element_type::STRING:
      return std::string(std::string_view(e.get_string().value_unsafe()));
    case simdjson::dom::element_type::INT64:
      return std::to_string(int64_t(e.get_int64().value_unsafe()));
    case simdjson::dom::element_type::UINT64:
      return std::to_string(uint64_t(e.get_uint64().value_unsafe()));
    default:
      return std::nullopt;
  }
}

class Collector {
 public:
  explicit Collector(const IdentitySettings& settings) : settings_(settings) {}

  void Add(std::string_view type, std::string_view raw) {
    auto value = settings_.Normalize(type, raw);
    if (!value) {
      ++out.blocked;
      return;
    }
    Identifier id{std::string(type), std::move(*value)};
    if (std::find(out.ids.begin(), out.ids.end(), id) == out.ids.end()) {
      out.ids.push_back(std::move(id));
    }
  }
  void AddField(std::string_view type, simdjson::dom::element parent, std::string_view key) {
    simdjson::dom::element v;
    if (parent.at_key(key).get(v) != simdjson::SUCCESS) return;
    if (auto text = Text(v)) Add(type, *text);
  }

  ExtractedIds out;

 private:
  const IdentitySettings& settings_;
};

}  // namespace

Result<ExtractedIds> ExtractIdentifiers(const IdentitySettings& settings,
                                        const EnvelopeView& envelope, simdjson::dom::element event,
                                        IdentityView* view) {
  Collector c(settings);
  if (!envelope.user_id.empty()) c.Add("user_id", envelope.user_id);
  if (!envelope.anonymous_id.empty()) c.Add("anonymous_id", envelope.anonymous_id);
  simdjson::dom::element traits;
  if (envelope.type == "identify" && event["traits"].get(traits) == simdjson::SUCCESS &&
      traits.is_object()) {
    c.AddField("email", traits, "email");
    c.AddField("phone", traits, "phone");
  }
  simdjson::dom::element context;
  if (event["context"].get(context) == simdjson::SUCCESS && context.is_object()) {
    if (context["traits"].get(traits) == simdjson::SUCCESS && traits.is_object()) {
      c.AddField("email", traits, "email");
      c.AddField("phone", traits, "phone");
    }
    simdjson::dom::array external;
    if (context["externalIds"].get(external) == simdjson::SUCCESS) {
      for (simdjson::dom::element item : external) {
        std::string_view type;
        simdjson::dom::element id;
        if (!item.is_object() || item["type"].get(type) != simdjson::SUCCESS ||
            item["id"].get(id) != simdjson::SUCCESS) {
          ++c.out.blocked;
          continue;
        }
        auto text = Text(id);
        if (!settings.Find(type)) {
          ++c.out.unknown_types;
        } else if (text) {
          c.Add(type, *text);
        } else {
          ++c.out.blocked;
        }
      }
    }
  }
  if (envelope.type == "alias") {
    simdjson::dom::element prev;
    if (event["previousId"].get(prev) == simdjson::SUCCESS) {
      if (auto text = Text(prev)) {
        auto as_user = settings.Normalize("user_id", *text);
        bool is_user = false;
        if (as_user) {
          ASSIGN_OR_RETURN(auto found, view->Find({"user_id", *as_user}));
          is_user = found.has_value();
        }
        c.Add(is_user ? "user_id" : "anonymous_id", *text);
      }
    }
  }
  return std::move(c.out);
}

}  // namespace rapport
