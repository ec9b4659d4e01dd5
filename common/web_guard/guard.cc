#include "common/web_guard/abi.h"

#include <crypt.h>
#include <dlfcn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <vector>

#include "common/constant_time.h"
#include "common/web_guard/web_config.h"

namespace common {

namespace {

ms_web_guard_log_fn g_log = nullptr;  // set by ms_web_guard_open

void LogInfo(const std::string& msg) {
  if (g_log) g_log(0, msg.c_str());
}
void LogError(const std::string& msg) {
  if (g_log) g_log(1, msg.c_str());
}

// Loads the two civetweb shims (SONAMEs libssl.so and libcrypto.so; see
// libssl_shim.cc), which sit beside this plugin. Once.
Status LoadCivetwebTlsShims() {
  static const Status status = [] {
    Dl_info self{};
    if (!dladdr(reinterpret_cast<void*>(&LoadCivetwebTlsShims), &self) || !self.dli_fname) {
      return Status::InvalidArgument("TLS: cannot locate libms-web-guard.so");
    }
    std::string dir(self.dli_fname);
    dir = dir.substr(0, dir.rfind('/'));
    for (const char* name : {"/libcivetweb-libcrypto.so", "/libcivetweb-libssl.so"}) {
      if (!dlopen((dir + name).c_str(), RTLD_NOW | RTLD_GLOBAL)) {
        const char* e = dlerror();
        return Status::InvalidArgument(std::string("TLS: cannot load ") + dir + name + ": " +
                                       (e ? e : "unknown error"));
      }
    }
    return Status::OK();
  }();
  return status;
}

std::string OpenSslError() {
  unsigned long e = ERR_get_error();
  if (e == 0) return "unknown OpenSSL error";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  ERR_clear_error();
  return buf;
}

// The certificates and keys a TLS configuration names, loaded.
struct TlsMaterial {
  X509* cert = nullptr;
  std::vector<X509*> chain;
  EVP_PKEY* key = nullptr;
  X509_STORE* client_cas = nullptr;
  std::string cipher_list;  // OpenSSL names, ':'-joined; empty: library default
  std::string groups;       // ':'-joined; empty: library default

  ~TlsMaterial() {
    if (cert) X509_free(cert);
    for (X509* x : chain) X509_free(x);
    if (key) EVP_PKEY_free(key);
    if (client_cas) X509_STORE_free(client_cas);
  }
};

// Every certificate of a PEM file, in order.
Result<std::vector<X509*>> ReadCertificates(const std::string& path) {
  BIO* bio = BIO_new_file(path.c_str(), "r");
  if (!bio) return Status::InvalidArgument(path + ": " + OpenSslError());
  std::vector<X509*> out;
  while (X509* x = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)) out.push_back(x);
  ERR_clear_error();  // the end of the file reads as an error
  BIO_free(bio);
  if (out.empty()) return Status::InvalidArgument(path + ": no PEM certificate in the file");
  return out;
}

Result<std::shared_ptr<TlsMaterial>> LoadTls(const TlsServerConfig& t) {
  if (auto s = LoadCivetwebTlsShims(); !s.ok()) return s;
  auto m = std::make_shared<TlsMaterial>();
  auto certs = ReadCertificates(t.cert_file);
  if (!certs.ok()) return certs.status();
  m->cert = (*certs)[0];
  m->chain.assign(certs->begin() + 1, certs->end());
  BIO* bio = BIO_new_file(t.key_file.c_str(), "r");
  if (!bio) return Status::InvalidArgument(t.key_file + ": " + OpenSslError());
  m->key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (!m->key) return Status::InvalidArgument(t.key_file + ": " + OpenSslError());
  if (X509_check_private_key(m->cert, m->key) != 1) {
    ERR_clear_error();
    return Status::InvalidArgument(t.key_file + ": the key does not match " + t.cert_file);
  }
  if (!t.client_ca_file.empty()) {
    auto cas = ReadCertificates(t.client_ca_file);
    if (!cas.ok()) return cas.status();
    m->client_cas = X509_STORE_new();
    for (X509* x : *cas) {
      X509_STORE_add_cert(m->client_cas, x);
      X509_free(x);
    }
  }
  for (std::string name : t.cipher_suites) {
    // Go's short aliases of the ChaCha20 suites.
    if (name.size() > 17 && name.compare(name.size() - 17, 17, "CHACHA20_POLY1305") == 0) {
      name += "_SHA256";
    }
    const char* ossl = OPENSSL_cipher_name(name.c_str());
    if (!ossl || std::string(ossl) == "(NONE)") {
      return Status::InvalidArgument("cipher_suites: OpenSSL does not have " + name);
    }
    m->cipher_list += (m->cipher_list.empty() ? "" : ":") + std::string(ossl);
  }
  for (const auto& g : t.curve_preferences) m->groups += (m->groups.empty() ? "" : ":") + g;
  return m;
}

std::string Base64Decode(std::string_view in) {
  auto value = [](char ch) -> int {
    if (ch >= 'A' && ch <= 'Z') return ch - 'A';
    if (ch >= 'a' && ch <= 'z') return ch - 'a' + 26;
    if (ch >= '0' && ch <= '9') return ch - '0' + 52;
    if (ch == '+') return 62;
    if (ch == '/') return 63;
    return -1;
  };
  std::string out;
  int bits = 0, acc = 0;
  for (char ch : in) {
    if (ch == '=') break;
    int v = value(ch);
    if (v < 0) return {};
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  return out;
}

// A bcrypt hash no password matches in practice, run for unknown users.
constexpr const char* kDummyHash = "$2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi";
// Verified credentials remembered; the set is emptied when full.
constexpr size_t kMaxCachedCredentials = 1024;

}  // namespace

// What --web.config.file asks of a server at run time; see common/web_guard.h
// for the contract. Thread-safe.
class Guard {
 public:
  static Result<std::unique_ptr<Guard>> Open(const std::string& path);
  ~Guard();
  bool tls() const;
  void* NewSslContext(std::string* error);
  bool Authorize(std::string_view authorization_header, std::string* user);
  std::vector<std::pair<std::string, std::string>> Headers();
  // Re-reads the file now if it changed; the error of a failed reload (the
  // old settings stay).
  Status ReloadIfChanged();
  // The settings in force, after a reload check at most once a second (also
  // used by each TLS handshake).
  struct State;
  std::shared_ptr<const State> Current();

