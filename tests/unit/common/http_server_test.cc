#include "common/http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

namespace common {
namespace {

// Minimal blocking HTTP/1.0 client for loopback tests.
std::string Fetch(int port, const std::string& request) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return "";
  }
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
