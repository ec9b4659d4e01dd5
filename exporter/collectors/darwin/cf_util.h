// CoreFoundation helpers for the darwin collectors that read property
// dictionaries (diskstats, thermal). macOS only.
#pragma once

#include <CoreFoundation/CoreFoundation.h>

#include <cstdint>
#include <optional>
#include <string>

namespace exporter::darwin {

// Releases a CoreFoundation object at scope exit (nullptr is allowed).
class CFReleaser {
 public:
  explicit CFReleaser(CFTypeRef ref) : ref_(ref) {}
  ~CFReleaser() {
    if (ref_ != nullptr) CFRelease(ref_);
  }
  CFReleaser(const CFReleaser&) = delete;
  CFReleaser& operator=(const CFReleaser&) = delete;

 private:
  CFTypeRef ref_;
};

// The UTF-8 text of a CFString; nullopt for another type or nullptr.
inline std::optional<std::string> CFToString(CFTypeRef ref) {
  if (ref == nullptr || CFGetTypeID(ref) != CFStringGetTypeID()) return std::nullopt;
  auto str = static_cast<CFStringRef>(ref);
  if (const char* p = CFStringGetCStringPtr(str, kCFStringEncodingUTF8)) return std::string(p);
  CFIndex max = CFStringGetMaximumSizeForEncoding(CFStringGetLength(str), kCFStringEncodingUTF8);
  std::string out(static_cast<size_t>(max) + 1, '\0');
  if (!CFStringGetCString(str, out.data(), max + 1, kCFStringEncodingUTF8)) return std::nullopt;
  out.resize(std::char_traits<char>::length(out.c_str()));
  return out;
}

// The value of a CFNumber as a 64-bit integer; nullopt for another type.
inline std::optional<int64_t> CFToInt64(CFTypeRef ref) {
  if (ref == nullptr || CFGetTypeID(ref) != CFNumberGetTypeID()) return std::nullopt;
  int64_t v = 0;
  if (!CFNumberGetValue(static_cast<CFNumberRef>(ref), kCFNumberSInt64Type, &v)) {
    return std::nullopt;
  }
  return v;
}

// dict[key] as an unsigned count (0 when absent or not a number).
inline uint64_t CFDictUint(CFDictionaryRef dict, const char* key) {
  CFStringRef k = CFStringCreateWithCString(kCFAllocatorDefault, key, kCFStringEncodingUTF8);
  if (k == nullptr) return 0;
  auto v = CFToInt64(CFDictionaryGetValue(dict, k));
  CFRelease(k);
  return v && *v > 0 ? static_cast<uint64_t>(*v) : 0;
}

}  // namespace exporter::darwin
