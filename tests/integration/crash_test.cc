// monitoring-server under crashes and a full disk, end to end: real server,
// exporter and forwarder processes on loopback, killed with SIGKILL at
// random-ish moments or starved of file space (RLIMIT_FSIZE), then checked
// through the query API against exactly what was acknowledged.
//
// Every loop is bounded in count and time; nothing asserts on timing. A
// failure reports the random kill point and its seed.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <snappy.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <filesystem>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "server/ingest/remote_write.pb.h"
#include "tests/integration/stack.h"

namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using testutil::Service;
using testutil::TempDir;

// Samples are written at fixed past times (Nov 2023), inside the 100y
// retention StartServer sets.
constexpr int64_t kT0 = 1700000000000;

bool Is2xx(int status) { return status >= 200 && status < 300; }

std::string Seconds(int64_t ms) {
  return std::to_string(ms / 1000) + "." + std::to_string(ms % 1000 + 1000).substr(1);
}

// A sample a test wrote: its series (labels without job/instance, as a
// canonical JSON object), timestamp and value.
struct Expected {
  std::string key;
  int64_t t;
  double v;
};

std::string Key(json labels) {
  labels.erase("job");
  labels.erase("instance");
  return labels.dump();
}

// Every stored sample of the series matching `selector` with timestamps in
// [from_ms, to_ms] (and a few seconds more on each side): key -> t -> v.
using Stored = std::map<std::string, std::map<int64_t, double>>;

Stored FetchRaw(const Service& server, const std::string& selector, int64_t from_ms,
                int64_t to_ms) {
  const int64_t at_ms = to_ms + 5000;
  const int64_t range_s = (at_ms - from_ms) / 1000 + 5;
  json j = testutil::ApiGet(
      server,
      "query?query=" + testutil::UrlEncode(selector + "[" + std::to_string(range_s) + "s]") +
          "&time=" + Seconds(at_ms));
  Stored out;
  if (!j.is_object() || j["status"] != "success") {
    ADD_FAILURE() << "query " << selector << " failed: " << j.dump().substr(0, 500);
    return out;
  }
  for (const auto& series : j["data"]["result"]) {
    auto& dst = out[Key(series["metric"])];
    for (const auto& p : series["values"]) {
      dst[std::llround(p[0].get<double>() * 1000)] = std::stod(p[1].get<std::string>());
    }
  }
  return out;
}

size_t CountStored(const Stored& s) {
  size_t n = 0;
  for (const auto& [k, samples] : s) n += samples.size();
  return n;
}

// How many of `want` are stored with exactly their timestamp and value.
size_t CountPresent(const Stored& stored, const std::vector<Expected>& want) {
  size_t n = 0;
  for (const auto& e : want) {
    auto series = stored.find(e.key);
    if (series == stored.end()) continue;
    auto sample = series->second.find(e.t);
    if (sample != series->second.end() && sample->second == e.v) ++n;
  }
  return n;
}

// The value of one line of the server's own /metrics ("name{labels}"), or
// NaN when absent.
double SelfMetric(const Service& server, const std::string& series) {
  common::HttpClient c;
  auto r = c.Get(server.url("/metrics"), 10);
  if (!r.ok()) return NAN;
  std::string_view body = r->body;
  const std::string prefix = series + " ";
  for (size_t pos = 0; pos < body.size();) {
    size_t nl = body.find('\n', pos);
    if (nl == std::string_view::npos) nl = body.size();
    std::string_view line = body.substr(pos, nl - pos);
    if (line.starts_with(prefix)) return std::stod(std::string(line.substr(prefix.size())));
    pos = nl + 1;
  }
  return NAN;
}

std::string EncodeWriteRequest(const ms::remote::WriteRequest& req) {
  std::string raw, out;
  req.SerializeToString(&raw);
  snappy::Compress(raw.data(), raw.size(), &out);
  return out;
}

