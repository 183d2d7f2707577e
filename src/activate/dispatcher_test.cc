// Delivery to real HTTP receivers on 127.0.0.1: signatures, retries, outages, dead letters,
// limits, isolation between destinations, TLS, and crash safety (a SIGKILLed process).
#include "activate/dispatcher.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "activate/signature.h"
#include "activate/test_receiver.h"
#include "common/temp_dir.h"

namespace rapport {
namespace {

using namespace std::chrono_literals;
using testing::ReceivedRequest;
using testing::Reply;
using testing::TempDir;
using testing::TestReceiver;
using testing::WaitFor;

constexpr char kSecret[] = "whsec_test_0123456789";
constexpr int64_t kMinute = 60'000'000;

DestinationDef Def(const std::string& name, const std::string& url) {
  DestinationDef d;
  d.name = name;
  d.url = url;
  d.secret = kSecret;
  d.rate_limit_per_second = 10000;
  d.concurrency = 4;
  d.timeout_ms = 2000;
  d.max_attempts = 10;
  d.backoff_initial_ms = 5;
  d.backoff_max_ms = 50;
  return d;
}

OutboxItem Item(const std::string& key, const std::string& profile, const std::string& body) {
  OutboxItem item;
  item.idempotency_key = key;
  item.profile_key = profile;
  item.body = body;
  return item;
}

class DispatcherTest : public ::testing::Test {
 protected:
  void SetUp() override { OpenOutbox(); }
  void TearDown() override {
    dispatcher_.reset();
    outbox_.reset();
  }

  void OpenOutbox() {
    outbox_.reset();
    OutboxOptions options;
    options.dir = dir_.Sub("outbox");
    options.clock = clock_;
    auto o = Outbox::Open(options);
    ASSERT_TRUE(o.ok()) << o.status().ToString();
    outbox_ = std::move(*o);
  }

  void StartDispatcher(std::string extra_ca = "", int trip_after = 3) {
    DispatcherOptions options;
    options.clock = clock_;
    options.threads = 2;
    options.tick = 5ms;
    options.trip_after = trip_after;
    options.extra_ca_pem = std::move(extra_ca);
    dispatcher_ = std::make_unique<Dispatcher>(outbox_.get(), options);
    ASSERT_TRUE(dispatcher_->Start().ok());
  }

  void AddDestination(const DestinationDef& def) {
    ASSERT_TRUE(outbox_->AddDestination(def.name).ok());
    ASSERT_TRUE(dispatcher_->Add(def).ok());
  }

  void Enqueue(const std::string& dest, std::vector<OutboxItem> items) {
    ASSERT_TRUE(outbox_->Enqueue(dest, std::move(items)).ok());
  }

  OutboxStats Stats(const std::string& dest) {
    auto s = outbox_->Stats(dest);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? *s : OutboxStats{};
  }

  bool Drained(const std::string& dest, uint64_t delivered) {
    return WaitFor([&] {
      OutboxStats s = Stats(dest);
      return s.delivered == delivered && s.queued == 0;
    });
  }

