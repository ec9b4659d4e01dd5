// model/relabel.h: every action, Go's regexp.Expand corner cases and
// Prometheus 2.42's validation messages, as tables of cases; hashmod's MD5
// is checked against OpenSSL's over inputs of every padding length.
// (tests/integration/relabel_diff_test.cc checks the same semantics against
// a real Prometheus.)
#include "model/relabel.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace model {
namespace {

using A = RelabelAction;

struct ProcessCase {
  std::string name;
  Labels input;
  std::vector<RelabelConfig> configs;
  std::optional<Labels> want;  // nullopt: the series is dropped
};

std::vector<ProcessCase> ProcessCases() {
  const Labels abc = {{"__name__", "m"}, {"a", "foo"}, {"b", "bar"}};
  return {
      // --- replace
      {"replace copies with the defaults",
       abc,
       {{.source_labels = {"a"}, .target_label = "t"}},
       Labels{{"__name__", "m"}, {"a", "foo"}, {"b", "bar"}, {"t", "foo"}}},
      {"replace joins sources with the separator, missing ones as empty",
       abc,
       {{.source_labels = {"a", "missing", "b"}, .target_label = "t"}},
       Labels{{"__name__", "m"}, {"a", "foo"}, {"b", "bar"}, {"t", "foo;;bar"}}},
      {"replace with a custom and an empty separator",
       abc,
       {{.source_labels = {"a", "b"}, .separator = "-", .target_label = "t"},
        {.source_labels = {"a", "b"}, .separator = "", .target_label = "u"}},
       Labels{{"__name__", "m"}, {"a", "foo"}, {"b", "bar"}, {"t", "foo-bar"}, {"u", "foobar"}}},
      {"replace with groups in the replacement",
       abc,
       {{.source_labels = {"a", "b"},
         .regex = "f(.*);(.*)",
         .target_label = "t",
         .replacement = "${2}-$1"}},
       Labels{{"__name__", "m"}, {"a", "foo"}, {"b", "bar"}, {"t", "bar-oo"}}},
      {"replace does nothing when the regex does not match",
       abc,
       {{.source_labels = {"a"}, .regex = "x(.*)", .target_label = "a", .replacement = "y"}},
       abc},
      {"replace overwrites an existing label",
       abc,
       {{.source_labels = {"b"}, .target_label = "a"}},
       Labels{{"__name__", "m"}, {"a", "bar"}, {"b", "bar"}}},
      {"replace with an empty result deletes the target",
       abc,
       {{.source_labels = {"missing"}, .target_label = "a"}},
       Labels{{"__name__", "m"}, {"b", "bar"}}},
      {"replace without sources sets a constant",
       abc,
       {{.target_label = "env", .replacement = "prod"}},
       Labels{{"__name__", "m"}, {"a", "foo"}, {"b", "bar"}, {"env", "prod"}}},
      {"replace renames the metric",
       abc,
       {{.source_labels = {"__name__"}, .target_label = "__name__", .replacement = "new_$1"}},
       Labels{{"__name__", "new_m"}, {"a", "foo"}, {"b", "bar"}}},
      {"replace expands a templated target label",
       Labels{{"kv", "zone=eu"}},
       {{.source_labels = {"kv"}, .regex = "(.+)=(.+)", .target_label = "$1", .replacement = "$2"}},
       Labels{{"kv", "zone=eu"}, {"zone", "eu"}}},
      {"replace skips a target label that expands to an invalid name",
       Labels{{"kv", "1zone=eu"}},
       {{.source_labels = {"kv"}, .regex = "(.+)=(.+)", .target_label = "$1", .replacement = "$2"}},
       Labels{{"kv", "1zone=eu"}}},
      {"replace with a templated target and empty result deletes the target as written",
       Labels{{"kv", "zone="}, {"zone", "old"}},
       {{.source_labels = {"kv"}, .regex = "(.+)=(.*)", .target_label = "$1", .replacement = "$2"}},
       Labels{{"kv", "zone="}, {"zone", "old"}}},
      // --- Go's regexp.Expand
      {"expand: $1x names the group \"1x\", which does not exist",
       Labels{{"a", "v"}},
       {{.source_labels = {"a"}, .regex = "(v)", .target_label = "t", .replacement = "<$1x>"}},
       Labels{{"a", "v"}, {"t", "<>"}}},
      {"expand: ${1}x",
       Labels{{"a", "v"}},
       {{.source_labels = {"a"}, .regex = "(v)", .target_label = "t", .replacement = "${1}x"}},
       Labels{{"a", "v"}, {"t", "vx"}}},
      {"expand: $$ is a dollar",
       Labels{{"a", "v"}},
       {{.source_labels = {"a"}, .regex = "(v)", .target_label = "t", .replacement = "$$1"}},
       Labels{{"a", "v"}, {"t", "$1"}}},
      {"expand: a malformed reference keeps its dollar",
       Labels{{"a", "v"}},
       {{.source_labels = {"a"},
         .regex = "(v)",
         .target_label = "t",
         .replacement = "$-${1 ${}${1$"}},
       Labels{{"a", "v"}, {"t", "$-${1 ${}${1$"}}},
      {"expand: $0 is the whole match, a missing group is empty",
       Labels{{"a", "vw"}},
       {{.source_labels = {"a"}, .regex = "(v)w", .target_label = "t", .replacement = "$0|$2|$9"}},
       Labels{{"a", "vw"}, {"t", "vw||"}}},
      {"expand: a leading zero makes a name, not a number",
       Labels{{"a", "v"}},
       {{.source_labels = {"a"}, .regex = "(v)", .target_label = "t", .replacement = "[$01]"}},
       Labels{{"a", "v"}, {"t", "[]"}}},
      {"expand: named groups as $name and ${name}",
       Labels{{"a", "eu-1"}},
       {{.source_labels = {"a"},
         .regex = "(?P<region>[a-z]+)-(?P<n>[0-9])",
         .target_label = "t",
         .replacement = "$n.${region}.$region_x"}},
       Labels{{"a", "eu-1"}, {"t", "1.eu."}}},
      {"expand: a group that did not take part is empty",
       Labels{{"a", "b"}},
       {{.source_labels = {"a"}, .regex = "(a)?(b)", .target_label = "t", .replacement = "[$1$2]"}},
       Labels{{"a", "b"}, {"t", "[b]"}}},
      {"expand: a name runs over Unicode letters and digits",
       Labels{{"a", "v"}},
       {{.source_labels = {"a"}, .regex = "(v)", .target_label = "t", .replacement = "$1é-$1٣-$1"}},
       Labels{{"a", "v"}, {"t", "--v"}}},
      // --- regex anchoring and flags
      {"keep is anchored at both ends",
       Labels{{"a", "foo"}},
       {{.source_labels = {"a"}, .regex = "fo", .action = A::kKeep}},
       std::nullopt},
      {"an alternation stays inside the anchors",
       Labels{{"a", "ab"}},
       {{.source_labels = {"a"}, .regex = "a|b", .action = A::kKeep}},
       std::nullopt},
      {"dot does not match a newline",
       Labels{{"a", "x\ny"}},
       {{.source_labels = {"a"}, .regex = "x.y", .action = A::kKeep}},
       std::nullopt},
      // --- keep, drop
      {"keep keeps a match",
       abc,
       {{.source_labels = {"a"}, .regex = "f.*", .action = A::kKeep}},
       abc},
      {"keep drops a non-match",
       abc,
       {{.source_labels = {"a"}, .regex = "b.*", .action = A::kKeep}},
       std::nullopt},
      {"drop drops a match",
       abc,
       {{.source_labels = {"a", "b"}, .regex = "foo;bar", .action = A::kDrop}},
       std::nullopt},
      {"drop keeps a non-match",
       abc,
       {{.source_labels = {"a"}, .regex = "bar", .action = A::kDrop}},
       abc},
      {"drop with the default regex drops everything",
       abc,
       {{.source_labels = {"missing"}, .action = A::kDrop}},
       std::nullopt},
      // --- keepequal, dropequal
      {"keepequal keeps equal values",
       Labels{{"a", "x"}, {"b", "x"}},
       {{.source_labels = {"a"}, .target_label = "b", .action = A::kKeepEqual}},
       Labels{{"a", "x"}, {"b", "x"}}},
      {"keepequal drops different values",
       Labels{{"a", "x"}, {"b", "y"}},
       {{.source_labels = {"a"}, .target_label = "b", .action = A::kKeepEqual}},
       std::nullopt},
      {"keepequal compares the joined value",
       Labels{{"a", "x"}, {"b", "y"}, {"c", "x;y"}},
       {{.source_labels = {"a", "b"}, .target_label = "c", .action = A::kKeepEqual}},
       Labels{{"a", "x"}, {"b", "y"}, {"c", "x;y"}}},
      {"keepequal: two missing labels are equal",
       Labels{{"a", "x"}},
       {{.source_labels = {"m1"}, .target_label = "m2", .action = A::kKeepEqual}},
       Labels{{"a", "x"}}},
      {"dropequal drops equal values",
       Labels{{"a", "x"}, {"b", "x"}},
       {{.source_labels = {"a"}, .target_label = "b", .action = A::kDropEqual}},
       std::nullopt},
      {"dropequal keeps different values",
       Labels{{"a", "x"}, {"b", "y"}},
       {{.source_labels = {"a"}, .target_label = "b", .action = A::kDropEqual}},
       Labels{{"a", "x"}, {"b", "y"}}},
      // --- hashmod (values from MD5 by hand: Python's hashlib)
      {"hashmod",
       Labels{{"a", "foo"}},
       {{.source_labels = {"a"}, .modulus = 10, .target_label = "h", .action = A::kHashMod}},
       Labels{{"a", "foo"}, {"h", "6"}}},
      {"hashmod of the empty string",
       Labels{{"a", "foo"}},
       {{.source_labels = {"missing"}, .modulus = 7, .target_label = "h", .action = A::kHashMod}},
       Labels{{"a", "foo"}, {"h", "1"}}},
      {"hashmod of a joined value",
       Labels{{"a", "a"}, {"b", "b"}},
       {{.source_labels = {"a", "b"}, .modulus = 1000, .target_label = "h", .action = A::kHashMod}},
       Labels{{"a", "a"}, {"b", "b"}, {"h", "74"}}},
      {"hashmod over more than one MD5 block",
       Labels{{"a", std::string(100, 'x')}},
       {{.source_labels = {"a"}, .modulus = 3, .target_label = "h", .action = A::kHashMod}},
       Labels{{"a", std::string(100, 'x')}, {"h", "1"}}},
      // --- labelmap
      {"labelmap copies matching names through the replacement",
       Labels{{"__meta_x", "1"}, {"__meta_y", "2"}, {"z", "3"}},
       {{.regex = "__meta_(.*)", .action = A::kLabelMap}},
       Labels{{"__meta_x", "1"}, {"__meta_y", "2"}, {"x", "1"}, {"y", "2"}, {"z", "3"}}},
      {"labelmap with a templated replacement",
       Labels{{"a", "1"}, {"b", "2"}},
       {{.regex = "(a)", .replacement = "${1}_copy", .action = A::kLabelMap}},
       Labels{{"a", "1"}, {"a_copy", "1"}, {"b", "2"}}},
      {"labelmap: the later name wins a shared target and overwrites",
       Labels{{"x_a", "1"}, {"y_a", "2"}, {"a", "0"}},
       {{.regex = "[xy]_(.*)", .action = A::kLabelMap}},
       Labels{{"a", "2"}, {"x_a", "1"}, {"y_a", "2"}}},
      {"labelmap does not see the labels it adds",
       Labels{{"a", "1"}},
       {{.regex = "(.*)", .replacement = "x$1", .action = A::kLabelMap}},
       Labels{{"a", "1"}, {"xa", "1"}}},
      // --- labeldrop, labelkeep
      {"labeldrop drops matching names",
       Labels{{"__name__", "m"}, {"tmp_a", "1"}, {"tmp_b", "2"}, {"c", "3"}},
       {{.regex = "tmp_.*", .action = A::kLabelDrop}},
       Labels{{"__name__", "m"}, {"c", "3"}}},
      {"labelkeep keeps matching names",
       Labels{{"__name__", "m"}, {"job", "j"}, {"c", "3"}},
       {{.regex = "__name__|job", .action = A::kLabelKeep}},
       Labels{{"__name__", "m"}, {"job", "j"}}},
      {"labelkeep is anchored",
       Labels{{"job", "j"}, {"jobs", "3"}},
       {{.regex = "job", .action = A::kLabelKeep}},
       Labels{{"job", "j"}}},
      // --- lowercase, uppercase
      {"lowercase",
       Labels{{"a", "FoO"}},
       {{.source_labels = {"a"}, .target_label = "l", .action = A::kLowercase}},
       Labels{{"a", "FoO"}, {"l", "foo"}}},
      {"uppercase joins sources",
       Labels{{"a", "foo"}, {"b", "Bar"}},
       {{.source_labels = {"a", "b"}, .target_label = "u", .action = A::kUppercase}},
       Labels{{"a", "foo"}, {"b", "Bar"}, {"u", "FOO;BAR"}}},
      {"lowercase maps Unicode letters one by one",
       Labels{{"a", "ÄÖÜ ΣİK"}},
       {{.source_labels = {"a"}, .target_label = "l", .action = A::kLowercase}},
       Labels{{"a", "ÄÖÜ ΣİK"}, {"l", "äöü σik"}}},
      {"uppercase keeps a letter without a one-letter capital",
       Labels{{"a", "straße ı"}},
       {{.source_labels = {"a"}, .target_label = "u", .action = A::kUppercase}},
       Labels{{"a", "straße ı"}, {"u", "STRAßE I"}}},
      {"lowercase of an empty value deletes the target",
       Labels{{"a", "x"}, {"l", "old"}},
       {{.source_labels = {"missing"}, .target_label = "l", .action = A::kLowercase}},
       Labels{{"a", "x"}}},
      // --- sequences
      {"each step sees the previous step's result",
       abc,
       {{.source_labels = {"a"}, .target_label = "t", .replacement = "x$1"},
        {.source_labels = {"t"}, .target_label = "u", .action = A::kUppercase},
        {.regex = "a|b", .action = A::kLabelDrop},
        {.source_labels = {"u"}, .regex = "XFOO", .action = A::kKeep}},
       Labels{{"__name__", "m"}, {"t", "xfoo"}, {"u", "XFOO"}}},
      {"a label set emptied by a step goes on through the later steps",
       abc,
       {{.regex = ".*", .action = A::kLabelDrop}, {.target_label = "x", .replacement = "y"}},
       Labels{{"x", "y"}}},
      {"a label set empty at the end is dropped",
       abc,
       {{.regex = ".*", .action = A::kLabelDrop}},
       std::nullopt},
      {"no configs: unchanged", abc, {}, abc},
  };
}

TEST(RelabelTest, ProcessTable) {
  for (ProcessCase& c : ProcessCases()) {
    SCOPED_TRACE(c.name);
    for (RelabelConfig& cfg : c.configs) {
      ASSERT_TRUE(cfg.Compile().ok()) << cfg.Compile().ToString();
    }
    Labels out = Labels{{"stale", "x"}};
    bool kept = Process(c.input, c.configs, &out);
    if (!c.want) {
      EXPECT_FALSE(kept) << "got " << out.ToString();
      continue;
    }
    ASSERT_TRUE(kept) << "dropped";
    EXPECT_EQ(out, *c.want) << "got " << out.ToString() << " want " << c.want->ToString();
  }
}

TEST(RelabelTest, OutputMayAliasInput) {
  std::vector<RelabelConfig> configs = {{.target_label = "x", .replacement = "y"}};
  ASSERT_TRUE(configs[0].Compile().ok());
  Labels l = {{"a", "1"}};
  ASSERT_TRUE(Process(l, configs, &l));
  EXPECT_EQ(l, (Labels{{"a", "1"}, {"x", "y"}}));
}

struct ValidationCase {
  RelabelConfig config;
  std::string want_error;  // "" for a valid config
};

// Messages as promtool check config 2.42 prints them (run by hand, and
// compared automatically by tests/integration/relabel_diff_test.cc).
std::vector<ValidationCase> ValidationCases() {
  return {
      {{.target_label = "t"}, ""},
      {{.regex = "(a"}, "error parsing regexp: missing closing ): `^(?:(a)$`"},
      {{.regex = "a**"}, "error parsing regexp: invalid nested repetition operator: `**`"},
      {{.source_labels = {"1a"}, .target_label = "t"}, "\"1a\" is not a valid label name"},
      {{.action = A::kReplace},
       "relabel configuration for replace action requires 'target_label' value"},
      {{.target_label = "t", .action = A::kHashMod},
       "relabel configuration for hashmod requires non-zero modulus"},
      {{.modulus = 2, .action = A::kHashMod},
       "relabel configuration for hashmod action requires 'target_label' value"},
      {{.modulus = 2, .target_label = "x$1", .action = A::kHashMod},
       "\"x$1\" is invalid 'target_label' for hashmod action"},
      {{.target_label = "1x"}, "\"1x\" is invalid 'target_label' for replace action"},
      {{.target_label = "a-$1"}, "\"a-$1\" is invalid 'target_label' for replace action"},
      {{.target_label = "$"}, "\"$\" is invalid 'target_label' for replace action"},
      {{.target_label = "${1}x$foo_bar"}, ""},
      {{.target_label = "l", .replacement = "y", .action = A::kLowercase},
       "'replacement' can not be set for lowercase action"},
      {{.target_label = "1x", .replacement = "y", .action = A::kLowercase},
       "\"1x\" is invalid 'target_label' for lowercase action"},
      {{.target_label = "$1", .action = A::kUppercase}, ""},
      {{.target_label = "a-$1", .action = A::kUppercase},
       "\"a-$1\" is invalid 'target_label' for uppercase action"},
      {{.action = A::kKeepEqual},
       "relabel configuration for keepequal action requires 'target_label' value"},
      {{.target_label = "1x", .action = A::kDropEqual},
       "\"1x\" is invalid 'target_label' for dropequal action"},
      {{.target_label = "t", .replacement = "y", .action = A::kKeepEqual},
       "'replacement' can not be set for keepequal action"},
      {{.target_label = "t", .action = A::kKeepEqual, .regex_given = true},
       "keepequal action requires only 'source_labels' and `target_label`, and no other fields"},
      {{.separator = ",", .target_label = "t", .action = A::kDropEqual},
       "dropequal action requires only 'source_labels' and `target_label`, and no other fields"},
      {{.modulus = 3, .target_label = "t", .action = A::kKeepEqual},
       "keepequal action requires only 'source_labels' and `target_label`, and no other fields"},
      {{.source_labels = {"a"}, .target_label = "t", .action = A::kKeepEqual}, ""},
      {{.replacement = "a-$1", .action = A::kLabelMap},
       "\"a-$1\" is invalid 'replacement' for labelmap action"},
      {{.replacement = "", .action = A::kLabelMap},
       "\"\" is invalid 'replacement' for labelmap action"},
      {{.regex = "(a)", .replacement = "${1}_x", .action = A::kLabelMap}, ""},
      {{.regex = "a", .action = A::kLabelDrop}, ""},
      {{.action = A::kLabelDrop, .source_labels_given = true},
       "labeldrop action requires only 'regex', and no other fields"},
      {{.target_label = "x", .action = A::kLabelKeep},
       "labelkeep action requires only 'regex', and no other fields"},
      {{.separator = "", .action = A::kLabelKeep},
       "labelkeep action requires only 'regex', and no other fields"},
      {{.regex = "a", .action = A::kDrop}, ""},
      {{.target_label = "1 x", .action = A::kDrop}, ""},  // unchecked where unused
  };
}

TEST(RelabelTest, ValidationTable) {
  for (ValidationCase& c : ValidationCases()) {
    SCOPED_TRACE(std::string(RelabelActionName(c.config.action)) + " regex=" + c.config.regex +
                 " target_label=" + c.config.target_label);
    common::Status s = c.config.Compile();
    if (c.want_error.empty()) {
      EXPECT_TRUE(s.ok()) << s.ToString();
      EXPECT_NE(c.config.compiled_regex, nullptr);
    } else {
      EXPECT_TRUE(s.IsInvalidArgument()) << "accepted";
      EXPECT_EQ(s.message(), c.want_error);
      EXPECT_EQ(c.config.compiled_regex, nullptr);
    }
  }
}

TEST(RelabelTest, ActionNames) {
  for (A a : {A::kReplace, A::kKeep, A::kDrop, A::kHashMod, A::kLabelMap, A::kLabelDrop,
              A::kLabelKeep, A::kLowercase, A::kUppercase, A::kKeepEqual, A::kDropEqual}) {
    EXPECT_EQ(ParseRelabelAction(RelabelActionName(a)), a);
  }
  EXPECT_EQ(ParseRelabelAction("HashMod"), A::kHashMod);
  EXPECT_EQ(ParseRelabelAction("bogus"), std::nullopt);
  EXPECT_EQ(ParseRelabelAction(""), std::nullopt);
}

// hashmod is defined by MD5: the last 8 bytes, big-endian, mod modulus. With
// modulus 2^64-1 nearly all of those bits show, so a wrong digest shows too.
TEST(RelabelTest, HashModMatchesOpenSslMd5AtEveryPaddingLength) {
  std::vector<RelabelConfig> configs = {
      {.source_labels = {"a"}, .modulus = UINT64_MAX, .target_label = "h", .action = A::kHashMod}};
  ASSERT_TRUE(configs[0].Compile().ok());
  std::string value;
  for (int len = 1; len <= 200; ++len) {
    value.push_back(static_cast<char>('!' + (len * 7) % 90));
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digest_len = 0;
    ASSERT_EQ(EVP_Digest(value.data(), value.size(), digest, &digest_len, EVP_md5(), nullptr), 1);
    ASSERT_EQ(digest_len, 16u);
    uint64_t tail = 0;
    for (int i = 8; i < 16; ++i) tail = tail << 8 | digest[i];
    Labels out;
    ASSERT_TRUE(Process(Labels{{"a", value}}, configs, &out));
    EXPECT_EQ(out.Get("h"), std::to_string(tail % UINT64_MAX)) << "length " << len;
  }
}

TEST(RelabelDeathTest, ProcessRequiresCompiledConfigs) {
  std::vector<RelabelConfig> configs = {{.target_label = "x"}};
  Labels out;
  EXPECT_DEATH(Process(Labels{{"a", "1"}}, configs, &out), "without Compile");
}

}  // namespace
}  // namespace model
