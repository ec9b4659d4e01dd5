// rules::ExpandTemplate and CheckTemplate: literal cases for the semantics
// of Go's text/template and Prometheus 2.42's functions, and a broad corpus
// compared with Prometheus itself: every template is written as an
// annotation of an alerting rule, expanded here to build the expected
// annotations, and `promtool test rules` (Prometheus 2.42's real template
// engine) must agree.
#include "rules/template.h"
#include "tests/integration/test_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace rules {
namespace {

const char* const kExternalUrl = "http://prom.example:9090/sub/path";

TemplateData Data(double value) {
  TemplateData d;
  d.labels = {{"__name__", "m"}, {"instance", "i"}, {"job", "j"}};
  d.external_labels = {{"region", "eu"}};
  d.external_url = kExternalUrl;
  d.value = value;
  return d;
}

// The query results the oracle's series give at evaluation time 0 (see
// kQuerySeries). Templates query "sort(q)": the order of a plain selector's
// series depends on the order promtool happened to create them in.
common::Result<std::vector<QuerySample>> FakeQuery(const std::string& q) {
  if (q == "sort(q)") {
    return std::vector<QuerySample>{
        {{{"__name__", "q"}, {"instance", "b"}, {"job", "y"}}, 1},
        {{{"__name__", "q"}, {"instance", "c"}, {"job", "x"}}, 2.5},
        {{{"__name__", "q"}, {"instance", "a"}, {"job", "x"}}, 3},
    };
  }
  if (q == "sum(q)") return std::vector<QuerySample>{{{}, 6.5}};
  if (q == "nothing") return std::vector<QuerySample>{};
  return common::Status::InvalidArgument("unknown query in test: " + q);
}

const char* const kQuerySeries =
    "  - series: 'q{instance=\"a\",job=\"x\"}'\n    values: '3'\n"
    "  - series: 'q{instance=\"b\",job=\"y\"}'\n    values: '1'\n"
    "  - series: 'q{instance=\"c\",job=\"x\"}'\n    values: '2.5'\n";

std::string Expand(const std::string& text, double value = 0.5) {
  auto r = ExpandTemplate("__alert_T", text, Data(value), 0, FakeQuery);
  if (!r.ok()) return "<error expanding template: " + r.status().message() + ">";
  return *r;
}

// ---- Literal cases (each agrees with promtool; see the oracle below) ----

TEST(TemplateTest, LabelsAndValue) {
  EXPECT_EQ(Expand("{{ $value }}|{{ .Value }}", 0.5), "0.5|0.5");
  EXPECT_EQ(Expand("{{ $labels.instance }} {{ .Labels.job }}"), "i j");
  EXPECT_EQ(Expand("[{{ $labels.missing }}]"), "[]");
  EXPECT_EQ(Expand("{{ $labels }}"), "map[__name__:m instance:i job:j]");
  EXPECT_EQ(Expand("{{ $externalLabels.region }} {{ $externalURL }}"),
            std::string("eu ") + kExternalUrl);
  EXPECT_EQ(Expand("{{ $value }}", 1e6), "1e+06");
  EXPECT_EQ(Expand("{{ $value }}", 123456789), "1.23456789e+08");
}

TEST(TemplateTest, Humanize) {
  EXPECT_EQ(Expand("{{ humanize $value }}", 1234567), "1.235M");
  EXPECT_EQ(Expand("{{ humanize $value }}", 0.001234), "1.234m");
  EXPECT_EQ(Expand("{{ humanize $value }}", 0), "0");
  EXPECT_EQ(Expand("{{ humanize1024 $value }}", 1024), "1ki");
  EXPECT_EQ(Expand("{{ humanizeDuration $value }}", 90061.5), "1d 1h 1m 1s");
  EXPECT_EQ(Expand("{{ humanizeDuration $value }}", 1.5), "1.5s");
  EXPECT_EQ(Expand("{{ humanizeDuration $value }}", 0.5), "500ms");
  EXPECT_EQ(Expand("{{ humanizePercentage $value }}", 0.1234), "12.34%");
  EXPECT_EQ(Expand("{{ humanizeTimestamp $value }}", 1.5), "1970-01-01 00:00:01.5 +0000 UTC");
  EXPECT_EQ(Expand("{{ humanize \"2048\" }}"), "2.048k");
  EXPECT_EQ(Expand("{{ humanize $value }}", NAN), "NaN");
  EXPECT_EQ(Expand("{{ humanize $value }}", INFINITY), "+Inf");
}

TEST(TemplateTest, Printf) {
  EXPECT_EQ(Expand("{{ printf \"%.2f\" $value }}", 3.14159), "3.14");
  EXPECT_EQ(Expand("{{ printf \"%v %s %d\" 1.5 3 }}"), "1.5 %!s(int=3) %!d(MISSING)");
  EXPECT_EQ(Expand("{{ printf \"%5d|%-5s|%05.1f\" 42 \"ab\" 2.25 }}"), "   42|ab   |002.2");
  EXPECT_EQ(Expand("{{ printf \"%q %x %t %%\" \"a\\\"b\" \"hi\" true }}"),
            "\"a\\\"b\" 6869 true %");
}

TEST(TemplateTest, Control) {
  EXPECT_EQ(Expand("a  {{- 1 -}}  b"), "a1b");
  EXPECT_EQ(Expand("{{/* c */}}x{{- /* d */ -}} y"), "xy");
  EXPECT_EQ(
      Expand("{{ if gt $value 1.0 }}big{{ else if lt $value 0.0 }}neg{{ else }}small{{ end }}", -3),
      "neg");
  EXPECT_EQ(Expand("{{ range $k, $v := $labels }}{{ $k }}={{ $v }},{{ end }}"),
            "__name__=m,instance=i,job=j,");
  EXPECT_EQ(Expand("{{ with query \"nothing\" }}yes{{ else }}none{{ end }}"), "none");
  EXPECT_EQ(Expand("{{ define \"x\" }}<{{ . }}>{{ end }}{{ template \"x\" 5 }}"), "<5>");
  EXPECT_EQ(Expand("{{ $x := 1 }}{{ if true }}{{ $x = 2 }}{{ end }}{{ $x }}"), "2");
}

TEST(TemplateTest, Queries) {
  EXPECT_EQ(Expand("{{ query \"sort(q)\" | first | value }}"), "1");
  EXPECT_EQ(Expand("{{ query \"sort(q)\" | first | label \"instance\" }}"), "b");
  EXPECT_EQ(
      Expand("{{ range query \"sort(q)\" | sortByLabel \"job\" }}{{ .Labels.instance }}{{ end }}"),
      "cab");
  EXPECT_EQ(Expand("{{ query \"sort(q)\" | first }}"), "{map[__name__:q instance:b job:y] 1}");
}

// promtool leaves Prometheus's external URL unset (the functions fail
// there), so these two are checked against Prometheus's code only.
TEST(TemplateTest, ExternalUrlFunctions) {
  EXPECT_EQ(Expand("{{ externalURL }}|{{ pathPrefix }}"), std::string(kExternalUrl) + "|/sub/path");
}

TEST(TemplateTest, ExpandErrors) {
  auto r = ExpandTemplate("__alert_T", "{{ query \"nothing\" | first }}", Data(1), 0, FakeQuery);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("first() called on vector with no elements"),
            std::string::npos)
      << r.status().message();
  r = ExpandTemplate("__alert_T", "{{ query \"sort(q)\" }}", Data(1), 0, nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("error calling query"), std::string::npos);
  EXPECT_EQ(Expand("{{ eq $value 1 }}"),
            "<error expanding template: error executing template __alert_T: template: "
            "__alert_T:1:115: executing \"__alert_T\" at <eq $value 1>: error calling eq: "
            "incompatible types for comparison>");
}

