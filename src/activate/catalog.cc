#include "activate/catalog.h"

#include <set>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/ids.h"
#include "common/json_writer.h"
#include "common/time_format.h"

namespace rapport {

DestinationCatalog::DestinationCatalog(ControlStore* control, Outbox* outbox,
                                       Dispatcher* dispatcher, Clock* clock)
    : control_(control),
      outbox_(outbox),
      dispatcher_(dispatcher),
      clock_(clock ? clock : SystemClock::Default()) {}

Status DestinationCatalog::Start(const DestinationDef& def) {
  auto entry = std::make_shared<Entry>();
  entry->def = def;
  if (!def.template_text.empty()) {
    auto t = Template::Parse(def.template_text);
    if (!t.ok()) return t.status().WithContext(fmt::format("destination \"{}\"", def.name));
    entry->tmpl = std::make_shared<const Template>(std::move(*t));
  }
  RETURN_IF_ERROR(outbox_->AddDestination(def.name));
  RETURN_IF_ERROR(dispatcher_->Add(def));
  std::unique_lock lock(mu_);
  entries_[def.name] = std::move(entry);
  return Status::OK();
}

Status DestinationCatalog::Load() {
  std::lock_guard admin(admin_mu_);
  ASSIGN_OR_RETURN(std::vector<StoredDestination> stored, control_->ListDestinations());
  std::set<std::string, std::less<>> known;
  for (const StoredDestination& d : stored) {
    known.insert(d.name);
    auto def = ParseDestinationDef(d.definition);
    Status s = def.ok() ? Start(*def) : def.status();
    if (!s.ok()) {
      spdlog::error("destination \"{}\" is not started: {}", d.name, s.ToString());
    }
  }
  for (const std::string& name : outbox_->Destinations()) {
    if (known.count(name)) continue;
    spdlog::warn("destination \"{}\": dropping a queue that has no definition", name);
    RETURN_IF_ERROR(outbox_->DropDestination(name));
  }
  return Status::OK();
}

Result<DestinationDef> DestinationCatalog::Create(std::string_view json) {
  ASSIGN_OR_RETURN(DestinationDef def, ParseDestinationDef(json));
  if (def.secret.empty()) def.secret = NewSecret("whsec_", 32);
  std::lock_guard admin(admin_mu_);
  RETURN_IF_ERROR(control_->CreateDestination(def.name, ToJson(def, true), clock_->NowMicros()));
  // A queue by this name can only be left over from a delete cut short: start clean.
  Status dropped = outbox_->DropDestination(def.name);
  Status started = dropped.ok() || dropped.code() == StatusCode::kNotFound ? Start(def) : dropped;
  if (!started.ok()) {
    dispatcher_->Remove(def.name);
    (void)outbox_->DropDestination(def.name);
    Status undo = control_->DeleteDestination(def.name);
    if (!undo.ok()) spdlog::error("destination \"{}\": {}", def.name, undo.ToString());
    return started;
  }
  return def;
}

Status DestinationCatalog::Delete(std::string_view name) {
  std::lock_guard admin(admin_mu_);
  std::shared_ptr<const Entry> entry = Find(name);
  if (!entry) return Status::NotFound(fmt::format("no destination named \"{}\"", name));
  dispatcher_->Remove(name);
  {
    std::unique_lock lock(mu_);
    entries_.erase(entries_.find(name));
  }
  Status dropped = outbox_->DropDestination(name);
  if (!dropped.ok() && dropped.code() != StatusCode::kNotFound) {
    // Keep delivering what is still queued; the definition stays.
    Status restarted = Start(entry->def);
    if (!restarted.ok()) spdlog::error("destination \"{}\": {}", name, restarted.ToString());
    return dropped;
  }
  // Once the queue is gone the definition goes; were this cut short, Load would see a
  // definition with an empty queue, which is harmless.
  return control_->DeleteDestination(name);
}

std::shared_ptr<const DestinationCatalog::Entry> DestinationCatalog::Find(
    std::string_view name) const {
  std::shared_lock lock(mu_);
  auto it = entries_.find(name);
  return it == entries_.end() ? nullptr : it->second;
}

std::optional<DestinationDef> DestinationCatalog::Get(std::string_view name) const {
  std::shared_ptr<const Entry> entry = Find(name);
  if (!entry) return std::nullopt;
  return entry->def;
}

std::vector<DestinationDef> DestinationCatalog::List() const {
  std::shared_lock lock(mu_);
  std::vector<DestinationDef> out;
  for (const auto& [name, entry] : entries_) out.push_back(entry->def);
  return out;
}

Result<std::string> DestinationCatalog::Render(std::string_view destination,
                                               std::string_view context_json) const {
  std::shared_ptr<const Entry> entry = Find(destination);
  if (!entry) return Status::NotFound(fmt::format("no destination named \"{}\"", destination));
  return RenderBody(entry->tmpl.get(), context_json);
}

Status DestinationCatalog::Send(std::string_view destination,
                                const std::vector<DestinationMessage>& messages,
                                std::vector<uint64_t>* ids) {
  std::shared_ptr<const Entry> entry = Find(destination);
  if (!entry) return Status::NotFound(fmt::format("no destination named \"{}\"", destination));
  std::vector<OutboxItem> items;
  items.reserve(messages.size());
  for (size_t i = 0; i < messages.size(); ++i) {
    const DestinationMessage& m = messages[i];
    auto body = RenderBody(entry->tmpl.get(), m.context_json);
    if (!body.ok()) {
      return body.status().WithContext(
          fmt::format("destination \"{}\": message {} ({})", destination, i, m.idempotency_key));
    }
    OutboxItem item;
    item.idempotency_key = m.idempotency_key;
    item.profile_key = m.profile_key;
    item.flow = m.flow;
    item.body = std::move(*body);
    items.push_back(std::move(item));
  }
  return outbox_->Enqueue(destination, std::move(items), ids);
}

Result<TestDelivery> DestinationCatalog::SendTest(std::string_view destination) {
  const std::string message_id = NewUuid();
  const std::string now = FormatIso8601(clock_->NowMicros());
  std::string context = fmt::format(
      R"({{"test":true,"destination":{},)"
      R"("event":{{"type":"track","event":"Rapport Test","messageId":{},"timestamp":"{}",)"
      R"("userId":"test-user","properties":{{"note":"a test delivery from Rapport"}}}},)"
      R"("profile":{{"id":"p0","traits":{{"email":"test@example.com","name":"Test Person"}}}},)"
      R"("audience":{{"name":"rapport_test","change":"entered"}}}})",
      JsonString(destination), JsonString(message_id), now);
  TestDelivery out;
  out.idempotency_key = "test-" + message_id;
  ASSIGN_OR_RETURN(out.body, Render(destination, context));
  std::vector<uint64_t> ids;
  RETURN_IF_ERROR(Send(destination, {{out.idempotency_key, "", context, "test"}}, &ids));
  out.id = ids.empty() ? 0 : ids[0];
  return out;
}

}  // namespace rapport
