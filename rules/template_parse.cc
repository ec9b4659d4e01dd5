// Lexer and parser of Go's text/template (text/template/parse), producing
// the tree template.cc executes. The grammar, the trim markers, the checks
// made at parse time (known functions, declared variables) and the error
// wording follow Go's, so a rule file Prometheus refuses is refused here too.
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <utility>

#include "model/number.h"
#include "rules/template_internal.h"

namespace rules::tmpl {
namespace {

enum class Tok {
  kError,
  kEOF,
  kText,
  kLeftDelim,
  kRightDelim,
  kSpace,
  kIdentifier,
  kField,
  kVariable,
  kString,
  kRawString,
  kChar,  // a printable ASCII character such as ','
  kCharConstant,
  kNumber,
  kBool,
  kDot,
  kNil,
  kPipe,
  kDeclare,
  kAssign,
  kLeftParen,
  kRightParen,
  // Keywords (printed as <word> in errors).
  kKeyword,
  kBlock,
  kBreak,
  kContinue,
  kDefine,
  kElse,
  kEnd,
  kIf,
  kRange,
  kTemplate,
  kWith,
};

struct Token {
  Tok type;
  int pos;
  std::string val;
  int line;
};

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool IsAlnum(unsigned char c) {
  // Non-ASCII bytes count as letters: Go accepts Unicode letters in names.
  return c == '_' || std::isalnum(c) || c >= 0x80;
}

std::string QuoteRune(unsigned char c) {
  char buf[32];
  if (c >= 0x20 && c < 0x7f) {
    std::snprintf(buf, sizeof(buf), "U+%04X '%c'", c, c);
  } else {
    std::snprintf(buf, sizeof(buf), "U+%04X", c);
  }
  return buf;
}

// Go's lexer, run to completion up front (Go's runs alongside the parser;
// the parser sees the same tokens in the same order).
class Lexer {
 public:
  explicit Lexer(const std::string& in) : in_(in) {}

  std::vector<Token> Run() {
    while (!done_) LexText();
    return std::move(items_);
  }

 private:
  bool HasLeftTrim(size_t p) const {
    return p + 1 < in_.size() && in_[p] == '-' && IsSpace(in_[p + 1]);
  }
  bool HasRightTrim(size_t p) const {
    return p + 1 < in_.size() && IsSpace(in_[p]) && in_[p + 1] == '-';
  }
  bool StartsWith(size_t p, std::string_view s) const {
    return in_.compare(p, s.size(), s) == 0 && p + s.size() <= in_.size();
  }
  // At "}}" or " -}}": returns 0 if not, else 1 (plain) or 2 (trimming).
  int AtRightDelim(size_t p) const {
    if (HasRightTrim(p) && StartsWith(p + 2, "}}")) return 2;
    if (StartsWith(p, "}}")) return 1;
    return 0;
  }
  void Emit(Tok t, size_t start, size_t end) {
    items_.push_back({t, static_cast<int>(start), in_.substr(start, end - start), line_});
    for (size_t i = start; i < end; ++i) line_ += in_[i] == '\n';
  }
  void Error(size_t pos, std::string msg) {
    items_.push_back({Tok::kError, static_cast<int>(pos), std::move(msg), line_});
    done_ = true;
  }

  void LexText() {
    size_t x = in_.find("{{", pos_);
    if (x == std::string::npos) {
      if (pos_ < in_.size()) Emit(Tok::kText, pos_, in_.size());
      items_.push_back({Tok::kEOF, static_cast<int>(in_.size()), "", line_});
      done_ = true;
      return;
    }
    size_t end = x;
    if (HasLeftTrim(x + 2)) {
      while (end > pos_ && IsSpace(in_[end - 1])) --end;
    }
    if (end > pos_) Emit(Tok::kText, pos_, end);
    for (size_t i = end; i < x; ++i) line_ += in_[i] == '\n';
    pos_ = x;
    LexLeftDelim();
  }

  void LexLeftDelim() {
    size_t start = pos_;
    pos_ += 2;
    bool trim = HasLeftTrim(pos_);
    size_t after = trim ? 2 : 0;
    if (StartsWith(pos_ + after, "/*")) {
      pos_ += after + 2;
      size_t x = in_.find("*/", pos_);
      if (x == std::string::npos) return Error(start, "unclosed comment");
      for (size_t i = pos_; i < x; ++i) line_ += in_[i] == '\n';
      pos_ = x + 2;
      int d = AtRightDelim(pos_);
      if (d == 0) return Error(start, "comment ends before closing delimiter");
      pos_ += d == 2 ? 4 : 2;
      if (d == 2) SkipLeadingSpace();
      return;
    }
    Emit(Tok::kLeftDelim, start, pos_);
    pos_ += after;
    paren_depth_ = 0;
    LexInsideAction();
  }

