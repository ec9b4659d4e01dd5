#include "promql/lexer.h"

#include <cctype>

namespace promql {
namespace {

bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlnum(char c) { return IsAlpha(c) || IsDigit(c); }
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

bool EqualFold(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

bool IsDurationUnit(std::string_view s, size_t i, size_t* len) {
  if (i >= s.size()) return false;
  char c = s[i];
  if (c == 'm' && i + 1 < s.size() && s[i + 1] == 's') {
    *len = 2;
    return true;
  }
  if (c == 's' || c == 'm' || c == 'h' || c == 'd' || c == 'w' || c == 'y') {
    *len = 1;
    return true;
  }
  return false;
}

class Lexer {
 public:
  explicit Lexer(std::string_view in) : in_(in) {}

  LexResult Run() {
    LexResult r;
    while (true) {
      SkipSpaceAndComments();
      if (pos_ >= in_.size()) break;
      Token t;
      if (!Step(&t)) {
        r.ok = false;
        r.error = err_;
        return r;
      }
      r.tokens.push_back(std::move(t));
    }
    if (paren_depth_ > 0) return Fail(r, static_cast<int>(in_.size()), "unclosed left parenthesis");
    if (brace_open_)
      return Fail(r, static_cast<int>(in_.size()), "unexpected end of input inside braces");
    if (bracket_open_) return Fail(r, static_cast<int>(in_.size()), "unclosed left bracket");
    Token eof;
    eof.type = TokenType::kEOF;
    eof.pos = eof.end = static_cast<int>(in_.size());
    r.tokens.push_back(eof);
    return r;
  }

 private:
  LexResult Fail(LexResult& r, int pos, std::string msg) {
    r.ok = false;
    r.error = {pos, std::move(msg)};
    return r;
  }
  bool Error(size_t pos, std::string msg) {
    err_ = {static_cast<int>(pos), std::move(msg)};
    return false;
  }

  void SkipSpaceAndComments() {
    while (pos_ < in_.size()) {
      if (IsSpace(in_[pos_])) {
        ++pos_;
      } else if (in_[pos_] == '#') {
        while (pos_ < in_.size() && in_[pos_] != '\n') ++pos_;
      } else {
        break;
      }
    }
  }

  void Emit(Token* t, TokenType type, size_t start) {
    t->type = type;
    t->pos = static_cast<int>(start);
    t->end = static_cast<int>(pos_);
    t->text = std::string(in_.substr(start, pos_ - start));
  }

  bool Step(Token* t) {
    size_t start = pos_;
    char c = in_[pos_];
    char n = pos_ + 1 < in_.size() ? in_[pos_ + 1] : '\0';
    if (brace_open_) return StepInsideBraces(t);
    switch (c) {
      case '(':
        ++pos_;
        ++paren_depth_;
        Emit(t, TokenType::kLeftParen, start);
        return true;
      case ')':
        if (paren_depth_ == 0) return Error(start, "unexpected right parenthesis ')'");
        ++pos_;
        --paren_depth_;
        Emit(t, TokenType::kRightParen, start);
        return true;
      case '{':
        ++pos_;
        brace_open_ = true;
        Emit(t, TokenType::kLeftBrace, start);
        return true;
      case '}':
        return Error(start, "unexpected right brace '}'");
      case '[':
        if (bracket_open_) return Error(start, "unexpected left bracket '['");
        ++pos_;
        bracket_open_ = true;
        Emit(t, TokenType::kLeftBracket, start);
        return true;
      case ']':
        if (!bracket_open_) return Error(start, "unexpected right bracket ']'");
        ++pos_;
        bracket_open_ = false;
        Emit(t, TokenType::kRightBracket, start);
        return true;
      case ',':
        ++pos_;
        Emit(t, TokenType::kComma, start);
        return true;
      case '@':
        ++pos_;
        Emit(t, TokenType::kAt, start);
        return true;
      case '*':
        ++pos_;
        Emit(t, TokenType::kMul, start);
        return true;
      case '/':
        ++pos_;
        Emit(t, TokenType::kDiv, start);
        return true;
      case '%':
        ++pos_;
        Emit(t, TokenType::kMod, start);
        return true;
      case '^':
        ++pos_;
        Emit(t, TokenType::kPow, start);
        return true;
      case '+':
        ++pos_;
        Emit(t, TokenType::kAdd, start);
        return true;
      case '-':
        ++pos_;
        Emit(t, TokenType::kSub, start);
        return true;
      case '=':
        if (n == '=') {
          pos_ += 2;
          Emit(t, TokenType::kEql, start);
        } else if (n == '~') {
          pos_ += 2;
          Emit(t, TokenType::kRegexMatch, start);
        } else {
          ++pos_;
          Emit(t, TokenType::kAssign, start);
        }
        return true;
      case '!':
        if (n == '=') {
          pos_ += 2;
          Emit(t, TokenType::kNeq, start);
          return true;
        }
        if (n == '~') {
          pos_ += 2;
          Emit(t, TokenType::kRegexNoMatch, start);
          return true;
        }
        return Error(start, "unexpected character after '!': '" + std::string(1, n) + "'");
      case '<':
        if (n == '=') {
          pos_ += 2;
          Emit(t, TokenType::kLte, start);
        } else {
          ++pos_;
          Emit(t, TokenType::kLss, start);
        }
        return true;
      case '>':
        if (n == '=') {
          pos_ += 2;
          Emit(t, TokenType::kGte, start);
        } else {
          ++pos_;
          Emit(t, TokenType::kGtr, start);
        }
        return true;
      case '"':
      case '\'':
      case '`':
        return LexString(t);
      case ':':
        if (!bracket_open_ && pos_ + 1 < in_.size() && (IsAlnum(n) || n == ':')) {
          return LexIdentifier(t);
        }
        ++pos_;
        Emit(t, TokenType::kColon, start);
        return true;
      default:
        break;
    }
    if (IsDigit(c) || (c == '.' && IsDigit(n))) return LexNumberOrDuration(t);
    if (IsAlpha(c)) return LexIdentifier(t);
    std::string ch(1, c);
    return Error(start, "unexpected character: '" + ch + "'");
  }

  bool StepInsideBraces(Token* t) {
    size_t start = pos_;
    char c = in_[pos_];
    char n = pos_ + 1 < in_.size() ? in_[pos_ + 1] : '\0';
    if (IsAlpha(c)) {
      while (pos_ < in_.size() && IsAlnum(in_[pos_])) ++pos_;
      Emit(t, TokenType::kIdentifier, start);
      return true;
    }
    switch (c) {
      case ',':
        ++pos_;
        Emit(t, TokenType::kComma, start);
        return true;
      case '"':
      case '\'':
      case '`':
        return LexString(t);
      case '=':
        if (n == '~') {
          pos_ += 2;
          Emit(t, TokenType::kRegexMatch, start);
        } else if (n == '=') {
          return Error(start, "unexpected character inside braces: '='");
        } else {
          ++pos_;
          Emit(t, TokenType::kAssign, start);
        }
        return true;
      case '!':
        if (n == '~') {
          pos_ += 2;
          Emit(t, TokenType::kRegexNoMatch, start);
          return true;
        }
        if (n == '=') {
          pos_ += 2;
          Emit(t, TokenType::kNeq, start);
          return true;
        }
        return Error(start, "unexpected character inside braces: '!'");
      case '{':
        return Error(start, "unexpected left brace '{'");
      case '}':
        ++pos_;
        brace_open_ = false;
        Emit(t, TokenType::kRightBrace, start);
        return true;
      default:
        break;
    }
    return Error(start, "unexpected character inside braces: '" + std::string(1, c) + "'");
  }

  bool LexString(Token* t) {
    size_t start = pos_;
    char q = in_[pos_++];
    if (q == '`') {
      while (pos_ < in_.size() && in_[pos_] != '`') ++pos_;
      if (pos_ >= in_.size()) return Error(start, "unterminated raw string");
      ++pos_;
      Emit(t, TokenType::kString, start);
      t->val = std::string(in_.substr(start + 1, pos_ - start - 2));
      return true;
    }
    while (pos_ < in_.size()) {
      char c = in_[pos_];
      if (c == '\\') {
        pos_ += 2;
        continue;
      }
      if (c == '\n') return Error(start, "unterminated quoted string");
      if (c == q) break;
      ++pos_;
    }
    if (pos_ >= in_.size()) return Error(start, "unterminated quoted string");
    ++pos_;
    Emit(t, TokenType::kString, start);
    if (!UnescapeString(in_.substr(start + 1, pos_ - start - 2), q, &t->val)) {
      return Error(start, "invalid syntax in string literal " + t->text);
    }
    return true;
  }

  bool LexIdentifier(Token* t) {
    size_t start = pos_;
    while (pos_ < in_.size() && (IsAlnum(in_[pos_]) || in_[pos_] == ':')) ++pos_;
    std::string_view word = in_.substr(start, pos_ - start);
    if (EqualFold(word, "inf") || EqualFold(word, "nan")) {
      Emit(t, TokenType::kNumber, start);
      return true;
    }
    Emit(t, TokenType::kIdentifier, start);
    return true;
  }

  bool LexNumberOrDuration(Token* t) {
    size_t start = pos_;
    if (ScanNumber()) {
      Emit(t, TokenType::kNumber, start);
      return true;
    }
    // Not a plain number: try a duration, e.g. 1h30m.
    pos_ = start;
    bool any = false;
    while (pos_ < in_.size() && IsDigit(in_[pos_])) {
      while (pos_ < in_.size() && IsDigit(in_[pos_])) ++pos_;
      size_t len = 0;
      if (!IsDurationUnit(in_, pos_, &len)) break;
      pos_ += len;
      any = true;
    }
    if (any && (pos_ >= in_.size() || !IsAlnum(in_[pos_]))) {
      Emit(t, TokenType::kDuration, start);
      return true;
    }
    while (pos_ < in_.size() && (IsAlnum(in_[pos_]) || in_[pos_] == '.')) ++pos_;
    return Error(start, "bad number or duration syntax: \"" +
                            std::string(in_.substr(start, pos_ - start)) + "\"");
  }

  bool ScanNumber() {
    auto accept_run = [&](auto pred) {
      while (pos_ < in_.size() && pred(in_[pos_])) ++pos_;
    };
    bool hex = false;
    if (pos_ + 1 < in_.size() && in_[pos_] == '0' &&
        (in_[pos_ + 1] == 'x' || in_[pos_ + 1] == 'X')) {
      pos_ += 2;
      hex = true;
    }
    if (hex) {
      accept_run([](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; });
    } else {
      accept_run(IsDigit);
      if (pos_ < in_.size() && in_[pos_] == '.') {
        ++pos_;
        accept_run(IsDigit);
      }
      if (pos_ < in_.size() && (in_[pos_] == 'e' || in_[pos_] == 'E')) {
        ++pos_;
        if (pos_ < in_.size() && (in_[pos_] == '+' || in_[pos_] == '-')) ++pos_;
        accept_run(IsDigit);
      }
    }
    return pos_ >= in_.size() || !IsAlnum(in_[pos_]);
  }

  std::string_view in_;
  size_t pos_ = 0;
  int paren_depth_ = 0;
  bool brace_open_ = false;
  bool bracket_open_ = false;
  LexError err_{0, ""};
};

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

int HexVal(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

bool UnescapeString(std::string_view s, char quote, std::string* out) {
  out->clear();
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c != '\\') {
      out->push_back(c);
      continue;
    }
    if (++i >= s.size()) return false;
    char e = s[i];
    switch (e) {
      case 'a':
        out->push_back('\a');
        break;
      case 'b':
        out->push_back('\b');
        break;
      case 'f':
        out->push_back('\f');
        break;
      case 'n':
        out->push_back('\n');
        break;
      case 'r':
        out->push_back('\r');
        break;
      case 't':
        out->push_back('\t');
        break;
      case 'v':
        out->push_back('\v');
        break;
      case '\\':
        out->push_back('\\');
        break;
      case '\'':
      case '"':
        if (e != quote) return false;
        out->push_back(e);
        break;
      case 'x': {
        if (i + 2 >= s.size()) return false;
        int a = HexVal(s[i + 1]), b = HexVal(s[i + 2]);
        if (a < 0 || b < 0) return false;
        out->push_back(static_cast<char>(a * 16 + b));
        i += 2;
        break;
      }
      case 'u':
      case 'U': {
        size_t n = e == 'u' ? 4 : 8;
        if (i + n >= s.size()) return false;
        uint32_t cp = 0;
        for (size_t k = 1; k <= n; ++k) {
          int h = HexVal(s[i + k]);
          if (h < 0) return false;
          cp = cp * 16 + static_cast<uint32_t>(h);
        }
        if (cp > 0x10FFFF || (cp >= 0xD800 && cp < 0xE000)) return false;
        AppendUtf8(cp, out);
        i += n;
        break;
      }
      default:
        if (e >= '0' && e <= '7') {
          if (i + 2 >= s.size()) return false;
          int v = 0;
          for (size_t k = 0; k < 3; ++k) {
            char d = s[i + k];
            if (d < '0' || d > '7') return false;
            v = v * 8 + (d - '0');
          }
          if (v > 255) return false;
          out->push_back(static_cast<char>(v));
          i += 2;
          break;
        }
        return false;
    }
  }
  return true;
}

std::string DescribeToken(const Token& t) {
  switch (t.type) {
    case TokenType::kEOF:
      return "end of input";
    case TokenType::kIdentifier:
      return "identifier \"" + t.text + "\"";
    case TokenType::kNumber:
      return "number \"" + t.text + "\"";
    case TokenType::kDuration:
      return "duration \"" + t.text + "\"";
    case TokenType::kString:
      return "string " + t.text;
    case TokenType::kLeftParen:
      return "\"(\"";
    case TokenType::kRightParen:
      return "\")\"";
    case TokenType::kLeftBrace:
      return "\"{\"";
    case TokenType::kRightBrace:
      return "\"}\"";
    case TokenType::kLeftBracket:
      return "\"[\"";
    case TokenType::kRightBracket:
      return "\"]\"";
    case TokenType::kComma:
      return "\",\"";
    case TokenType::kColon:
      return "\":\"";
    case TokenType::kAt:
      return "\"@\"";
    case TokenType::kAssign:
      return "\"=\"";
    default:
      return "operator \"" + t.text + "\"";
  }
}

LexResult Lex(std::string_view input) { return Lexer(input).Run(); }

}  // namespace promql