TEST(TemplateTest, CheckTemplate) {
  EXPECT_TRUE(CheckTemplate("__alert_T", "{{ $labels.x | toUpper }}").ok());
  common::Status st = CheckTemplate("__alert_T", "{{ foo 1 }}");
  EXPECT_TRUE(st.IsInvalidArgument());
  EXPECT_EQ(st.message(), "template: __alert_T:1: function \"foo\" not defined");
  st = CheckTemplate("__alert_T", "a\n{{ $value ");
  EXPECT_EQ(st.message(), "template: __alert_T:2: unclosed action");
  st = CheckTemplate("__alert_T", "{{ if 1 }}");
  EXPECT_EQ(st.message(), "template: __alert_T:1: unexpected EOF");
  st = CheckTemplate("__alert_T", "{{ $nope }}");
  EXPECT_EQ(st.message(), "template: __alert_T:1: undefined variable \"$nope\"");
  st = CheckTemplate("__alert_T", "{{ end }}");
  EXPECT_EQ(st.message(), "template: __alert_T:1: unexpected {{end}}");
}

// ---- The promtool oracle ----

const double kValues[] = {0,         1,          -1,
                          0.5,       0.001234,   1e-9,
                          1.5e-20,   123,        999.95,
                          1000,      1023,       1024,
                          1025,      1234567,    -1234567,
                          1e15,      1.5e21,     1.5e27,
                          1e30,      59.99,      60,
                          3599,      3600,       86399,
                          86400,     90061.5,    123456789.123,
                          -90061.5,  0.0005,     0.125,
                          2.5,       1.0005,     99999,
                          1e308,     5e-324,     NAN,
                          INFINITY,  -INFINITY,  1681234567.891,
                          -1.5,      0.1,        1.0 / 3,
                          12.345678, 4.44444e-7, 123456.5,
                          -0.000001, 9.99999e20};