  void SkipLeadingSpace() {
    while (pos_ < in_.size() && IsSpace(in_[pos_])) line_ += in_[pos_++] == '\n';
  }

  bool AtTerminator() const {
    if (pos_ >= in_.size()) return true;
    char c = in_[pos_];
    if (IsSpace(c)) return true;
    switch (c) {
      case '.':
      case ',':
      case '|':
      case ':':
      case ')':
      case '(':
        return true;
    }
    return StartsWith(pos_, "}}");
  }

  void LexInsideAction() {
    while (!done_) {
      int d = AtRightDelim(pos_);
      if (d != 0) {
        if (paren_depth_ != 0) return Error(pos_, "unclosed left paren");
        if (d == 2) pos_ += 2;
        Emit(Tok::kRightDelim, pos_, pos_ + 2);
        pos_ += 2;
        if (d == 2) SkipLeadingSpace();
        return;
      }
      if (pos_ >= in_.size()) return Error(pos_, "unclosed action");
      size_t start = pos_;
      char c = in_[pos_];
      if (IsSpace(c)) {
        size_t n = 0;
        while (pos_ < in_.size() && IsSpace(in_[pos_])) ++pos_, ++n;
        // A space followed by "-}}" is the trim marker, not a separator.
        if (HasRightTrim(pos_ - 1) && StartsWith(pos_ + 1, "}}")) {
          --pos_;
          if (n == 1) continue;
        }
        Emit(Tok::kSpace, start, pos_);
        continue;
      }
      switch (c) {
        case '=':
          ++pos_;
          Emit(Tok::kAssign, start, pos_);
          continue;
        case ':':
          if (pos_ + 1 >= in_.size() || in_[pos_ + 1] != '=') return Error(pos_, "expected :=");
          pos_ += 2;
          Emit(Tok::kDeclare, start, pos_);
          continue;
        case '|':
          ++pos_;
          Emit(Tok::kPipe, start, pos_);
          continue;
        case '"':
        case '`':
        case '\'':
          if (!LexQuote(c)) return;
          continue;
        case '$':
          ++pos_;
          if (!LexFieldOrVariable(Tok::kVariable, start)) return;
          continue;
        case '(':
          ++pos_;
          ++paren_depth_;
          Emit(Tok::kLeftParen, start, pos_);
          continue;
        case ')':
          ++pos_;
          Emit(Tok::kRightParen, start, pos_);
          if (--paren_depth_ < 0) return Error(start, "unexpected right paren " + QuoteRune(')'));
          continue;
        default:
          break;
      }
      if (c == '.' && !(pos_ + 1 < in_.size() && in_[pos_ + 1] >= '0' && in_[pos_ + 1] <= '9')) {
        ++pos_;
        if (!LexFieldOrVariable(Tok::kField, start)) return;
        continue;
      }
      if (c == '.' || c == '+' || c == '-' || (c >= '0' && c <= '9')) {
        if (!LexNumber()) return;
        continue;
      }
      if (IsAlnum(static_cast<unsigned char>(c))) {
        if (!LexIdentifier()) return;
        continue;
      }
      if (c > 0x20 && c < 0x7f) {
        ++pos_;
        Emit(Tok::kChar, start, pos_);
        continue;
      }
      return Error(start, "unrecognized character in action: " + QuoteRune(c));
    }
  }

  bool LexQuote(char q) {
    size_t start = pos_++;
    while (true) {
      if (pos_ >= in_.size() || (q != '`' && in_[pos_] == '\n')) {
        Error(start, q == '"'   ? "unterminated quoted string"
                     : q == '`' ? "unterminated raw quoted string"
                                : "unterminated character constant");
        return false;
      }
      char c = in_[pos_++];
      if (c == '\\' && q != '`') {
        if (pos_ < in_.size() && in_[pos_] != '\n') ++pos_;
        continue;
      }
      if (c == q) break;
    }
    Emit(q == '"' ? Tok::kString : q == '`' ? Tok::kRawString : Tok::kCharConstant, start, pos_);
    return true;
  }

  bool LexFieldOrVariable(Tok t, size_t start) {
    if (AtTerminator()) {
      Emit(t == Tok::kVariable ? Tok::kVariable : Tok::kDot, start, pos_);
      return true;
    }
    while (pos_ < in_.size() && IsAlnum(static_cast<unsigned char>(in_[pos_]))) ++pos_;
    if (!AtTerminator()) {
      Error(pos_, "bad character " + QuoteRune(static_cast<unsigned char>(in_[pos_])));
      return false;
    }
    Emit(t, start, pos_);
    return true;
  }

