// pgload: the PostgreSQL peer of loadgen's batch mode. C clients (one thread each, libpq) insert
// the same ~1 KB JSON events as loadgen sends to Rapport, --batch-size rows per INSERT (one
// autocommitted statement = one durable commit with synchronous_commit=on) into a jsonb column,
// for a bounded duration. Prints rows/s, MB/s of JSON, statement latency percentiles; --json for
// one JSON object. Connects only to the loopback conninfo it is given.

#include <libpq-fe.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <fmt/format.h>

using Clock = std::chrono::steady_clock;

namespace {

struct Options {
  std::string conninfo = "host=127.0.0.1 port=5432 dbname=postgres";
  int clients = 8;
  int batch_size = 100;
  int event_bytes = 1024;
  double duration = 10;
  bool json = false;
};

[[noreturn]] void Usage(const char* msg) {
  if (msg) std::fprintf(stderr, "pgload: %s\n", msg);
  std::fprintf(
      stderr,
      "usage: pgload --conninfo 'host=127.0.0.1 port=P dbname=D' [--clients 8] [--batch-size 100]\n"
      "              [--event-bytes 1024] [--duration 10] [--json]\n");
  std::exit(2);
}

struct Stats {
  uint64_t statements = 0, rows = 0, bytes = 0, errors = 0;
  std::vector<uint32_t> latency_us;
  std::string first_error;
};

std::string Event(uint64_t id_hi, uint64_t seq, int event_bytes) {
  std::string head = fmt::format(
      R"({{"type":"track","event":"Bench Event","userId":"user-{:06d}","messageId":"{:016x}{:016x}",)"
      R"("receivedAt":"2024-01-01T00:00:00.000Z","properties":{{"plan":"pro","revenue":12.5,"pad":")",
      id_hi & 0xffff, id_hi, seq);
  std::string tail = R"("}})";
  int pad = std::max<int>(0, event_bytes - static_cast<int>(head.size() + tail.size()));
  return head + std::string(pad, 'x') + tail;
}

void Client(const Options& o, int id, uint64_t run, Clock::time_point deadline, Stats& st) {
  PGconn* conn = PQconnectdb(o.conninfo.c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    st.first_error = PQerrorMessage(conn);
    ++st.errors;
    PQfinish(conn);
    return;
  }
  std::string sql = "INSERT INTO events (body) VALUES ";
  for (int i = 0; i < o.batch_size; ++i) sql += fmt::format("{}(${}::jsonb)", i ? "," : "", i + 1);
  PGresult* prep = PQprepare(conn, "ins", sql.c_str(), o.batch_size, nullptr);
  if (PQresultStatus(prep) != PGRES_COMMAND_OK) {
    st.first_error = PQerrorMessage(conn);
    ++st.errors;
    PQclear(prep);
    PQfinish(conn);
    return;
  }
  PQclear(prep);
  uint64_t id_hi = (run << 16) | static_cast<uint64_t>(id);
  uint64_t seq = 0;
  std::vector<std::string> rows(o.batch_size);
  std::vector<const char*> params(o.batch_size);
  while (Clock::now() < deadline) {
    uint64_t bytes = 0;
    for (int i = 0; i < o.batch_size; ++i) {
      rows[i] = Event(id_hi, seq++, o.event_bytes);
      params[i] = rows[i].c_str();
      bytes += rows[i].size();
    }
    auto t0 = Clock::now();
    PGresult* r = PQexecPrepared(conn, "ins", o.batch_size, params.data(), nullptr, nullptr, 0);
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t0).count();
    if (PQresultStatus(r) == PGRES_COMMAND_OK) {
      ++st.statements;
      st.rows += static_cast<uint64_t>(o.batch_size);
      st.bytes += bytes;
      st.latency_us.push_back(static_cast<uint32_t>(us));
    } else {
      ++st.errors;
      if (st.first_error.empty()) st.first_error = PQerrorMessage(conn);
      if (PQstatus(conn) != CONNECTION_OK) {
        PQclear(r);
        break;
      }
    }
    PQclear(r);
  }
  PQfinish(conn);
}