const char* const kNumericTemplates[] = {
    "{{ $value }}",
    "{{ humanize $value }}",
    "{{ $value | humanize1024 }}",
    "{{ humanizeDuration $value }}",
    "{{ humanizePercentage $value }}",
    "{{ humanizeTimestamp $value }}",
    "{{ printf \"%.2f|%e|%E|%g|%G|%.3g|%8.3f|%-9.2f|%+.1e|%08.3f|% .2f\" $value $value $value "
    "$value $value $value $value $value $value $value $value }}",
    "{{ printf \"%v %s %d %x %10.4g| %-10.3e|\" $value $value $value $value $value $value }}",
    "{{ printf \"%[1]f %[1]v %#v %T\" $value }}",
    "{{ if gt $value 100.0 }}big{{ else if lt $value 0.0 }}neg{{ else }}small{{ end }}",
    "{{ print $value \"x\" $value $value }}",
    "{{ toTime $value }}",
    "{{ humanize (printf \"%f\" $value) }}|{{ humanizeDuration (print $value) }}",
    "{{ printf \"%b\" $value }}",
    "{{ .Value | printf \"%.0f\" }}|{{ printf \"%6.2e\" .Value }}",
    "{{ eq $value 0.5 1.0 }} {{ ne $value 0.0 }} {{ le $value 1.0 }} {{ ge $value 1.0 }}",
    "{{ with $value }}set {{ . }}{{ else }}zero{{ end }}",
};

