// bench_rw_sink: a minimal remote_write receiver for compare_prometheus.py.
//
// Contract: listens on 127.0.0.1:--port (loopback only). Every POST to any
// path except /stats is read to its end and answered 204, and counted
// (requests, body bytes, per path). With --decode the body is also
// snappy-decompressed and its samples counted (and the highest sample
// timestamp kept) by walking the protobuf wire format, so the bench can
// cross-check what the sender claims it sent; a body that does not decode
// is still answered 204 and counted under decode_errors (the sink must not
// make the sender retry). GET /stats answers the counters as one JSON
// object; SIGTERM/SIGINT print the same object to stdout and exit 0.
//
// It has to stay far cheaper than the senders it measures: no allocation
// per sample, no protobuf library, one atomic add per counter per request,
// and enough worker threads (--threads, default 512) that every keep-alive
// connection of up to 200 shards has its own (a civetweb connection holds
// a worker while open, so fewer threads than shards would throttle the
// sender, not measure it).
#include <snappy.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <string>
#include <string_view>

#include <CLI/CLI.hpp>

#include "common/http_server.h"
#include "common/process.h"

namespace {

struct Counters {
  std::atomic<uint64_t> requests{0}, bytes{0}, raw_bytes{0}, samples{0}, series{0};
  std::atomic<uint64_t> decode_errors{0}, read_errors{0};
  std::atomic<int64_t> max_ts_ms{0};
  std::atomic<int64_t> first_unix_ms{0}, last_unix_ms{0};
};

int64_t NowUnixMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void AtomicMax(std::atomic<int64_t>& a, int64_t v) {
  int64_t cur = a.load(std::memory_order_relaxed);
  while (v > cur && !a.compare_exchange_weak(cur, v, std::memory_order_relaxed)) {
  }
}

// Minimal protobuf wire reader over [p, end): enough to walk WriteRequest
// without materializing it.
struct Wire {
  const uint8_t* p;
  const uint8_t* end;
  bool ok = true;

  uint64_t Varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (p >= end) break;
      const uint8_t b = *p++;
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) return v;
    }
    ok = false;
    return 0;
  }
  // Skips a field of the given wire type; false on malformed input.
  bool Skip(uint32_t type) {
    switch (type) {
      case 0:
        Varint();
        break;
      case 1:
        p += 8;
        break;
      case 2: {
        const uint64_t n = Varint();
        if (n > static_cast<uint64_t>(end - p)) ok = false;
        p += ok ? n : 0;
        break;
      }
      case 5:
        p += 4;
        break;
      default:
        ok = false;
    }
    if (p > end) ok = false;
    return ok;
  }
  // A length-delimited field's contents; advances past it.
  Wire Sub() {
    const uint64_t n = Varint();
    if (!ok || n > static_cast<uint64_t>(end - p)) {
      ok = false;
      return Wire{end, end, false};
    }
    Wire w{p, p + n};
    p += n;
    return w;
  }
};

// Counts the samples of a WriteRequest (field 1: TimeSeries; TimeSeries
// field 2: Sample; Sample field 2: timestamp). False if malformed.
bool CountSamples(std::string_view raw, uint64_t* samples, uint64_t* series, int64_t* max_ts) {
  Wire req{reinterpret_cast<const uint8_t*>(raw.data()),
           reinterpret_cast<const uint8_t*>(raw.data()) + raw.size()};
  while (req.ok && req.p < req.end) {
    const uint64_t key = req.Varint();
    if (key != ((1 << 3) | 2)) {
      if (!req.Skip(static_cast<uint32_t>(key & 7))) return false;
      continue;
    }
    Wire ts = req.Sub();
    ++*series;
    while (ts.ok && ts.p < ts.end) {
      const uint64_t k = ts.Varint();
      if (k != ((2 << 3) | 2)) {
        if (!ts.Skip(static_cast<uint32_t>(k & 7))) return false;
        continue;
      }
      Wire s = ts.Sub();
      ++*samples;
      while (s.ok && s.p < s.end) {
        const uint64_t sk = s.Varint();
        if (sk == ((2 << 3) | 0)) {
          const auto t = static_cast<int64_t>(s.Varint());
          if (t > *max_ts) *max_ts = t;
        } else if (!s.Skip(static_cast<uint32_t>(sk & 7))) {
          return false;
        }
      }
      if (!s.ok) return false;
    }
    if (!ts.ok) return false;
  }
  return req.ok;
}

