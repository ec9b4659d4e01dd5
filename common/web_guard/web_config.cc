#include "common/web_guard/web_config.h"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "common/config_files.h"

namespace common {

namespace {

// Every key of a mapping must be one of allowed (Go's yaml.UnmarshalStrict).
Status CheckKeys(const YAML::Node& node, const std::string& where,
                 const std::set<std::string>& allowed) {
  if (!node.IsMap()) return Status::InvalidArgument(where + ": must be a mapping");
  for (const auto& kv : node) {
    std::string key = kv.first.as<std::string>();
    if (!allowed.count(key)) {
      return Status::InvalidArgument(where + ": field " + key + " not found");
    }
  }
  return Status::OK();
}

Result<std::string> Scalar(const YAML::Node& node, const std::string& name) {
  if (!node) return std::string();
  if (node.IsNull()) return std::string();
  if (!node.IsScalar()) return Status::InvalidArgument(name + ": must be a string");
  return node.as<std::string>();
}

Result<std::vector<std::string>> List(const YAML::Node& node, const std::string& name) {
  std::vector<std::string> out;
  if (!node || node.IsNull()) return out;
  if (!node.IsSequence()) return Status::InvalidArgument(name + ": must be a list");
  for (const auto& item : node) {
    if (!item.IsScalar()) return Status::InvalidArgument(name + ": items must be strings");
    out.push_back(item.as<std::string>());
  }
  return out;
}

Result<int> TlsVersion(const std::string& name, const std::string& field) {
  static const std::map<std::string, int> kVersions = {
      {"TLS10", 0x0301}, {"TLS11", 0x0302}, {"TLS12", 0x0303}, {"TLS13", 0x0304}};
  auto it = kVersions.find(name);
  if (it == kVersions.end()) {
    return Status::InvalidArgument(field + ": unknown TLS version: " + name);
  }
  return it->second;
}

Result<ClientAuth> ParseClientAuth(const std::string& name) {
  static const std::map<std::string, ClientAuth> kTypes = {
      {"", ClientAuth::kNoClientCert},
      {"NoClientCert", ClientAuth::kNoClientCert},
      {"RequestClientCert", ClientAuth::kRequestClientCert},
      {"RequireAnyClientCert", ClientAuth::kRequireAnyClientCert},
      {"RequireClientCert", ClientAuth::kRequireAnyClientCert},
      {"VerifyClientCertIfGiven", ClientAuth::kVerifyClientCertIfGiven},
      {"RequireAndVerifyClientCert", ClientAuth::kRequireAndVerifyClientCert}};
  auto it = kTypes.find(name);
  if (it == kTypes.end()) {
    return Status::InvalidArgument("invalid ClientAuth: " + name);
  }
  return it->second;
}

// Go's curve names to OpenSSL's group names.
Result<std::string> Curve(const std::string& name) {
  static const std::map<std::string, std::string> kCurves = {
      {"CurveP256", "P-256"}, {"CurveP384", "P-384"}, {"CurveP521", "P-521"}, {"X25519", "X25519"}};
  auto it = kCurves.find(name);
  if (it == kCurves.end()) return Status::InvalidArgument("unknown curve: " + name);
  return it->second;
}

// Go's crypto/tls names of the cipher suites it implements for TLS 1.0-1.2
// (TLS 1.3's are not configurable there either).
const std::set<std::string>& KnownCipherSuites() {
  static const std::set<std::string> kSuites = {
      "TLS_RSA_WITH_AES_128_CBC_SHA",
      "TLS_RSA_WITH_AES_256_CBC_SHA",
      "TLS_RSA_WITH_AES_128_GCM_SHA256",
      "TLS_RSA_WITH_AES_256_GCM_SHA384",
      "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
      "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
      "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
      "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
      "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
      "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
      "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
      "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
      "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
      "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
      "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305",
      "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305",
  };
  return kSuites;
}

Status ParseTls(const YAML::Node& node, const std::string& base_dir, WebConfig* out) {
  if (!node || node.IsNull()) return Status::OK();
  if (auto s = CheckKeys(
          node, "tls_server_config",
          {"cert_file", "key_file", "client_auth_type", "client_ca_file", "cipher_suites",
           "curve_preferences", "min_version", "max_version", "prefer_server_cipher_suites"});
      !s.ok()) {
    return s;
  }
  TlsServerConfig& t = out->tls_server;
  auto cert = Scalar(node["cert_file"], "cert_file");
  auto key = Scalar(node["key_file"], "key_file");
  auto auth = Scalar(node["client_auth_type"], "client_auth_type");
  auto ca = Scalar(node["client_ca_file"], "client_ca_file");
  for (const auto* r : {&cert, &key, &auth, &ca}) {
    if (!r->ok()) return r->status();
  }
  // The toolkit serves plain HTTP when tls_server_config names neither file.
  if (cert->empty() && key->empty()) {
    if (!ca->empty() || !auth->empty()) {
      return Status::InvalidArgument("tls_server_config: missing cert_file");
    }
    return Status::OK();
  }
  if (cert->empty()) return Status::InvalidArgument("tls_server_config: missing cert_file");
  if (key->empty()) return Status::InvalidArgument("tls_server_config: missing key_file");
  t.cert_file = ResolveConfigPath(*cert, base_dir);
  t.key_file = ResolveConfigPath(*key, base_dir);
  t.client_ca_file = ResolveConfigPath(*ca, base_dir);
  auto client_auth = ParseClientAuth(*auth);
  if (!client_auth.ok()) return client_auth.status();
  t.client_auth = *client_auth;
  if (!t.client_ca_file.empty() && t.client_auth == ClientAuth::kNoClientCert) {
    return Status::InvalidArgument("Client CA's have been configured without a Client Auth Policy");
  }
  if (t.client_ca_file.empty() && (t.client_auth == ClientAuth::kVerifyClientCertIfGiven ||
                                   t.client_auth == ClientAuth::kRequireAndVerifyClientCert)) {
    return Status::InvalidArgument("tls_server_config: client_auth_type " + *auth +
                                   " needs a client_ca_file");
  }
  for (const char* field : {"min_version", "max_version"}) {
    auto v = Scalar(node[field], field);
    if (!v.ok()) return v.status();
    if (v->empty()) continue;
    auto version = TlsVersion(*v, field);
    if (!version.ok()) return version.status();
    (std::string(field) == "min_version" ? t.min_version : t.max_version) = *version;
  }
  if (t.max_version != 0 && t.max_version < t.min_version) {
    return Status::InvalidArgument("tls_server_config: max_version is below min_version");
  }
  auto suites = List(node["cipher_suites"], "cipher_suites");
  if (!suites.ok()) return suites.status();
  for (const auto& s : *suites) {
    if (!KnownCipherSuites().count(s)) {
      return Status::InvalidArgument("cipher_suites: unknown cipher: " + s);
    }
    t.cipher_suites.push_back(s);
  }
  auto curves = List(node["curve_preferences"], "curve_preferences");
  if (!curves.ok()) return curves.status();
  for (const auto& c : *curves) {
    auto group = Curve(c);
    if (!group.ok()) return group.status();
    t.curve_preferences.push_back(*group);
  }
  if (node["prefer_server_cipher_suites"] && !node["prefer_server_cipher_suites"].IsNull()) {
    auto v = Scalar(node["prefer_server_cipher_suites"], "prefer_server_cipher_suites");
    if (!v.ok() || (*v != "true" && *v != "false")) {
      return Status::InvalidArgument("prefer_server_cipher_suites: must be true or false");
    }
  }
  out->tls = true;
  return Status::OK();
}

Status ParseHttp(const YAML::Node& node, WebConfig* out) {
  if (!node || node.IsNull()) return Status::OK();
  if (auto s = CheckKeys(node, "http_server_config", {"http2", "headers"}); !s.ok()) return s;
  if (node["http2"] && !node["http2"].IsNull()) {
    auto v = Scalar(node["http2"], "http2");
    if (!v.ok() || (*v != "true" && *v != "false")) {
      return Status::InvalidArgument("http2: must be true or false");
    }
  }
  const YAML::Node headers = node["headers"];
  if (!headers || headers.IsNull()) return Status::OK();
  if (!headers.IsMap()) return Status::InvalidArgument("headers: must be a mapping");
  static const std::set<std::string> kAllowed = {"Strict-Transport-Security",
                                                 "X-Content-Type-Options", "X-Frame-Options",
                                                 "X-XSS-Protection", "Content-Security-Policy"};
  for (const auto& kv : headers) {
    std::string name = kv.first.as<std::string>();
    if (!kAllowed.count(name)) {
      return Status::InvalidArgument("HTTP header " + name + " can not be configured");
    }
    auto value = Scalar(kv.second, name);
    if (!value.ok()) return value.status();
    std::string lower = *value;
    std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
    if (name == "X-Content-Type-Options" && lower != "nosniff") {
      return Status::InvalidArgument("invalid value for " + name +
                                     ". Expected one of: [\"nosniff\"], but got: \"" + *value +
                                     "\"");
    }
    if (name == "X-Frame-Options" && lower != "deny" && lower != "sameorigin") {
      return Status::InvalidArgument("invalid value for " + name +
                                     ". Expected one of: [\"deny\" \"sameorigin\"], but got: \"" +
                                     *value + "\"");
    }
    out->headers.emplace_back(name, *value);
  }
  return Status::OK();
}

Status ParseUsers(const YAML::Node& node, WebConfig* out) {
  if (!node || node.IsNull()) return Status::OK();
  if (!node.IsMap()) return Status::InvalidArgument("basic_auth_users: must be a mapping");
  for (const auto& kv : node) {
    std::string user = kv.first.as<std::string>();
    auto hash = Scalar(kv.second, "basic_auth_users." + user);
    if (!hash.ok()) return hash.status();
    out->basic_auth_users[user] = *hash;
  }
  return Status::OK();
}

}  // namespace

Result<WebConfig> ParseWebConfig(const std::string& yaml, const std::string& base_dir) {
  YAML::Node root;
  try {
    root = YAML::Load(yaml);
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(std::string("yaml: ") + e.what());
  }
  WebConfig config;
  if (!root || root.IsNull()) return config;  // an empty file: plain HTTP, no auth
  try {
    if (auto s = CheckKeys(root, "web config",
                           {"tls_server_config", "http_server_config", "basic_auth_users"});
        !s.ok()) {
      return s;
    }
    if (auto s = ParseTls(root["tls_server_config"], base_dir, &config); !s.ok()) return s;
    if (auto s = ParseHttp(root["http_server_config"], &config); !s.ok()) return s;
    if (auto s = ParseUsers(root["basic_auth_users"], &config); !s.ok()) return s;
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(std::string("yaml: ") + e.what());
  }
  return config;
}

Result<WebConfig> LoadWebConfigFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::InvalidArgument(path + ": cannot read the web config file");
  std::stringstream text;
  text << in.rdbuf();
  auto config = ParseWebConfig(text.str(), ConfigDir(path));
  if (!config.ok()) return Status::InvalidArgument(path + ": " + config.status().message());
  return config;
}

}  // namespace common