 private:
  Guard() = default;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

struct Guard::State {
  WebConfig config;
  std::shared_ptr<TlsMaterial> tls;  // set when config.tls
};

namespace {
// What stat says of a file's content ("-" when it cannot be read): a change
// of it means the file was rewritten or replaced.
std::string FileStamp(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) return "-";
  return std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino) + ":" +
         std::to_string(st.st_size) + ":" + std::to_string(st.st_mtim.tv_sec) + "." +
         std::to_string(st.st_mtim.tv_nsec);
}

// The stamps of the config file and of the certificate files it names: a
// renewed certificate (certbot replacing cert_file) reloads like an edited
// config.
std::string Stamps(const std::string& path, const WebConfig* config) {
  std::string out = FileStamp(path);
  if (config && config->tls) {
    const TlsServerConfig& t = config->tls_server;
    for (const std::string* f : {&t.cert_file, &t.key_file, &t.client_ca_file}) {
      if (!f->empty()) out += "|" + FileStamp(*f);
    }
  }
  return out;
}
}  // namespace

struct Guard::Impl {
  std::string path;
  bool tls = false;
  std::mutex mu;
  std::shared_ptr<const State> state;  // guarded by mu
  std::string stamps;                  // guarded by mu: Stamps() when last loaded
  std::atomic<int64_t> next_check_ms{0};
  std::mutex cache_mu;
  std::set<std::string> verified;  // guarded by cache_mu: SHA-256 digests

  static Result<std::shared_ptr<const State>> Load(const std::string& path) {
    auto config = LoadWebConfigFile(path);
    if (!config.ok()) return config.status();
    auto state = std::make_shared<State>();
    state->config = std::move(*config);
    if (state->config.tls) {
      auto m = LoadTls(state->config.tls_server);
      if (!m.ok()) return Status::InvalidArgument(path + ": " + m.status().message());
      state->tls = *m;
    }
    return std::shared_ptr<const State>(std::move(state));
  }
};

Result<std::unique_ptr<Guard>> Guard::Open(const std::string& path) {
  std::unique_ptr<Guard> g(new Guard());
  g->impl_ = std::make_unique<Impl>();
  g->impl_->path = path;
  auto state = Impl::Load(path);
  if (!state.ok()) return state.status();
  g->impl_->state = *state;
  g->impl_->stamps = Stamps(path, &(*state)->config);
  g->impl_->tls = (*state)->config.tls;
  return g;
}