void AddSeries(ms::remote::WriteRequest* req,
               const std::vector<std::pair<std::string, std::string>>& labels, int64_t t,
               double v) {
  auto* ts = req->add_timeseries();
  for (const auto& [name, value] : labels) {
    auto* l = ts->add_labels();
    l->set_name(name);
    l->set_value(value);
  }
  auto* s = ts->add_samples();
  s->set_timestamp(t);
  s->set_value(v);
}

std::unique_ptr<testutil::Subprocess> StartForwarder(const TempDir& dir, const std::string& source,
                                                     const std::string& server_url,
                                                     double interval) {
  return std::make_unique<testutil::Subprocess>(
      std::vector<std::string>{testutil::BinaryPath("exporter/forwarder/system-stats-forwarder"),
                               "--source-url", source, "--server-url", server_url, "--interval",
                               std::to_string(interval), "--spool-dir", dir.File("spool"),
                               "--max-backoff", "0.5", "--timeout", "2"},
      dir.File("forwarder.log"));
}

// POSTs body over a plain socket in 64 KiB pieces with a small send buffer,
// pausing a moment after each, so that the server reads (and commits) the
// body about as fast as it is sent and is still reading when the test kills
// it.
// `sent` counts the body bytes handed to the kernel. Returns the HTTP status,
// or 0 when there was no complete answer (connection reset by the kill).
int StreamPost(int port, const std::string& path, const std::string& body,
               std::atomic<size_t>* sent) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  timeval tv{30, 0};  // bounds every send/recv below
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  int sndbuf = 64 << 10;
  setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return 0;
  }
  const std::string head = "POST " + path +
                           " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\n"
                           "Content-Length: " +
                           std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n";
  auto send_all = [fd](const char* p, size_t n) {
    while (n > 0) {
      ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
      if (w <= 0) return false;
      p += w;
      n -= static_cast<size_t>(w);
    }
    return true;
  };
  bool ok = send_all(head.data(), head.size());
  constexpr size_t kPiece = 64 << 10;
  for (size_t off = 0; ok && off < body.size();) {
    const size_t n = std::min(kPiece, body.size() - off);
    ok = send_all(body.data() + off, n);
    off += n;
    sent->store(off);
    std::this_thread::sleep_for(1ms);
  }
  std::string resp;
  char buf[4096];
  for (ssize_t r; ok && (r = recv(fd, buf, sizeof(buf), 0)) > 0;) {
    resp.append(buf, static_cast<size_t>(r));
  }
  close(fd);
  if (!resp.starts_with("HTTP/1.1 ") || resp.size() < 12) return 0;
  return std::stoi(resp.substr(9, 3));
}

// ---------------------------------------------------------------------------
// 1. kill -9 during ingest, one write path at a time.

// One way in: request i's body and the samples it carries.
struct WritePath {
  std::string url_path;
  std::string content_type;
  std::function<std::string(int)> body;
  std::function<std::vector<Expected>(int)> expected;
  std::string selector;  // matches every series the requests write
};