  bool LexIdentifier() {
    size_t start = pos_;
    while (pos_ < in_.size() && IsAlnum(static_cast<unsigned char>(in_[pos_]))) ++pos_;
    if (!AtTerminator()) {
      Error(pos_, "bad character " + QuoteRune(static_cast<unsigned char>(in_[pos_])));
      return false;
    }
    static const std::map<std::string_view, Tok> kKeywords = {
        {"block", Tok::kBlock},
        {"break", Tok::kBreak},
        {"continue", Tok::kContinue},
        {"define", Tok::kDefine},
        {"else", Tok::kElse},
        {"end", Tok::kEnd},
        {"if", Tok::kIf},
        {"range", Tok::kRange},
        {"nil", Tok::kNil},
        {"template", Tok::kTemplate},
        {"with", Tok::kWith},
        {"true", Tok::kBool},
        {"false", Tok::kBool},
    };
    std::string_view word(in_.data() + start, pos_ - start);
    auto it = kKeywords.find(word);
    Emit(it == kKeywords.end() ? Tok::kIdentifier : it->second, start, pos_);
    return true;
  }

  bool LexNumber() {
    size_t start = pos_;
    auto accept = [&](const char* set) {
      if (pos_ < in_.size() && in_[pos_] != '\0' && std::strchr(set, in_[pos_])) {
        ++pos_;
        return true;
      }
      return false;
    };
    auto accept_run = [&](const char* set) {
      while (accept(set)) {
      }
    };
    accept("+-");
    const char* digits = "0123456789_";
    if (accept("0")) {
      if (accept("xX")) {
        digits = "0123456789abcdefABCDEF_";
      } else if (accept("oO")) {
        digits = "01234567_";
      } else if (accept("bB")) {
        digits = "01_";
      }
    }
    accept_run(digits);
    if (accept(".")) accept_run(digits);
    size_t nd = std::strlen(digits);
    if (nd == 11 && accept("eE")) {
      accept("+-");
      accept_run("0123456789_");
    }
    if (nd == 23 && accept("pP")) {
      accept("+-");
      accept_run("0123456789_");
    }
    accept("i");
    if (pos_ < in_.size() && IsAlnum(static_cast<unsigned char>(in_[pos_]))) {
      ++pos_;
      Error(start, "bad number syntax: " + GoQuote(in_.substr(start, pos_ - start)));
      return false;
    }
    Emit(Tok::kNumber, start, pos_);
    return true;
  }

