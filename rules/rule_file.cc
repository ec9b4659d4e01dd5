#include "rules/rule_file.h"

#include <glob.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include "model/duration.h"
#include "model/labels.h"
#include "promql/parser.h"
#include "rules/template.h"

namespace rules {

namespace {

using common::Result;
using common::Status;

// ---------------------------------------------------------------------------
// A YAML tree as yaml.v3 sees it. yaml-cpp's YAML::Node resolves aliases and
// forgets how a null was spelled, but Prometheus decodes record, alert and
// expr into yaml.Node and reads its Value: the text of a scalar as written
// ("null", "~"), the anchor's *name* for an alias, "" for a collection. So the
// tree is built from yaml-cpp's events, keeping what those rules depend on.

struct YNode {
  enum class Kind { kScalar, kSequence, kMapping, kAlias };
  Kind kind = Kind::kScalar;
  bool null = false;  // a plain null (empty, ~, null, Null, NULL)
  std::string tag;    // yaml-cpp's: "?" plain, "!" quoted or block, else the explicit tag
  std::string value;  // scalar: its text; alias: the anchor's name
  int line = 0;       // 1-based, for errors
  int column = 0;
  std::vector<const YNode*> items;  // sequence items; mapping: key, value, key, value, ...
  const YNode* target = nullptr;    // alias: the anchored node
};

class TreeBuilder : public YAML::EventHandler {
 public:
  explicit TreeBuilder(std::string_view text) : text_(text) {}

  const YNode* root() const { return root_; }
  // Whether the document's root is a flow collection ({...} or [...]).
  bool flow_root() const { return flow_root_; }

  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnAnchor(const YAML::Mark&, const std::string& name) override { pending_anchor_ = name; }

  // The first syntax error yaml-cpp lets through and libyaml does not ("" if
  // none), and where it is.
  const std::string& error() const { return error_; }
  const YAML::Mark& error_mark() const { return error_mark_; }

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    // yaml-cpp takes ": v" as a null key; libyaml wants a key before ':'.
    if (InKeyPosition() && CharAt(mark) == ':') Fail(mark, "did not find expected key");
    // yaml-cpp reads a document opening with ',' as empty; libyaml refuses it.
    if (open_.empty() && CharAt(mark) == ',') Fail(mark, "did not find expected node content");
    YNode* n = New(YNode::Kind::kScalar, mark, anchor);
    n->null = true;
    n->tag = "?";
    n->value = NullText(mark);
    Add(n);
  }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    YNode* n = New(YNode::Kind::kAlias, mark, 0);
    auto it = anchors_.find(anchor);
    if (it != anchors_.end()) {
      n->target = it->second.first;
      n->value = it->second.second;
    }
    Add(n);
  }
  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    // yaml-cpp ends a quoted scalar left open at the end of the stream
    // quietly; libyaml reports it.
    char quote = CharAt(mark);
    if (tag == "!" && (quote == '"' || quote == '\'') && !Closed(mark, quote)) {
      Fail(mark, "found unexpected end of stream");
    }
    YNode* n = New(YNode::Kind::kScalar, mark, anchor);
    n->tag = tag;
    n->value = value;
    // An explicit !!null is a null whatever its text.
    n->null = tag == "tag:yaml.org,2002:null";
    Add(n);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value style) override {
    YNode* n = New(YNode::Kind::kSequence, mark, anchor);
    n->tag = tag;
    Add(n, style == YAML::EmitterStyle::Flow);
    open_.push_back(n);
  }
  void OnSequenceEnd() override { open_.pop_back(); }
  void OnMapStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value style) override {
    YNode* n = New(YNode::Kind::kMapping, mark, anchor);
    n->tag = tag;
    Add(n, style == YAML::EmitterStyle::Flow);
    open_.push_back(n);
  }
  void OnMapEnd() override { open_.pop_back(); }

 private:
  YNode* New(YNode::Kind kind, const YAML::Mark& mark, YAML::anchor_t anchor) {
    YNode& n = nodes_.emplace_back();
    n.kind = kind;
    n.line = mark.line + 1;
    n.column = mark.column + 1;
    if (anchor != 0) anchors_[anchor] = {&n, pending_anchor_};
    pending_anchor_.clear();
    return &n;
  }
  void Add(YNode* n, bool flow = false) {
    if (open_.empty()) {
      root_ = n;
      flow_root_ = flow;
    } else {
      open_.back()->items.push_back(n);
    }
  }
  char CharAt(const YAML::Mark& mark) const {
    if (mark.pos < 0 || static_cast<size_t>(mark.pos) >= text_.size()) return '\0';
    return text_[static_cast<size_t>(mark.pos)];
  }
  // Whether the quoted scalar opening at mark has its closing quote.
  bool Closed(const YAML::Mark& mark, char quote) const {
    for (size_t i = static_cast<size_t>(mark.pos) + 1; i < text_.size(); ++i) {
      if (quote == '"' && text_[i] == '\\') {
        ++i;  // an escape: the next character is not the end
      } else if (text_[i] == quote) {
        if (quote == '\'' && i + 1 < text_.size() && text_[i + 1] == '\'') {
          ++i;  // '' is a quote inside single quotes
        } else {
          return true;
        }
      }
    }
    return false;
  }
  bool InKeyPosition() const {
    return !open_.empty() && open_.back()->kind == YNode::Kind::kMapping &&
           open_.back()->items.size() % 2 == 0;
  }
  void Fail(const YAML::Mark& mark, const std::string& msg) {
    if (!error_.empty()) return;
    error_ = msg;
    error_mark_ = mark;
  }
  // yaml-cpp reports every plain null alike; the source at the mark tells an
  // explicit "~" or "null" from an empty value (whose mark is past it).
  std::string NullText(const YAML::Mark& mark) const {
    if (mark.pos < 0 || static_cast<size_t>(mark.pos) >= text_.size()) return "";
    std::string_view rest = text_.substr(static_cast<size_t>(mark.pos));
    for (std::string_view word : {"~", "null", "Null", "NULL"}) {
      if (rest.substr(0, word.size()) != word) continue;
      std::string_view after = rest.substr(word.size());
      if (after.empty() || std::strchr(" \t\r\n,]}#", after[0]) != nullptr) {
        return std::string(word);
      }
    }
    return "";
  }

  std::string_view text_;
  std::deque<YNode> nodes_;  // a deque: pointers to its elements stay valid
  std::vector<YNode*> open_;
  const YNode* root_ = nullptr;
  bool flow_root_ = false;
  std::map<YAML::anchor_t, std::pair<const YNode*, std::string>> anchors_;
  std::string pending_anchor_;
  std::string error_;
  YAML::Mark error_mark_;
};