// Sends up to kRequests requests one after another (each its own samples at
// its own timestamp) to a server that fsyncs before acknowledging, SIGKILLs
// the server after a random number of answers, restarts it on the same data
// dir and checks: every acknowledged request is stored exactly; every other
// one all-or-nothing (one request is one RocksDB write batch); at most the
// one request in flight at the kill is stored without an answer; nothing
// else is stored; the restarted server takes new writes.
void KillDuringRequests(const WritePath& p) {
  constexpr int kRequests = 200;
  TempDir dir;
  const int port = testutil::FreePort();
  auto server = testutil::StartServer(dir, dir.File("data"), {"--sync-every-batch"}, port);
  ASSERT_TRUE(server->ready()) << server->log();

  std::vector<std::string> bodies;
  for (int i = 0; i < kRequests; ++i) bodies.push_back(p.body(i));
  const unsigned seed = std::random_device{}();
  std::mt19937 rng(seed);
  const int kill_after = std::uniform_int_distribution<int>(kRequests / 10, kRequests * 3 / 4)(rng);
  SCOPED_TRACE("seed " + std::to_string(seed) + ", kill after " + std::to_string(kill_after) +
               " answers");

  std::vector<int> status(kRequests, -1);  // -1: never sent; 0: no answer
  std::atomic<int> answered{0};
  const std::string url = server->url(p.url_path);
  std::thread sender([&] {
    common::HttpClient c;
    for (int i = 0; i < kRequests; ++i) {
      auto r = c.Post(url, bodies[i], p.content_type, 10);
      status[i] = r.ok() ? r->status : 0;
      if (!r.ok()) return;
      answered.fetch_add(1);
    }
  });
  const bool reached = testutil::WaitUntil([&] { return answered.load() >= kill_after; }, 30s, 1ms);
  server->proc().Stop(SIGKILL);
  sender.join();
  ASSERT_TRUE(reached) << "the server answered only " << answered.load() << " requests";

  server = testutil::StartServer(dir, dir.File("data"), {"--sync-every-batch"}, port);
  ASSERT_TRUE(server->ready()) << "restart after kill -9 failed:\n" << server->log();
  const Stored stored = FetchRaw(*server, p.selector, kT0, kT0 + kRequests * 1000);
  size_t matched = 0;
  int acked = 0, stored_unacked = 0;
  for (int i = 0; i < kRequests; ++i) {
    const auto want = p.expected(i);
    const size_t present = CountPresent(stored, want);
    matched += present;
    if (Is2xx(status[i])) {
      ++acked;
      EXPECT_EQ(present, want.size()) << "acknowledged request " << i << " lost samples";
    } else {
      EXPECT_LE(status[i], 0) << "request " << i << " answered " << status[i] << " before the kill";
      EXPECT_TRUE(present == 0 || present == want.size())
          << "request " << i << " half-written: " << present << " of " << want.size();
      if (present > 0) ++stored_unacked;
    }
  }
  EXPECT_GE(acked, kill_after);
  EXPECT_LE(stored_unacked, 1) << "only the request in flight at the kill may be stored unanswered";
  EXPECT_EQ(CountStored(stored), matched) << "samples stored that no request sent";

  // The restarted server takes new writes.
  common::HttpClient c;
  auto r = c.Post(server->url(p.url_path), p.body(kRequests), p.content_type, 10);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(Is2xx(r->status)) << r->status << " " << r->body;
  const auto want = p.expected(kRequests);
  EXPECT_EQ(CountPresent(FetchRaw(*server, p.selector, kT0, kT0 + (kRequests + 1) * 1000), want),
            want.size());
}

TEST(ServerCrashTest, KillDuringTextPushLosesNothingAcknowledged) {
  WritePath p;
  p.url_path = "/metrics?job=crash_text&instance=i";
  p.content_type = "text/plain";
  p.selector = "{job=\"crash_text\"}";
  // Five series of the request's own plus one all requests share.
  auto value = [](int i, int k) { return i * 8 + k + 0.25; };
  p.body = [value](int i) {
    const std::string t = std::to_string(kT0 + i * 1000);
    std::string b;
    for (int k = 0; k < 5; ++k) {
      b += "crash_text{req=\"" + std::to_string(i) + "\",k=\"" + std::to_string(k) + "\"} " +
           std::to_string(value(i, k)) + " " + t + "\n";
    }
    b += "crash_text_shared " + std::to_string(i + 0.5) + " " + t + "\n";
    return b;
  };
  p.expected = [value](int i) {
    std::vector<Expected> e;
    for (int k = 0; k < 5; ++k) {
      e.push_back(
          {json{{"__name__", "crash_text"}, {"req", std::to_string(i)}, {"k", std::to_string(k)}}
               .dump(),
           kT0 + i * 1000, value(i, k)});
    }
    e.push_back({json{{"__name__", "crash_text_shared"}}.dump(), kT0 + i * 1000, i + 0.5});
    return e;
  };
  KillDuringRequests(p);
}

