#include "rules/unit_test_runner.h"

#include <glob.h>

#include <algorithm>
#include <bit>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <utility>

#include <yaml-cpp/yaml.h>

#include "model/duration.h"
#include "model/matcher.h"
#include "model/value.h"
#include "promql/engine.h"
#include "promql/memory_storage.h"
#include "rules/alerting_rule.h"
#include "rules/group.h"
#include "rules/rule_file.h"

namespace rules {

namespace {

using LabelList = std::vector<model::Label>;  // sorted by name, empty values kept

// ---------------------------------------------------------------------------
// Go formatting of what promtool prints.

// labels.Labels.String(): {a="1", b="2"}.
std::string LabelsString(const LabelList& ls) {
  std::string out = "{";
  for (size_t i = 0; i < ls.size(); ++i) {
    if (i > 0) out += ", ";
    out += ls[i].name + "=" + model::QuoteString(ls[i].value);
  }
  return out + "}";
}

// strconv.FormatFloat(v, 'E', -1, 64).
std::string FormatFloatE(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  std::string s(buf, r.ptr);
  for (char& c : s) {
    if (c == 'e') c = 'E';
  }
  return s;
}

// time.Duration.String() of whole milliseconds: "0s", "500ms", "1m30s",
// "1h0m0s", "2.5s".
std::string GoDurationString(int64_t ms) {
  if (ms == 0) return "0s";
  std::string sign;
  uint64_t u = static_cast<uint64_t>(ms);
  if (ms < 0) {
    sign = "-";
    u = ~u + 1;
  }
  if (u < 1000) return sign + std::to_string(u) + "ms";
  std::string out = sign;
  const uint64_t h = u / 3'600'000, m = (u / 60'000) % 60, s = (u / 1000) % 60, frac = u % 1000;
  if (h > 0) out += std::to_string(h) + "h";
  if (h > 0 || m > 0) out += std::to_string(m) + "m";
  out += std::to_string(s);
  if (frac > 0) {
    char buf[8];
    std::snprintf(buf, sizeof buf, ".%03u", static_cast<unsigned>(frac));
    std::string f = buf;
    while (f.back() == '0') f.pop_back();
    out += f;
  }
  return out + "s";
}

// promtool's indentLines: every line but the first gets `indent`.
std::string IndentLines(const std::string& lines, const std::string& indent) {
  std::string out;
  size_t start = 0;
  bool first = true;
  while (true) {
    size_t nl = lines.find('\n', start);
    if (!first) out += indent;
    first = false;
    if (nl == std::string::npos) {
      out += lines.substr(start);
      break;
    }
    out += lines.substr(start, nl - start) + "\n";
    start = nl + 1;
  }
  return out;
}

LabelList ToList(const model::Labels& ls) { return ls.items(); }

// ---------------------------------------------------------------------------
// The test file, decoded as yaml.v2's UnmarshalStrict decodes it into
// promtool's structs (unknown and repeated keys are errors).

struct InputSeries {
  std::string series;
  std::string values;
};

struct ExpAlert {
  LabelList labels;
  LabelList annotations;
};

struct AlertTestCase {
  int64_t eval_time_ms = 0;
  std::string alertname;
  std::vector<ExpAlert> exp_alerts;
};

struct ExpSample {
  std::string labels;
  double value = 0;
};

struct PromqlTestCase {
  std::string expr;
  int64_t eval_time_ms = 0;
  std::vector<ExpSample> exp_samples;
};

struct TestGroup {
  int64_t interval_ms = 0;
  std::vector<InputSeries> input_series;
  std::vector<AlertTestCase> alert_tests;
  std::vector<PromqlTestCase> promql_tests;
  LabelList external_labels;
  std::string external_url;
  std::string name;
};

struct TestFile {
  std::vector<std::string> rule_files;
  int64_t evaluation_interval_ms = 0;
  std::vector<std::string> group_eval_order;
  std::vector<TestGroup> tests;
};

class Decoder {
 public:
  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }

  // yaml.v2's "cannot unmarshal" and strict-mode errors.
  void Fail(const YAML::Node& n, const std::string& msg) {
    if (!error_.empty()) return;
    error_ = "yaml: unmarshal errors:\n  line " + std::to_string(n.Mark().line + 1) + ": " + msg;
  }
  // Errors a type's own UnmarshalYAML returns (model.Duration), unprefixed.
  void FailPlain(const std::string& msg) {
    if (error_.empty()) error_ = msg;
  }

  // Visits the fields of a mapping decoded into Go type `type`.
  void Fields(const YAML::Node& n, const std::string& type, const std::set<std::string>& known,
              const std::function<void(const std::string&, const YAML::Node&)>& field) {
    if (!ok() || n.IsNull() || !n.IsDefined()) return;
    if (!n.IsMap()) {
      Fail(n, "cannot unmarshal " + Kind(n) + " into " + type);
      return;
    }
    std::set<std::string> seen;
    for (auto it = n.begin(); it != n.end() && ok(); ++it) {
      const std::string key = it->first.IsScalar() ? it->first.Scalar() : "";
      if (!seen.insert(key).second) {
        Fail(it->first, "field " + key + " already set in type " + type);
        return;
      }
      if (!known.count(key)) {
        Fail(it->first, "field " + key + " not found in type " + type);
        return;
      }
      field(key, it->second);
    }
  }

  template <typename T>
  void List(const YAML::Node& n, const std::string& type, std::vector<T>* out,
            const std::function<void(const YAML::Node&, T*)>& item) {
    if (!ok() || n.IsNull() || !n.IsDefined()) return;
    if (!n.IsSequence()) {
      Fail(n, "cannot unmarshal " + Kind(n) + " into " + type);
      return;
    }
    for (const auto& e : n) {
      out->emplace_back();
      item(e, &out->back());
      if (!ok()) return;
    }
  }

  std::string String(const YAML::Node& n) {
    if (n.IsNull() || !n.IsDefined()) return "";
    if (!n.IsScalar()) {
      Fail(n, "cannot unmarshal " + Kind(n) + " into string");
      return "";
    }
    return n.Scalar();
  }

  std::vector<std::string> Strings(const YAML::Node& n) {
    std::vector<std::string> out;
    List<std::string>(n, "[]string", &out,
                      [this](const YAML::Node& e, std::string* s) { *s = String(e); });
    return out;
  }

  // model.Duration: a string in Prometheus's duration syntax.
  int64_t Duration(const YAML::Node& n) {
    std::string s = String(n);
    if (!ok()) return 0;
    if (s.empty() && (n.IsNull() || !n.IsDefined())) return 0;
    auto d = model::ParseDuration(s);
    if (!d.ok()) {
      FailPlain("not a valid duration string: " + model::QuoteString(s));
      return 0;
    }
    return *d;
  }

  // float64 from a plain scalar resolved as YAML 1.1 does (yaml.v2).
  double Float(const YAML::Node& n) {
    if (n.IsNull() || !n.IsDefined()) return 0;
    if (!n.IsScalar()) {
      Fail(n, "cannot unmarshal " + Kind(n) + " into float64");
      return 0;
    }
    const std::string& s = n.Scalar();
    if (n.Tag() == "?") {
      if (auto v = ResolveFloat(s)) return *v;
    }
    Fail(n, "cannot unmarshal " + Kind(n) + " `" + s + "` into float64");
    return 0;
  }

  // map[string]string into sorted labels (labels.FromMap).
  LabelList StringMap(const YAML::Node& n) {
    LabelList out;
    if (!ok() || n.IsNull() || !n.IsDefined()) return out;
    if (!n.IsMap()) {
      Fail(n, "cannot unmarshal " + Kind(n) + " into map[string]string");
      return out;
    }
    std::map<std::string, std::string> m;
    for (auto it = n.begin(); it != n.end() && ok(); ++it) {
      std::string k = String(it->first);
      if (m.count(k)) {
        Fail(it->first, "key " + model::QuoteString(k) + " already set in map");
        break;
      }
      m[k] = String(it->second);
    }
    for (auto& [k, v] : m) out.push_back(model::Label{k, v});
    return out;
  }

 private:
  static bool IsBool(const std::string& s) {
    static const std::set<std::string> kBools = {
        "y",    "Y",    "yes",   "Yes",   "YES",   "n",  "N",  "no", "No",  "NO",  "true",
        "True", "TRUE", "false", "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF"};
    return kBools.count(s) > 0;
  }

  static std::optional<double> ResolveFloat(const std::string& in) {
    static const std::set<std::string> kInf = {".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"};
    static const std::set<std::string> kNegInf = {"-.inf", "-.Inf", "-.INF"};
    static const std::set<std::string> kNaN = {".nan", ".NaN", ".NAN"};
    if (kInf.count(in)) return std::numeric_limits<double>::infinity();
    if (kNegInf.count(in)) return -std::numeric_limits<double>::infinity();
    if (kNaN.count(in)) return std::numeric_limits<double>::quiet_NaN();
    std::string plain;
    for (char c : in) {
      if (c != '_') plain += c;
    }
    if (plain.empty()) return std::nullopt;
    // Integers as strconv.ParseInt(plain, 0, 64): 0x, 0o, 0b and leading-0 octal.
    {
      std::string_view p = plain;
      bool neg = false;
      if (p[0] == '+' || p[0] == '-') {
        neg = p[0] == '-';
        p.remove_prefix(1);
      }
      int base = 10;
      if (p.size() > 1 && p[0] == '0') {
        if (p[1] == 'x' || p[1] == 'X') {
          base = 16;
          p.remove_prefix(2);
        } else if (p[1] == 'o' || p[1] == 'O') {
          base = 8;
          p.remove_prefix(2);
        } else if (p[1] == 'b' || p[1] == 'B') {
          base = 2;
          p.remove_prefix(2);
        } else {
          base = 8;
          p.remove_prefix(1);
        }
      }
      uint64_t u = 0;
      auto r = std::from_chars(p.data(), p.data() + p.size(), u, base);
      if (!p.empty() && r.ec == std::errc() && r.ptr == p.data() + p.size() &&
          u <= (neg ? uint64_t{1} << 63 : (uint64_t{1} << 63) - 1)) {
        return neg ? -static_cast<double>(u) : static_cast<double>(u);
      }
    }
    // yaml.v2's float pattern ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$.
    size_t i = 0;
    auto digits = [&] {
      size_t s = i;
      while (i < plain.size() && plain[i] >= '0' && plain[i] <= '9') ++i;
      return i > s;
    };
    if (plain[i] == '+' || plain[i] == '-') ++i;
    if (i < plain.size() && plain[i] == '.') {
      ++i;
      if (!digits()) return std::nullopt;
    } else {
      if (!digits()) return std::nullopt;
      if (i < plain.size() && plain[i] == '.') {
        ++i;
        digits();
      }
    }
    if (i < plain.size() && (plain[i] == 'e' || plain[i] == 'E')) {
      ++i;
      if (i < plain.size() && (plain[i] == '+' || plain[i] == '-')) ++i;
      if (!digits()) return std::nullopt;
    }
    if (i != plain.size()) return std::nullopt;
    return std::strtod(plain.c_str(), nullptr);
  }

  static std::string Kind(const YAML::Node& n) {
    if (n.IsMap()) return "!!map";
    if (n.IsSequence()) return "!!seq";
    if (n.IsScalar()) {
      if (n.Tag() != "?") return "!!str";
      const std::string& s = n.Scalar();
      if (IsBool(s)) return "!!bool";
      if (ResolveFloat(s)) return "!!float";
      return "!!str";
    }
    return "!!null";
  }

  std::string error_;
};

void DecodeTestGroup(Decoder& d, const YAML::Node& n, TestGroup* tg) {
  d.Fields(n, "main.testGroup",
           {"interval", "input_series", "alert_rule_test", "promql_expr_test", "external_labels",
            "external_url", "name"},
           [&](const std::string& k, const YAML::Node& v) {
             if (k == "interval") {
               tg->interval_ms = d.Duration(v);
             } else if (k == "input_series") {
               d.List<InputSeries>(
                   v, "[]main.series", &tg->input_series, [&](const YAML::Node& e, InputSeries* s) {
                     d.Fields(e, "main.series", {"series", "values"},
                              [&](const std::string& f, const YAML::Node& fv) {
                                (f == "series" ? s->series : s->values) = d.String(fv);
                              });
                   });
             } else if (k == "alert_rule_test") {
               d.List<AlertTestCase>(
                   v, "[]main.alertTestCase", &tg->alert_tests,
                   [&](const YAML::Node& e, AlertTestCase* a) {
                     d.Fields(e, "main.alertTestCase", {"eval_time", "alertname", "exp_alerts"},
                              [&](const std::string& f, const YAML::Node& fv) {
                                if (f == "eval_time") {
                                  a->eval_time_ms = d.Duration(fv);
                                } else if (f == "alertname") {
                                  a->alertname = d.String(fv);
                                } else {
                                  d.List<ExpAlert>(
                                      fv, "[]main.alert", &a->exp_alerts,
                                      [&](const YAML::Node& ae, ExpAlert* x) {
                                        d.Fields(
                                            ae, "main.alert", {"exp_labels", "exp_annotations"},
                                            [&](const std::string& g, const YAML::Node& gv) {
                                              (g == "exp_labels" ? x->labels : x->annotations) =
                                                  d.StringMap(gv);
                                            });
                                      });
                                }
                              });
                   });
             } else if (k == "promql_expr_test") {
               d.List<PromqlTestCase>(
                   v, "[]main.promqlTestCase", &tg->promql_tests,
                   [&](const YAML::Node& e, PromqlTestCase* p) {
                     d.Fields(e, "main.promqlTestCase", {"expr", "eval_time", "exp_samples"},
                              [&](const std::string& f, const YAML::Node& fv) {
                                if (f == "expr") {
                                  p->expr = d.String(fv);
                                } else if (f == "eval_time") {
                                  p->eval_time_ms = d.Duration(fv);
                                } else {
                                  d.List<ExpSample>(
                                      fv, "[]main.sample", &p->exp_samples,
                                      [&](const YAML::Node& se, ExpSample* s) {
                                        d.Fields(se, "main.sample", {"labels", "value"},
                                                 [&](const std::string& g, const YAML::Node& gv) {
                                                   if (g == "labels") {
                                                     s->labels = d.String(gv);
                                                   } else {
                                                     s->value = d.Float(gv);
                                                   }
                                                 });
                                      });
                                }
                              });
                   });
             } else if (k == "external_labels") {
               tg->external_labels = d.StringMap(v);
             } else if (k == "external_url") {
               tg->external_url = d.String(v);
             } else {
               tg->name = d.String(v);
             }
           });
}

common::Result<TestFile> DecodeTestFile(const std::string& text) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return common::Status::InvalidArgument("yaml: line " + std::to_string(e.mark.line + 1) + ": " +
                                           e.msg);
  }
  TestFile f;
  Decoder d;
  d.Fields(
      root, "main.unitTestFile", {"rule_files", "evaluation_interval", "group_eval_order", "tests"},
      [&](const std::string& k, const YAML::Node& v) {
        if (k == "rule_files") {
          f.rule_files = d.Strings(v);
        } else if (k == "evaluation_interval") {
          f.evaluation_interval_ms = d.Duration(v);
        } else if (k == "group_eval_order") {
          f.group_eval_order = d.Strings(v);
        } else {
          d.List<TestGroup>(v, "[]main.testGroup", &f.tests,
                            [&](const YAML::Node& e, TestGroup* tg) { DecodeTestGroup(d, e, tg); });
        }
      });
  if (!d.ok()) return common::Status::InvalidArgument(d.error());
  return f;
}