// Feeds the first document of text to tree; the exception if yaml-cpp
// refuses it. Only the first counts: Prometheus decodes one and ignores the
// rest of the stream, even when it is not YAML.
std::optional<YAML::Exception> ReadFirstDocument(const std::string& text, TreeBuilder* tree) {
  try {
    std::istringstream in(text);
    YAML::Parser parser(in);
    parser.HandleNextDocument(*tree);
  } catch (const YAML::Exception& e) {
    return e;
  }
  return std::nullopt;
}

// ---------------------------------------------------------------------------
// Input checks yaml.v3's reader makes before any YAML is read.

// The characters YAML allows in a stream (libyaml's reader), as UTF-8.
bool ValidYamlText(std::string_view s, std::string* why) {
  size_t i = 0;
  if (s.substr(0, 3) == "\xEF\xBB\xBF") i = 3;  // a leading byte order mark
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    uint32_t cp = 0;
    int len = 0;
    if (c < 0x80) {
      cp = c;
      len = 1;
    } else if ((c & 0xE0) == 0xC0) {
      cp = c & 0x1F;
      len = 2;
    } else if ((c & 0xF0) == 0xE0) {
      cp = c & 0x0F;
      len = 3;
    } else if ((c & 0xF8) == 0xF0) {
      cp = c & 0x07;
      len = 4;
    } else {
      *why = "invalid leading UTF-8 octet";
      return false;
    }
    if (i + static_cast<size_t>(len) > s.size()) {
      *why = "incomplete UTF-8 octet sequence";
      return false;
    }
    for (int k = 1; k < len; ++k) {
      auto t = static_cast<unsigned char>(s[i + static_cast<size_t>(k)]);
      if ((t & 0xC0) != 0x80) {
        *why = "invalid trailing UTF-8 octet";
        return false;
      }
      cp = (cp << 6) | (t & 0x3F);
    }
    static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[len] || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
      *why = "invalid Unicode character";
      return false;
    }
    bool allowed = cp == 0x09 || cp == 0x0A || cp == 0x0D || (cp >= 0x20 && cp <= 0x7E) ||
                   cp == 0x85 || (cp >= 0xA0 && cp <= 0xD7FF) || (cp >= 0xE000 && cp <= 0xFFFD) ||
                   cp >= 0x10000;
    if (!allowed) {
      *why = "control characters are not allowed";
      return false;
    }
    i += static_cast<size_t>(len);
  }
  return true;
}

// The directives before the first document, as libyaml checks them and
// yaml-cpp does not: yaml.v3 reads YAML 1.1 only and knows %YAML and %TAG.
// "" when they are fine, else libyaml's complaint.
std::string CheckDirectives(std::string_view text) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    std::string_view line = text.substr(pos, end == std::string_view::npos ? end : end - pos);
    pos = end == std::string_view::npos ? text.size() : end + 1;
    size_t first = line.find_first_not_of(" \t\r");
    if (first == std::string_view::npos || line[first] == '#') continue;
    if (line[0] != '%') break;  // the document's content: no more directives
    size_t name_end = line.find_first_of(" \t\r", 1);
    std::string_view name =
        line.substr(1, name_end == std::string_view::npos ? name_end : name_end - 1);
    if (name == "TAG") continue;
    if (name != "YAML") return "found unknown directive name";
    std::string_view version = line.substr(5);
    version.remove_prefix(std::min(version.find_first_not_of(" \t"), version.size()));
    std::string_view number = version.substr(0, version.find_first_of(" \t\r#"));
    if (number != "1.1") return "found incompatible YAML document";
  }
  return "";
}