  const std::string& in_;
  size_t pos_ = 0;
  int line_ = 1;
  int paren_depth_ = 0;
  bool done_ = false;
  std::vector<Token> items_;
};

std::string TokenString(const Token& t) {
  if (t.type == Tok::kEOF) return "EOF";
  if (t.type == Tok::kError) return t.val;
  if (t.type > Tok::kKeyword || t.type == Tok::kNil || t.type == Tok::kBool) {
    // Go's keywords (nil, true and false included) print as <word>.
    if (t.type != Tok::kBool) return "<" + t.val + ">";
  }
  if (t.val.size() > 10) return GoQuote(t.val).substr(0, 11) + "\"...";
  return GoQuote(t.val);
}

// strconv.ParseInt(s, 0, 64) with Go's prefixes and underscores.
bool ParseGoInt(std::string_view s, int64_t* out) {
  bool neg = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  int base = 10;
  bool prefixed = false;
  if (s.size() > 1 && s[0] == '0') {
    char p = static_cast<char>(s[1] | 0x20);
    if (p == 'x' || p == 'o' || p == 'b') {
      base = p == 'x' ? 16 : p == 'o' ? 8 : 2;
      s.remove_prefix(2);
      prefixed = true;
    } else {
      base = 8;
      s.remove_prefix(1);
      prefixed = true;
    }
  }
  if (s.empty() && !prefixed) return false;
  if (s.empty() && base == 8) {
    *out = 0;
    return true;
  }
  if (s.empty()) return false;
  unsigned __int128 v = 0;
  bool last_underscore = prefixed;  // "0x_1" is allowed, "1__2" is not
  for (char c : s) {
    if (c == '_') {
      if (last_underscore && !(prefixed && &c == &s[0])) return false;
      last_underscore = true;
      continue;
    }
    last_underscore = false;
    int d = c >= '0' && c <= '9'   ? c - '0'
            : c >= 'a' && c <= 'z' ? c - 'a' + 10
            : c >= 'A' && c <= 'Z' ? c - 'A' + 10
                                   : 99;
    if (d >= base) return false;
    v = v * base + d;
    if (v > (static_cast<unsigned __int128>(1) << 64)) return false;
  }
  if (last_underscore) return false;
  if (neg ? v > (static_cast<unsigned __int128>(1) << 63)
          : v > (static_cast<unsigned __int128>(1) << 63) - 1) {
    return false;
  }
  *out = neg ? static_cast<int64_t>(-static_cast<int64_t>(v - 1) - 1) : static_cast<int64_t>(v);
  return true;
}

// strconv.Unquote of a "..." or '...' literal (the lexer found its end).
bool Unquote(std::string_view q, std::string* out, uint32_t* rune) {
  char quote = q[0];
  std::string_view s = q.substr(1, q.size() - 2);
  if (quote == '`') {
    for (char c : s) {
      if (c != '\r') out->push_back(c);
    }
    return true;
  }
  int runes = 0;
  for (size_t i = 0; i < s.size();) {
    char c = s[i];
    if (c == quote) return false;
    if (c != '\\') {
      if (static_cast<unsigned char>(c) < 0x80) {
        *rune = static_cast<unsigned char>(c);
        out->push_back(c);
        ++i;
      } else {
        // Copy one UTF-8 sequence; decode it for a rune constant.
        size_t n = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 1;
        uint32_t r = n == 2 ? (c & 0x1F) : n == 3 ? (c & 0x0F) : (c & 0x07);
        for (size_t k = 1; k < n && i + k < s.size(); ++k) r = (r << 6) | (s[i + k] & 0x3F);
        *rune = r;
        out->append(s.substr(i, n));
        i += n;
      }
      ++runes;
      continue;
    }
    if (++i >= s.size()) return false;
    char e = s[i++];
    uint32_t r = 0;
    switch (e) {
      case 'a':
        r = 7;
        break;
      case 'b':
        r = 8;
        break;
      case 'f':
        r = 12;
        break;
      case 'n':
        r = 10;
        break;
      case 'r':
        r = 13;
        break;
      case 't':
        r = 9;
        break;
      case 'v':
        r = 11;
        break;
      case '\\':
        r = '\\';
        break;
      case '\'':
      case '"':
        if (e != quote) return false;
        r = static_cast<unsigned char>(e);
        break;
      case 'x':
      case 'u':
      case 'U': {
        size_t n = e == 'x' ? 2 : e == 'u' ? 4 : 8;
        if (i + n > s.size()) return false;
        for (size_t k = 0; k < n; ++k) {
          char h = s[i + k];
          int d = std::isxdigit(static_cast<unsigned char>(h))
                      ? (h <= '9' ? h - '0' : (h | 0x20) - 'a' + 10)
                      : -1;
          if (d < 0) return false;
          r = r * 16 + static_cast<uint32_t>(d);
        }
        i += n;
        if (e == 'x') {
          // A byte, not a rune.
          out->push_back(static_cast<char>(r));
          *rune = r;
          ++runes;
          continue;
        }
        if (r > 0x10FFFF || (r >= 0xD800 && r < 0xE000)) return false;
        break;
      }
      default:
        if (e >= '0' && e <= '7') {
          if (i + 2 > s.size()) return false;
          r = static_cast<uint32_t>(e - '0');
          for (int k = 0; k < 2; ++k) {
            char o = s[i++];
            if (o < '0' || o > '7') return false;
            r = r * 8 + static_cast<uint32_t>(o - '0');
          }
          if (r > 255) return false;
          out->push_back(static_cast<char>(r));
          *rune = r;
          ++runes;
          continue;
        }
        return false;
    }
    AppendUtf8(r, out);
    *rune = r;
    ++runes;
  }
  if (quote == '\'' && runes != 1) return false;
  return true;
}

class Parser {
 public:
  Parser(std::string name, const std::string& text, ParsedTemplate* out)
      : name_(std::move(name)), text_(text), out_(out) {}

  common::Status Run() {
    toks_ = Lexer(text_).Run();
    Tree main;
    main.name = name_;
    vars_ = {"$"};
    while (Peek().type != Tok::kEOF && ok()) {
      if (Peek().type == Tok::kLeftDelim) {
        size_t save = i_;
        Next();
        if (NextNonSpace().type == Tok::kDefine) {
          ParseDefinition();
          continue;
        }
        i_ = save;
      }
      bool end = false, is_else = false;
      NodePtr n = TextOrAction(&end, &is_else);
      if (!ok()) break;
      if (end || is_else) {
        Errorf(end ? "unexpected {{end}}" : "unexpected {{else}}");
        break;
      }
      if (n) main.root.push_back(std::move(n));
    }
    if (ok()) Add(std::move(main));
    if (!ok()) return common::Status::InvalidArgument(err_);
    return common::Status::OK();
  }

 private:
  bool ok() const { return err_.empty(); }
  void Errorf(const std::string& msg) {
    if (!ok()) return;
    int line = last_ < toks_.size() ? toks_[last_].line : 1;
    err_ = "template: " + name_ + ":" + std::to_string(line) + ": " + msg;
  }
  void Unexpected(const Token& t, const std::string& context) {
    if (t.type == Tok::kError) {
      std::string extra;
      if (action_line_ != 0 && action_line_ != t.line) {
        extra = " in action started at " + name_ + ":" + std::to_string(action_line_);
      }
      Errorf(t.val + extra);
      return;
    }
    Errorf("unexpected " + TokenString(t) + " in " + context);
  }