// ---------------------------------------------------------------------------
// Series notation (Prometheus's series description grammar).

bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// The number at the start of s, as the series-description lexer scans it
// (decimal digits, fraction, exponent; no hexadecimal) and the parser reads
// it (strconv.ParseInt base 0, else ParseFloat). `len` gets the length.
std::optional<double> ScanNumber(std::string_view s, size_t* len) {
  size_t i = 0;
  while (i < s.size() && IsDigit(s[i])) ++i;
  const size_t int_end = i;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && IsDigit(s[i])) ++i;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    while (i < s.size() && IsDigit(s[i])) ++i;
  }
  if (i == 0 || (i == 1 && s[0] == '.')) return std::nullopt;
  *len = i;
  std::string text(s.substr(0, i));
  if (int_end == i && text.size() > 1 && text[0] == '0' &&
      text.find_first_not_of("01234567") == std::string::npos) {
    return static_cast<double>(std::strtoull(text.c_str(), nullptr, 8));  // Go's base-0 octal
  }
  char* end = nullptr;
  double v = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size()) return std::nullopt;
  return v;
}

// An unsigned, optionally signed number or Inf/NaN at the start of s.
std::optional<double> ScanValue(std::string_view s, size_t* len, bool* keyword) {
  size_t i = 0;
  double sign = 1;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    sign = s[0] == '-' ? -1 : 1;
    i = 1;
  }
  std::string_view rest = s.substr(i);
  *keyword = false;
  if (!rest.empty() && IsAlpha(rest[0])) {
    size_t j = 0;
    while (j < rest.size() && (IsAlpha(rest[j]) || IsDigit(rest[j]) || rest[j] == ':')) ++j;
    std::string word(rest.substr(0, j));
    std::transform(word.begin(), word.end(), word.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    *keyword = true;
    *len = i + j;
    if (i == 0 && rest.substr(0, j) == "stale") return model::kStaleNaN;
    if (word == "inf") return sign * std::numeric_limits<double>::infinity();
    if (word == "nan") return std::numeric_limits<double>::quiet_NaN();
    return std::nullopt;
  }
  size_t n = 0;
  auto v = ScanNumber(rest, &n);
  if (!v) return std::nullopt;
  *len = i + n;
  return sign * *v;
}