// ---------------------------------------------------------------------------
// Decoding, with yaml.v3's rules for the Go types rulefmt declares.

// Go's duration syntax (prometheus/common model.ParseDuration): the same
// grammar as model::ParseDuration, but the total must fit time.Duration's
// int64 nanoseconds (about 292 years).
Result<int64_t> ParseGoDuration(const std::string& s) {
  if (s.find_first_not_of("0123456789ywdhms") != std::string::npos && !s.empty()) {
    return Status::InvalidArgument("not a valid duration string: \"" + s + "\"");
  }
  auto ms = model::ParseDuration(s);
  if (!ms.ok()) {
    if (ms.status().message().rfind("duration out of range", 0) == 0) {
      return Status::InvalidArgument("duration out of range");
    }
    return ms.status();
  }
  if (*ms > INT64_MAX / 1000000) return Status::InvalidArgument("duration out of range");
  return *ms;
}

// Go's strconv.ParseInt(s, 0, 64): optional sign, then 0x/0o/0b prefixes or
// a leading 0 for octal. yaml.v3 removes underscores first.
bool ParseGoInt(const std::string& s, int64_t* out, bool* overflow) {
  *overflow = false;
  size_t i = 0;
  bool neg = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    neg = s[i] == '-';
    ++i;
  }
  int base = 10;
  if (s.size() - i >= 2 && s[i] == '0') {
    switch (std::tolower(static_cast<unsigned char>(s[i + 1]))) {
      case 'x':
        base = 16;
        i += 2;
        break;
      case 'o':
        base = 8;
        i += 2;
        break;
      case 'b':
        base = 2;
        i += 2;
        break;
      default:
        base = 8;  // "017"
        i += 1;
    }
  }
  if (i >= s.size()) return false;
  unsigned __int128 v = 0;
  for (; i < s.size(); ++i) {
    const char c = s[i];
    int d = 36;  // not a digit in any base
    if (c >= '0' && c <= '9') {
      d = c - '0';
    } else if (c >= 'a' && c <= 'z') {
      d = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'Z') {
      d = c - 'A' + 10;
    }
    if (d >= base) return false;
    v = v * static_cast<unsigned>(base) + static_cast<unsigned>(d);
    if (v > (static_cast<unsigned __int128>(1) << 64)) *overflow = true;
  }
  const auto limit = static_cast<unsigned __int128>(INT64_MAX) + (neg ? 1 : 0);
  if (*overflow || v > limit) {
    *overflow = true;
    return false;
  }
  *out = neg ? static_cast<int64_t>(-static_cast<__int128>(v)) : static_cast<int64_t>(v);
  return true;
}

// YAML floats as yaml.v3 recognises them (its yamlStyleFloat).
bool LooksLikeFloat(const std::string& s) {
  size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  size_t int_digits = 0, frac_digits = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++int_digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++frac_digits;
    if (int_digits == 0 && frac_digits == 0) return false;
  } else if (int_digits == 0) {
    return false;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    size_t exp_digits = 0;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++exp_digits;
    if (exp_digits == 0) return false;
  }
  return i == s.size();
}

const YNode* Resolve(const YNode* n) {
  // Aliases of aliases cannot form a cycle (an alias names an earlier
  // anchor), but a bound keeps a malformed tree from looping.
  for (int i = 0; n != nullptr && n->kind == YNode::Kind::kAlias && i < 64; ++i) n = n->target;
  return n;
}

// yaml.v3's short tag of a node, as its type errors name it.
std::string TagOf(const YNode* n) {
  n = Resolve(n);
  if (n == nullptr) return "!!null";
  switch (n->kind) {
    case YNode::Kind::kSequence:
      return "!!seq";
    case YNode::Kind::kMapping:
      return "!!map";
    default:
      break;
  }
  if (n->null) return "!!null";
  static const std::string kYamlTags = "tag:yaml.org,2002:";
  if (n->tag.rfind(kYamlTags, 0) == 0) return "!!" + n->tag.substr(kYamlTags.size());
  if (n->tag != "?" && n->tag != "!") return n->tag;
  return "!!str";
}

std::string Quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// Collects the errors of one file, each with the file and where in it.
class Decoder {
 public:
  explicit Decoder(const std::string& path) : path_(path) {}

  bool failed() const { return !errors_.empty(); }
  const std::vector<std::string>& errors() const { return errors_; }

