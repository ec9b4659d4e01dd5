// Built as a shared library whose SONAME is "libssl.so": see
// common/civetweb_tls/CMakeLists.txt. Debian 12's civetweb 1.15 loads
// OpenSSL at run time by the unversioned names "libssl.so" and
// "libcrypto.so" and looks its functions up in them, one of them by its
// OpenSSL 1.1 name, which OpenSSL 3 (Debian 12's) no longer exports; without
// it civetweb cannot start a TLS listener ("cannot find
// SSL_get_peer_certificate"). common::WebGuard loads this library before
// civetweb starts TLS: glibc's dlopen answers "libssl.so" with the loaded
// library of that SONAME, and a lookup in it falls through to its
// dependency, the real libssl.so.3.
#include <openssl/ssl.h>

// OpenSSL 3's headers keep the old name as a macro for the new one.
#undef SSL_get_peer_certificate

extern "C" __attribute__((visibility("default"))) X509* SSL_get_peer_certificate(const SSL* s) {
  return SSL_get1_peer_certificate(s);
}