  const Token& Peek() const { return toks_[std::min(i_, toks_.size() - 1)]; }
  const Token& Next() {
    last_ = std::min(i_, toks_.size() - 1);
    if (i_ < toks_.size() - 1) ++i_;
    return toks_[last_];
  }
  const Token& NextNonSpace() {
    while (Peek().type == Tok::kSpace) Next();
    return Next();
  }
  const Token& PeekNonSpace() {
    while (Peek().type == Tok::kSpace) Next();
    return Peek();
  }
  void Backup() { i_ = last_; }

  static NodePtr New(NodeType t, int pos) {
    auto n = std::make_unique<Node>();
    n->type = t;
    n->pos = pos;
    return n;
  }

  static bool IsEmptyTree(const NodeList& list) {
    for (const auto& n : list) {
      if (n->type != NodeType::kText) return false;
      for (char c : n->text) {
        if (!IsSpace(c)) return false;
      }
    }
    return true;
  }

  void Add(Tree tree) {
    auto it = out_->trees.find(tree.name);
    if (it == out_->trees.end() || IsEmptyTree(it->second.root)) {
      out_->trees[tree.name] = std::move(tree);
      return;
    }
    if (!IsEmptyTree(tree.root)) {
      Errorf("template: multiple definition of template " + GoQuote(tree.name));
    }
  }

  void ParseDefinition() {
    const Token& t = NextNonSpace();
    if (t.type != Tok::kString && t.type != Tok::kRawString) {
      return Unexpected(t, "define clause");
    }
    Tree tree;
    uint32_t r = 0;
    if (!Unquote(t.val, &tree.name, &r)) return Errorf("invalid syntax");
    const Token& d = NextNonSpace();
    if (d.type != Tok::kRightDelim) return Unexpected(d, "define clause");
    std::vector<std::string> saved = std::move(vars_);
    vars_ = {"$"};
    bool end = false, is_else = false;
    tree.root = ItemList(&end, &is_else);
    vars_ = std::move(saved);
    if (!ok()) return;
    if (!end) return Errorf("unexpected {{else}} in define clause");
    Add(std::move(tree));
  }

  // Items up to {{end}} or {{else}} (which one ends it is reported).
  NodeList ItemList(bool* end, bool* is_else) {
    NodeList list;
    while (ok()) {
      if (PeekNonSpace().type == Tok::kEOF) {
        Errorf("unexpected EOF");
        break;
      }
      NodePtr n = TextOrAction(end, is_else);
      if (*end || *is_else) break;
      if (n) list.push_back(std::move(n));
    }
    return list;
  }

  NodePtr TextOrAction(bool* end, bool* is_else) {
    const Token& t = NextNonSpace();
    switch (t.type) {
      case Tok::kText: {
        NodePtr n = New(NodeType::kText, t.pos);
        n->text = t.val;
        return n;
      }
      case Tok::kLeftDelim:
        action_line_ = t.line;
        return Action(end, is_else);
      default:
        Unexpected(t, "input");
        return nullptr;
    }
  }

  NodePtr Action(bool* end, bool* is_else) {
    const Token& t = NextNonSpace();
    switch (t.type) {
      case Tok::kBlock:
        return BlockControl();
      case Tok::kBreak:
      case Tok::kContinue: {
        bool brk = t.type == Tok::kBreak;
        int pos = t.pos;
        const Token& d = NextNonSpace();
        if (d.type != Tok::kRightDelim) {
          Unexpected(d, brk ? "{{break}}" : "{{continue}}");
          return nullptr;
        }
        if (range_depth_ == 0) {
          Errorf(brk ? "{{break}} outside {{range}}" : "{{continue}} outside {{range}}");
          return nullptr;
        }
        return New(brk ? NodeType::kBreak : NodeType::kContinue, pos);
      }
      case Tok::kElse:
        // "{{else if": the if stays pending for the enclosing control.
        if (PeekNonSpace().type != Tok::kIf) {
          const Token& d = NextNonSpace();
          if (d.type != Tok::kRightDelim) {
            Unexpected(d, "else");
            return nullptr;
          }
        }
        *is_else = true;
        return nullptr;
      case Tok::kEnd: {
        const Token& d = NextNonSpace();
        if (d.type != Tok::kRightDelim) {
          Unexpected(d, "end");
          return nullptr;
        }
        *end = true;
        return nullptr;
      }
      case Tok::kIf:
        return Control(NodeType::kIf, "if", t.pos);
      case Tok::kRange:
        return Control(NodeType::kRange, "range", t.pos);
      case Tok::kWith:
        return Control(NodeType::kWith, "with", t.pos);
      case Tok::kTemplate:
        return TemplateControl();
      default:
        break;
    }
    Backup();
    int pos = Peek().pos;
    NodePtr n = New(NodeType::kAction, pos);
    n->pipe = Pipeline("command", Tok::kRightDelim);
    return n;
  }

