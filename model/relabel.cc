#include "model/relabel.h"

#include "model/regexp_expand.h"

#include <locale.h>
#include <re2/re2.h>
#include <wctype.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "model/matcher.h"

namespace model {

namespace {

using common::Status;

struct ActionName {
  RelabelAction action;
  std::string_view name;
};
constexpr ActionName kActionNames[] = {
    {RelabelAction::kReplace, "replace"},     {RelabelAction::kKeep, "keep"},
    {RelabelAction::kDrop, "drop"},           {RelabelAction::kHashMod, "hashmod"},
    {RelabelAction::kLabelMap, "labelmap"},   {RelabelAction::kLabelDrop, "labeldrop"},
    {RelabelAction::kLabelKeep, "labelkeep"}, {RelabelAction::kLowercase, "lowercase"},
    {RelabelAction::kUppercase, "uppercase"}, {RelabelAction::kKeepEqual, "keepequal"},
    {RelabelAction::kDropEqual, "dropequal"},
};

// What a replace action's target_label and a labelmap's replacement may look
// like once they hold $-references: label-name characters and references.
const re2::RE2& RelabelTargetPattern() {
  static const re2::RE2 kPattern(R"(^(?:(?:[a-zA-Z_]|\$(?:\{\w+\}|\w+))+\w*)+$)");
  return kPattern;
}

// --- MD5 (RFC 1321), only for hashmod, whose result Prometheus defines by it.
// Written here rather than linking libcrypto: ms_model is linked into the
// exporter and forwarder, which must not map another shared library.

// floor(abs(sin(i + 1)) * 2^32), tabulated by RFC 1321 section 3.4.
constexpr std::array<uint32_t, 64> kMd5Sines = {
    0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
    0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
    0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
    0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
    0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
    0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
    0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
    0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391};
constexpr std::array<int, 16> kMd5Shifts = {7, 12, 17, 22, 5, 9,  14, 20,
                                            4, 11, 16, 23, 6, 10, 15, 21};

uint32_t RotateLeft(uint32_t x, int n) { return (x << n) | (x >> (32 - n)); }

void Md5Block(const unsigned char* block, std::array<uint32_t, 4>& state) {
  uint32_t words[16];
  for (int i = 0; i < 16; ++i) {
    words[i] = uint32_t{block[4 * i]} | uint32_t{block[4 * i + 1]} << 8 |
               uint32_t{block[4 * i + 2]} << 16 | uint32_t{block[4 * i + 3]} << 24;
  }
  uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
  for (int i = 0; i < 64; ++i) {
    uint32_t f;
    int g;
    switch (i / 16) {
      case 0:
        f = (b & c) | (~b & d);
        g = i;
        break;
      case 1:
        f = (d & b) | (~d & c);
        g = (5 * i + 1) % 16;
        break;
      case 2:
        f = b ^ c ^ d;
        g = (3 * i + 5) % 16;
        break;
      default:
        f = c ^ (b | ~d);
        g = (7 * i) % 16;
        break;
    }
    uint32_t rotated =
        RotateLeft(a + f + kMd5Sines[i] + words[g], kMd5Shifts[(i / 16) * 4 + i % 4]);
    a = d;
    d = c;
    c = b;
    b += rotated;
  }
  state[0] += a;
  state[1] += b;
  state[2] += c;
  state[3] += d;
}

std::array<unsigned char, 16> Md5(std::string_view data) {
  std::array<uint32_t, 4> state = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476};
  size_t full = data.size() / 64 * 64;
  for (size_t off = 0; off < full; off += 64) {
    Md5Block(reinterpret_cast<const unsigned char*>(data.data()) + off, state);
  }
  // The tail, a 0x80 byte, zeros up to 56 mod 64, then the bit length (LE).
  unsigned char tail[128] = {};
  size_t rest = data.size() - full;
  if (rest > 0) std::memcpy(tail, data.data() + full, rest);
  tail[rest] = 0x80;
  size_t tail_len = rest < 56 ? 64 : 128;
  uint64_t bits = uint64_t{data.size()} * 8;
  for (int i = 0; i < 8; ++i) tail[tail_len - 8 + i] = static_cast<unsigned char>(bits >> (8 * i));
  for (size_t off = 0; off < tail_len; off += 64) Md5Block(tail + off, state);
  std::array<unsigned char, 16> digest;
  for (int i = 0; i < 16; ++i)
    digest[i] = static_cast<unsigned char>(state[i / 4] >> (8 * (i % 4)));
  return digest;
}

// --- Go's regexp.Expand (model/regexp_expand.h) over one match.

// The capture groups of one match: groups[i] is group i's text, with a null
// data() when the group took no part in the match.
struct Match {
  const re2::RE2* re;
  std::vector<re2::StringPiece> groups;
};

std::string Expand(std::string_view tmpl, const Match& m) {
  std::string out;
  ExpandRegexpTemplate(tmpl, *m.re, m.groups, &out);
  return out;
}

// Matches s against the config's anchored regex, filling every group.
bool MatchGroups(const re2::RE2& re, std::string_view s, Match* m) {
  m->re = &re;
  m->groups.assign(static_cast<size_t>(re.NumberOfCapturingGroups()) + 1, re2::StringPiece());
  return re.Match(s, 0, s.size(), re2::RE2::UNANCHORED, m->groups.data(),
                  static_cast<int>(m->groups.size()));
}

// --- Go's strings.ToLower / ToUpper: per code point simple case mapping;
// bytes that are not UTF-8 become U+FFFD, as strings.Map writes them.

locale_t Utf8Locale() {
  static const locale_t kLocale = newlocale(LC_CTYPE_MASK, "C.UTF-8", locale_t{});
  return kLocale;
}

// Decodes one code point at s[*i], advancing *i; U+FFFD (one byte) if invalid.
uint32_t DecodeUtf8(std::string_view s, size_t* i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char b0 = byte(*i);
  if (b0 < 0x80) {
    ++*i;
    return b0;
  }
  int len = b0 >= 0xf0 && b0 < 0xf5 ? 4 : b0 >= 0xe0 ? 3 : b0 >= 0xc2 && b0 < 0xe0 ? 2 : 0;
  if (len == 0 || b0 >= 0xf5 || *i + len > s.size()) {
    ++*i;
    return 0xfffd;
  }
  uint32_t cp = b0 & (0xff >> (len + 1));
  for (int k = 1; k < len; ++k) {
    unsigned char b = byte(*i + k);
    if ((b & 0xc0) != 0x80) {
      ++*i;
      return 0xfffd;
    }
    cp = cp << 6 | (b & 0x3f);
  }
  bool overlong = (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000);
  if (overlong || cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000)) {
    ++*i;
    return 0xfffd;
  }
  *i += len;
  return cp;
}

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xc0 | cp >> 6));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xe0 | cp >> 12));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else {
    out->push_back(static_cast<char>(0xf0 | cp >> 18));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  }
}