const char* const kGeneralTemplates[] = {
    // Data.
    "{{ $labels }}",
    "{{ $labels.instance }}/{{ .Labels.job }}/{{ $labels.missing }}/{{ index $labels \"job\" }}",
    "{{ $externalLabels }} {{ $externalLabels.region }} {{ .ExternalURL }} {{ $externalURL }}",
    "{{ . }}",
    "{{ .Labels }}",
    // Ranges, conditions, variables.
    "{{ range $k, $v := $labels }}{{ $k }}={{ $v }},{{ end }}",
    "{{ range $labels }}{{ . }};{{ end }}",
    "{{ range $i, $s := query \"sort(q)\" }}{{ $i }}:{{ $s.Labels.instance }}={{ $s.Value }} {{ "
    "end }}",
    "{{ range query \"sort(q)\" | sortByLabel \"job\" }}{{ .Labels.instance }} {{ end }}",
    "{{ range $s := query \"sort(q)\" }}{{ $s.Value }},{{ end }}",
    "{{ range query \"nothing\" }}x{{ else }}empty{{ end }}",
    "{{ range $i, $e := query \"sort(q)\" }}{{ if eq $i 1 }}{{ continue }}{{ end }}{{ if eq $i 2 }}"
    "{{ break }}{{ end }}[{{ $i }}]{{ end }}",
    "{{ $x := 1 }}{{ if true }}{{ $x = 2 }}{{ end }}{{ $x }}",
    "{{ $x := \"a\" }}{{ with $y := $x }}{{ $y }}{{ $x }}{{ end }}",
    "{{ if and $labels.instance (eq $labels.job \"j\") }}yes{{ end }}",
    "{{ if not $labels.nope }}absent{{ end }}",
    "{{ with $labels.nope }}x{{ else }}no{{ end }}",
    // Queries.
    "{{ query \"sort(q)\" | first | value }}",
    "{{ query \"sort(q)\" | first | label \"instance\" }}",
    "{{ query \"sort(q)\" | first }}",
    "{{ query \"sort(q)\" | first | strvalue }}|",
    "{{ query \"sort(q)\" | len }}",
    "{{ (query \"sort(q)\" | first).Labels.job }}",
    "{{ with query \"sum(q)\" }}{{ . | first | value | humanize }}{{ end }}",
    "{{ with query \"nothing\" }}yes{{ else }}none{{ end }}",
    "{{ query \"nothing\" | first }}",
    "{{ index (query \"sort(q)\") 1 | value }}",
    "{{ range slice (query \"sort(q)\") 1 }}{{ .Value }}{{ end }}",
    "{{ $q := query \"sort(q)\" }}{{ $s := sortByLabel \"instance\" $q }}{{ len $s }}",
    // Strings.
    "{{ title \"hello wORLD foo_bar o'neil x-y 1a été\" }}",
    "{{ toUpper \"abc Déjà\" }} {{ toLower \"ABC ÀÉ\" }}",
    "{{ reReplaceAll \"(a+)(b)?\" \"<$1|${2}|$$|$3x|${nope}>\" \"aab ac xa\" }}",
    "{{ reReplaceAll \"x*\" \"-\" \"abc\" }}",
    "{{ reReplaceAll \"^(?P<host>[^:]+):(\\\\d+)$\" \"${host} port $2\" \"node1:9100\" }}",
    "{{ reReplaceAll \"(\" \"x\" \"y\" }}",
    "{{ match \"^i$\" $labels.instance }} {{ match \"x\" \"abc\" }}",
    "{{ graphLink \"rate(x[5m]) > 0\" }} {{ tableLink \"up{job=\\\"a b\\\"}\" }}",
    "{{ safeHtml \"<b>\" }} {{ html \"<a href='x'>&\\\"\" }} {{ js \"<a='b'>`\\\\\" }}",
    "{{ urlquery \"a b&c=d/é\" }} {{ html 1 2 }} {{ js \"x\" 3 }}",
    "{{ printf \"%q|%x|% x|%#x|%10s|%-10s|%.2s|%5.1q\" \"a\\\"b\" \"hi\" \"hi\" \"hi\" \"r\" \"l\" "
    "\"trunc\" \"abc\" }}",
    "{{ printf \"%d|%5d|%-5d|%05d|%x|%X|%o|%b|%c|%q|%U|%+d|% d\" 42 42 42 -42 255 255 8 5 65 "
    "66 67 3 4 }}",
    "{{ printf \"%s %d\" 1 }} {{ printf \"%d\" 1 2 \"x\" }} {{ printf \"%!\" }} {{ printf \"%\" "
    "}}",
    "{{ printf \"%t %v %s\" true false nil }}",
    "{{ printf \"%v|%s|%d\" $labels $labels $labels }}",
    "{{ printf \"%v\" (query \"sort(q)\" | first) }}",
    "{{ printf \"%*d|%-*d|%.*f\" 5 1 4 2 2 3.14159 }}",
    "{{ print 1 2 \"a\" \"b\" 3 true nil }}|{{ println 1 \"a\" 2 }}|",
    "{{ len \"abc\" }} {{ len $labels }} {{ index \"abc\" 1 }} {{ slice \"abcdef\" 1 3 }} "
    "{{ slice \"abcdef\" 2 }}",
    "{{ eq 1 2 3 1 }} {{ eq \"a\" \"b\" }} {{ ne 1 2 }} {{ lt \"a\" \"b\" }} {{ le 2 2 }} "
    "{{ gt 1.5 2.5 }} {{ ge 3 3 }}",
    "{{ and 1 0 }} {{ and 1 2 }} {{ or 0 \"\" }} {{ or 0 \"x\" }} {{ not 0 }} {{ not \"a\" }}",
    "{{ parseDuration \"1h30m\" }} {{ parseDuration \"90s\" }} {{ parseDuration \"1d\" | "
    "humanizeDuration }}",
    "{{ args 1 \"a\" 2.5 }} {{ (args 1 2).arg1 }} {{ (args 1).arg5 }}",
    "{{ (toTime 1681234567.891).Unix }} {{ (toTime 0).Format \"2006-01-02T15:04:05Z07:00\" }}",
    // Literals.
    "{{ `raw\\n{{x}}` }} {{ \"a\\tb\\u00e9\\x41\\101\\\\\" }}",
    "{{ 0x1F }} {{ 1e3 }} {{ 1_000 }} {{ 'a' }} {{ -5 }} {{ 0o17 }} {{ 0b101 }} {{ .5 }} {{ 1. }} "
    "{{ +7 }} {{ 017 }} {{ 1.5e-7 }} {{ 0x1p-2 }}",
    "{{ true }} {{ false }} {{ \"\" }}|{{ 3.0 }}",
    // Trimming, comments, definitions.
    "a  {{- 1 -}}  b {{ 2 -}}\n\n c {{- 3 }}",
    "{{/* comment */}}x{{- /* trimmed */ -}} y {{/* multi\nline */}}z",
    "{{ define \"x\" }}X{{ . }}{{ end }}{{ template \"x\" 5 }}{{ template \"x\" }}",
    "{{ block \"b\" $value }}B{{ . }}{{ end }}",
    "{{ define \"outer\" }}<{{ template \"inner\" . }}>{{ end }}{{ define \"inner\" }}"
    "{{ .Labels.instance }}{{ end }}{{ template \"outer\" . }}",
    "{{ define \"f\" }}{{ humanize . }}{{ end }}{{ range query \"sort(q)\" }}{{ template \"f\" "
    ".Value "
    "}} {{ end }}",
    "{{ (printf \"%d\" 3) }} {{ printf \"%s-%s\" (toUpper \"a\") (\"b\") }} {{ (1) }}",
    "line1\n{{ $labels.instance }}\nline3",
    "{{ \"a\" | printf \"%s-%s\" \"b\" }}",
    // Errors.
    "{{ eq $value 1 }}",
    "{{ $labels.instance.foo }}",
    "{{ index $value 1 }}",
    "{{ len $value }}",
    "{{ humanize \"abc\" }}",
    "{{ humanize true }}",
    "{{ template \"nope\" }}",
    "{{ toUpper 1 }}",
    "{{ .Foo }}",
    "{{ printf }}",
    "{{ nil }}",
    "{{ lt 1 \"a\" }}",
    "{{ 1 2 }}",
    "{{ $labels.job 1 }}",
    "{{ range 5 }}{{ end }}",
    "x\n{{ humanize \"1e400\" }}",
    "{{ index (query \"sort(q)\") 5 }}",
    "{{ value 1.5 }}",
    "{{ parseDuration \"1x\" }}",
    "{{ toTime \"NaN\" }}",
    "{{ humanizeTimestamp 1e300 }}",
};