TEST(ServerCrashTest, KillDuringJsonPushLosesNothingAcknowledged) {
  // /system-shaped readings (see server/ingest/system_json.h), one per
  // request, each at its own timestamp_ms.
  struct Field {
    std::string name, cpu;  // series name, cpu label ("" if none)
    std::function<double(int)> v;
  };
  const std::vector<Field> fields = {
      {"system_cpu_percent", "", [](int i) { return 10 + i * 0.25; }},
      {"system_cpu_count", "", [](int) { return 2.0; }},
      {"system_cpu_core_percent", "0", [](int i) { return i * 0.5; }},
      {"system_cpu_core_percent", "1", [](int i) { return i * 0.75; }},
      {"node_load1", "", [](int i) { return i * 0.125; }},
      {"node_load5", "", [](int i) { return i * 0.0625; }},
      {"node_load15", "", [](int i) { return i * 0.03125; }},
      {"node_memory_MemTotal_bytes", "", [](int i) { return 8e9 + i; }},
      {"node_memory_MemAvailable_bytes", "", [](int i) { return 4e9 + i; }},
      {"node_memory_MemFree_bytes", "", [](int i) { return 2e9 + i; }},
      {"system_memory_used_percent", "", [](int i) { return 50 + i * 0.125; }},
  };
  WritePath p;
  p.url_path = "/metrics?job=crash_json";
  p.content_type = "application/json";
  p.selector = "{job=\"crash_json\"}";
  p.body = [&fields](int i) {
    auto v = [&](size_t f) { return fields[f].v(i); };
    json j = {
        {"hostname", "crash-host"},
        {"timestamp_ms", kT0 + i * 1000},
        {"cpu",
         {{"percent", v(0)},
          {"count", 2},
          {"per_core_percent", {v(2), v(3)}},
          {"load_avg", {{"1m", v(4)}, {"5m", v(5)}, {"15m", v(6)}}}}},
        {"memory", {{"total", v(7)}, {"available", v(8)}, {"free", v(9)}, {"percent", v(10)}}}};
    return j.dump();
  };
  p.expected = [&fields](int i) {
    std::vector<Expected> e;
    for (const auto& f : fields) {
      json labels = {{"__name__", f.name}};
      if (!f.cpu.empty()) labels["cpu"] = f.cpu;
      e.push_back({labels.dump(), kT0 + i * 1000, f.v(i)});
    }
    return e;
  };
  KillDuringRequests(p);
}

TEST(ServerCrashTest, KillDuringRemoteWriteLosesNothingAcknowledged) {
  auto value = [](int i, int k) { return i * 8 + k + 0.75; };
  WritePath p;
  p.url_path = "/api/v1/write";
  p.content_type = "application/x-protobuf";
  p.selector = "{__name__=~\"crash_rw.*\"}";
  p.body = [value](int i) {
    ms::remote::WriteRequest req;
    for (int k = 0; k < 5; ++k) {
      AddSeries(&req,
                {{"__name__", "crash_rw"}, {"k", std::to_string(k)}, {"req", std::to_string(i)}},
                kT0 + i * 1000, value(i, k));
    }
    AddSeries(&req, {{"__name__", "crash_rw_shared"}}, kT0 + i * 1000, i + 0.5);
    return EncodeWriteRequest(req);
  };
  p.expected = [value](int i) {
    std::vector<Expected> e;
    for (int k = 0; k < 5; ++k) {
      e.push_back(
          {json{{"__name__", "crash_rw"}, {"req", std::to_string(i)}, {"k", std::to_string(k)}}
               .dump(),
           kT0 + i * 1000, value(i, k)});
    }
    e.push_back({json{{"__name__", "crash_rw_shared"}}.dump(), kT0 + i * 1000, i + 0.5});
    return e;
  };
  KillDuringRequests(p);
}

