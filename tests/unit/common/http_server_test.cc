#include "common/http_server.h"

#include <pthread.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "common/http_client.h"
#include "common/stack_pool.h"
#include "tests/integration/test_util.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

namespace common {
namespace {

using testutil::ConnectLoopback;

// Minimal blocking HTTP/1.0 client for loopback tests.
std::string Fetch(int port, const std::string& request) {
  const int fd = ConnectLoopback(port);
  if (fd < 0) return "";
  (void)!write(fd, request.data(), request.size());
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof(buf))) > 0) out.append(buf, static_cast<size_t>(n));
  close(fd);
  return out;
}

TEST(HttpServerTest, RoutesQueryParamsAndBodyLimit) {
  HttpServer server;
  server.Handle("/exact", [](HttpRequest& r) {
    return HttpResponse::Text(
        200, "q=" + r.QueryParam("q") + ";n=" + std::to_string(r.QueryParams("m").size()));
  });
  server.HandlePrefix("/api/", [](HttpRequest& r) {
    return HttpResponse::Text(200, "prefix:" + std::string(r.path()));
  });
  server.Handle("/upload", [](HttpRequest& r) {
    auto body = r.ReadAll(8);
    if (!body.ok()) return HttpResponse::FromStatus(body.status());
    return HttpResponse::Text(200, "got:" + *body);
  });
  HttpServer::Options opts;
  opts.host = "127.0.0.1";
  opts.port = 0;
  ASSERT_TRUE(server.Start(opts).ok());
  int port = server.port();
  ASSERT_GT(port, 0);

  std::string r = Fetch(port, "GET /exact?q=a%20b+c&m=1&m=2 HTTP/1.0\r\n\r\n");
  EXPECT_NE(r.find("200 OK"), std::string::npos) << r;
  EXPECT_NE(r.find("q=a b c;n=2"), std::string::npos) << r;

  r = Fetch(port, "GET /api/v1/x HTTP/1.0\r\n\r\n");
  EXPECT_NE(r.find("prefix:/api/v1/x"), std::string::npos) << r;

  r = Fetch(port, "GET /nothing HTTP/1.0\r\n\r\n");
  EXPECT_NE(r.find("404"), std::string::npos) << r;

  r = Fetch(port, "POST /upload HTTP/1.0\r\nContent-Length: 5\r\n\r\nhello");
  EXPECT_NE(r.find("got:hello"), std::string::npos) << r;

  r = Fetch(port, "POST /upload HTTP/1.0\r\nContent-Length: 20\r\n\r\n01234567890123456789");
  EXPECT_NE(r.find("413"), std::string::npos) << r;
  EXPECT_NE(r.find("exceeds the limit of 8 bytes"), std::string::npos) << r;
  server.Stop();
}