Guard::~Guard() = default;

bool Guard::tls() const { return impl_->tls; }

Status Guard::ReloadIfChanged() {
  std::string now;
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    now = Stamps(impl_->path, &impl_->state->config);
    if (now == impl_->stamps) return Status::OK();
  }
  if (now.substr(0, 2) == "-|" || now == "-") {
    std::lock_guard<std::mutex> lock(impl_->mu);
    impl_->stamps = now;  // reported once
    return Status::IOError(impl_->path + ": cannot read the web config file; keeping the last");
  }
  auto state = Impl::Load(impl_->path);
  std::lock_guard<std::mutex> lock(impl_->mu);
  // A bad file is reported once, not on every request.
  impl_->stamps = state.ok() ? Stamps(impl_->path, &(*state)->config) : now;
  if (!state.ok()) return state.status();
  if ((*state)->config.tls != impl_->tls) {
    return Status::InvalidArgument(impl_->path +
                                   ": turning TLS on or off needs a restart; keeping the last");
  }
  impl_->state = *state;
  {
    std::lock_guard<std::mutex> cache_lock(impl_->cache_mu);
    impl_->verified.clear();
  }
  LogInfo("reloaded web config " + impl_->path);
  return Status::OK();
}

std::shared_ptr<const Guard::State> Guard::Current() {
  int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::steady_clock::now().time_since_epoch())
                    .count();
  int64_t next = impl_->next_check_ms.load();
  if (now >= next && impl_->next_check_ms.compare_exchange_strong(next, now + 1000)) {
    if (auto s = ReloadIfChanged(); !s.ok()) LogError("web config: " + s.message());
  }
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->state;
}

std::vector<std::pair<std::string, std::string>> Guard::Headers() {
  return Current()->config.headers;
}

bool Guard::Authorize(std::string_view authorization, std::string* authenticated) {
  auto state = Current();
  const auto& users = state->config.basic_auth_users;
  if (users.empty()) return true;
  constexpr std::string_view kBasic = "Basic ";
  if (authorization.size() <= kBasic.size() || authorization.substr(0, kBasic.size()) != kBasic) {
    return false;
  }
  std::string decoded = Base64Decode(authorization.substr(kBasic.size()));
  size_t colon = decoded.find(':');
  if (colon == std::string::npos) return false;
  std::string user = decoded.substr(0, colon), password = decoded.substr(colon + 1);
  auto it = users.find(user);
  const std::string& hash = it != users.end() ? it->second : std::string(kDummyHash);
  std::string material = user + '\0' + hash + '\0' + password;
  unsigned char digest[32];
  unsigned int len = 0;
  EVP_Digest(material.data(), material.size(), digest, &len, EVP_sha256(), nullptr);
  std::string key(reinterpret_cast<char*>(digest), len);
  {
    std::lock_guard<std::mutex> lock(impl_->cache_mu);
    if (it != users.end() && impl_->verified.count(key)) {
      *authenticated = user;
      return true;
    }
  }
  auto data = std::make_unique<crypt_data>();
  const char* out = crypt_r(password.c_str(), hash.c_str(), data.get());
  bool ok = out != nullptr && out[0] != '*' && ConstantTimeEquals(out, hash) && it != users.end();
  if (ok) {
    *authenticated = user;
    std::lock_guard<std::mutex> lock(impl_->cache_mu);
    if (impl_->verified.size() >= kMaxCachedCredentials) impl_->verified.clear();
    impl_->verified.insert(key);
  }
  return ok;
}