double Percentile(const std::vector<uint32_t>& sorted, double p) {
  if (sorted.empty()) return 0;
  size_t idx = static_cast<size_t>(p * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(idx, sorted.size() - 1)] / 1000.0;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) Usage("missing value");
      return argv[++i];
    };
    if (a == "--conninfo")
      o.conninfo = value();
    else if (a == "--clients" || a == "-c")
      o.clients = std::atoi(value().c_str());
    else if (a == "--batch-size")
      o.batch_size = std::atoi(value().c_str());
    else if (a == "--event-bytes")
      o.event_bytes = std::atoi(value().c_str());
    else if (a == "--duration" || a == "-d")
      o.duration = std::atof(value().c_str());
    else if (a == "--json")
      o.json = true;
    else
      Usage(fmt::format("unknown argument {}", a).c_str());
  }
  if (o.clients < 1 || o.clients > 1000) Usage("--clients out of range");
  if (o.batch_size < 1 || o.batch_size > 10000) Usage("--batch-size out of range");
  if (!(o.duration > 0 && o.duration <= 3600)) Usage("--duration must be in (0, 3600]");
  if (o.conninfo.find("host=127.") == std::string::npos &&
      o.conninfo.find("host=localhost") == std::string::npos &&
      o.conninfo.find("host=/") == std::string::npos) {
    Usage("--conninfo must name a loopback host (host=127.x.x.x, localhost or a socket directory)");
  }

  // Table (idempotent), so the tool runs against a fresh cluster.
  {
    PGconn* c = PQconnectdb(o.conninfo.c_str());
    if (PQstatus(c) != CONNECTION_OK) {
      std::fprintf(stderr, "pgload: cannot connect: %s", PQerrorMessage(c));
      return 1;
    }
    PGresult* r = PQexec(
        c, "CREATE TABLE IF NOT EXISTS events (id bigserial PRIMARY KEY, body jsonb NOT NULL)");
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
      std::fprintf(stderr, "pgload: create table: %s", PQerrorMessage(c));
      return 1;
    }
    PQclear(r);
    PQfinish(c);
  }

  uint64_t run = std::random_device{}() & 0xffffffffu;
  std::vector<Stats> stats(o.clients);
  auto start = Clock::now();
  auto deadline = start + std::chrono::microseconds(static_cast<int64_t>(o.duration * 1e6));
  std::vector<std::thread> threads;
  for (int c = 0; c < o.clients; ++c)
    threads.emplace_back(Client, std::cref(o), c, run, deadline, std::ref(stats[c]));
  for (auto& t : threads) t.join();
  double elapsed = std::max(1e-9, std::chrono::duration<double>(Clock::now() - start).count());

  Stats total;
  for (auto& s : stats) {
    total.statements += s.statements;
    total.rows += s.rows;
    total.bytes += s.bytes;
    total.errors += s.errors;
    total.latency_us.insert(total.latency_us.end(), s.latency_us.begin(), s.latency_us.end());
    if (total.first_error.empty()) total.first_error = s.first_error;
  }
  std::sort(total.latency_us.begin(), total.latency_us.end());
  double sps = total.statements / elapsed, rps = total.rows / elapsed,
         mbps = total.bytes / elapsed / 1e6;
  double p50 = Percentile(total.latency_us, 0.5), p90 = Percentile(total.latency_us, 0.9);
  double p99 = Percentile(total.latency_us, 0.99);
  double pmax = total.latency_us.empty() ? 0 : total.latency_us.back() / 1000.0;
  if (o.json) {
    fmt::print(
        "{{\"clients\":{},\"batch_size\":{},\"event_bytes\":{},\"duration_s\":{:.3f},"
        "\"statements\":{},"
        "\"rows\":{},\"errors\":{},\"statements_per_s\":{:.1f},\"events_per_s\":{:.1f},\"mb_per_"
        "s\":{:.2f},"
        "\"p50_ms\":{:.3f},\"p90_ms\":{:.3f},\"p99_ms\":{:.3f},\"max_ms\":{:.3f}}}\n",
        o.clients, o.batch_size, o.event_bytes, elapsed, total.statements, total.rows, total.errors,
        sps, rps, mbps, p50, p90, p99, pmax);
  } else {
    fmt::print("pgload clients={} rows/INSERT={} row≈{} B  {:.2f} s\n", o.clients, o.batch_size,
               o.event_bytes, elapsed);
    fmt::print("  INSERTs/s {:>10.1f}   rows/s {:>12.1f}   MB/s {:>8.2f}\n", sps, rps, mbps);
    fmt::print("  latency ms  p50 {:.3f}  p90 {:.3f}  p99 {:.3f}  max {:.3f}   errors {}\n", p50,
               p90, p99, pmax, total.errors);
  }
  if (!total.first_error.empty())
    std::fprintf(stderr, "pgload: first error: %s\n", total.first_error.c_str());
  return total.rows > 0 ? 0 : 1;
}