TEST(HttpServerTest, StreamsChunkedBodies) {
  HttpServer server;
  server.Handle("/stream", [](HttpRequest&) {
    HttpResponse r = HttpResponse::Text(200, "ignored");
    r.stream = [](const BodyWriter& write) {
      for (int i = 0; i < 3; ++i) {
        if (!write("piece" + std::to_string(i) + ";")) return false;
      }
      return write(std::string(70000, 'x'));
    };
    return r;
  });
  HttpServer::Options opts;
  opts.host = "127.0.0.1";
  ASSERT_TRUE(server.Start(opts).ok());
  const std::string body = "piece0;piece1;piece2;" + std::string(70000, 'x');

  // HTTP/1.1: chunked framing, terminated by the zero-size chunk.
  std::string r =
      Fetch(server.port(), "GET /stream HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  size_t head_end = r.find("\r\n\r\n");
  ASSERT_NE(head_end, std::string::npos) << r;
  std::string head = r.substr(0, head_end);
  EXPECT_NE(head.find("Transfer-Encoding: chunked"), std::string::npos) << head;
  EXPECT_EQ(head.find("Content-Length"), std::string::npos) << head;
  std::string decoded;
  size_t pos = head_end + 4;
  bool terminated = false;
  while (pos < r.size()) {
    size_t eol = r.find("\r\n", pos);
    ASSERT_NE(eol, std::string::npos);
    size_t len = std::stoul(r.substr(pos, eol - pos), nullptr, 16);
    if (len == 0) {
      terminated = true;
      break;
    }
    decoded.append(r, eol + 2, len);
    pos = eol + 2 + len + 2;
  }
  EXPECT_TRUE(terminated);
  EXPECT_EQ(decoded, body);

  // HTTP/1.0 knows no chunks: the body comes whole, with its length.
  r = Fetch(server.port(), "GET /stream HTTP/1.0\r\n\r\n");
  EXPECT_NE(r.find("Content-Length: " + std::to_string(body.size())), std::string::npos) << r;
  ASSERT_GE(r.size(), body.size());
  EXPECT_EQ(r.substr(r.size() - body.size()), body);
  server.Stop();
}

// Reads what arrives within timeout_ms (until the peer closes or pauses).
std::string ReadFor(int fd, int timeout_ms) {
  std::string out;
  char buf[4096];
  pollfd p{fd, POLLIN, 0};
  while (poll(&p, 1, timeout_ms) > 0) {
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
    if (out.find("\r\n\r\n") != std::string::npos) break;
  }
  return out;
}

// Regression: a client sending "Expect: 100-continue" (curl, for bodies over
// 1 MB) was never answered and waited for its own timeout (1 s) per request.
TEST(HttpServerTest, AnswersExpectContinue) {
  HttpServer server;
  server.Handle("/upload", [](HttpRequest& r) {
    auto body = r.ReadAll(1 << 20);
    if (!body.ok()) return HttpResponse::FromStatus(body.status());
    return HttpResponse::Text(200, "got:" + *body);
  });
  server.Handle("/refuse", [](HttpRequest&) { return HttpResponse::Text(401, "no\n"); });
  server.Handle("/sink", [](HttpRequest& r) {
    auto body = r.ReadAll(8 << 20);
    if (!body.ok()) return HttpResponse::FromStatus(body.status());
    return HttpResponse::Text(200, "bytes:" + std::to_string(body->size()));
  });
  HttpServer::Options opts;
  opts.host = "127.0.0.1";
  ASSERT_TRUE(server.Start(opts).ok());

  int fd = ConnectLoopback(server.port());
  ASSERT_GE(fd, 0);
  std::string head =
      "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n";
  ASSERT_EQ(write(fd, head.data(), head.size()), static_cast<ssize_t>(head.size()));
  // The interim answer must come before the client sends a byte of body
  // (the bound only keeps a broken server from hanging the test).
  std::string interim = ReadFor(fd, 10000);
  EXPECT_EQ(interim, "HTTP/1.1 100 Continue\r\n\r\n");
  ASSERT_EQ(write(fd, "hello", 5), 5);
  std::string final_answer = ReadFor(fd, 10000);
  EXPECT_NE(final_answer.find("200 OK"), std::string::npos) << final_answer;
  close(fd);

  // A handler that refuses without reading: the final answer comes at once,
  // no 100, and the connection is closed (the body was never sent).
  fd = ConnectLoopback(server.port());
  ASSERT_GE(fd, 0);
  head =
      "POST /refuse HTTP/1.1\r\nHost: x\r\nContent-Length: 5000000\r\nExpect: 100-continue\r\n\r\n";
  ASSERT_EQ(write(fd, head.data(), head.size()), static_cast<ssize_t>(head.size()));
  std::string refusal = ReadFor(fd, 10000);
  EXPECT_EQ(refusal.rfind("HTTP/1.1 401", 0), 0u) << refusal;
  EXPECT_NE(refusal.find("Connection: close"), std::string::npos) << refusal;
  close(fd);

  // curl itself, with a body over its 1 MB threshold: it is told to go on,
  // and it is answered at once when refused.
  std::string file = testing::TempDir() + "/expect_body";
  {
    std::string big(3 << 20, 'a');
    FILE* f = fopen(file.c_str(), "w");
    ASSERT_NE(f, nullptr);
    fwrite(big.data(), 1, big.size(), f);
    fclose(f);
  }
  auto curl = [&](const std::string& path) {
    std::string cmd = "curl -sv --data-binary @" + file +
                      " http://127.0.0.1:" + std::to_string(server.port()) + path + " 2>&1";
    FILE* p = popen(cmd.c_str(), "r");
    std::string out;
    if (p == nullptr) return out;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), p)) > 0) out.append(buf, n);
    pclose(p);
    return out;
  };
  std::string out = curl("/sink");
  EXPECT_NE(out.find("Expect: 100-continue"), std::string::npos) << out;
  EXPECT_NE(out.find("< HTTP/1.1 100 Continue"), std::string::npos) << out;
  EXPECT_NE(out.find("bytes:" + std::to_string(3 << 20)), std::string::npos) << out;
  out = curl("/refuse");
  EXPECT_NE(out.find("< HTTP/1.1 401"), std::string::npos) << out;
  remove(file.c_str());
  server.Stop();
}