  NodePtr Control(NodeType type, const char* context, int pos) {
    size_t nvars = vars_.size();
    NodePtr n = New(type, pos);
    n->pipe = Pipeline(context, Tok::kRightDelim);
    if (!ok()) return nullptr;
    if (type == NodeType::kRange) ++range_depth_;
    bool end = false, is_else = false;
    n->list = ItemList(&end, &is_else);
    if (type == NodeType::kRange) --range_depth_;
    if (ok() && is_else) {
      n->has_else = true;
      if (type == NodeType::kIf && Peek().type == Tok::kIf) {
        // {{if a}}_{{else if b}}_{{end}} is {{if a}}_{{else}}{{if b}}_{{end}}{{end}}.
        int ipos = Next().pos;
        NodePtr inner = Control(NodeType::kIf, "if", ipos);
        if (inner) n->else_list.push_back(std::move(inner));
      } else {
        end = is_else = false;
        n->else_list = ItemList(&end, &is_else);
        if (ok() && !end) Errorf("expected end; found {{else}}");
      }
    }
    vars_.resize(nvars);
    return ok() ? std::move(n) : nullptr;
  }

  bool TemplateName(const Token& t, const char* context, std::string* name) {
    if (t.type != Tok::kString && t.type != Tok::kRawString) {
      Unexpected(t, context);
      return false;
    }
    uint32_t r = 0;
    if (!Unquote(t.val, name, &r)) {
      Errorf("invalid syntax");
      return false;
    }
    return true;
  }

  NodePtr TemplateControl() {
    const Token& t = NextNonSpace();
    NodePtr n = New(NodeType::kTemplate, t.pos);
    if (!TemplateName(t, "template clause", &n->text)) return nullptr;
    if (NextNonSpace().type != Tok::kRightDelim) {
      Backup();
      n->pipe = Pipeline("template clause", Tok::kRightDelim);
    }
    return ok() ? std::move(n) : nullptr;
  }

  NodePtr BlockControl() {
    const Token& t = NextNonSpace();
    NodePtr n = New(NodeType::kTemplate, t.pos);
    if (!TemplateName(t, "block clause", &n->text)) return nullptr;
    n->pipe = Pipeline("block clause", Tok::kRightDelim);
    if (!ok()) return nullptr;
    std::vector<std::string> saved = std::move(vars_);
    vars_ = {"$"};
    int saved_depth = range_depth_;
    range_depth_ = 0;
    Tree tree;
    tree.name = n->text;
    bool end = false, is_else = false;
    tree.root = ItemList(&end, &is_else);
    vars_ = std::move(saved);
    range_depth_ = saved_depth;
    if (!ok()) return nullptr;
    if (!end) {
      Errorf("unexpected {{else}} in block clause");
      return nullptr;
    }
    Add(std::move(tree));
    return ok() ? std::move(n) : nullptr;
  }

  NodePtr Pipeline(const std::string& context, Tok end) {
    NodePtr pipe = New(NodeType::kPipe, PeekNonSpace().pos);
    // Declarations or assignments: "$x :=", "$x =", "$i, $e :=".
    while (ok() && PeekNonSpace().type == Tok::kVariable) {
      size_t at_var = i_;
      const Token& v = Next();
      bool space_after = Peek().type == Tok::kSpace;
      const Token& next = PeekNonSpace();
      if (next.type == Tok::kAssign || next.type == Tok::kDeclare) {
        pipe->is_assign = next.type == Tok::kAssign;
        NextNonSpace();
        pipe->decl.push_back(v.val);
        vars_.push_back(v.val);
        break;
      }
      if (next.type == Tok::kChar && next.val == ",") {
        NextNonSpace();
        pipe->decl.push_back(v.val);
        vars_.push_back(v.val);
        if (context == "range" && pipe->decl.size() < 2) {
          Tok p = PeekNonSpace().type;
          if (p == Tok::kVariable || p == Tok::kRightDelim || p == Tok::kRightParen) continue;
          Errorf("range can only initialize variables");
          return nullptr;
        }
        Errorf("too many declarations in " + context);
        return nullptr;
      }
      (void)space_after;
      i_ = at_var;
      break;
    }
    while (ok()) {
      const Token& t = NextNonSpace();
      if (t.type == end) {
        if (pipe->cmds.empty()) {
          Errorf("missing value for " + context);
          return nullptr;
        }
        for (size_t i = 1; i < pipe->cmds.size(); ++i) {
          switch (pipe->cmds[i]->args[0]->type) {
            case NodeType::kBool:
            case NodeType::kDot:
            case NodeType::kNil:
            case NodeType::kNumber:
            case NodeType::kString:
              Errorf("non executable command in pipeline stage " + std::to_string(i + 1));
              return nullptr;
            default:
              break;
          }
        }
        return pipe;
      }
      switch (t.type) {
        case Tok::kBool:
        case Tok::kCharConstant:
        case Tok::kDot:
        case Tok::kField:
        case Tok::kIdentifier:
        case Tok::kNumber:
        case Tok::kNil:
        case Tok::kRawString:
        case Tok::kString:
        case Tok::kVariable:
        case Tok::kLeftParen:
          Backup();
          if (NodePtr c = Command()) pipe->cmds.push_back(std::move(c));
          break;
        default:
          Unexpected(t, context);
          return nullptr;
      }
    }
    return nullptr;
  }