// Templates Prometheus refuses at load: `promtool check rules` must report
// the same message CheckTemplate gives.
const char* const kBadTemplates[] = {
    "{{ foo }}",
    "{{ if }}",
    "{{ 1 | 2 }}",
    "{{ $x }}",
    "a\n{{ $value ",
    "{{ if 1 }}x",
    "{{ end }}",
    "{{ else }}",
    "{{ range $i, $e, $f := . }}{{ end }}",
    "{{ \"abc }}",
    "{{ `abc }}",
    "{{ /* x */ }}",
    "{{/* x */ }}",
    "{{/* x ",
    "{{ 3x }}",
    "{{ .a\"b\" }}",
    "{{ ) }}",
    "{{ (1 }}",
    "{{ template 1 }}",
    "{{ define \"a\" }}x{{ end }}{{ define \"a\" }}y{{ end }}",
    "{{ with 1 }}{{ else if 2 }}{{ end }}",
    "{{ break }}",
    "{{ 1.e }}",
    "{{ $x := 1 }}{{ $x.y.z | }}",
    "{{ nil.x }}",
    "{{ 'ab' }}",
    "{{ \"\\q\" }}",
    "{{ 99999999999999999999 }}",
    "{{ $ }}{{ $x = 1 }}",
    "{{ printf \"%d\" 1 # }}",
};

std::string YamlQuote(const std::string& s) {
  std::string out = "\"";
  char buf[8];
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          std::snprintf(buf, sizeof(buf), "\\x%02x", c);
          out += buf;
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  return out + "\"";
}

std::string SeriesValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.17g", v);
  return buf;
}

struct OracleAlert {
  double value;
  std::vector<std::string> templates;
};