  void Error(const YNode* at, const std::string& context, const std::string& msg) {
    std::string e = path_;
    if (at != nullptr && at->line > 0) {
      e += ":" + std::to_string(at->line) + ":" + std::to_string(at->column);
    }
    e += ": ";
    if (!context.empty()) e += context + ": ";
    errors_.push_back(e + msg);
  }

  // One key and its value, as a Go struct or map field sees them.
  struct Entry {
    std::string key;
    const YNode* key_node;
    const YNode* value;
  };

  // The entries of mapping `n` (REQUIRES: n is a mapping): its own keys in
  // order, then those its merge key (<<) brings in that are not set already,
  // as yaml.v3 merges. Null keys are skipped, as yaml.v3 skips them. False
  // (with errors recorded) when yaml.v3 would refuse the mapping.
  bool Entries(const YNode* n, const std::string& context, std::vector<Entry>* out) {
    std::set<std::string> seen;
    return AddEntries(n, context, &seen, out);
  }

  // Go string: any scalar's text; null is "".
  bool String(const YNode* n, const std::string& context, std::string* out) {
    const YNode* r = Resolve(n);
    if (r == nullptr || r->kind != YNode::Kind::kScalar) {
      Error(n, context, "cannot unmarshal " + TagOf(n) + " into string");
      return false;
    }
    *out = r->null ? "" : r->value;
    return true;
  }

  // Go int, decoded as yaml.v3 does (floats are truncated; strings, bools and
  // timestamps are refused).
  bool Int(const YNode* n, const std::string& context, int64_t* out) {
    const YNode* r = Resolve(n);
    if (r != nullptr && r->kind == YNode::Kind::kScalar) {
      if (r->null) {
        *out = 0;
        return true;
      }
      static const std::string kIntTag = "tag:yaml.org,2002:int";
      static const std::string kFloatTag = "tag:yaml.org,2002:float";
      if (r->tag == "?" || r->tag == kIntTag || r->tag == kFloatTag) {
        if (ResolveInt(r->value, out)) return true;
      }
    }
    std::string shown =
        r != nullptr && r->kind == YNode::Kind::kScalar ? " `" + r->value + "`" : "";
    Error(n, context, "cannot unmarshal " + TagOf(n) + shown + " into int");
    return false;
  }

  // model.Duration: null leaves it 0; any other scalar's text is parsed.
  bool Duration(const YNode* n, const std::string& context, int64_t* out) {
    const YNode* r = Resolve(n);
    if (r != nullptr && r->kind == YNode::Kind::kScalar && r->null) {
      *out = 0;
      return true;
    }
    std::string text;
    if (!String(n, context, &text)) return false;
    auto ms = ParseGoDuration(text);
    if (!ms.ok()) {
      Error(n, context, ms.status().message());
      return false;
    }
    *out = *ms;
    return true;
  }

  // map[string]string; entries with a null key are dropped (yaml.v3).
  bool StringMap(const YNode* n, const std::string& context, TemplatePairs* out) {
    out->clear();
    const YNode* r = Resolve(n);
    if (r != nullptr && r->kind == YNode::Kind::kScalar && r->null) return true;
    if (r == nullptr || r->kind != YNode::Kind::kMapping) {
      Error(n, context, "cannot unmarshal " + TagOf(n) + " into map[string]string");
      return false;
    }
    std::vector<Entry> entries;
    if (!Entries(r, context, &entries)) return false;
    bool ok = true;
    for (const Entry& e : entries) {
      std::string v;
      if (!String(e.value, context + ": " + Quote(e.key), &v)) {
        ok = false;
        continue;
      }
      out->emplace_back(e.key, std::move(v));
    }
    std::sort(out->begin(), out->end());
    return ok;
  }

  // What Prometheus reads from a field it decodes into yaml.Node: Value.
  static std::string NodeValue(const YNode* n) {
    if (n == nullptr) return "";
    switch (n->kind) {
      case YNode::Kind::kScalar:
        return n->value;  // a null's text as written
      case YNode::Kind::kAlias:
        return n->value;  // the anchor's name, not the anchored text
      default:
        return "";
    }
  }

