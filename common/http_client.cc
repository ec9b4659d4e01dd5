#include "common/http_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <mutex>

namespace common {

namespace {
size_t WriteBody(char* ptr, size_t size, size_t nmemb, void* userdata) {
  static_cast<std::string*>(userdata)->append(ptr, size * nmemb);
  return size * nmemb;
}
}  // namespace

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
                                            const std::string& content_type,
                                            double timeout_seconds, const Headers& headers) {
  return Perform("POST", url, &body, content_type, timeout_seconds, headers);
}

Result<HttpClientResponse> HttpClient::Perform(const std::string& method, const std::string& url,
                                               const std::string* body,
                                               const std::string& content_type,
                                               double timeout_seconds, const Headers& headers) {
  CURL* c = static_cast<CURL*>(curl_);
  if (!c) return Status::Internal("curl_easy_init failed");
  curl_easy_reset(c);
  HttpClientResponse resp;
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_seconds * 1000));
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(std::min(timeout_seconds, 5.0) * 1000));
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &WriteBody);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &resp.body);
  curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");  // accept whatever curl can decode
  curl_slist* list = nullptr;
  for (const auto& [k, v] : headers) list = curl_slist_append(list, (k + ": " + v).c_str());
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
