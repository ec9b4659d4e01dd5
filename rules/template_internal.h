// Internals of the Go text/template engine (rules/template.h): the values a
// template computes with, the parse tree, and Go's fmt printing. Shared by
// template_parse.cc (lexer and parser), template_format.cc (fmt, strconv,
// time), template_funcs.cc (Prometheus's functions) and template.cc
// (execution and the function map); not for use outside rules/.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <re2/re2.h>

#include "common/status.h"
#include "model/labels.h"
#include "rules/template.h"

namespace rules::tmpl {

// ---- Values -----------------------------------------------------------------

// The Go types a Prometheus template meets, reduced to what behaves
// differently: labels are map[string]string, `args` builds a
// map[string]interface{}, query results are []*sample, toTime gives a
// *time.Time and the top-level data is Prometheus's anonymous struct.
enum class Kind {
  kInvalid,  // Go's invalid reflect.Value: nil interface, missing value
  kBool,
  kInt,  // int (number literals, len, rune constants)
  kFloat,
  kString,
  kLabels,   // map[string]string
  kMap,      // map[string]interface {}
  kSample,   // *template.sample (sample == nullptr: a nil pointer)
  kSamples,  // template.queryResult (samples == nullptr: a nil slice)
  kTime,     // *time.Time
  kData,     // the alert's template data struct
};

struct Value;
using ValueMap = std::map<std::string, Value>;
using SamplePtr = std::shared_ptr<const QuerySample>;
using SampleList = std::vector<SamplePtr>;

// A time.Time in UTC: seconds and nanoseconds since the Unix epoch.
struct GoTime {
  int64_t sec = 0;
  int32_t nsec = 0;  // [0, 1e9)
};

struct Value {
  Kind kind = Kind::kInvalid;
  bool b = false;
  int64_t i = 0;
  double f = 0;
  std::string s;
  std::shared_ptr<const model::Labels> labels;
  std::shared_ptr<const ValueMap> map;
  SamplePtr sample;
  // Shared and mutable: Go's sortByLabel sorts the slice in place, which
  // every variable holding it then sees.
  std::shared_ptr<SampleList> samples;
  GoTime time;
  const TemplateData* data = nullptr;  // outlives the execution