  NodePtr Command() {
    NodePtr cmd = New(NodeType::kCommand, PeekNonSpace().pos);
    while (ok()) {
      PeekNonSpace();
      if (NodePtr op = Operand()) cmd->args.push_back(std::move(op));
      if (!ok()) return nullptr;
      const Token& t = Next();
      if (t.type == Tok::kSpace) continue;
      if (t.type == Tok::kRightDelim || t.type == Tok::kRightParen) {
        Backup();
      } else if (t.type != Tok::kPipe) {
        Unexpected(t, "operand");
        return nullptr;
      }
      break;
    }
    if (cmd->args.empty()) {
      Errorf("empty command");
      return nullptr;
    }
    return cmd;
  }

  NodePtr Operand() {
    NodePtr node = Term();
    if (!node || Peek().type != Tok::kField) return node;
    int pos = Peek().pos;
    std::vector<std::string> fields;
    while (Peek().type == Tok::kField) fields.push_back(Next().val.substr(1));
    switch (node->type) {
      case NodeType::kField:
      case NodeType::kVariable:
        node->pos = pos;
        for (auto& f : fields) node->idents.push_back(std::move(f));
        return node;
      case NodeType::kBool:
      case NodeType::kString:
      case NodeType::kNumber:
      case NodeType::kNil:
      case NodeType::kDot:
        Errorf("unexpected . after term " + GoQuote(node->String()));
        return nullptr;
      default: {
        NodePtr chain = New(NodeType::kChain, pos);
        chain->node = std::move(node);
        chain->idents = std::move(fields);
        return chain;
      }
    }
  }

  NodePtr Term() {
    const Token& t = NextNonSpace();
    switch (t.type) {
      case Tok::kIdentifier: {
        if (!IsFunction(t.val)) {
          Errorf("function " + GoQuote(t.val) + " not defined");
          return nullptr;
        }
        NodePtr n = New(NodeType::kIdentifier, t.pos);
        n->text = t.val;
        return n;
      }
      case Tok::kDot:
        return New(NodeType::kDot, t.pos);
      case Tok::kNil:
        return New(NodeType::kNil, t.pos);
      case Tok::kVariable: {
        for (const auto& v : vars_) {
          if (v == t.val) {
            NodePtr n = New(NodeType::kVariable, t.pos);
            n->idents.push_back(t.val);
            return n;
          }
        }
        Errorf("undefined variable " + GoQuote(t.val));
        return nullptr;
      }
      case Tok::kField: {
        NodePtr n = New(NodeType::kField, t.pos);
        n->idents.push_back(t.val.substr(1));
        return n;
      }
      case Tok::kBool: {
        NodePtr n = New(NodeType::kBool, t.pos);
        n->b = t.val == "true";
        return n;
      }
      case Tok::kCharConstant:
      case Tok::kNumber:
        return Number(t);
      case Tok::kLeftParen:
        return Pipeline("parenthesized pipeline", Tok::kRightParen);
      case Tok::kString:
      case Tok::kRawString: {
        NodePtr n = New(NodeType::kString, t.pos);
        n->text = t.val;
        uint32_t r = 0;
        if (!Unquote(t.val, &n->value, &r)) {
          Errorf("invalid syntax");
          return nullptr;
        }
        return n;
      }
      default:
        Backup();
        return nullptr;
    }
  }

  NodePtr Number(const Token& t) {
    NodePtr n = New(NodeType::kNumber, t.pos);
    n->text = t.val;
    if (t.type == Tok::kCharConstant) {
      std::string s;
      uint32_t r = 0;
      if (!Unquote(t.val, &s, &r)) {
        Errorf("malformed character constant: " + t.val);
        return nullptr;
      }
      n->is_int = n->is_float = true;
      n->int_val = r;
      n->float_val = r;
      return n;
    }
    if (!t.val.empty() && t.val.back() == 'i') {
      // Go would make a complex128; no Prometheus function takes one.
      Errorf("complex numbers are not supported: " + GoQuote(t.val));
      return nullptr;
    }
    int64_t iv = 0;
    if (ParseGoInt(t.val, &iv)) {
      n->is_int = n->is_float = true;
      n->int_val = iv;
      n->float_val = static_cast<double>(iv);
      return n;
    }
    std::string clean;
    for (char c : t.val) {
      if (c != '_') clean.push_back(c);
    }
    auto f = model::ParseFloat(clean);
    bool looks_float = t.val.find_first_of(".eEpP") != std::string::npos;
    std::string_view body(t.val);
    if (!body.empty() && (body[0] == '+' || body[0] == '-')) body.remove_prefix(1);
    bool hex = body.size() > 1 && body[0] == '0' && (body[1] | 0x20) == 'x';
    if (f && (looks_float && (!hex || t.val.find_first_of("pP") != std::string::npos))) {
      n->is_float = true;
      n->float_val = *f;
      if (*f >= -9.2e18 && *f <= 9.2e18 && static_cast<double>(static_cast<int64_t>(*f)) == *f) {
        n->is_int = true;
        n->int_val = static_cast<int64_t>(*f);
      }
      return n;
    }
    if (f && !looks_float) {
      Errorf("integer overflow: " + GoQuote(t.val));
      return nullptr;
    }
    Errorf("illegal number syntax: " + GoQuote(t.val));
    return nullptr;
  }