// Go's strconv.Unquote for "..." and '...' label values; `` raw.
std::optional<std::string> Unquote(std::string_view s, size_t* len) {
  const char q = s[0];
  std::string out;
  size_t i = 1;
  while (i < s.size()) {
    char c = s[i];
    if (c == q) {
      *len = i + 1;
      return out;
    }
    if (c == '\n' && q != '`') return std::nullopt;
    if (c == '\\' && q != '`') {
      if (i + 1 >= s.size()) return std::nullopt;
      char e = s[i + 1];
      i += 2;
      switch (e) {
        case 'a':
          out += '\a';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'v':
          out += '\v';
          break;
        case '\\':
          out += '\\';
          break;
        case '"':
        case '\'':
          if (e != q) return std::nullopt;
          out += e;
          break;
        case 'x':
        case 'u':
        case 'U': {
          const size_t n = e == 'x' ? 2 : e == 'u' ? 4 : 8;
          if (i + n > s.size()) return std::nullopt;
          uint32_t cp = 0;
          auto r = std::from_chars(s.data() + i, s.data() + i + n, cp, 16);
          if (r.ec != std::errc() || r.ptr != s.data() + i + n) return std::nullopt;
          i += n;
          if (e == 'x') {
            out += static_cast<char>(cp);
          } else if (cp < 0x80) {
            out += static_cast<char>(cp);
          } else if (cp < 0x800) {
            out += static_cast<char>(0xc0 | (cp >> 6));
            out += static_cast<char>(0x80 | (cp & 0x3f));
          } else if (cp < 0x10000) {
            out += static_cast<char>(0xe0 | (cp >> 12));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
            out += static_cast<char>(0x80 | (cp & 0x3f));
          } else if (cp <= 0x10ffff) {
            out += static_cast<char>(0xf0 | (cp >> 18));
            out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
            out += static_cast<char>(0x80 | (cp & 0x3f));
          } else {
            return std::nullopt;
          }
          break;
        }
        default:
          if (e >= '0' && e <= '7') {
            if (i + 2 > s.size()) return std::nullopt;
            unsigned v = 0;
            auto r = std::from_chars(s.data() + i - 1, s.data() + i + 2, v, 8);
            if (r.ec != std::errc() || r.ptr != s.data() + i + 2 || v > 255) return std::nullopt;
            out += static_cast<char>(v);
            i += 2;
            break;
          }
          return std::nullopt;
      }
      continue;
    }
    out += c;
    ++i;
  }
  return std::nullopt;
}