  TempDir dir_;
  // A test's manual clock lives here, not on the test's stack: the dispatcher's threads read it
  // until TearDown stops them, after the test body's locals are gone.
  ManualClock manual_clock_{1'700'000'000'000'000};
  Clock* clock_ = SystemClock::Default();
  std::unique_ptr<Outbox> outbox_;
  std::unique_ptr<Dispatcher> dispatcher_;
};

TEST_F(DispatcherTest, SignedRequestsTheReceiverVerifies) {
  std::atomic<int> bad{0};
  TestReceiver receiver([&](const ReceivedRequest& r) {
    const bool ok = VerifySignature(kSecret, r.Header("x-rapport-timestamp"), r.body,
                                    r.Header("x-rapport-signature"));
    if (!ok) ++bad;
    return Reply{ok ? 204 : 401};
  });
  ASSERT_TRUE(receiver.Start());
  StartDispatcher();
  DestinationDef def = Def("crm", receiver.url("/in?src=rapport"));
  def.method = WebhookMethod::kPut;
  def.headers = {{"Authorization", "Bearer t0k"}};
  AddDestination(def);
  Enqueue("crm", {Item("k1", "p1", R"({"n":1})"), Item("k2", "p2", R"({"n":2,"s":"é"})")});
  ASSERT_TRUE(Drained("crm", 2));
  EXPECT_EQ(bad, 0);
  auto requests = receiver.requests();
  ASSERT_EQ(requests.size(), 2u);
  std::map<std::string, std::string> bodies;
  for (const ReceivedRequest& r : requests) {
    EXPECT_EQ(r.method, "PUT");
    EXPECT_EQ(r.target, "/in?src=rapport");
    EXPECT_EQ(r.Header("content-type"), "application/json");
    EXPECT_EQ(r.Header("authorization"), "Bearer t0k");
    EXPECT_EQ(r.Header("host"), "127.0.0.1:" + std::to_string(receiver.port()));
    const int64_t ts = std::stoll(r.Header("x-rapport-timestamp"));
    EXPECT_NEAR(ts, SystemClock::Default()->NowMicros() / 1'000'000, 60);
    bodies[r.Header("idempotency-key")] = r.body;
  }
  EXPECT_EQ(bodies["k1"], R"({"n":1})");
  EXPECT_EQ(bodies["k2"], R"({"n":2,"s":"é"})");
  OutboxStats s = Stats("crm");
  EXPECT_EQ(s.failed_attempts, 0u);
  EXPECT_EQ(s.latency_samples, 2u);
  EXPECT_EQ(dispatcher_->Health("crm")->state, "up");
  EXPECT_GT(dispatcher_->Health("crm")->last_success_us, 0);
}

TEST_F(DispatcherTest, ServerErrorsAreRetriedThenDelivered) {
  std::atomic<int> calls{0};
  TestReceiver receiver([&](const ReceivedRequest&) { return Reply{++calls <= 2 ? 500 : 200}; });
  ASSERT_TRUE(receiver.Start());
  StartDispatcher();
  AddDestination(Def("crm", receiver.url()));
  Enqueue("crm", {Item("k1", "p1", "{}")});
  ASSERT_TRUE(Drained("crm", 1));
  auto requests = receiver.requests();
  ASSERT_EQ(requests.size(), 3u);
  for (const ReceivedRequest& r : requests) EXPECT_EQ(r.Header("idempotency-key"), "k1");
  EXPECT_EQ(Stats("crm").failed_attempts, 2u);
  EXPECT_EQ(Stats("crm").dead_letters, 0u);
  EXPECT_EQ(dispatcher_->Health("crm")->last_error, "HTTP 500: ok");
}

TEST_F(DispatcherTest, RetryAfterIsHonouredOnTheClock) {
  ManualClock& clock = manual_clock_;
  clock_ = &clock;
  OpenOutbox();
  std::atomic<int> calls{0};
  TestReceiver receiver([&](const ReceivedRequest&) {
    Reply r{++calls == 1 ? 503 : 200};
    if (r.status == 503) r.headers = {{"Retry-After", "30"}};
    return r;
  });
  ASSERT_TRUE(receiver.Start());
  StartDispatcher();
  DestinationDef def = Def("crm", receiver.url());
  def.backoff_max_ms = 600000;
  AddDestination(def);
  Enqueue("crm", {Item("k1", "p1", "{}")});
  ASSERT_TRUE(WaitFor(
      [&] { return receiver.count() == 1 && dispatcher_->Health("crm")->state == "paused"; }));
  std::this_thread::sleep_for(50ms);  // ten ticks of a clock that has not moved
  EXPECT_EQ(receiver.count(), 1u);
  clock.Advance(29'000'000);
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(receiver.count(), 1u);
  clock.Advance(1'000'000);
  ASSERT_TRUE(Drained("crm", 1));
  EXPECT_EQ(receiver.count(), 2u);
}

TEST_F(DispatcherTest, LongOutageLosesNothingAndKeepsOrderPerProfile) {
  ManualClock& clock = manual_clock_;
  clock_ = &clock;
  OpenOutbox();
  TestReceiver receiver;
  ASSERT_TRUE(receiver.Start());
  const uint16_t port = receiver.port();
  receiver.Stop();  // down before the first item
  StartDispatcher();
  DestinationDef def = Def("crm", receiver.url());
  def.max_attempts = 5;
  def.backoff_initial_ms = 1000;
  def.backoff_max_ms = 600000;
  AddDestination(def);
  std::vector<OutboxItem> items;
  for (int i = 0; i < 60; ++i) {
    const std::string profile = "p" + std::to_string(i % 3);
    items.push_back(Item("k" + std::to_string(i), profile,
                         R"({"profile":")" + profile + R"(","seq":)" + std::to_string(i) + "}"));
  }
  Enqueue("crm", std::move(items));
  ASSERT_TRUE(WaitFor([&] { return dispatcher_->Health("crm")->state == "down"; }));
  // Two hours pass, ten minutes at a time; a probe now and then, nothing given up.
  for (int step = 0; step < 12; ++step) {
    const uint64_t before = Stats("crm").failed_attempts;
    clock.Advance(10 * kMinute);
    ASSERT_TRUE(WaitFor([&] { return Stats("crm").failed_attempts > before; }));
    EXPECT_EQ(dispatcher_->Health("crm")->state, "down");
  }
  EXPECT_EQ(Stats("crm").dead_letters, 0u);
  EXPECT_EQ(Stats("crm").delivered, 0u);
  EXPECT_EQ(Stats("crm").queued, 60u);
  ASSERT_TRUE(receiver.Start(port));
  clock.Advance(10 * kMinute);
  ASSERT_TRUE(Drained("crm", 60));
  EXPECT_EQ(Stats("crm").dead_letters, 0u);
  EXPECT_EQ(dispatcher_->Health("crm")->state, "up");
  std::map<std::string, std::vector<int>> seen;
  for (const ReceivedRequest& r : receiver.requests()) {
    const size_t p = r.body.find("\"profile\":\"") + 11;
    const size_t s = r.body.find("\"seq\":") + 6;
    seen[r.body.substr(p, 2)].push_back(std::stoi(r.body.substr(s)));
  }
  ASSERT_EQ(seen.size(), 3u);
  for (const auto& [profile, seqs] : seen) {
    ASSERT_EQ(seqs.size(), 20u) << profile;
    EXPECT_TRUE(std::is_sorted(seqs.begin(), seqs.end())) << profile;
  }
}

TEST_F(DispatcherTest, ClientErrorsGoToDeadLettersAndReplayDelivers) {
  std::atomic<bool> reject{true};
  TestReceiver receiver([&](const ReceivedRequest&) {
    return reject ? Reply{422, "missing email"} : Reply{200};
  });
  ASSERT_TRUE(receiver.Start());
  StartDispatcher();
  AddDestination(Def("crm", receiver.url()));
  Enqueue("crm", {Item("a", "p1", R"({"a":1})"), Item("b", "p2", R"({"b":1})")});
  ASSERT_TRUE(WaitFor([&] { return Stats("crm").dead_letters == 2; }));
  EXPECT_EQ(receiver.count(), 2u);  // no retry for a 4xx
  auto dead = outbox_->ListDeadLetters("crm", 10, 0);
  ASSERT_TRUE(dead.ok());
  ASSERT_EQ(dead->size(), 2u);
  EXPECT_EQ((*dead)[0].attempts, 1);
  EXPECT_EQ((*dead)[0].last_status, 422);
  EXPECT_EQ((*dead)[0].last_error, "HTTP 422: missing email");
  EXPECT_EQ((*dead)[0].body, R"({"a":1})");
  // A later item of the same profile is not held back by the dead letter.
  reject = false;
  Enqueue("crm", {Item("c", "p1", "{}")});
  ASSERT_TRUE(Drained("crm", 1));
  auto replayed = outbox_->Replay("crm", {(*dead)[0].id, (*dead)[1].id}, false);
  ASSERT_TRUE(replayed.ok());
  EXPECT_EQ(*replayed, 2u);
  ASSERT_TRUE(Drained("crm", 3));
  EXPECT_EQ(Stats("crm").dead_letters, 0u);
  std::multiset<std::string> keys;
  for (const ReceivedRequest& r : receiver.requests()) keys.insert(r.Header("idempotency-key"));
  EXPECT_EQ(keys, (std::multiset<std::string>{"a", "a", "b", "b", "c"}));
}

TEST_F(DispatcherTest, MaxAttemptsThenDeadLetter) {
  TestReceiver receiver([](const ReceivedRequest&) { return Reply{500, "boom"}; });
  ASSERT_TRUE(receiver.Start());
  StartDispatcher();
  DestinationDef def = Def("crm", receiver.url());
  def.max_attempts = 3;
  AddDestination(def);
  Enqueue("crm", {Item("a", "p1", "{}"), Item("b", "p1", "{}")});
  ASSERT_TRUE(WaitFor([&] { return Stats("crm").dead_letters == 2; }));
  auto dead = outbox_->ListDeadLetters("crm", 10, 0);
  ASSERT_TRUE(dead.ok());
  ASSERT_EQ(dead->size(), 2u);
  for (const OutboxItem& item : *dead) {
    EXPECT_EQ(item.attempts, 3);
    EXPECT_EQ(item.last_status, 500);
    EXPECT_EQ(item.last_error, "HTTP 500: boom");
  }
  EXPECT_EQ(receiver.count(), 6u);
  EXPECT_EQ(Stats("crm").failed_attempts, 6u);
  // Per profile: "b" waited for "a" to be given up.
  auto requests = receiver.requests();
  for (int i = 0; i < 3; ++i) EXPECT_EQ(requests[i].Header("idempotency-key"), "a");
}

TEST_F(DispatcherTest, ConcurrencyIsRespectedOnKeepAliveConnections) {
  TestReceiver receiver([](const ReceivedRequest&) { return Reply{200, "", 30ms}; });
  ASSERT_TRUE(receiver.Start());
  StartDispatcher();
  DestinationDef def = Def("crm", receiver.url());
  def.concurrency = 3;
  AddDestination(def);
  std::vector<OutboxItem> items;
  for (int i = 0; i < 30; ++i)
    items.push_back(Item("k" + std::to_string(i), "p" + std::to_string(i), "{}"));
  Enqueue("crm", std::move(items));
  ASSERT_TRUE(Drained("crm", 30));
  EXPECT_EQ(receiver.max_concurrent(), 3);
  EXPECT_LE(receiver.connections(), 3);
}

TEST_F(DispatcherTest, RateLimitIsRespected) {
  TestReceiver receiver;
  ASSERT_TRUE(receiver.Start());
  StartDispatcher();
  DestinationDef def = Def("crm", receiver.url());
  def.rate_limit_per_second = 50;  // a burst of 50, then 50 a second
  def.concurrency = 16;
  AddDestination(def);
  std::vector<OutboxItem> items;
  for (int i = 0; i < 100; ++i) items.push_back(Item("k" + std::to_string(i), "", "{}"));
  Enqueue("crm", std::move(items));
  ASSERT_TRUE(Drained("crm", 100));
  auto requests = receiver.requests();
  ASSERT_EQ(requests.size(), 100u);
  // Request i (past the burst) cannot arrive before (i - 50) / 50 s after the first.
  for (size_t i = 50; i < requests.size(); i += 10) {
    const auto elapsed = requests[i].at - requests[0].at;
    EXPECT_GE(elapsed, std::chrono::milliseconds((i - 50) * 20) - 25ms) << i;
  }
}

TEST_F(DispatcherTest, ASlowDestinationDoesNotDelayAHealthyOne) {
  TestReceiver slow([](const ReceivedRequest&) { return Reply{200, "", 10s}; });
  TestReceiver fast;
  ASSERT_TRUE(slow.Start());
  ASSERT_TRUE(fast.Start());
  StartDispatcher();
  DestinationDef slow_def = Def("slow", slow.url());
  slow_def.timeout_ms = 3000;
  AddDestination(slow_def);
  AddDestination(Def("fast", fast.url()));
  std::vector<OutboxItem> s, f;
  for (int i = 0; i < 50; ++i) {
    s.push_back(Item("s" + std::to_string(i), "p" + std::to_string(i), "{}"));
    f.push_back(Item("f" + std::to_string(i), "p" + std::to_string(i), "{}"));
  }
  Enqueue("slow", std::move(s));
  ASSERT_TRUE(WaitFor([&] { return slow.count() == 4; }));  // its concurrency is taken
  const auto start = std::chrono::steady_clock::now();
  Enqueue("fast", std::move(f));
  ASSERT_TRUE(Drained("fast", 50));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);  // well before the slow timeout
  EXPECT_EQ(Stats("slow").delivered, 0u);
  EXPECT_EQ(Stats("slow").in_flight, 4u);
}

TEST_F(DispatcherTest, ADeadDestinationDoesNotDelayAHealthyOne) {
  TestReceiver gone, fast;
  ASSERT_TRUE(gone.Start());
  ASSERT_TRUE(fast.Start());
  const std::string gone_url = gone.url();
  gone.Stop();
  StartDispatcher();
  AddDestination(Def("gone", gone_url));
  AddDestination(Def("fast", fast.url()));
  std::vector<OutboxItem> g, f;
  for (int i = 0; i < 200; ++i) {
    g.push_back(Item("g" + std::to_string(i), "p" + std::to_string(i), "{}"));
    f.push_back(Item("f" + std::to_string(i), "p" + std::to_string(i), "{}"));
  }
  Enqueue("gone", std::move(g));
  Enqueue("fast", std::move(f));
  ASSERT_TRUE(Drained("fast", 200));
  EXPECT_EQ(Stats("gone").queued, 200u);
  EXPECT_EQ(Stats("gone").dead_letters, 0u);
}

TEST_F(DispatcherTest, ClosedKeepAliveConnectionsAreReopenedWithoutChargingAnAttempt) {
  TestReceiver receiver;
  ASSERT_TRUE(receiver.Start());
  StartDispatcher();
  DestinationDef def = Def("crm", receiver.url());
  def.concurrency = 1;
  AddDestination(def);
  Enqueue("crm", {Item("a", "p1", "{}")});
  ASSERT_TRUE(Drained("crm", 1));
  const uint16_t port = receiver.port();
  receiver.Stop();  // closes the idle keep-alive connection under the client
  ASSERT_TRUE(receiver.Start(port));
  Enqueue("crm", {Item("b", "p1", "{}")});
  ASSERT_TRUE(Drained("crm", 2));
  EXPECT_EQ(Stats("crm").failed_attempts, 0u);
}

TEST_F(DispatcherTest, HttpsWithAVerifiedCertificate) {
  TestReceiver receiver(nullptr, /*tls=*/true);
  ASSERT_TRUE(receiver.Start());
  StartDispatcher(receiver.cert_pem());
  AddDestination(Def("crm", receiver.url()));
  Enqueue("crm", {Item("a", "p1", "{}"), Item("b", "p2", "{}")});
  ASSERT_TRUE(Drained("crm", 2));
  EXPECT_EQ(receiver.count(), 2u);
}

TEST_F(DispatcherTest, HttpsRefusesAnUntrustedCertificate) {
  TestReceiver receiver(nullptr, /*tls=*/true);
  ASSERT_TRUE(receiver.Start());
  StartDispatcher();  // the receiver's certificate is not trusted
  DestinationDef def = Def("crm", receiver.url());
  def.max_attempts = 2;
  AddDestination(def);
  Enqueue("crm", {Item("a", "p1", "{}")});
  ASSERT_TRUE(WaitFor([&] { return Stats("crm").dead_letters == 1; }));
  EXPECT_EQ(receiver.count(), 0u);
  auto dead = outbox_->ListDeadLetters("crm", 1, 0);
  ASSERT_TRUE(dead.ok());
  ASSERT_EQ(dead->size(), 1u);
  EXPECT_NE((*dead)[0].last_error.find("certificate verify failed"), std::string::npos)
      << (*dead)[0].last_error;
}

TEST_F(DispatcherTest, TimeoutsAreRetried) {
  std::atomic<int> calls{0};
  TestReceiver receiver([&](const ReceivedRequest&) {
    return ++calls == 1 ? Reply{200, "", 5s} : Reply{200};
  });
  ASSERT_TRUE(receiver.Start());
  StartDispatcher();
  DestinationDef def = Def("crm", receiver.url());
  def.timeout_ms = 200;
  AddDestination(def);
  Enqueue("crm", {Item("a", "p1", "{}")});
  ASSERT_TRUE(Drained("crm", 1));
  EXPECT_EQ(receiver.count(), 2u);
  EXPECT_NE(dispatcher_->Health("crm")->last_error.find("timeout"), std::string::npos);
}

TEST_F(DispatcherTest, InFlightItemsAreSentAgainAfterAReopen) {
  TestReceiver receiver([](const ReceivedRequest&) { return Reply{200, "", 30s}; });
  ASSERT_TRUE(receiver.Start());
  StartDispatcher();
  AddDestination(Def("crm", receiver.url()));
  Enqueue("crm", {Item("a", "p1", "{}"), Item("b", "p2", "{}"), Item("c", "p1", "{}")});
  ASSERT_TRUE(WaitFor([&] { return receiver.count() == 2; }));  // a and b hang
  // Close everything without an answer: nothing was acknowledged.
  dispatcher_.reset();
  outbox_.reset();
  receiver.SetBehaviour(nullptr);
  OpenOutbox();
  EXPECT_EQ(Stats("crm").queued, 3u);
  StartDispatcher();
  ASSERT_TRUE(dispatcher_->Add(Def("crm", receiver.url())).ok());
  ASSERT_TRUE(Drained("crm", 3));
  std::multiset<std::string> keys;
  for (const ReceivedRequest& r : receiver.requests()) keys.insert(r.Header("idempotency-key"));
  EXPECT_EQ(keys, (std::multiset<std::string>{"a", "a", "b", "b", "c"}));
}

// The process delivering is killed with SIGKILL mid-delivery; a new one delivers the rest.
TEST_F(DispatcherTest, SigkillDuringDeliveryLosesNothing) {
  constexpr int kItems = 200;
  TestReceiver receiver([](const ReceivedRequest&) { return Reply{200, "", 20ms}; });
  ASSERT_TRUE(receiver.Start());
  const std::string url = receiver.url();
  outbox_.reset();  // the child opens the outbox
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(ready[0]);
    OutboxOptions options;
    options.dir = dir_.Sub("outbox");
    auto outbox = Outbox::Open(options);
    if (!outbox.ok() || !(*outbox)->AddDestination("crm").ok()) _exit(2);
    std::vector<OutboxItem> items;
    for (int i = 0; i < kItems; ++i) {
      items.push_back(Item("k" + std::to_string(i), "p" + std::to_string(i % 7), "{}"));
    }
    if (!(*outbox)->Enqueue("crm", std::move(items)).ok()) _exit(3);
    if (write(ready[1], "e", 1) != 1) _exit(4);  // acknowledged
    Dispatcher dispatcher(outbox->get(), DispatcherOptions{});
    if (!dispatcher.Start().ok() || !dispatcher.Add(Def("crm", url)).ok()) _exit(5);
    while (true) pause();
  }
  close(ready[1]);
  char c = 0;
  ASSERT_EQ(read(ready[0], &c, 1), 1);
  close(ready[0]);
  ASSERT_TRUE(WaitFor([&] { return receiver.count() >= 20; }));
  kill(child, SIGKILL);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status));
  const size_t before_restart = receiver.count();
  ASSERT_LT(before_restart, static_cast<size_t>(kItems));

  OpenOutbox();
  StartDispatcher();
  ASSERT_TRUE(dispatcher_->Add(Def("crm", url)).ok());
  ASSERT_TRUE(WaitFor([&] { return Stats("crm").queued == 0; }));
  std::map<std::string, int> times;
  for (const ReceivedRequest& r : receiver.requests()) ++times[r.Header("idempotency-key")];
  EXPECT_EQ(times.size(), static_cast<size_t>(kItems));  // every item, at least once
  int twice = 0;
  for (const auto& [key, n] : times) twice += n > 1;
  EXPECT_GE(twice, 1);  // those in flight at the kill were sent again
}

}  // namespace
}  // namespace rapport