 private:
  bool AddEntries(const YNode* n, const std::string& context, std::set<std::string>* seen,
                  std::vector<Entry>* out, int depth = 0) {
    // Merges can nest, repeat and (through an anchor on an enclosing map)
    // refer to themselves: bound the work like yaml.v3 bounds aliasing.
    if (++visits_ > kMaxVisits || depth > kMaxMergeDepth) {
      Error(n, context, "document contains excessive aliasing");
      return false;
    }
    // yaml.v3 refuses a mapping with two equal keys (same kind, same text).
    bool ok = true;
    for (size_t i = 0; i + 1 < n->items.size(); i += 2) {
      for (size_t j = i + 2; j + 1 < n->items.size(); j += 2) {
        const YNode* a = n->items[i];
        const YNode* b = n->items[j];
        if (a->kind == b->kind && NodeValue(a) == NodeValue(b)) {
          Error(b, context,
                "mapping key " + Quote(NodeValue(b)) + " already defined at line " +
                    std::to_string(a->line));
          ok = false;
        }
      }
    }
    if (!ok) return false;
    const YNode* merge = nullptr;
    for (size_t i = 0; i + 1 < n->items.size(); i += 2) {
      const YNode* k = n->items[i];
      if (k->kind == YNode::Kind::kScalar && k->tag == "?" && k->value == "<<") {
        merge = n->items[i + 1];
        continue;
      }
      const YNode* rk = Resolve(k);
      if (rk != nullptr && rk->kind == YNode::Kind::kScalar && rk->null) continue;
      std::string key;
      if (!String(k, context, &key)) return false;
      if (!seen->insert(key).second) continue;
      out->push_back({key, k, n->items[i + 1]});
    }
    if (merge == nullptr) return true;
    auto want_map = [&]() {
      Error(merge, context, "map merge requires map or sequence of maps as the value");
      return false;
    };
    const YNode* rm = Resolve(merge);
    if (rm == nullptr) return want_map();
    if (rm->kind == YNode::Kind::kMapping) return AddEntries(rm, context, seen, out, depth + 1);
    if (merge->kind != YNode::Kind::kSequence) return want_map();
    for (const YNode* item : merge->items) {
      const YNode* ri = Resolve(item);
      if (ri == nullptr || ri->kind != YNode::Kind::kMapping) return want_map();
      if (!AddEntries(ri, context, seen, out, depth + 1)) return false;
    }
    return true;
  }