// The streamed import commits as it reads: a kill mid-body may leave the
// lines before it stored, never a line without the ones before it, and
// re-sending the whole body completes it (stored lines count as duplicates).
TEST(ServerCrashTest, KillDuringStreamedImportKeepsAPrefixAndRetryCompletesIt) {
  constexpr int kLines = 300000, kSeries = 8;
  // Line i: series i % 8, value i, at the series' (i / 8)-th second.
  std::string body;
  body.reserve(kLines * 42);
  for (int i = 0; i < kLines; ++i) {
    body += "crash_import{s=\"" + std::to_string(i % kSeries) + "\"} " + std::to_string(i) + " " +
            std::to_string(kT0 + (i / kSeries) * 1000) + "\n";
  }
  const int64_t last_t = kT0 + (kLines / kSeries) * 1000;
  TempDir dir;
  const int port = testutil::FreePort();
  auto server = testutil::StartServer(dir, dir.File("data"), {"--sync-every-batch"}, port);
  ASSERT_TRUE(server->ready()) << server->log();

  const unsigned seed = std::random_device{}();
  std::mt19937 rng(seed);
  const size_t kill_at =
      std::uniform_int_distribution<size_t>(body.size() / 4, body.size() * 3 / 4)(rng);
  SCOPED_TRACE("seed " + std::to_string(seed) + ", kill after " + std::to_string(kill_at) + " of " +
               std::to_string(body.size()) + " bytes sent");
  std::atomic<size_t> sent{0};
  int status = -1;
  std::thread sender([&] { status = StreamPost(port, "/api/v1/import/prometheus", body, &sent); });
  const bool reached = testutil::WaitUntil([&] { return sent.load() >= kill_at; }, 30s, 1ms);
  server->proc().Stop(SIGKILL);
  sender.join();
  ASSERT_TRUE(reached);

  server = testutil::StartServer(dir, dir.File("data"), {"--sync-every-batch"}, port);
  ASSERT_TRUE(server->ready()) << "restart after kill -9 failed:\n" << server->log();
  const Stored stored = FetchRaw(*server, "crash_import", kT0, last_t);
  std::set<int64_t> lines;
  for (const auto& [key, samples] : stored) {
    for (const auto& [t, v] : samples) {
      const auto i = static_cast<int64_t>(v);
      ASSERT_TRUE(v == static_cast<double>(i) && i >= 0 && i < kLines)
          << key << " " << t << " " << v;
      EXPECT_EQ(key,
                json({{"__name__", "crash_import"}, {"s", std::to_string(i % kSeries)}}).dump())
          << "line " << i;
      EXPECT_EQ(t, kT0 + (i / kSeries) * 1000) << "line " << i;
      lines.insert(i);
    }
  }
  const size_t n = lines.size();
  EXPECT_EQ(CountStored(stored), n) << "a line stored twice";
  // A prefix: lines 0 .. n-1, nothing after a gap.
  if (n > 0) {
    EXPECT_EQ(*lines.rbegin(), static_cast<int64_t>(n) - 1) << "stored lines are not a prefix";
  }
  if (Is2xx(status)) {
    EXPECT_EQ(n, static_cast<size_t>(kLines)) << "acknowledged import incomplete";
  }
  std::cout << "kill -9 mid-import: " << n << " of " << kLines << " lines stored\n";

  // Retrying the import completes it; what was stored counts as duplicates.
  common::HttpClient c;
  auto r = c.Post(server->url("/api/v1/import/prometheus"), body, "text/plain", 60);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(json::parse(r->body)["accepted"], kLines - static_cast<int>(n)) << r->body;
  auto count =
      testutil::Query(*server, "sum(count_over_time(crash_import[1d]))", Seconds(last_t + 1000));
  ASSERT_EQ(count.size(), 1u) << count.dump();
  EXPECT_EQ(count[0]["value"][1], std::to_string(kLines));
}

// ---------------------------------------------------------------------------
// 2. The forwarder killed while it replays its spool.

size_t CountSpooled(const std::string& spool_dir) {
  size_t n = 0;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(spool_dir, ec)) {
    if (e.path().filename().string().ends_with(".reading")) ++n;
  }
  return n;
}