// ---------------------------------------------------------------------------
// Evaluation.

// The test's storage: input series and rule results in one MemoryStorage,
// with the TSDB's append rules (a sample older than the series' last one is
// out of order; one at the same time is a duplicate unless bit-identical),
// so results match promtool's. Rule results go through Append and are
// refused with the TSDB's errors; input samples are loaded in order and
// same-time repeats dropped, as a head commit drops them.
class TestStorage : public Appendable {
 public:
  promql::MemoryStorage& storage() { return storage_; }

  common::Status Append(const std::vector<promql::Sample>& samples) override {
    common::Status err;
    for (const auto& s : samples) {
      auto it = last_.find(s.metric);
      if (it != last_.end()) {
        if (s.point.t < it->second.first) {
          err = common::Status::InvalidArgument("out of order sample");
          continue;
        }
        if (s.point.t == it->second.first) {
          if (std::bit_cast<uint64_t>(s.point.v) != std::bit_cast<uint64_t>(it->second.second)) {
            err = common::Status::InvalidArgument("duplicate sample for timestamp");
          }
          continue;
        }
      }
      storage_.Add(s.metric, s.point.t, s.point.v);
      last_[s.metric] = {s.point.t, s.point.v};
    }
    return err;
  }

  // An input sample (dropped, as by a head commit, when not newer).
  void Load(const model::Labels& l, int64_t t, double v) {
    auto it = last_.find(l);
    if (it != last_.end() && t <= it->second.first) return;
    storage_.Add(l, t, v);
    last_[l] = {t, v};
  }