TEST(TemplateOracleTest, MatchesPromtool) {
  if (!testutil::HaveCommand("promtool"))
    GTEST_SKIP() << "promtool (Prometheus 2.42) is not installed";
  std::vector<OracleAlert> alerts;
  for (double v : kValues) {
    alerts.push_back({v, {std::begin(kNumericTemplates), std::end(kNumericTemplates)}});
  }
  // The general corpus in chunks, so a failure report stays readable.
  const size_t kChunk = 12;
  std::vector<std::string> general(std::begin(kGeneralTemplates), std::end(kGeneralTemplates));
  for (size_t i = 0; i < general.size(); i += kChunk) {
    alerts.push_back(
        {0.5, {general.begin() + i, general.begin() + std::min(general.size(), i + kChunk)}});
  }

  char dir_template[] = "/tmp/ms_template_oracle_XXXXXX";
  ASSERT_NE(mkdtemp(dir_template), nullptr);
  std::string dir = dir_template;
  std::string rules = "groups:\n- name: g\n  rules:\n";
  std::string tests =
      "rule_files: [rules.yml]\nevaluation_interval: 1m\ntests:\n- interval: 1m\n"
      "  external_labels: {region: eu}\n  external_url: " +
      YamlQuote(kExternalUrl) + "\n  input_series:\n" + kQuerySeries;
  std::string cases;
  size_t count = 0;
  for (size_t a = 0; a < alerts.size(); ++a) {
    std::string name = "A" + std::to_string(a);
    std::string metric = "m" + std::to_string(a);
    rules += "  - alert: " + name + "\n    expr: " + metric + "\n    annotations:\n";
    tests += "  - series: '" + metric + "{instance=\"i\",job=\"j\"}'\n    values: '" +
             SeriesValue(alerts[a].value) + "'\n";
    cases += "  - eval_time: 0m\n    alertname: " + name +
             "\n    exp_alerts:\n    - exp_labels: {instance: i, job: j}\n"
             "      exp_annotations:\n";
    TemplateData data = Data(alerts[a].value);
    data.labels = {{"__name__", metric}, {"instance", "i"}, {"job", "j"}};
    for (size_t t = 0; t < alerts[a].templates.size(); ++t) {
      // Brackets keep every annotation non-empty.
      std::string text = "[" + alerts[a].templates[t] + "]";
      std::string key = "t" + std::to_string(t);
      rules += "      " + key + ": " + YamlQuote(text) + "\n";
      auto r = ExpandTemplate("__alert_" + name, text, data, 0, FakeQuery);
      std::string want = r.ok() ? *r : "<error expanding template: " + r.status().message() + ">";
      cases += "        " + key + ": " + YamlQuote(want) + "\n";
      ++count;
    }
  }
  tests += "  alert_rule_test:\n" + cases;
  {
    std::ofstream(dir + "/rules.yml") << rules;
    std::ofstream(dir + "/test.yml") << tests;
  }
  std::string out;
  int rc = testutil::RunCommand("cd " + dir + " && promtool test rules test.yml", &out);
  EXPECT_EQ(rc, 0) << count << " templates; promtool says:\n" << out;
  if (rc == 0) std::filesystem::remove_all(dir);
  std::printf("promtool agreed on %zu template expansions\n", count);
}

TEST(TemplateOracleTest, RejectsWhatPromtoolRejects) {
  if (!testutil::HaveCommand("promtool"))
    GTEST_SKIP() << "promtool (Prometheus 2.42) is not installed";
  char dir_template[] = "/tmp/ms_template_check_XXXXXX";
  ASSERT_NE(mkdtemp(dir_template), nullptr);
  std::string dir = dir_template;
  int agreed = 0;
  for (const char* text : kBadTemplates) {
    std::ofstream(dir + "/rules.yml") << "groups:\n- name: g\n  rules:\n  - alert: A\n"
                                         "    expr: up\n    annotations:\n      a: "
                                      << YamlQuote(text) << "\n";
    std::string out;
    int rc = testutil::RunCommand("promtool check rules " + dir + "/rules.yml", &out);
    common::Status st = CheckTemplate("__alert_A", text);
    EXPECT_EQ(rc == 0, st.ok()) << text << "\npromtool: " << out << "\nours: " << st.message();
    if (!st.ok()) {
      bool found = out.find("annotation \"a\": " + st.message() + "\n") != std::string::npos;
      EXPECT_TRUE(found) << text << "\npromtool: " << out << "\nours: " << st.message();
      agreed += found;
    }
  }
  std::filesystem::remove_all(dir);
  std::printf("promtool agreed on %d rejected templates\n", agreed);
}

}  // namespace
}  // namespace rules