namespace {

// Applies the guard's current TLS settings to a connection, before the
// handshake negotiates anything.
int OnClientHello(SSL* ssl, int* alert, void* arg) {
  auto* guard = static_cast<Guard*>(arg);
  auto state = guard->Current();
  const TlsServerConfig& t = state->config.tls_server;
  const TlsMaterial& m = *state->tls;
  bool ok = SSL_use_certificate(ssl, m.cert) == 1 && SSL_use_PrivateKey(ssl, m.key) == 1;
  SSL_clear_chain_certs(ssl);
  for (X509* x : m.chain) ok = ok && SSL_add1_chain_cert(ssl, x) == 1;
  ok = ok && SSL_set_min_proto_version(ssl, t.min_version) == 1;
  ok = ok && SSL_set_max_proto_version(ssl, t.max_version) == 1;
  if (!m.cipher_list.empty()) ok = ok && SSL_set_cipher_list(ssl, m.cipher_list.c_str()) == 1;
  if (!m.groups.empty()) {
    ok = ok && SSL_set1_groups_list(ssl, m.groups.c_str()) == 1;
  }
  // Go's client auth types: "request" and "require any" ask for a
  // certificate but accept any; the "verify" ones check it against the CAs.
  auto accept_any = [](int, X509_STORE_CTX*) { return 1; };
  switch (t.client_auth) {
    case ClientAuth::kNoClientCert:
      SSL_set_verify(ssl, SSL_VERIFY_NONE, nullptr);
      break;
    case ClientAuth::kRequestClientCert:
      SSL_set_verify(ssl, SSL_VERIFY_PEER, accept_any);
      break;
    case ClientAuth::kRequireAnyClientCert:
      SSL_set_verify(ssl, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, accept_any);
      break;
    case ClientAuth::kVerifyClientCertIfGiven:
      SSL_set_verify(ssl, SSL_VERIFY_PEER, nullptr);
      break;
    case ClientAuth::kRequireAndVerifyClientCert:
      SSL_set_verify(ssl, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
      break;
  }
  if (m.client_cas) {
    ok = ok && SSL_set1_verify_cert_store(ssl, m.client_cas) == 1;
  }
  if (!ok) {
    LogError("TLS handshake setup failed: " + OpenSslError());
    *alert = SSL_AD_INTERNAL_ERROR;
    return SSL_CLIENT_HELLO_ERROR;
  }
  return SSL_CLIENT_HELLO_SUCCESS;
}

}  // namespace

void* Guard::NewSslContext(std::string* error) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  if (!ctx) {
    *error = OpenSslError();
    return nullptr;
  }
  SSL_CTX_set_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_RENEGOTIATION);
  SSL_CTX_set_min_proto_version(ctx, TLS1_VERSION);
  SSL_CTX_set_client_hello_cb(ctx, OnClientHello, this);
  return ctx;
}

}  // namespace common

// The plugin's C interface (common/web_guard/abi.h).
namespace {
void CopyError(const std::string& e, char* err, size_t err_len) {
  if (err_len == 0) return;
  size_t n = std::min(e.size(), err_len - 1);
  e.copy(err, n);
  err[n] = 0;
}
}  // namespace

extern "C" {

__attribute__((visibility("default"))) ms_web_guard* ms_web_guard_open(const char* path,
                                                                       ms_web_guard_log_fn log,
                                                                       char* err, size_t err_len) {
  common::g_log = log;
  try {
    auto g = common::Guard::Open(path);
    if (!g.ok()) {
      CopyError(g.status().message(), err, err_len);
      return nullptr;
    }
    return reinterpret_cast<ms_web_guard*>(g->release());
  } catch (const std::exception& e) {
    CopyError(e.what(), err, err_len);
    return nullptr;
  }
}

__attribute__((visibility("default"))) void ms_web_guard_close(ms_web_guard* g) {
  delete reinterpret_cast<common::Guard*>(g);
}

__attribute__((visibility("default"))) int ms_web_guard_tls(ms_web_guard* g) {
  return reinterpret_cast<common::Guard*>(g)->tls() ? 1 : 0;
}

__attribute__((visibility("default"))) void* ms_web_guard_new_ssl_ctx(ms_web_guard* g, char* err,
                                                                      size_t err_len) {
  std::string error;
  void* ctx = reinterpret_cast<common::Guard*>(g)->NewSslContext(&error);
  if (!ctx) CopyError(error, err, err_len);
  return ctx;
}

__attribute__((visibility("default"))) int ms_web_guard_authorize(ms_web_guard* g,
                                                                  const char* header, size_t len,
                                                                  char* user, size_t user_len) {
  try {
    std::string who;
    if (!reinterpret_cast<common::Guard*>(g)->Authorize(std::string_view(header, len), &who)) {
      return 0;
    }
    CopyError(who, user, user_len);
    return 1;
  } catch (...) {
    return 0;
  }
}

__attribute__((visibility("default"))) void ms_web_guard_headers(
    ms_web_guard* g, void (*fn)(const char*, const char*, void*), void* arg) {
  for (const auto& [name, value] : reinterpret_cast<common::Guard*>(g)->Headers()) {
    fn(name.c_str(), value.c_str(), arg);
  }
}

}  // extern "C"
