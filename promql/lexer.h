// Lexer: turns a PromQL query into tokens with byte positions. Keywords are
// not classified here (the parser decides by context); words are kIdentifier.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace promql {

enum class TokenType {
  kEOF,
  kIdentifier,  // [a-zA-Z_:][a-zA-Z0-9_:]* (inside braces no ':' start)
  kNumber,      // 1, 1.5e3, 0x1f, .5, Inf, NaN
  kDuration,    // 5m, 1h30m
  kString,      // "..." '...' `...`  (val holds the unquoted value)
  kLeftParen,
  kRightParen,
  kLeftBrace,
  kRightBrace,
  kLeftBracket,
  kRightBracket,
  kComma,
  kColon,
  kAt,
  kAssign,        // =
  kEql,           // ==
  kNeq,           // !=
  kRegexMatch,    // =~
  kRegexNoMatch,  // !~
  kLss,
  kLte,
  kGtr,
  kGte,
  kAdd,
  kSub,
  kMul,
  kDiv,
  kMod,
  kPow,
};

struct Token {
  TokenType type = TokenType::kEOF;
  int pos = 0;       // byte offset of the first character
  int end = 0;       // byte offset past the last character
  std::string text;  // raw text from the query
  std::string val;   // unquoted value for strings
};

// Human description used in "unexpected ..." errors, e.g. `identifier "foo"`.
std::string DescribeToken(const Token& t);

struct LexError {
  int pos;
  std::string msg;
};

// Tokenizes the whole query. On failure returns the position and message of
// the first lexical error. The result always ends with one kEOF token.
struct LexResult {
  std::vector<Token> tokens;
  bool ok = true;
  LexError error{0, ""};
};
LexResult Lex(std::string_view input);

// Go strconv.Unquote-compatible unescaping of a quoted literal's body.
// Returns false on an invalid escape.
bool UnescapeString(std::string_view body, char quote, std::string* out);

}  // namespace promql