 private:
  promql::MemoryStorage storage_;
  std::map<model::Labels, std::pair<int64_t, double>> last_;
};

struct LoadedSeries {
  model::Labels labels;
  std::vector<std::pair<int64_t, double>> samples;
  size_t next = 0;
};

struct AlertGot {
  LabelList labels;
  LabelList annotations;
  auto operator<=>(const AlertGot&) const = default;
};

std::string AlertsString(const std::vector<AlertGot>& v) {
  if (v.empty()) return "[]";
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) {
    s += i == 0 ? "\n" : ",\n";
    s += std::to_string(i) + ":" +
         IndentLines("\nLabels:" + LabelsString(v[i].labels) +
                         "\nAnnotations:" + LabelsString(v[i].annotations),
                     "  ");
  }
  return s + "\n]";
}

struct ParsedSample {
  LabelList labels;
  double value = 0;
};

std::string SamplesString(const std::vector<ParsedSample>& v) {
  if (v.empty()) return "nil";
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) {
    if (i > 0) s += ", ";
    s += LabelsString(v[i].labels) + " " + FormatFloatE(v[i].value);
  }
  return s;
}

// filepath.Glob: sorted matches, none for a path that does not exist.
std::vector<std::string> Glob(const std::string& pattern) {
  std::vector<std::string> out;
  glob_t g{};
  if (glob(pattern.c_str(), 0, nullptr, &g) == 0) {
    for (size_t i = 0; i < g.gl_pathc; ++i) out.emplace_back(g.gl_pathv[i]);
  }
  globfree(&g);
  return out;
}

class GroupTest {
 public:
  GroupTest(const TestGroup& tg, int64_t eval_interval_ms,
            const std::map<std::string, int>& group_order, const std::vector<RuleFile>& files)
      : tg_(tg), eval_interval_ms_(eval_interval_ms), group_order_(group_order), files_(files) {}

  // promtool's testGroup.test: the failures, empty if the group passed.
  std::vector<std::string> Run();

 private:
  common::Status LoadInput();
  void LoadTill(int64_t ts);
  common::Status CreateGroups();
  std::vector<std::string> CheckAlerts(int64_t t);
  std::vector<std::string> CheckExprs();

  const TestGroup& tg_;
  const int64_t eval_interval_ms_;
  const std::map<std::string, int>& group_order_;
  const std::vector<RuleFile>& files_;

  TestStorage storage_;
  std::unique_ptr<promql::Engine> engine_;
  std::vector<LoadedSeries> input_;
  std::vector<std::unique_ptr<Group>> groups_;
};

common::Status GroupTest::LoadInput() {
  std::map<model::Labels, size_t> index;
  for (const auto& is : tg_.input_series) {
    auto ls = ParseSeriesNotation(is.series);
    if (!ls.ok()) return ls.status().WithContext("series " + model::QuoteString(is.series));
    if (ls->empty())
      return common::Status::InvalidArgument("series " + model::QuoteString(is.series) +
                                             ": no labels");
    auto vals = ExpandSeriesValues(is.values);
    if (!vals.ok()) return vals.status().WithContext("values " + model::QuoteString(is.values));
    LoadedSeries s;
    s.labels = model::Labels::FromVector(*ls);
    for (size_t i = 0; i < vals->size(); ++i) {
      if ((*vals)[i].omitted) continue;
      s.samples.emplace_back(static_cast<int64_t>(i) * tg_.interval_ms, (*vals)[i].value);
    }
    // The same series twice: the later definition replaces the earlier.
    auto [it, inserted] = index.emplace(s.labels, input_.size());
    if (inserted) {
      input_.push_back(std::move(s));
    } else {
      input_[it->second] = std::move(s);
    }
  }
  return common::Status::OK();
}

void GroupTest::LoadTill(int64_t ts) {
  for (auto& s : input_) {
    while (s.next < s.samples.size() && s.samples[s.next].first <= ts) {
      storage_.Load(s.labels, s.samples[s.next].first, s.samples[s.next].second);
      ++s.next;
    }
  }
}

