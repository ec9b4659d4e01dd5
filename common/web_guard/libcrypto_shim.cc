// Built as a shared library whose SONAME is "libcrypto.so", depending on the
// real libcrypto.so.3: civetweb's dlopen("libcrypto.so") then finds it
// loaded, so a host needs no libssl-dev for the unversioned name (see
// libssl_shim.cc).
#include <openssl/crypto.h>

extern "C" __attribute__((visibility("default"))) unsigned long ms_civetweb_tls_shim_version() {
  return OpenSSL_version_num();
}