  static bool ResolveInt(const std::string& text, int64_t* out) {
    static const std::set<std::string> kNotNumbers = {
        "true",  "True",  "TRUE",  "false", "False", "FALSE", ".inf", ".Inf", ".INF",
        "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF", ".nan", ".NaN", ".NAN"};
    if (text.empty() || kNotNumbers.count(text)) return false;
    char c = text[0];
    if (!(std::isdigit(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.')) {
      return false;
    }
    // A date is a !!timestamp to yaml.v3, not a number.
    if (text.size() >= 8 && std::isdigit(static_cast<unsigned char>(text[0])) &&
        std::isdigit(static_cast<unsigned char>(text[3])) && text[4] == '-') {
      return false;
    }
    std::string plain;
    for (char ch : text) {
      if (ch != '_') plain += ch;
    }
    bool overflow = false;
    if (ParseGoInt(plain, out, &overflow)) return true;
    if (overflow) return false;  // too big for int64 (and so for Go's int)
    if (LooksLikeFloat(plain)) {
      double v = std::strtod(plain.c_str(), nullptr);
      if (std::isfinite(v) && v < 9223372036854775808.0 && v >= -9223372036854775808.0) {
        *out = static_cast<int64_t>(v);  // truncates, as Go's int64(float64)
        return true;
      }
    }
    return false;
  }

  static constexpr int kMaxVisits = 100000;
  static constexpr int kMaxMergeDepth = 100;
  const std::string& path_;
  std::vector<std::string> errors_;
  int visits_ = 0;
};

// A decoded rule, before validation. record, alert and expr are the
// yaml.Node values Prometheus validates.
struct RawRule {
  const YNode* node = nullptr;
  const YNode* record = nullptr;
  const YNode* alert = nullptr;
  const YNode* expr = nullptr;
  RuleNode rule;
};

struct RawGroup {
  const YNode* node = nullptr;
  RuleGroupNode group;
  std::vector<RawRule> rules;
};

std::string GroupContext(size_t index, const std::string& name) {
  return "group " + std::to_string(index) + " (" + (name.empty() ? "unnamed" : Quote(name)) + ")";
}

std::string RuleContext(size_t group_index, const std::string& group, size_t index,
                        const std::string& name) {
  return GroupContext(group_index, group) + ", rule " + std::to_string(index) + " (" +
         (name.empty() ? "unnamed" : Quote(name)) + ")";
}

bool DecodeRule(Decoder& d, const YNode* n, const std::string& context, RawRule* out) {
  std::vector<Decoder::Entry> entries;
  if (!d.Entries(n, context, &entries)) return false;
  bool ok = true;
  out->node = n;
  for (const auto& e : entries) {
    if (e.key == "record") {
      out->record = e.value;
    } else if (e.key == "alert") {
      out->alert = e.value;
    } else if (e.key == "expr") {
      out->expr = e.value;
    } else if (e.key == "for") {
      ok &= d.Duration(e.value, context + ": for", &out->rule.for_ms);
    } else if (e.key == "keep_firing_for") {
      ok &= d.Duration(e.value, context + ": keep_firing_for", &out->rule.keep_firing_for_ms);
    } else if (e.key == "labels") {
      ok &= d.StringMap(e.value, context + ": labels", &out->rule.labels);
    } else if (e.key == "annotations") {
      ok &= d.StringMap(e.value, context + ": annotations", &out->rule.annotations);
    } else {
      d.Error(e.key_node, context, "field " + e.key + " not found in type rulefmt.RuleNode");
      ok = false;
    }
  }
  out->rule.record = Decoder::NodeValue(out->record);
  out->rule.alert = Decoder::NodeValue(out->alert);
  out->rule.expr = Decoder::NodeValue(out->expr);
  return ok;
}

bool DecodeGroup(Decoder& d, const YNode* n, size_t index, RawGroup* out) {
  out->node = n;
  std::string context = GroupContext(index, "");
  std::vector<Decoder::Entry> entries;
  if (!d.Entries(n, context, &entries)) return false;
  // The name first, so that the other fields' errors can show it.
  bool ok = true;
  for (const auto& e : entries) {
    if (e.key != "name") continue;
    if (d.String(e.value, context + ": name", &out->group.name)) {
      context = GroupContext(index, out->group.name);
    } else {
      ok = false;
    }
  }
  for (const auto& e : entries) {
    if (e.key == "name") {
      continue;  // decoded above
    } else if (e.key == "interval") {
      ok &= d.Duration(e.value, context + ": interval", &out->group.interval_ms);
    } else if (e.key == "limit") {
      ok &= d.Int(e.value, context + ": limit", &out->group.limit);
    } else if (e.key == "rules") {
      const YNode* r = Resolve(e.value);
      if (r != nullptr && r->kind == YNode::Kind::kScalar && r->null) continue;
      if (r == nullptr || r->kind != YNode::Kind::kSequence) {
        d.Error(e.value, context,
                "cannot unmarshal " + TagOf(e.value) + " into []rulefmt.RuleNode");
        ok = false;
        continue;
      }
      for (const YNode* item : r->items) {
        const YNode* ri = Resolve(item);
        // yaml.v3 drops null items of a list of structs: they are not rules.
        if (ri != nullptr && ri->kind == YNode::Kind::kScalar && ri->null) continue;
        std::string rule_context = context + ", rule " + std::to_string(out->rules.size() + 1);
        if (ri == nullptr || ri->kind != YNode::Kind::kMapping) {
          d.Error(item, rule_context, "cannot unmarshal " + TagOf(item) + " into rulefmt.RuleNode");
          ok = false;
          continue;
        }
        RawRule rule;
        ok &= DecodeRule(d, ri, rule_context, &rule);
        out->rules.push_back(std::move(rule));
      }
    } else {
      d.Error(e.key_node, context, "field " + e.key + " not found in type rulefmt.RuleGroup");
      ok = false;
    }
  }
  return ok;
}

bool IsValidUtf8(std::string_view s) {
  // Control characters are valid in a label value, unlike in YAML text.
  for (size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) continue;
    size_t len = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
    if (len == 0 || i + len > s.size()) return false;
    uint32_t cp = c & (len == 2 ? 0x1F : len == 3 ? 0x0F : 0x07);
    for (size_t k = 1; k < len; ++k) {
      auto t = static_cast<unsigned char>(s[i + k]);
      if ((t & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (t & 0x3F);
    }
    static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[len] || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) return false;
    i += len - 1;
  }
  return true;
}

// rulefmt's RuleNode.Validate and testTemplateParsing for one decoded rule.
void ValidateRule(Decoder& d, const RawRule& raw, const std::string& context) {
  const RuleNode& r = raw.rule;
  const YNode* at = raw.record != nullptr ? raw.record : raw.node;
  if (!r.record.empty() && !r.alert.empty()) {
    d.Error(at, context, "only one of 'record' and 'alert' must be set");
  }
  if (r.record.empty() && r.alert.empty()) {
    d.Error(raw.node, context, "one of 'record' or 'alert' must be set");
  }
  if (r.expr.empty()) {
    d.Error(raw.expr != nullptr ? raw.expr : raw.node, context, "field 'expr' must be set in rule");
  } else if (auto e = promql::ParseExpr(r.expr); !e.ok()) {
    d.Error(raw.expr, context, "could not parse expression: " + e.status().message());
  }
  if (!r.record.empty()) {
    if (!r.annotations.empty()) {
      d.Error(at, context, "invalid field 'annotations' in recording rule");
    }
    if (r.for_ms != 0) d.Error(at, context, "invalid field 'for' in recording rule");
    if (r.keep_firing_for_ms != 0) {
      d.Error(at, context, "invalid field 'keep_firing_for' in recording rule");
    }
    if (!model::IsValidMetricName(r.record)) {
      d.Error(at, context, "invalid recording rule name: " + r.record);
    }
  }
  for (const auto& [name, value] : r.labels) {
    // __name__ would rename the rule's output series: rulefmt refuses it.
    if (!model::IsValidLabelName(name) || name == "__name__") {
      d.Error(raw.node, context, "invalid label name: " + name);
    }
    if (!IsValidUtf8(value)) d.Error(raw.node, context, "invalid label value: " + value);
  }
  for (const auto& [name, value] : r.annotations) {
    if (!model::IsValidLabelName(name)) {
      d.Error(raw.node, context, "invalid annotation name: " + name);
    }
  }
  // Only alerting rules expand templates, so only theirs must parse.
  if (r.alert.empty()) return;
  const std::string template_name = "__alert_" + r.alert;
  for (const auto& [name, value] : r.labels) {
    if (Status s = CheckTemplate(template_name, value); !s.ok()) {
      d.Error(raw.node, context, "label " + Quote(name) + ": " + s.message());
    }
  }
  for (const auto& [name, value] : r.annotations) {
    if (Status s = CheckTemplate(template_name, value); !s.ok()) {
      d.Error(raw.node, context, "annotation " + Quote(name) + ": " + s.message());
    }
  }
}

Status JoinErrors(const std::vector<std::string>& errors) {
  std::string msg;
  for (const auto& e : errors) {
    if (!msg.empty()) msg += "\n";
    msg += e;
  }
  return Status::InvalidArgument(msg);
}

// Go's filepath.Match syntax errors (glob(3) takes them literally): an
// unclosed character class or a trailing backslash.
bool ValidGlobPattern(const std::string& p) {
  for (size_t i = 0; i < p.size(); ++i) {
    if (p[i] == '\\') {
      if (++i >= p.size()) return false;
    } else if (p[i] == '[') {
      size_t j = i + 1;
      if (j < p.size() && p[j] == '^') ++j;
      bool first = true;
      for (;; ++j, first = false) {
        if (j >= p.size()) return false;
        if (p[j] == ']' && !first) break;
        if (p[j] == ']' && first) return false;  // Go: an empty class is an error
        if (p[j] == '\\' && ++j >= p.size()) return false;
        if (p[j] == '/') return false;
      }
      i = j;
    }
  }
  return true;
}

// Go's filepath.Glob sorts the names in each directory it reads, so the
// matches come in directory order: compare paths element by element.
bool GlobOrder(const std::string& a, const std::string& b) {
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    size_t ea = a.find('/', i), eb = b.find('/', j);
    std::string_view ca = std::string_view(a).substr(i, ea == std::string::npos ? ea : ea - i);
    std::string_view cb = std::string_view(b).substr(j, eb == std::string::npos ? eb : eb - j);
    if (ca != cb) return ca < cb;
    if (ea == std::string::npos || eb == std::string::npos)
      return ea == std::string::npos && eb != std::string::npos;
    i = ea + 1;
    j = eb + 1;
  }
  return a.size() - i < b.size() - j;
}

std::string_view LastElement(const std::string& path) {
  size_t slash = path.rfind('/');
  return std::string_view(path).substr(slash == std::string::npos ? 0 : slash + 1);
}

}  // namespace