common::Status GroupTest::CreateGroups() {
  EvalContext ctx;
  ctx.engine = engine_.get();
  ctx.queryable = &storage_.storage();
  ctx.external_labels = model::Labels::FromVector(tg_.external_labels);
  ctx.external_url = tg_.external_url;
  // The groups' own interval only matters to alert sending, which is off;
  // it must be positive for Group::Create.
  const int64_t default_interval = tg_.interval_ms > 0 ? tg_.interval_ms : eval_interval_ms_;
  std::map<std::string, size_t> by_key;
  for (const auto& f : files_) {
    for (const auto& node : f.groups) {
      GroupOptions opts;
      opts.eval = ctx;
      opts.appendable = &storage_;
      // restore = false: alerting rules start restored, as promtool's
      // SetRestored(true) makes them, so ALERTS is written from the start.
      auto g = Group::Create(f.path, node, default_interval, /*restore=*/false, std::move(opts));
      if (!g.ok()) return g.status();
      auto [it, inserted] = by_key.emplace((*g)->Key(), groups_.size());
      if (inserted) {
        groups_.push_back(std::move(g).value());
      } else {
        groups_[it->second] = std::move(g).value();
      }
    }
  }
  // Partial order: groups not listed rank with the first listed one.
  auto rank = [this](const std::unique_ptr<Group>& g) {
    auto it = group_order_.find(g->name());
    return it == group_order_.end() ? 0 : it->second;
  };
  std::stable_sort(groups_.begin(), groups_.end(),
                   [&](const auto& a, const auto& b) { return rank(a) < rank(b); });
  return common::Status::OK();
}

std::vector<std::string> GroupTest::CheckAlerts(int64_t t) {
  std::set<std::string> present;
  std::vector<const AlertTestCase*> cases;
  for (const auto& a : tg_.alert_tests) {
    if (a.eval_time_ms != t) continue;
    present.insert(a.alertname);
    cases.push_back(&a);
  }
  // The same alert name may be used by several rules and groups.
  std::map<std::string, std::vector<AlertGot>> got;
  for (const auto& g : groups_) {
    for (const auto& r : g->rules()) {
      if (!r->alerting() || !present.count(r->name())) continue;
      for (const auto& a : static_cast<const AlertingRule&>(*r).ActiveAlerts()) {
        if (a.state != AlertState::kFiring) continue;
        AlertGot x;
        x.labels = ToList(a.labels);
        for (const auto& [k, v] : a.annotations) x.annotations.push_back(model::Label{k, v});
        std::stable_sort(x.annotations.begin(), x.annotations.end(),
                         [](const auto& l, const auto& r) { return l.name < r.name; });
        got[r->name()].push_back(std::move(x));
      }
    }
  }
  std::vector<std::string> errs;
  for (const AlertTestCase* tc : cases) {
    std::vector<AlertGot> g = got[tc->alertname];
    std::vector<AlertGot> exp;
    for (const auto& ea : tc->exp_alerts) {
      AlertGot x;
      x.labels = ea.labels;
      auto it = std::find_if(x.labels.begin(), x.labels.end(),
                             [](const auto& l) { return l.name == "alertname"; });
      if (it != x.labels.end()) {
        it->value = tc->alertname;
      } else {
        x.labels.push_back(model::Label{"alertname", tc->alertname});
        std::sort(x.labels.begin(), x.labels.end());
      }
      x.annotations = ea.annotations;
      exp.push_back(std::move(x));
    }
    std::sort(g.begin(), g.end());
    std::sort(exp.begin(), exp.end());
    if (g != exp) {
      std::string name = tg_.name.empty() ? "" : "    name: " + tg_.name + ",\n";
      errs.push_back(name + "    alertname: " + tc->alertname +
                     ", time: " + model::FormatDuration(tc->eval_time_ms) +
                     ", \n        exp:" + IndentLines(AlertsString(exp), "            ") +
                     ", \n        got:" + IndentLines(AlertsString(g), "            "));
    }
  }
  return errs;
}

std::vector<std::string> GroupTest::CheckExprs() {
  std::vector<std::string> errs;
  for (const auto& tc : tg_.promql_tests) {
    const std::string head = "    expr: " + model::QuoteString(tc.expr) +
                             ", time: " + model::FormatDuration(tc.eval_time_ms);
    auto r = engine_->InstantQuery(storage_.storage(), tc.expr, tc.eval_time_ms);
    std::vector<ParsedSample> got;
    if (r.ok()) {
      if (r->type == promql::ValueType::kVector) {
        for (const auto& s : r->vector) got.push_back(ParsedSample{ToList(s.metric), s.point.v});
      } else if (r->type == promql::ValueType::kScalar) {
        got.push_back(ParsedSample{{}, r->scalar.v});
      } else {
        r = common::Status::InvalidArgument("rule result is not a vector or scalar");
      }
    }
    if (!r.ok()) {
      errs.push_back(head + ", err: " + r.status().message());
      continue;
    }
    std::vector<ParsedSample> exp;
    bool bad = false;
    for (const auto& s : tc.exp_samples) {
      auto ls = ParseSeriesNotation(s.labels);
      if (!ls.ok()) {
        errs.push_back(head + ", err: labels " + model::QuoteString(s.labels) + ": " +
                       ls.status().message());
        bad = true;
        break;
      }
      exp.push_back(ParsedSample{std::move(ls).value(), s.value});
    }
    if (bad) continue;
    auto by_labels = [](const ParsedSample& a, const ParsedSample& b) {
      return a.labels < b.labels;
    };
    std::stable_sort(exp.begin(), exp.end(), by_labels);
    std::stable_sort(got.begin(), got.end(), by_labels);
    // reflect.DeepEqual: float64 compared with == (so NaN never matches).
    bool equal = exp.size() == got.size();
    for (size_t i = 0; equal && i < exp.size(); ++i) {
      equal = exp[i].labels == got[i].labels && exp[i].value == got[i].value;
    }
    if (!equal) {
      errs.push_back(head + ",\n        exp: " + SamplesString(exp) +
                     "\n        got: " + SamplesString(got));
    }
  }
  return errs;
}