  std::string name_;
  const std::string& text_;
  ParsedTemplate* out_;
  std::vector<Token> toks_;
  size_t i_ = 0;
  size_t last_ = 0;
  int action_line_ = 0;
  int range_depth_ = 0;
  std::vector<std::string> vars_;
  std::string err_;
};

void AppendNode(const Node& n, std::string* out);

void AppendCommand(const Node& c, std::string* out) {
  for (size_t i = 0; i < c.args.size(); ++i) {
    if (i > 0) out->push_back(' ');
    if (c.args[i]->type == NodeType::kPipe) {
      out->push_back('(');
      AppendNode(*c.args[i], out);
      out->push_back(')');
    } else {
      AppendNode(*c.args[i], out);
    }
  }
}

void AppendList(const NodeList& list, std::string* out) {
  for (const auto& n : list) AppendNode(*n, out);
}

void AppendNode(const Node& n, std::string* out) {
  auto join = [&](size_t from, const char* prefix) {
    for (size_t i = from; i < n.idents.size(); ++i) {
      out->append(prefix);
      out->append(n.idents[i]);
    }
  };
  switch (n.type) {
    case NodeType::kText:
      out->append(n.text);
      break;
    case NodeType::kAction:
      out->append("{{");
      AppendNode(*n.pipe, out);
      out->append("}}");
      break;
    case NodeType::kIf:
    case NodeType::kRange:
    case NodeType::kWith:
      out->append(n.type == NodeType::kIf      ? "{{if "
                  : n.type == NodeType::kRange ? "{{range "
                                               : "{{with ");
      AppendNode(*n.pipe, out);
      out->append("}}");
      AppendList(n.list, out);
      if (n.has_else) {
        out->append("{{else}}");
        AppendList(n.else_list, out);
      }
      out->append("{{end}}");
      break;
    case NodeType::kTemplate:
      out->append("{{template " + GoQuote(n.text));
      if (n.pipe) {
        out->push_back(' ');
        AppendNode(*n.pipe, out);
      }
      out->append("}}");
      break;
    case NodeType::kBreak:
      out->append("{{break}}");
      break;
    case NodeType::kContinue:
      out->append("{{continue}}");
      break;
    case NodeType::kPipe:
      for (size_t i = 0; i < n.decl.size(); ++i) {
        if (i > 0) out->append(", ");
        out->append(n.decl[i]);
      }
      if (!n.decl.empty()) out->append(" := ");
      for (size_t i = 0; i < n.cmds.size(); ++i) {
        if (i > 0) out->append(" | ");
        AppendCommand(*n.cmds[i], out);
      }
      break;
    case NodeType::kCommand:
      AppendCommand(n, out);
      break;
    case NodeType::kField:
      join(0, ".");
      break;
    case NodeType::kVariable:
      out->append(n.idents[0]);
      join(1, ".");
      break;
    case NodeType::kChain:
      if (n.node->type == NodeType::kPipe) {
        out->push_back('(');
        AppendNode(*n.node, out);
        out->push_back(')');
      } else {
        AppendNode(*n.node, out);
      }
      join(0, ".");
      break;
    case NodeType::kIdentifier:
    case NodeType::kNumber:
    case NodeType::kString:
      out->append(n.text);
      break;
    case NodeType::kDot:
      out->push_back('.');
      break;
    case NodeType::kNil:
      out->append("nil");
      break;
    case NodeType::kBool:
      out->append(n.b ? "true" : "false");
      break;
  }
}

}  // namespace

std::string Node::String() const {
  std::string out;
  AppendNode(*this, &out);
  return out;
}

common::Status Parse(std::string_view name, std::string text, ParsedTemplate* out) {
  out->parse_name = std::string(name);
  out->text = std::move(text);
  out->trees.clear();
  return Parser(std::string(name), out->text, out).Run();
}

}  // namespace rules::tmpl