// The forwarder spools readings while the server is down; the exporter is
// then stopped (so the spool is the complete set of readings), the server
// started, and the forwarder SIGKILLed halfway through its replay and
// restarted. The forwarder removes a reading only after a 2xx, so a reading
// sent just before the kill is sent again (at least once), and the store
// ignores a repeated sample with the same timestamp and value: every
// spooled reading must be stored exactly once, with its values, and none
// out of order (an out-of-order reading would be refused with 400 and
// dropped by the forwarder).
TEST(ServerCrashTest, ForwarderKilledMidReplayDeliversEverySpooledReadingOnce) {
  TempDir dir;
  auto exporter = testutil::StartExporter(dir);
  ASSERT_TRUE(exporter->ready()) << exporter->log();
  const int port = testutil::FreePort();
  const std::string server_url = "http://127.0.0.1:" + std::to_string(port) + "/metrics";
  const std::string spool = dir.File("spool");
  constexpr size_t kReadings = 60;

  auto fwd = StartForwarder(dir, exporter->url("/system"), server_url, 0.05);
  ASSERT_TRUE(testutil::WaitUntil([&] { return CountSpooled(spool) >= kReadings; }, 30s, 20ms))
      << testutil::ReadFile(dir.File("forwarder.log"));
  fwd->Stop(SIGKILL);
  exporter->proc().Stop(SIGTERM);

  // The spool, oldest first: timestamp -> (uptime, available memory).
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(spool)) {
    if (e.path().filename().string().ends_with(".reading")) files.push_back(e.path().string());
  }
  std::sort(files.begin(), files.end());
  std::map<int64_t, double> uptime, available;
  int64_t prev_t = 0;
  for (const auto& f : files) {
    std::string data = testutil::ReadFile(f);
    ASSERT_TRUE(data.starts_with("application/json\n")) << f << ": " << data.substr(0, 100);
    json j = json::parse(data.substr(data.find('\n') + 1));
    const int64_t t = j["timestamp_ms"].get<int64_t>();
    ASSERT_GT(t, prev_t) << "spool not in time order";
    prev_t = t;
    uptime[t] = j["uptime_seconds"].get<double>();
    available[t] = j["memory"]["available"].get<double>();
  }
  ASSERT_GE(uptime.size(), kReadings);

  auto server = testutil::StartServer(dir, dir.File("data"), {"--sync-every-batch"}, port);
  ASSERT_TRUE(server->ready()) << server->log();
  const unsigned seed = std::random_device{}();
  std::mt19937 rng(seed);
  const size_t kill_at =
      std::uniform_int_distribution<size_t>(files.size() / 4, files.size() * 3 / 4)(rng);
  SCOPED_TRACE("seed " + std::to_string(seed) + ", kill with " + std::to_string(kill_at) +
               " readings left");
  fwd = StartForwarder(dir, exporter->url("/system"), server_url, 0.05);
  const bool mid_replay =
      testutil::WaitUntil([&] { return CountSpooled(spool) <= kill_at; }, 30s, 1ms);
  fwd->Stop(SIGKILL);
  const size_t left = CountSpooled(spool);
  ASSERT_TRUE(mid_replay) << testutil::ReadFile(dir.File("forwarder.log"));
  EXPECT_GT(left, 0u) << "the replay ended before the kill";

  fwd = StartForwarder(dir, exporter->url("/system"), server_url, 0.05);
  ASSERT_TRUE(testutil::WaitUntil([&] { return CountSpooled(spool) == 0; }, 30s, 20ms))
      << testutil::ReadFile(dir.File("forwarder.log"));
  fwd->Stop(SIGTERM);

  const int64_t first = uptime.begin()->first, last = uptime.rbegin()->first;
  Stored got = FetchRaw(*server, "system_uptime_seconds{job=\"system-stats\"}", first, last);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got.begin()->second, uptime) << "readings lost, altered or invented";
  got = FetchRaw(*server, "node_memory_MemAvailable_bytes{job=\"system-stats\"}", first, last);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got.begin()->second, available);
  EXPECT_EQ(SelfMetric(*server, "monitor_samples_rejected_total{reason=\"out_of_order\"}"), 0);
  EXPECT_EQ(SelfMetric(*server, "monitor_samples_rejected_total{reason=\"duplicate\"}"), 0);
  EXPECT_EQ(testutil::ReadFile(dir.File("forwarder.log")).find("rejected reading"),
            std::string::npos);
}