std::vector<std::string> GroupTest::Run() {
  if (auto s = LoadInput(); !s.ok()) return {s.message()};

  promql::EngineOptions eo;  // promql.LazyLoader's engine
  eo.max_samples = 10000;
  eo.timeout_ms = 100 * 1000;
  eo.default_subquery_step_ms = eval_interval_ms_;
  eo.parallelism = 1;
  engine_ = std::make_unique<promql::Engine>(eo);

  if (auto s = CreateGroups(); !s.ok()) return {s.message()};

  int64_t maxt = 0;
  for (const auto& a : tg_.alert_tests) maxt = std::max(maxt, a.eval_time_ms);
  for (const auto& p : tg_.promql_tests) maxt = std::max(maxt, p.eval_time_ms);

  std::set<int64_t> alert_time_set;
  for (const auto& a : tg_.alert_tests) {
    if (a.alertname.empty()) {
      std::string in_group = tg_.name.empty() ? "" : " (in TestGroup " + tg_.name + ")";
      return {"an item under alert_rule_test misses required attribute alertname at eval_time " +
              model::FormatDuration(a.eval_time_ms) + in_group};
    }
    alert_time_set.insert(a.eval_time_ms);
  }
  const std::vector<int64_t> alert_times(alert_time_set.begin(), alert_time_set.end());
  size_t curr = 0;

  std::vector<std::string> errs;
  for (int64_t ts = 0; ts <= maxt; ts += eval_interval_ms_) {
    LoadTill(ts);
    std::vector<std::string> eval_errs;
    for (const auto& g : groups_) {
      g->Eval(ts);
      for (const auto& r : g->rules()) {
        RuleStatus st = r->status();
        if (st.health == RuleHealth::kBad) {
          eval_errs.push_back("    rule: " + r->name() + ", time: " + GoDurationString(ts) +
                              ", err: " + st.last_error);
        }
      }
    }
    if (!eval_errs.empty()) {
      errs.insert(errs.end(), eval_errs.begin(), eval_errs.end());
      return errs;
    }
    // Alerts expected at t are compared after the evaluation at ts with
    // ts <= t < ts + evaluation_interval.
    while (curr < alert_times.size() && ts <= alert_times[curr] &&
           alert_times[curr] < ts + eval_interval_ms_) {
      auto e = CheckAlerts(alert_times[curr]);
      errs.insert(errs.end(), e.begin(), e.end());
      ++curr;
    }
  }
  auto e = CheckExprs();
  errs.insert(errs.end(), e.begin(), e.end());
  return errs;
}

}  // namespace

common::Result<std::vector<SeriesValue>> ExpandSeriesValues(std::string_view values) {
  std::vector<SeriesValue> out;
  size_t pos = 0;
  while (pos < values.size()) {
    if (values[pos] == ' ' || values[pos] == '\t') {
      ++pos;
      continue;
    }
    size_t end = values.find_first_of(" \t", pos);
    if (end == std::string_view::npos) end = values.size();
    const std::string_view item = values.substr(pos, end - pos);
    pos = end;
    auto bad = [&](const std::string& why) {
      return common::Status::InvalidArgument("invalid series value \"" + std::string(item) +
                                             "\": " + why);
    };
    // "xN" at `rest`: the repetition count.
    auto times = [&](std::string_view rest) -> std::optional<uint64_t> {
      if (rest.size() < 2 || rest[0] != 'x') return std::nullopt;
      rest.remove_prefix(1);
      uint64_t n = 0;
      auto r = std::from_chars(rest.data(), rest.data() + rest.size(), n, 10);
      if (r.ec != std::errc() || r.ptr != rest.data() + rest.size()) return std::nullopt;
      return n;
    };
    constexpr uint64_t kMaxRepeat = 10'000'000;
    if (item[0] == '_') {
      if (item.size() == 1) {
        out.push_back(SeriesValue{true, 0});
        continue;
      }
      auto n = times(item.substr(1));
      if (!n) return bad("expected _ or _xN");
      if (*n > kMaxRepeat) return bad("repetition too large");
      out.insert(out.end(), *n, SeriesValue{true, 0});
      continue;
    }
    size_t n1 = 0;
    bool keyword = false;
    auto a = ScanValue(item, &n1, &keyword);
    if (!a) return bad("not a number");
    std::string_view rest = item.substr(n1);
    if (rest.empty()) {
      out.push_back(SeriesValue{false, *a});
      continue;
    }
    if (rest[0] == 'x' && !keyword) {
      auto n = times(rest);
      if (!n) return bad("invalid repetition");
      if (*n > kMaxRepeat) return bad("repetition too large");
      out.insert(out.end(), *n + 1, SeriesValue{false, *a});
      continue;
    }
    if (rest[0] != '+' && rest[0] != '-') return bad("unexpected text after value");
    const double sign = rest[0] == '-' ? -1 : 1;
    rest.remove_prefix(1);
    size_t n2 = 0;
    bool kw2 = false;
    auto b = ScanValue(rest, &n2, &kw2);
    if (!b || rest.empty() || rest[0] == '+' || rest[0] == '-') return bad("expected a+bxN");
    rest.remove_prefix(n2);
    if (kw2 || rest.empty()) return bad("expected a+bxN");
    auto n = times(rest);
    if (!n) return bad("invalid repetition");
    if (*n > kMaxRepeat) return bad("repetition too large");
    // The parser accumulates (a += b) rather than computing a + i*b.
    double v = *a;
    const double step = sign * *b;
    out.push_back(SeriesValue{false, v});
    for (uint64_t i = 1; i <= *n; ++i) {
      v += step;
      out.push_back(SeriesValue{false, v});
    }
  }
  return out;
}