Result<RuleFile> ParseRuleFile(std::string_view yaml_text, const std::string& path) {
  Decoder d(path);
  std::string why;
  if (!ValidYamlText(yaml_text, &why)) {
    return Status::InvalidArgument(path + ": yaml: " + why);
  }
  if (std::string bad = CheckDirectives(yaml_text); !bad.empty()) {
    return Status::InvalidArgument(path + ": yaml: " + bad);
  }

  // libyaml also breaks lines at a lone CR, yaml-cpp only at LF. Same
  // length, so the builder's positions still index the text.
  std::string text(yaml_text);
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r' && (i + 1 == text.size() || text[i + 1] != '\n')) text[i] = '\n';
  }
  auto syntax_error = [&](const YAML::Mark& mark, const std::string& what) {
    std::string msg = path;
    if (!mark.is_null()) {
      msg += ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
    }
    return Status::InvalidArgument(msg + ": yaml: " + what);
  };
  auto tree = std::make_unique<TreeBuilder>(text);
  std::string prefix;  // outlives the tree that points into it
  if (auto e = ReadFirstDocument(text, tree.get()); e.has_value()) {
    // A stray ']' or '}' after a flow root ("{...}\n}") is past the end of
    // the document to libyaml, and Prometheus reads one document; yaml-cpp's
    // scanner, looking for a ':' after the root, trips on it. Then the text
    // before it must be a flow collection by itself.
    if (e->msg != YAML::ErrorMsg::FLOW_END || e->mark.pos <= 0) {
      return syntax_error(e->mark, e->msg);
    }
    prefix = text.substr(0, static_cast<size_t>(e->mark.pos));
    auto retry = std::make_unique<TreeBuilder>(prefix);
    if (ReadFirstDocument(prefix, retry.get()).has_value() || !retry->flow_root()) {
      return syntax_error(e->mark, e->msg);
    }
    tree = std::move(retry);
  }
  if (!tree->error().empty()) return syntax_error(tree->error_mark(), tree->error());

  RuleFile file;
  file.path = path;
  const YNode* root = Resolve(tree->root());
  if (root == nullptr || (root->kind == YNode::Kind::kScalar && root->null)) return file;
  if (root->kind != YNode::Kind::kMapping) {
    d.Error(root, "", "cannot unmarshal " + TagOf(root) + " into rulefmt.RuleGroups");
    return JoinErrors(d.errors());
  }

  std::vector<RawGroup> groups;
  std::vector<Decoder::Entry> entries;
  if (d.Entries(root, "", &entries)) {
    for (const auto& e : entries) {
      if (e.key != "groups") {
        d.Error(e.key_node, "", "field " + e.key + " not found in type rulefmt.RuleGroups");
        continue;
      }
      const YNode* list = Resolve(e.value);
      if (list != nullptr && list->kind == YNode::Kind::kScalar && list->null) continue;
      if (list == nullptr || list->kind != YNode::Kind::kSequence) {
        d.Error(e.value, "", "cannot unmarshal " + TagOf(e.value) + " into []rulefmt.RuleGroup");
        continue;
      }
      for (const YNode* item : list->items) {
        const YNode* ri = Resolve(item);
        if (ri != nullptr && ri->kind == YNode::Kind::kScalar && ri->null) continue;
        RawGroup g;
        if (ri == nullptr || ri->kind != YNode::Kind::kMapping) {
          d.Error(item, GroupContext(groups.size() + 1, ""),
                  "cannot unmarshal " + TagOf(item) + " into rulefmt.RuleGroup");
        } else {
          DecodeGroup(d, ri, groups.size() + 1, &g);
        }
        groups.push_back(std::move(g));
      }
    }
  }
  // As rulefmt.Parse: a file that does not decode is not validated.
  if (d.failed()) return JoinErrors(d.errors());

  std::set<std::string> names;
  for (size_t gi = 0; gi < groups.size(); ++gi) {
    const RawGroup& g = groups[gi];
    const std::string context = GroupContext(gi + 1, g.group.name);
    if (g.group.name.empty()) d.Error(g.node, context, "group name must not be empty");
    if (!names.insert(g.group.name).second) {
      d.Error(g.node, context, "group name " + Quote(g.group.name) + " is repeated in the file");
    }
    for (size_t ri = 0; ri < g.rules.size(); ++ri) {
      const RuleNode& r = g.rules[ri].rule;
      ValidateRule(d, g.rules[ri],
                   RuleContext(gi + 1, g.group.name, ri + 1, r.alert.empty() ? r.record : r.alert));
    }
  }
  if (d.failed()) return JoinErrors(d.errors());

  for (RawGroup& g : groups) {
    for (RawRule& r : g.rules) g.group.rules.push_back(std::move(r.rule));
    file.groups.push_back(std::move(g.group));
  }
  return file;
}