// ---------------------------------------------------------------------------
// 3. A full disk, simulated without root: the server runs with a low soft
// RLIMIT_FSIZE, so a write past that size fails with EFBIG (the server
// ignores SIGXFSZ). Once a write is refused the limit drops to 1 byte: no
// file can grow any more, as on a full disk (with a per-file limit alone, the
// store finds room again by starting new files). Writes are answered 503
// "storage error" (retryable: the client keeps the data), what was
// acknowledged stays queryable, and once the limit is lifted the server
// takes writes again without a restart; a kill -9 after that loses nothing
// that was acknowledged, retries included.

// One write of the disk-full test and what it stores.
struct Write {
  std::string name, path, content_type, body;
  std::vector<Expected> samples;
  int status = -1;
};

TEST(ServerCrashTest, FullDiskAnswers503KeepsAckedDataAndRecoversWithoutRestart) {
  std::string prlimit;
  if (testutil::RunCommand("command -v prlimit", &prlimit) != 0) {
    GTEST_SKIP() << "prlimit (util-linux) not installed";
  }
  prlimit.erase(prlimit.find_last_not_of("\n ") + 1);
  TempDir dir;
  const int port = testutil::FreePort();
  constexpr long kSoftLimit = 1 << 20;  // bytes per file
  std::vector<std::string> args = {"--fsize=" + std::to_string(kSoftLimit) + ":unlimited",
                                   "--",
                                   testutil::BinaryPath("server/monitoring-server"),
                                   "--host",
                                   "127.0.0.1",
                                   "--port",
                                   std::to_string(port),
                                   "--data-dir",
                                   dir.File("data"),
                                   "--retention",
                                   "100y"};
  auto server = std::make_unique<Service>(prlimit, args, dir.File("server.log"), port);
  ASSERT_TRUE(server->ready()) << server->log();
  auto set_limit = [&](const std::string& soft) {
    std::string out;
    ASSERT_EQ(testutil::RunCommand(prlimit + " --pid " + std::to_string(server->proc().pid()) +
                                       " --fsize=" + soft + ":unlimited",
                                   &out),
              0)
        << out;
  };

  // Text pushes of 20 series x 250 samples each (more than a chunk holds, so
  // every request seals chunks, the refused one too) until one is refused.
  constexpr int kSeries = 20, kPerSeries = 250, kMaxRequests = 1000;
  auto text_write = [](int r) {
    Write w{"text " + std::to_string(r), "/metrics?job=disk&instance=d", "text/plain", "", {}};
    for (int s = 0; s < kSeries; ++s) {
      for (int j = 0; j < kPerSeries; ++j) {
        const int64_t t = kT0 + (int64_t{r} * kPerSeries + j) * 1000;
        const double v = (r * kPerSeries + j) * 0.5 + s;
        w.body += "disk_fill{s=\"" + std::to_string(s) + "\"} " + std::to_string(v) + " " +
                  std::to_string(t) + "\n";
        w.samples.push_back(
            {json{{"__name__", "disk_fill"}, {"s", std::to_string(s)}}.dump(), t, v});
      }
    }
    return w;
  };
  common::HttpClient c;
  auto send = [&](Write& w) {
    auto r = c.Post(server->url(w.path), w.body, w.content_type, 30);
    w.status = r.ok() ? r->status : 0;
    return r.ok() ? r->body : r.status().message();
  };
  std::vector<Write> writes;
  std::string refusal;
  const auto deadline = std::chrono::steady_clock::now() + 40s;
  for (int r = 0; r < kMaxRequests && std::chrono::steady_clock::now() < deadline; ++r) {
    writes.push_back(text_write(r));
    refusal = send(writes.back());
    if (writes.back().status != 204) break;
  }
  ASSERT_NE(writes.back().status, 204) << "the store never filled up";
  ASSERT_EQ(writes.back().status, 503) << refusal << "\n" << server->log();
  EXPECT_NE(refusal.find("storage error"), std::string::npos) << refusal;
  const size_t refused = writes.size() - 1;
  std::cout << "store full after " << refused << " acknowledged requests\n";
  set_limit("1");  // the disk is now full

  // The refusal is counted; queries keep working and show every
  // acknowledged sample.
  EXPECT_GT(SelfMetric(*server, "monitor_samples_rejected_total{reason=\"storage_error\"}"), 0);
  const int64_t t_end = kT0 + int64_t{kMaxRequests + 100} * kPerSeries * 1000;
  auto check_acked = [&](const std::string& when) {
    // Pushes get job labels; remote_write and import series have none.
    Stored stored = FetchRaw(*server, "{job=~\"disk.*\"}", kT0, t_end);
    stored.merge(FetchRaw(*server, "{__name__=~\"disk_(rw|import)\"}", kT0, t_end));
    for (const Write& w : writes) {
      if (Is2xx(w.status)) {
        EXPECT_EQ(CountPresent(stored, w.samples), w.samples.size())
            << when << ": acknowledged " << w.name << " lost samples";
      }
    }
  };
  check_acked("while full");

  // While full, every way in answers 503 naming the storage error: the
  // refused push again (a retry must not be taken for a duplicate of, or be
  // out of order with, what the failed attempt put in memory), a new push,
  // remote_write, a /system JSON reading, an import.
  const int64_t t_other = t_end - 1000;
  writes.push_back(text_write(static_cast<int>(refused) + 1));
  {
    ms::remote::WriteRequest req;
    AddSeries(&req, {{"__name__", "disk_rw"}}, t_other, 1.5);
    writes.push_back({"remote_write",
                      "/api/v1/write",
                      "application/x-protobuf",
                      EncodeWriteRequest(req),
                      {{json{{"__name__", "disk_rw"}}.dump(), t_other, 1.5}}});
    json reading = {
        {"hostname", "disk-host"}, {"timestamp_ms", t_other}, {"cpu", {{"percent", 12.5}}}};
    writes.push_back({"json",
                      "/metrics?job=disk_json",
                      "application/json",
                      reading.dump(),
                      {{json{{"__name__", "system_cpu_percent"}}.dump(), t_other, 12.5}}});
    std::string imp;
    std::vector<Expected> imp_samples;
    for (int i = 0; i < 100; ++i) {
      imp += "disk_import{i=\"" + std::to_string(i) + "\"} " + std::to_string(i + 0.25) + " " +
             std::to_string(t_other) + "\n";
      imp_samples.push_back(
          {json{{"__name__", "disk_import"}, {"i", std::to_string(i)}}.dump(), t_other, i + 0.25});
    }
    writes.push_back({"import", "/api/v1/import/prometheus", "text/plain", imp, imp_samples});
  }
  for (size_t i = refused; i < writes.size(); ++i) {
    std::string answer = send(writes[i]);
    EXPECT_EQ(writes[i].status, 503) << writes[i].name << ": " << answer;
    EXPECT_NE(answer.find("storage error"), std::string::npos) << writes[i].name << ": " << answer;
  }
  EXPECT_GE(SelfMetric(*server, "monitor_samples_rejected_total{reason=\"storage_error\"}"),
            2.0 * kSeries * kPerSeries + 1);
  check_acked("while full");

  // Space returns: the server takes writes again, without a restart. Every
  // refused write is retried, as a client does.
  set_limit("unlimited");
  for (Write& w : writes) {
    if (Is2xx(w.status)) continue;
    std::string answer;
    EXPECT_TRUE(testutil::WaitUntil(
        [&] {
          answer = send(w);
          return Is2xx(w.status);
        },
        20s, 200ms))
        << w.name << " still refused after the limit was lifted: " << w.status << " " << answer;
  }
  for (int r = static_cast<int>(refused) + 2; r < static_cast<int>(refused) + 22; ++r) {
    writes.push_back(text_write(r));
    std::string answer = send(writes.back());
    EXPECT_EQ(writes.back().status, 204) << answer;
  }
  ASSERT_TRUE(server->proc().running()) << server->log();
  check_acked("after recovery");
  if (HasFailure()) std::cout << server->log();

  // Everything acknowledged is durable: kill -9 and restart.
  server->proc().Stop(SIGKILL);
  server = testutil::StartServer(dir, dir.File("data"), {}, port);
  ASSERT_TRUE(server->ready()) << server->log();
  check_acked("after kill -9 and restart");
}

}  // namespace