common::Result<std::vector<model::Label>> ParseSeriesNotation(std::string_view text) {
  std::vector<model::Label> out;
  size_t i = 0;
  auto skip_space = [&] {
    while (i < text.size() &&
           (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r')) {
      ++i;
    }
  };
  auto bad = [&](const std::string& why) {
    return common::Status::InvalidArgument("1:" + std::to_string(i + 1) + ": parse error: " + why);
  };
  skip_space();
  if (i < text.size() && (IsAlpha(text[i]) || text[i] == ':')) {
    size_t s = i;
    while (i < text.size() && (IsAlpha(text[i]) || IsDigit(text[i]) || text[i] == ':')) ++i;
    out.push_back(
        model::Label{std::string(model::kMetricNameLabel), std::string(text.substr(s, i - s))});
    skip_space();
  }
  if (i < text.size() && text[i] == '{') {
    ++i;
    while (true) {
      skip_space();
      if (i >= text.size()) return bad("unexpected end of input inside braces");
      if (text[i] == '}') {
        ++i;
        break;
      }
      if (!IsAlpha(text[i])) return bad("unexpected character in label set");
      size_t s = i;
      while (i < text.size() && (IsAlpha(text[i]) || IsDigit(text[i]))) ++i;
      std::string name(text.substr(s, i - s));
      skip_space();
      if (i >= text.size() || text[i] != '=') return bad("expected \"=\" after label name");
      ++i;
      skip_space();
      if (i >= text.size()) return bad("unexpected end of input inside braces");
      if (text[i] != '"' && text[i] != '\'' && text[i] != '`') {
        if (IsAlpha(text[i]))
          return bad("unexpected identifier in label matching, expected string");
        return bad("unexpected character inside braces: '" + std::string(1, text[i]) + "'");
      }
      size_t len = 0;
      auto v = Unquote(text.substr(i), &len);
      if (!v) return bad("invalid quoted string");
      i += len;
      out.push_back(model::Label{std::move(name), std::move(*v)});
      skip_space();
      if (i < text.size() && text[i] == ',') {
        ++i;
        continue;
      }
      if (i < text.size() && text[i] == '}') continue;
      return bad("expected \",\" or \"}\" in label set");
    }
  } else if (out.empty() && i < text.size()) {
    return bad("unexpected character " + model::QuoteString(text.substr(i, 1)));
  }
  skip_space();
  if (i != text.size()) return bad("unexpected text after series");
  std::stable_sort(out.begin(), out.end(),
                   [](const model::Label& a, const model::Label& b) { return a.name < b.name; });
  return out;
}

common::Result<RuleTestResult> RunRuleTestFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return common::Status::IOError("open " + path + ": " + std::strerror(errno));
  std::stringstream ss;
  ss << in.rdbuf();

  RuleTestResult res;
  res.output = "Unit Testing:  " + path + "\n";
  std::vector<std::string> errs;
  auto finish = [&]() -> common::Result<RuleTestResult> {
    res.passed = errs.empty();
    if (res.passed) {
      res.output += "  SUCCESS\n";
    } else {
      res.output += "  FAILED:\n";
      for (const auto& e : errs) res.output += e + "\n\n";
    }
    res.output += "\n";
    return res;
  };

  auto file = DecodeTestFile(ss.str());
  if (!file.ok()) {
    errs.push_back(file.status().message());
    return finish();
  }
  // Rule files relative to the test file, globbed.
  namespace fs = std::filesystem;
  const fs::path base = fs::path(path).parent_path();
  std::vector<std::string> rule_paths;
  for (const auto& rf : file->rule_files) {
    std::string p = rf;
    if (!rf.empty() && !fs::path(rf).is_absolute()) {
      p = (base / rf).lexically_normal().string();
    }
    auto m = Glob(p);
    if (m.empty()) res.output += "  WARNING: no file match pattern " + p + "\n";
    rule_paths.insert(rule_paths.end(), m.begin(), m.end());
  }
  const int64_t eval_interval =
      file->evaluation_interval_ms > 0 ? file->evaluation_interval_ms : 60 * 1000;
  std::map<std::string, int> group_order;
  for (size_t i = 0; i < file->group_eval_order.size(); ++i) {
    const auto& gn = file->group_eval_order[i];
    if (!group_order.emplace(gn, static_cast<int>(i)).second) {
      errs.push_back("group name repeated in evaluation order: " + gn);
      return finish();
    }
  }
  // Each test group loads the rule files afresh (as promtool does); loading
  // once gives the same groups.
  std::vector<RuleFile> files;
  common::Status load_err;
  for (const auto& p : rule_paths) {
    auto f = LoadRuleFile(p);
    if (!f.ok()) {
      load_err = f.status();
      break;
    }
    files.push_back(std::move(f).value());
  }
  for (const auto& tg : file->tests) {
    if (!load_err.ok()) {
      errs.push_back(load_err.message());
      continue;
    }
    GroupTest t(tg, eval_interval, group_order, files);
    auto e = t.Run();
    errs.insert(errs.end(), e.begin(), e.end());
  }
  return finish();
}

}  // namespace rules