Result<RuleFile> LoadRuleFile(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return Status::IOError(path + ": is a directory");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    int err = errno;
    std::string msg = path + ": " + std::strerror(err);
    return err == ENOENT ? Status::NotFound(msg) : Status::IOError(msg);
  }
  std::ostringstream buf;
  buf << in.rdbuf();
  if (in.bad()) return Status::IOError(path + ": read error");
  return ParseRuleFile(buf.str(), path);
}

Result<std::vector<RuleFile>> LoadRuleFiles(const std::vector<std::string>& patterns,
                                            const std::string& base_dir) {
  std::vector<RuleFile> files;
  std::set<std::string> loaded;
  for (const std::string& pattern : patterns) {
    std::string full = pattern;
    if (!pattern.empty() && pattern[0] != '/' && !base_dir.empty()) {
      full = base_dir + (base_dir.back() == '/' ? "" : "/") + pattern;
    }
    if (!ValidGlobPattern(full)) {
      return Status::InvalidArgument("invalid rule file pattern " + Quote(pattern) +
                                     ": syntax error in pattern");
    }
    // GLOB_PERIOD: Go's '*' matches a leading dot too. Sorted below instead.
    glob_t g{};
    int rc = glob(full.c_str(), GLOB_NOSORT | GLOB_PERIOD, nullptr, &g);
    std::vector<std::string> matches;
    if (rc == 0) {
      for (size_t i = 0; i < g.gl_pathc; ++i) {
        std::string m = g.gl_pathv[i];
        // With GLOB_PERIOD glob(3) also matches "." and "..", which Go's
        // directory listing never yields.
        std::string_view base = std::string_view(m).substr(m.rfind('/') + 1);
        if ((base == "." || base == "..") && LastElement(full) != base) continue;
        matches.push_back(std::move(m));
      }
    }
    globfree(&g);
    if (rc != 0 && rc != GLOB_NOMATCH) {
      return Status::IOError("rule file pattern " + Quote(pattern) + ": cannot read directories");
    }
    std::sort(matches.begin(), matches.end(), GlobOrder);
    for (const std::string& m : matches) {
      if (!loaded.insert(m).second) continue;
      auto f = LoadRuleFile(m);
      if (!f.ok()) return f.status();
      files.push_back(std::move(f).value());
    }
  }
  return files;
}

}  // namespace rules