// A client that closes its connection mid-request shows through
// ClientGone(), so the work for it can stop; one that stays (even with a
// pipelined next request waiting) does not.
TEST(HttpServerTest, ClientGoneOnlyWhenTheClientCloses) {
  HttpServer server;
  std::atomic<int> outcome{-1};  // -1 running, 0 client still there, 1 gone
  server.Handle("/wait", [&](HttpRequest& r) {
    const std::atomic<bool>* gone = r.ClientGone();
    // Bounded: 20 s at most; the client closes after 300 ms.
    for (int i = 0; i < 2000 && !gone->load(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    outcome = gone->load() ? 1 : 0;
    return HttpResponse::Text(200, "done");
  });
  server.Handle("/hold", [&](HttpRequest& r) {
    const std::atomic<bool>* gone = r.ClientGone();
    std::this_thread::sleep_for(std::chrono::milliseconds(600));  // several watch periods
    return HttpResponse::Text(200, gone->load() ? "gone=1" : "gone=0");
  });
  server.Handle("/exact", [](HttpRequest&) { return HttpResponse::Text(200, "second"); });
  HttpServer::Options opts;
  opts.host = "127.0.0.1";
  ASSERT_TRUE(server.Start(opts).ok());

  int fd = ConnectLoopback(server.port());
  ASSERT_GE(fd, 0);
  const std::string req = "GET /wait HTTP/1.1\r\nHost: x\r\n\r\n";
  ASSERT_EQ(write(fd, req.data(), req.size()), static_cast<ssize_t>(req.size()));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  close(fd);
  for (int i = 0; i < 3000 && outcome.load() < 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(outcome.load(), 1) << "the handler did not see the client go";

  const std::string out = Fetch(server.port(),
                                "GET /hold HTTP/1.1\r\nHost: x\r\n\r\n"
                                "GET /exact HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_NE(out.find("gone=0"), std::string::npos) << out;
  EXPECT_NE(out.find("second"), std::string::npos) << out;
  server.Stop();
}

TEST(HttpServerTest, StartFailsWhenPortTaken) {
  HttpServer a, b;
  HttpServer::Options opts;
  opts.host = "127.0.0.1";
  ASSERT_TRUE(a.Start(opts).ok());
  opts.port = a.port();
  Status s = b.Start(opts);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("cannot listen"), std::string::npos) << s.ToString();
}

// Handlers run on the pool's stacks when asked: a handler using 4 MiB of
// stack would overflow civetweb's own workers.
TEST(HttpServerTest, HandlersRunOnLargeStacksWhenAsked) {
  HttpServer server;
  server.Handle("/stack", [](HttpRequest&) {
    pthread_attr_t attr;
    size_t size = 0;
    pthread_getattr_np(pthread_self(), &attr);
    pthread_attr_getstacksize(&attr, &size);
    pthread_attr_destroy(&attr);
    volatile char big[4 << 20];  // touches 4 MiB of stack
    big[0] = 1;
    big[sizeof(big) - 1] = 1;
    return HttpResponse::Text(200, std::to_string(size));
  });
  HttpServer::Options o;
  o.host = "127.0.0.1";
  o.threads = 2;
  o.handler_stack_bytes = 16 << 20;
  ASSERT_TRUE(server.Start(o).ok());
  HttpClient c;
  for (int i = 0; i < 4; ++i) {
    auto r = c.Get("http://127.0.0.1:" + std::to_string(server.port()) + "/stack", 10);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_EQ(r->status, 200);
    EXPECT_GE(std::stoull(r->body), size_t{16} << 20);
  }
}

TEST(StackPoolTest, RunsEachTaskOnceAndWaitsForIt) {
  StackPool pool(3, 1 << 20);
  std::atomic<int> ran{0};
  std::vector<std::thread> callers;
  for (int i = 0; i < 8; ++i) {
    callers.emplace_back([&] {
      for (int k = 0; k < 100; ++k) {
        int before = ran.load();
        pool.Run([&] { ran.fetch_add(1); });
        EXPECT_GT(ran.load(), before);  // Run returned after the task ran
      }
    });
  }
  for (auto& t : callers) t.join();
  EXPECT_EQ(ran.load(), 800);
}

TEST(UrlEncodingTest, DecodesPercentAndPlus) {
  auto kv = ParseUrlEncoded("query=rate(x%5B5m%5D)&a=&b&c=1+2");
  ASSERT_EQ(kv.size(), 4u);
  EXPECT_EQ(kv[0].second, "rate(x[5m])");
  EXPECT_EQ(kv[1].second, "");
  EXPECT_EQ(kv[2].first, "b");
  EXPECT_EQ(kv[3].second, "1 2");
  EXPECT_EQ(UrlDecode("%zz%4", false), "%zz%4");
}

}  // namespace
}  // namespace common
