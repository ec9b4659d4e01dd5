#include "common/http_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <string_view>
#include <fstream>
#include <functional>
#include <mutex>
#include <sstream>

namespace common {

namespace {
// Keeps the Retry-After header; the others are not needed.
size_t ReadHeader(char* ptr, size_t size, size_t nitems, void* userdata) {
  const size_t n = size * nitems;
  std::string_view line(ptr, n);
  constexpr std::string_view kName = "retry-after:";
  if (line.size() > kName.size() &&
      std::equal(kName.begin(), kName.end(), line.begin(),
                 [](char a, char b) { return a == std::tolower(static_cast<unsigned char>(b)); })) {
    std::string_view v = line.substr(kName.size());
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
    while (!v.empty() && (v.back() == '\r' || v.back() == '\n' || v.back() == ' ')) {
      v.remove_suffix(1);
    }
    static_cast<HttpClientResponse*>(userdata)->retry_after = std::string(v);
  }
  return n;
}

size_t WriteBody(char* ptr, size_t size, size_t nmemb, void* userdata) {
  static_cast<std::string*>(userdata)->append(ptr, size * nmemb);
  return size * nmemb;
}
// A secret file's content, trimmed as Prometheus trims it.
Result<std::string> ReadSecret(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::Unavailable("cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string v = ss.str();
  size_t b = v.find_first_not_of(" \t\r\n"), e = v.find_last_not_of(" \t\r\n");
  return b == std::string::npos ? std::string() : v.substr(b, e - b + 1);
}
// A secret given inline or, when file is set, read from it.
Result<std::string> SecretOf(const std::string& value, const std::string& file) {
  if (file.empty()) return value;
  return ReadSecret(file);
}
}  // namespace

std::string HttpClientConfig::Key() const {
  auto h = [](const std::string& s) { return std::to_string(std::hash<std::string>{}(s)); };
  return tls.ca_file + "|" + tls.cert_file + "|" + tls.key_file + "|" + tls.server_name + "|" +
         (tls.insecure_skip_verify ? "1" : "0") + "|" + username + "|" + h(password) + "|" +
         password_file + "|" + authorization_type + "|" + h(credentials) + "|" + credentials_file;
}

HttpClient::HttpClient() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  curl_ = curl_easy_init();
}

HttpClient::~HttpClient() { curl_easy_cleanup(static_cast<CURL*>(curl_)); }

Result<HttpClientResponse> HttpClient::Get(const std::string& url, double timeout_seconds,
                                           const Headers& headers) {
  return Perform("GET", url, nullptr, "", timeout_seconds, headers);
}

Result<HttpClientResponse> HttpClient::Post(const std::string& url, const std::string& body,
                                            const std::string& content_type, double timeout_seconds,
                                            const Headers& headers) {
  return Perform("POST", url, &body, content_type, timeout_seconds, headers);
}

Result<HttpClientResponse> HttpClient::Perform(const std::string& method, const std::string& url,
                                               const std::string* body,
                                               const std::string& content_type,
                                               double timeout_seconds, const Headers& headers) {
  CURL* c = static_cast<CURL*>(curl_);
  if (!c) return Status::Internal("curl_easy_init failed");
  // Secrets first: a file that cannot be read fails the request before
  // anything is set up.
  auto password = config_.username.empty() ? Result<std::string>(std::string())
                                           : SecretOf(config_.password, config_.password_file);
  if (!password.ok()) return password.status();
  auto credentials = SecretOf(config_.credentials, config_.credentials_file);
  if (!credentials.ok()) return credentials.status();
  curl_easy_reset(c);
  HttpClientResponse resp;
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_seconds * 1000));
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(std::min(timeout_seconds, 5.0) * 1000));
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &WriteBody);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &resp.body);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, &ReadHeader);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &resp);
  curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");  // accept whatever curl can decode
  // TLS (curl verifies the server against the system CAs by default).
  const HttpClientConfig::Tls& tls = config_.tls;
  if (!tls.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, tls.ca_file.c_str());
  if (!tls.cert_file.empty()) curl_easy_setopt(c, CURLOPT_SSLCERT, tls.cert_file.c_str());
  if (!tls.key_file.empty()) curl_easy_setopt(c, CURLOPT_SSLKEY, tls.key_file.c_str());
  if (tls.insecure_skip_verify) {
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  std::string request_url = url;
  curl_slist* connect_to = nullptr;
  if (!tls.server_name.empty()) {
    // Verify (and send SNI) for server_name while connecting to the URL's
    // host: ask for https://<server_name>:<port>/... and route that name to
    // the real host.
    CURLU* u = curl_url();
    char *host = nullptr, *port = nullptr;
    if (curl_url_set(u, CURLUPART_URL, url.c_str(), 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK &&
        curl_url_set(u, CURLUPART_HOST, tls.server_name.c_str(), 0) == CURLUE_OK) {
      char* rewritten = nullptr;
      if (curl_url_get(u, CURLUPART_URL, &rewritten, 0) == CURLUE_OK) {
        request_url = rewritten;
        curl_free(rewritten);
        connect_to = curl_slist_append(
            connect_to, (tls.server_name + ":" + port + ":" + host + ":" + port).c_str());
        curl_easy_setopt(c, CURLOPT_CONNECT_TO, connect_to);
      }
    }
    curl_free(host);
    curl_free(port);
    curl_url_cleanup(u);
  }
  curl_easy_setopt(c, CURLOPT_URL, request_url.c_str());
  curl_slist* list = nullptr;
  for (const auto& [k, v] : headers) list = curl_slist_append(list, (k + ": " + v).c_str());
  // Credentials (the secrets were read above).
  if (!config_.username.empty()) {
    curl_easy_setopt(c, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
    curl_easy_setopt(c, CURLOPT_USERNAME, config_.username.c_str());
    curl_easy_setopt(c, CURLOPT_PASSWORD, password->c_str());
  }
  if (!credentials->empty()) {
    std::string type = config_.authorization_type.empty() ? "Bearer" : config_.authorization_type;
    list = curl_slist_append(list, ("Authorization: " + type + " " + *credentials).c_str());
  }
  if (body) {
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body->data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body->size()));
    list = curl_slist_append(list, ("Content-Type: " + content_type).c_str());
    list = curl_slist_append(list, "Expect:");  // no 100-continue round trip
  }
  if (list) curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
  (void)method;
  CURLcode rc = curl_easy_perform(c);
  if (list) curl_slist_free_all(list);
  if (connect_to) curl_slist_free_all(connect_to);
  if (rc != CURLE_OK) {
    return Status::Unavailable(std::string(method) + " " + url + ": " + curl_easy_strerror(rc));
  }
  long code = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
  resp.status = static_cast<int>(code);
  char* ct = nullptr;
  curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ct);
  if (ct) resp.content_type = ct;
  return resp;
}

}  // namespace common