std::string ChangeCase(std::string_view s, bool upper) {
  std::string out;
  out.reserve(s.size());
  bool ascii = std::all_of(s.begin(), s.end(), [](char c) { return (c & 0x80) == 0; });
  if (ascii || Utf8Locale() == locale_t{}) {
    for (char c : s) {
      if (upper && c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
      if (!upper && c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      out.push_back(c);
    }
    return out;
  }
  for (size_t i = 0; i < s.size();) {
    uint32_t cp = DecodeUtf8(s, &i);
    wint_t mapped = upper ? towupper_l(static_cast<wint_t>(cp), Utf8Locale())
                          : towlower_l(static_cast<wint_t>(cp), Utf8Locale());
    AppendUtf8(static_cast<uint32_t>(mapped), &out);
  }
  return out;
}

// --- The label set being relabeled: sorted by name, no empty values, as
// Prometheus's labels.Builder presents it to each step.
class LabelEditor {
 public:
  explicit LabelEditor(std::vector<Label> labels) : labels_(std::move(labels)) {}

  std::string_view Get(std::string_view name) const {
    auto it = Find(name);
    return it != labels_.end() && it->name == name ? std::string_view(it->value)
                                                   : std::string_view();
  }
  // Setting "" deletes, as labels.Builder.Set does.
  void Set(std::string_view name, std::string value) {
    if (value.empty()) return Delete(name);
    auto it = Find(name);
    if (it != labels_.end() && it->name == name) {
      it->value = std::move(value);
    } else {
      labels_.insert(it, Label{std::string(name), std::move(value)});
    }
  }
  void Delete(std::string_view name) {
    auto it = Find(name);
    if (it != labels_.end() && it->name == name) labels_.erase(it);
  }

  std::vector<Label>& labels() { return labels_; }

 private:
  std::vector<Label>::iterator Find(std::string_view name) {
    return std::lower_bound(labels_.begin(), labels_.end(), name,
                            [](const Label& l, std::string_view n) { return l.name < n; });
  }
  std::vector<Label>::const_iterator Find(std::string_view name) const {
    return const_cast<LabelEditor*>(this)->Find(name);
  }

  std::vector<Label> labels_;
};

std::string JoinSourceValues(const RelabelConfig& cfg, const LabelEditor& labels) {
  std::string joined;
  for (size_t i = 0; i < cfg.source_labels.size(); ++i) {
    if (i > 0) joined += cfg.separator;
    joined += labels.Get(cfg.source_labels[i]);
  }
  return joined;
}

bool FullMatch(const re2::RE2& re, std::string_view s) {
  return re.Match(s, 0, s.size(), re2::RE2::UNANCHORED, nullptr, 0);
}

// One step; false if it drops the series.
bool ApplyStep(const RelabelConfig& cfg, LabelEditor* labels) {
  const re2::RE2& re = *cfg.compiled_regex;
  std::string value = JoinSourceValues(cfg, *labels);
  switch (cfg.action) {
    case RelabelAction::kDrop:
      return !FullMatch(re, value);
    case RelabelAction::kKeep:
      return FullMatch(re, value);
    case RelabelAction::kDropEqual:
      return labels->Get(cfg.target_label) != value;
    case RelabelAction::kKeepEqual:
      return labels->Get(cfg.target_label) == value;
    case RelabelAction::kReplace: {
      Match m;
      if (!MatchGroups(re, value, &m)) return true;
      std::string target = cfg.target_label.find('$') == std::string::npos
                               ? cfg.target_label
                               : Expand(cfg.target_label, m);
      // Prometheus 2.42 deletes target_label as written, not as expanded,
      // when the expanded name is invalid or the replacement is empty.
      if (!IsValidLabelName(target)) {
        labels->Delete(cfg.target_label);
        return true;
      }
      std::string replaced = cfg.replacement.find('$') == std::string::npos
                                 ? cfg.replacement
                                 : Expand(cfg.replacement, m);
      if (replaced.empty()) {
        labels->Delete(cfg.target_label);
        return true;
      }
      labels->Set(target, std::move(replaced));
      return true;
    }
    case RelabelAction::kLowercase:
      labels->Set(cfg.target_label, ChangeCase(value, /*upper=*/false));
      return true;
    case RelabelAction::kUppercase:
      labels->Set(cfg.target_label, ChangeCase(value, /*upper=*/true));
      return true;
    case RelabelAction::kHashMod: {
      std::array<unsigned char, 16> digest = Md5(value);
      uint64_t tail = 0;  // the digest's last 8 bytes, big-endian
      for (int i = 8; i < 16; ++i) tail = tail << 8 | digest[i];
      labels->Set(cfg.target_label, std::to_string(tail % cfg.modulus));
      return true;
    }
    case RelabelAction::kLabelMap: {
      // Every name is matched against the labels as they were before this
      // step; the copies are written in name order, so the last one wins.
      std::vector<Label> copies;
      Match m;
      for (const Label& l : labels->labels()) {
        if (MatchGroups(re, l.name, &m)) copies.push_back({Expand(cfg.replacement, m), l.value});
      }
      for (Label& c : copies) labels->Set(c.name, std::move(c.value));
      return true;
    }
    case RelabelAction::kLabelDrop:
    case RelabelAction::kLabelKeep: {
      bool keep_matching = cfg.action == RelabelAction::kLabelKeep;
      auto& v = labels->labels();
      v.erase(
          std::remove_if(v.begin(), v.end(),
                         [&](const Label& l) { return FullMatch(re, l.name) != keep_matching; }),
          v.end());
      return true;
    }
  }
  return true;
}

Status Invalid(const std::string& msg) { return Status::InvalidArgument(msg); }

// The message Go's regexp.Compile gives for the error RE2 found (the two
// parsers share their grammar and error classes), e.g.
// "error parsing regexp: missing closing ): `^(?:(a)$`".
std::string GoRegexpError(const re2::RE2& re) {
  std::string_view what;
  switch (re.error_code()) {
    case re2::RE2::ErrorBadEscape:
      what = "invalid escape sequence";
      break;
    case re2::RE2::ErrorBadCharClass:
      what = "invalid character class";
      break;
    case re2::RE2::ErrorBadCharRange:
      what = "invalid character class range";
      break;
    case re2::RE2::ErrorMissingBracket:
      what = "missing closing ]";
      break;
    case re2::RE2::ErrorMissingParen:
      what = "missing closing )";
      break;
    case re2::RE2::ErrorUnexpectedParen:
      what = "unexpected )";
      break;
    case re2::RE2::ErrorTrailingBackslash:
      what = "trailing backslash at end of expression";
      break;
    case re2::RE2::ErrorRepeatArgument:
      what = "missing argument to repetition operator";
      break;
    case re2::RE2::ErrorRepeatSize:
      what = "invalid repeat count";
      break;
    case re2::RE2::ErrorRepeatOp:
      what = "invalid nested repetition operator";
      break;
    case re2::RE2::ErrorBadPerlOp:
      what = "invalid or unsupported Perl syntax";
      break;
    case re2::RE2::ErrorBadUTF8:
      what = "invalid UTF-8";
      break;
    case re2::RE2::ErrorBadNamedCapture:
      what = "invalid named capture";
      break;
    case re2::RE2::ErrorPatternTooLarge:
      what = "expression too large";
      break;
    default:
      return "error parsing regexp: " + re.error();
  }
  return "error parsing regexp: " + std::string(what) + ": `" + re.error_arg() + "`";
}

}  // namespace

std::string_view RelabelActionName(RelabelAction action) {
  for (const auto& a : kActionNames) {
    if (a.action == action) return a.name;
  }
  return "unknown";
}

std::optional<RelabelAction> ParseRelabelAction(std::string_view s) {
  std::string lower(s);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  for (const auto& a : kActionNames) {
    if (a.name == lower) return a.action;
  }
  return std::nullopt;
}

Status RelabelConfig::Compile() {
  for (const std::string& l : source_labels) {
    if (!IsValidLabelName(l)) return Invalid(QuoteString(l) + " is not a valid label name");
  }
  re2::RE2::Options opts;
  opts.set_log_errors(false);
  // (?: ) keeps a top-level alternation inside the anchors.
  auto re = std::make_shared<const re2::RE2>("^(?:" + regex + ")$", opts);
  if (!re->ok()) return Invalid(GoRegexpError(*re));

  // Prometheus's checks, in its order and with its messages.
  const std::string name(RelabelActionName(action));
  const auto is = [&](std::initializer_list<RelabelAction> actions) {
    return std::find(actions.begin(), actions.end(), action) != actions.end();
  };
  using A = RelabelAction;
  const std::string invalid_target =
      QuoteString(target_label) + " is invalid 'target_label' for " + name + " action";
  if (action == A::kHashMod && modulus == 0) {
    return Invalid("relabel configuration for hashmod requires non-zero modulus");
  }
  if (is({A::kReplace, A::kHashMod, A::kLowercase, A::kUppercase, A::kKeepEqual, A::kDropEqual}) &&
      target_label.empty()) {
    return Invalid("relabel configuration for " + name + " action requires 'target_label' value");
  }
  // 2.42 checks the targets of lowercase, uppercase, keepequal and dropequal
  // as replace's (so "$1" passes, though those actions never expand it).
  bool checked_as_replace_target =
      is({A::kReplace, A::kLowercase, A::kUppercase, A::kKeepEqual, A::kDropEqual});
  bool templated_target = target_label.find('$') != std::string::npos;
  if (checked_as_replace_target && !templated_target && !IsValidLabelName(target_label)) {
    return Invalid(invalid_target);
  }
  if (checked_as_replace_target && templated_target &&
      !re2::RE2::FullMatch(target_label, RelabelTargetPattern())) {
    return Invalid(invalid_target);
  }
  if (is({A::kLowercase, A::kUppercase, A::kKeepEqual, A::kDropEqual}) &&
      replacement != kDefaultRelabelReplacement) {
    return Invalid("'replacement' can not be set for " + name + " action");
  }
  if (action == A::kLabelMap && !re2::RE2::FullMatch(replacement, RelabelTargetPattern())) {
    return Invalid(QuoteString(replacement) + " is invalid 'replacement' for " + name + " action");
  }
  if (action == A::kHashMod && !IsValidLabelName(target_label)) return Invalid(invalid_target);
  if (is({A::kKeepEqual, A::kDropEqual}) &&
      (regex_given || regex != kDefaultRelabelRegex || modulus != 0 ||
       separator != kDefaultRelabelSeparator || replacement != kDefaultRelabelReplacement)) {
    return Invalid(name +
                   " action requires only 'source_labels' and `target_label`, and no other fields");
  }
  if (is({A::kLabelDrop, A::kLabelKeep}) &&
      (source_labels_given || !source_labels.empty() || !target_label.empty() || modulus != 0 ||
       separator != kDefaultRelabelSeparator || replacement != kDefaultRelabelReplacement)) {
    return Invalid(name + " action requires only 'regex', and no other fields");
  }
  compiled_regex = std::move(re);
  return Status::OK();
}

bool Process(const Labels& in, const std::vector<RelabelConfig>& configs, Labels* out) {
  LabelEditor labels(in.items());
  for (const RelabelConfig& cfg : configs) {
    if (cfg.compiled_regex == nullptr) {
      std::fprintf(stderr, "model::Process: relabel config used without Compile()\n");
      std::abort();
    }
    if (!ApplyStep(cfg, &labels)) return false;
  }
  // A label set emptied by a step still goes through the later ones (which
  // may add labels again), as in 2.42; one empty at the end cannot be stored.
  if (labels.labels().empty()) return false;
  *out = Labels::FromSortedUnchecked(std::move(labels.labels()));
  return true;
}

}  // namespace model