std::string StatsJson(const Counters& c) {
  char buf[512];
  snprintf(buf, sizeof(buf),
           "{\"requests\":%llu,\"bytes\":%llu,\"raw_bytes\":%llu,\"samples\":%llu,"
           "\"series\":%llu,\"decode_errors\":%llu,\"read_errors\":%llu,\"max_ts_ms\":%lld,"
           "\"first_unix_ms\":%lld,\"last_unix_ms\":%lld}",
           static_cast<unsigned long long>(c.requests.load()),
           static_cast<unsigned long long>(c.bytes.load()),
           static_cast<unsigned long long>(c.raw_bytes.load()),
           static_cast<unsigned long long>(c.samples.load()),
           static_cast<unsigned long long>(c.series.load()),
           static_cast<unsigned long long>(c.decode_errors.load()),
           static_cast<unsigned long long>(c.read_errors.load()),
           static_cast<long long>(c.max_ts_ms.load()),
           static_cast<long long>(c.first_unix_ms.load()),
           static_cast<long long>(c.last_unix_ms.load()));
  return buf;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Minimal remote_write receiver for benchmarks (answers 204, counts)"};
  int port = 0, threads = 512;
  bool decode = false;
  app.add_option("--port", port, "Port on 127.0.0.1 (0: pick one; printed at start)");
  app.add_option("--threads", threads, "Worker threads (one per open connection)")
      ->capture_default_str();
  app.add_flag("--decode", decode, "Decompress and count samples");
  CLI11_PARSE(app, argc, argv);

  common::BlockTerminationSignals();
  Counters c;
  common::HttpServer http;
  http.Handle("/stats", [&](common::HttpRequest&) {
    return common::HttpResponse::Json(200, StatsJson(c) + "\n");
  });
  http.HandlePrefix("/", [&](common::HttpRequest& req) {
    if (req.method() != "POST") return common::HttpResponse::Text(405, "POST only\n");
    // 1 GiB: no real request comes near; the sender must never see a 413.
    auto body = req.ReadAll(size_t{1} << 30);
    if (!body.ok()) {
      c.read_errors.fetch_add(1, std::memory_order_relaxed);
      return common::HttpResponse::Text(400, body.status().ToString());
    }
    const int64_t now = NowUnixMs();
    int64_t zero = 0;
    c.first_unix_ms.compare_exchange_strong(zero, now, std::memory_order_relaxed);
    AtomicMax(c.last_unix_ms, now);
    c.requests.fetch_add(1, std::memory_order_relaxed);
    c.bytes.fetch_add(body->size(), std::memory_order_relaxed);
    if (decode) {
      std::string raw;
      uint64_t samples = 0, series = 0;
      int64_t max_ts = 0;
      if (!snappy::Uncompress(body->data(), body->size(), &raw) ||
          !CountSamples(raw, &samples, &series, &max_ts)) {
        c.decode_errors.fetch_add(1, std::memory_order_relaxed);
      } else {
        c.raw_bytes.fetch_add(raw.size(), std::memory_order_relaxed);
        c.samples.fetch_add(samples, std::memory_order_relaxed);
        c.series.fetch_add(series, std::memory_order_relaxed);
        AtomicMax(c.max_ts_ms, max_ts);
      }
    }
    common::HttpResponse r;
    r.status = 204;
    return r;
  });
  common::HttpServer::Options o;
  o.host = "127.0.0.1";
  o.port = port;
  o.threads = threads;
  if (auto s = http.Start(o); !s.ok()) {
    fprintf(stderr, "bench_rw_sink: %s\n", s.ToString().c_str());
    return 1;
  }
  printf("listening 127.0.0.1:%d\n", http.port());
  fflush(stdout);
  common::WaitForTermination();
  http.Stop();
  printf("%s\n", StatsJson(c).c_str());
  return 0;
}