  static Value Bool(bool v);
  static Value Int(int64_t v);
  static Value Float(double v);
  static Value String(std::string v);
  static Value Labels(model::Labels v);
  static Value Time(GoTime t);
  bool valid() const { return kind != Kind::kInvalid; }
};

// Go's %T of the value ("float64", "map[string]string", "*template.sample").
std::string TypeName(const Value& v);
// text/template's truth: false, 0, nil and empty strings, maps and slices
// are false; everything else is true.
bool Truth(const Value& v);

// ---- fmt --------------------------------------------------------------------

// fmt.Sprint: spaces between operands when neither side is a string.
std::string Sprint(const std::vector<Value>& args);
// fmt.Sprintln: spaces between all operands and a final newline.
std::string Sprintln(const std::vector<Value>& args);
// fmt.Sprintf with Go's verbs, flags, width, precision and its in-band
// errors ("%!d(string=x)", "%!v(MISSING)", "%!(EXTRA ...)").
std::string Sprintf(std::string_view format, const std::vector<Value>& args);
// How an action prints its value: pointers are followed, an invalid value
// is "<no value>".
std::string PrintValue(const Value& v);
// fmt.Sprintf("%.<prec><verb>", v) for verb e, E, f, F, g, G; prec < 0 is
// the shortest form for g (and 6 for e and f).
std::string FormatFloatVerb(double v, char verb, int prec);
// strconv.Quote.
std::string GoQuote(std::string_view s);
// Appends code point r as UTF-8.
void AppendUtf8(uint32_t r, std::string* out);
// time.Time.String() of a UTC time: "2006-01-02 15:04:05.999999999 +0000 UTC".
std::string TimeString(const GoTime& t);
// time.Time.Format(layout) for a UTC time (Go's reference-time layouts).
std::string TimeFormat(const GoTime& t, std::string_view layout);
// Civil date of a UTC time.
struct CivilTime {
  int64_t year;
  int month, day, hour, minute, second, weekday, yday;  // weekday 0 = Sunday
};
CivilTime ToCivil(const GoTime& t);

// ---- Functions (template_funcs.cc) ------------------------------------------

// Prometheus's convertToFloat: float64, int and numeric strings.
common::Result<double> ConvertToFloat(const Value& v);
// fmt.Sprintf("%.4g", v) followed by suffix.
std::string Sprintf4g(double v, std::string_view suffix = "");
std::string Humanize(double v);
std::string Humanize1024(double v);
std::string HumanizeDuration(double v);
// Prometheus's floatToTime: seconds to a UTC time with millisecond
// precision; "value is NaN or Inf" or an overflow error.
common::Result<GoTime> FloatToTime(double v);
// template.HTMLEscapeString, JSEscapeString and url.QueryEscape.
std::string HtmlEscape(std::string_view s);
std::string JsEscape(std::string_view s);
std::string QueryEscape(std::string_view s);
// strings.ToUpper / ToLower (ASCII, Latin-1, Greek and Cyrillic).
std::string MapString(std::string_view s, bool upper);
// strings.Title.
std::string Title(std::string_view s);
// regexp.Compile with Go's error wording; QuoteRegexp quotes a pattern as
// regexp.MustCompile's panic does.
common::Result<std::shared_ptr<re2::RE2>> CompileRegexp(const std::string& pattern);
std::string QuoteRegexp(const std::string& s);
// Regexp.ReplaceAllString with Go's $-expansion.
std::string ReplaceAll(const re2::RE2& re, std::string_view src, std::string_view repl);
// The (decoded) path of a URL, as url.Parse(u).Path.
std::string UrlPath(std::string_view url);
// text/template's eq (a equal to any of others) and lt, with its errors.
common::Result<bool> Eq(const Value& a, const std::vector<Value>& others);
common::Result<bool> Lt(const Value& a, const Value& b);
// An index argument of index/slice, checked against cap.
common::Result<int64_t> IndexArg(const Value& index, size_t cap);

// ---- Parse tree -------------------------------------------------------------

enum class NodeType {
  // List items.
  kText,
  kAction,
  kIf,
  kRange,
  kWith,
  kTemplate,
  kBreak,
  kContinue,
  // Pipelines and their operands.
  kPipe,
  kCommand,
  kField,
  kVariable,
  kChain,
  kIdentifier,
  kDot,
  kNil,
  kBool,
  kNumber,
  kString,
};

struct Node;
using NodePtr = std::unique_ptr<Node>;
using NodeList = std::vector<NodePtr>;

// One node of Go's parse tree; which fields matter depends on `type`.
struct Node {
  NodeType type;
  int pos = 0;  // byte offset in the parsed text (for error positions)

  std::string text;     // kText; kIdentifier name; kNumber and kString source; kTemplate name
  std::string value;    // kString: the unquoted value
  bool b = false;       // kBool
  bool is_int = false;  // kNumber: usable as int / as float64
  bool is_float = false;
  int64_t int_val = 0;
  double float_val = 0;
  // kField: the names after the dots; kVariable: "$x" then the field names;
  // kChain: the field names after `node`.
  std::vector<std::string> idents;
  NodePtr node;  // kChain: the term the fields apply to

  // kPipe.
  bool is_assign = false;
  std::vector<std::string> decl;
  NodeList cmds;  // kCommand nodes
  // kCommand.
  NodeList args;

  // kAction, kIf, kRange, kWith, kTemplate: the pipeline (may be null for kTemplate).
  NodePtr pipe;
  NodeList list;
  NodeList else_list;
  bool has_else = false;

  // Go's Node.String(): the source form used in error contexts.
  std::string String() const;
};

struct Tree {
  std::string name;
  NodeList root;
};

struct ParsedTemplate {
  std::string parse_name;  // the name Parse was given
  std::string text;        // the parsed text; node positions index it
  std::map<std::string, Tree> trees;
};

// Parses as text/template's Parse with Prometheus's function map. On error,
// InvalidArgument with Go's message ("template: NAME:LINE: ...").
common::Status Parse(std::string_view name, std::string text, ParsedTemplate* out);

// True if name is in the function map (Go's builtins or Prometheus's).
bool IsFunction(std::string_view name);

}  // namespace rules::tmpl
