#include "promql/parser.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "model/duration.h"
#include "model/number.h"
#include "promql/functions.h"
#include "promql/lexer.h"

namespace promql {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::optional<AggOp> AggOpFromWord(std::string_view w) {
  static const std::pair<const char*, AggOp> kOps[] = {
      {"sum", AggOp::kSum},
      {"avg", AggOp::kAvg},
      {"count", AggOp::kCount},
      {"min", AggOp::kMin},
      {"max", AggOp::kMax},
      {"group", AggOp::kGroup},
      {"stddev", AggOp::kStddev},
      {"stdvar", AggOp::kStdvar},
      {"topk", AggOp::kTopk},
      {"bottomk", AggOp::kBottomk},
      {"count_values", AggOp::kCountValues},
      {"quantile", AggOp::kQuantile},
  };
  std::string l = Lower(w);
  for (const auto& [name, op] : kOps) {
    if (l == name) return op;
  }
  return std::nullopt;
}

bool IsKeyword(std::string_view w) {
  static const char* kKeywords[] = {"and",  "or",      "unless",     "atan2",
                                    "by",   "without", "on",         "ignoring",
                                    "bool", "offset",  "group_left", "group_right"};
  std::string l = Lower(w);
  for (const char* k : kKeywords) {
    if (l == k) return true;
  }
  return AggOpFromWord(w).has_value();
}

int Precedence(BinOp op) {
  switch (op) {
    case BinOp::kOr:
      return 1;
    case BinOp::kAnd:
    case BinOp::kUnless:
      return 2;
    case BinOp::kEql:
    case BinOp::kNeq:
    case BinOp::kGtr:
    case BinOp::kLss:
    case BinOp::kGte:
    case BinOp::kLte:
      return 3;
    case BinOp::kAdd:
    case BinOp::kSub:
      return 4;
    case BinOp::kMul:
    case BinOp::kDiv:
    case BinOp::kMod:
    case BinOp::kAtan2:
      return 5;
    case BinOp::kPow:
      return 6;
  }
  return 0;
}
constexpr int kUnaryOperandPrec = 6;  // unary minus has MUL's precedence

class Parser {
 public:
  Parser(std::string_view input, std::vector<Token> tokens)
      : input_(input), toks_(std::move(tokens)) {}

  common::Result<ExprPtr> Run() {
    ExprPtr e = ParseBinary(0);
    if (e && Peek().type != TokenType::kEOF) Unexpected(Peek(), "");
    if (failed_) return common::Status::InvalidArgument(FormatError(err_pos_, err_msg_));
    return e;
  }

  static std::string FormatError(std::string_view input, int pos, const std::string& msg) {
    int line = 1;
    int last_break = -1;
    for (int i = 0; i < pos && i < static_cast<int>(input.size()); ++i) {
      if (input[i] == '\n') {
        last_break = i;
        ++line;
      }
    }
    return std::to_string(line) + ":" + std::to_string(pos - last_break) + ": parse error: " + msg;
  }

 private:
  std::string FormatError(int pos, const std::string& msg) const {
    return FormatError(input_, pos, msg);
  }

  const Token& Peek(size_t ahead = 0) const {
    size_t i = std::min(idx_ + ahead, toks_.size() - 1);
    return toks_[i];
  }
  const Token& Next() {
    const Token& t = toks_[idx_];
    if (idx_ + 1 < toks_.size()) ++idx_;
    return t;
  }
  bool PeekWord(std::string_view w, size_t ahead = 0) const {
    const Token& t = Peek(ahead);
    return t.type == TokenType::kIdentifier && Lower(t.text) == w;
  }

  std::nullptr_t Fail(int pos, std::string msg) {
    if (!failed_) {
      failed_ = true;
      err_pos_ = pos;
      err_msg_ = std::move(msg);
    }
    return nullptr;
  }
  std::nullptr_t Unexpected(const Token& t, std::string_view context,
                            std::string_view expected = "") {
    std::string msg = "unexpected " + DescribeToken(t);
    if (!context.empty()) msg += " in " + std::string(context);
    if (!expected.empty()) msg += ", expected " + std::string(expected);
    return Fail(t.pos, msg);
  }

  std::optional<BinOp> PeekBinOp() const {
    const Token& t = Peek();
    switch (t.type) {
      case TokenType::kAdd:
        return BinOp::kAdd;
      case TokenType::kSub:
        return BinOp::kSub;
      case TokenType::kMul:
        return BinOp::kMul;
      case TokenType::kDiv:
        return BinOp::kDiv;
      case TokenType::kMod:
        return BinOp::kMod;
      case TokenType::kPow:
        return BinOp::kPow;
      case TokenType::kEql:
        return BinOp::kEql;
      case TokenType::kNeq:
        return BinOp::kNeq;
      case TokenType::kGtr:
        return BinOp::kGtr;
      case TokenType::kLss:
        return BinOp::kLss;
      case TokenType::kGte:
        return BinOp::kGte;
      case TokenType::kLte:
        return BinOp::kLte;
      case TokenType::kIdentifier: {
        std::string l = Lower(t.text);
        if (l == "and") return BinOp::kAnd;
        if (l == "or") return BinOp::kOr;
        if (l == "unless") return BinOp::kUnless;
        if (l == "atan2") return BinOp::kAtan2;
        return std::nullopt;
      }
      default:
        return std::nullopt;
    }
  }

  // Sets e's height from its children; fails (false) past kMaxExprHeight.
  bool SetHeight(Expr* e, std::initializer_list<const Expr*> children) {
    int h = 0;
    for (const Expr* c : children) {
      if (c != nullptr) h = std::max(h, c->height);
    }
    e->height = h + 1;
    if (e->height > kMaxExprHeight) {
      Fail(e->pos.start, "expression nested too deeply (more than " +
                             std::to_string(kMaxExprHeight) + " levels)");
      return false;
    }
    return true;
  }

  ExprPtr ParseBinary(int min_prec) {
    // Every recursion of the parser passes through here: bounding the depth
    // bounds its stack use ("((((...))))", "- - - ... 1").
    struct DepthGuard {
      int* d;
      ~DepthGuard() { --*d; }
    } guard{&depth_};
    if (++depth_ > kMaxExprHeight) {
      return Fail(Peek().pos, "expression nested too deeply (more than " +
                                  std::to_string(kMaxExprHeight) + " levels)");
    }
    ExprPtr lhs = ParseUnary();
    if (!lhs) return nullptr;
    while (true) {
      std::optional<BinOp> op = PeekBinOp();
      if (!op || Precedence(*op) < min_prec) break;
      const Token& op_tok = Next();
      auto bin = std::make_unique<BinaryExpr>();
      bin->op = *op;
      int op_pos = op_tok.pos;
      if (PeekWord("bool")) {
        Next();
        bin->return_bool = true;
      }
      VectorMatching vm;
      bool has_matching_clause = false;
      if (PeekWord("on") || PeekWord("ignoring")) {
        vm.on = PeekWord("on");
        Next();
        has_matching_clause = true;
        if (!ParseGroupingLabels(&vm.labels)) return nullptr;
        if (PeekWord("group_left") || PeekWord("group_right")) {
          vm.card = PeekWord("group_left") ? VectorMatching::Card::kManyToOne
                                           : VectorMatching::Card::kOneToMany;
          Next();
          if (Peek().type == TokenType::kLeftParen) {
            if (!ParseGroupingLabels(&vm.include)) return nullptr;
          }
        }
      }
      int next_min = *op == BinOp::kPow ? Precedence(*op) : Precedence(*op) + 1;
      ExprPtr rhs = ParseBinary(next_min);
      if (!rhs) return nullptr;
      bin->lhs = std::move(lhs);
      bin->rhs = std::move(rhs);
      bin->pos = {bin->lhs->pos.start, bin->rhs->pos.end};
      if (!SetHeight(bin.get(), {bin->lhs.get(), bin->rhs.get()})) return nullptr;
      if (!CheckBinary(bin.get(), vm, has_matching_clause, op_pos)) return nullptr;
      lhs = std::move(bin);
    }
    return lhs;
  }

  bool CheckBinary(BinaryExpr* b, VectorMatching vm, bool has_clause, int op_pos) {
    ValueType lt = b->lhs->type(), rt = b->rhs->type();
    if (b->return_bool && !IsComparison(b->op)) {
      Fail(op_pos, "bool modifier can only be used on comparison operators");
      return false;
    }
    if (IsComparison(b->op) && !b->return_bool && lt == ValueType::kScalar &&
        rt == ValueType::kScalar) {
      Fail(op_pos, "comparisons between scalars must use BOOL modifier");
      return false;
    }
    if (IsSetOperator(b->op) && vm.card == VectorMatching::Card::kOneToOne) {
      vm.card = VectorMatching::Card::kManyToMany;
    }
    if (vm.on) {
      for (const auto& l1 : vm.labels) {
        for (const auto& l2 : vm.include) {
          if (l1 == l2) {
            Fail(op_pos, "label \"" + l1 + "\" must not occur in ON and GROUP clause at once");
            return false;
          }
        }
      }
    }
    if (lt != ValueType::kScalar && lt != ValueType::kVector) {
      Fail(b->lhs->pos.start,
           "binary expression must contain only scalar and instant vector types");
      return false;
    }
    if (rt != ValueType::kScalar && rt != ValueType::kVector) {
      Fail(b->rhs->pos.start,
           "binary expression must contain only scalar and instant vector types");
      return false;
    }
    if (lt != ValueType::kVector || rt != ValueType::kVector) {
      if (has_clause && !vm.labels.empty()) {
        Fail(b->pos.start, "vector matching only allowed between instant vectors");
        return false;
      }
      if (IsSetOperator(b->op)) {
        Fail(b->pos.start, std::string("set operator \"") + BinOpString(b->op) +
                               "\" not allowed in binary scalar expression");
        return false;
      }
      return true;
    }
    if (IsSetOperator(b->op)) {
      if (vm.card == VectorMatching::Card::kOneToMany ||
          vm.card == VectorMatching::Card::kManyToOne) {
        Fail(b->pos.start,
             std::string("no grouping allowed for \"") + BinOpString(b->op) + "\" operation");
        return false;
      }
    }
    b->matching = std::move(vm);
    return true;
  }

  bool ParseGroupingLabels(std::vector<std::string>* out) {
    if (Peek().type != TokenType::kLeftParen) {
      Unexpected(Peek(), "grouping opts", "\"(\"");
      return false;
    }
    Next();
    while (true) {
      const Token& t = Peek();
      if (t.type == TokenType::kRightParen) {
        Next();
        return true;
      }
      if (t.type != TokenType::kIdentifier || !model::IsValidLabelName(t.text)) {
        Unexpected(t, "grouping opts", "label");
        return false;
      }
      out->push_back(t.text);
      Next();
      if (Peek().type == TokenType::kComma) {
        Next();
      } else if (Peek().type != TokenType::kRightParen) {
        Unexpected(Peek(), "grouping opts", "\",\" or \")\"");
        return false;
      }
    }
  }

  ExprPtr ParseUnary() {
    const Token& t = Peek();
    if (t.type == TokenType::kAdd || t.type == TokenType::kSub) {
      int pos = t.pos;
      bool neg = t.type == TokenType::kSub;
      Next();
      ExprPtr operand = ParseBinary(kUnaryOperandPrec);
      if (!operand) return nullptr;
      if (operand->kind == ExprKind::kNumber) {
        auto* n = static_cast<NumberLiteral*>(operand.get());
        if (neg) n->value = -n->value;
        n->pos.start = pos;
        return operand;
      }
      ValueType ty = operand->type();
      if (ty != ValueType::kScalar && ty != ValueType::kVector) {
        return Fail(pos, std::string("unary expression only allowed on expressions of type "
                                     "scalar or instant vector, got \"") +
                             DocumentedType(ty) + "\"");
      }
      auto u = std::make_unique<UnaryExpr>();
      u->op = neg ? BinOp::kSub : BinOp::kAdd;
      u->pos = {pos, operand->pos.end};
      u->expr = std::move(operand);
      if (!SetHeight(u.get(), {u->expr.get()})) return nullptr;
      return u;
    }
    ExprPtr e = ParsePrimary();
    if (!e) return nullptr;
    return ParsePostfix(std::move(e));
  }

  std::optional<int64_t> ParseDurationToken(const Token& t) {
    if (t.type != TokenType::kDuration) {
      Unexpected(t, "", "duration");
      return std::nullopt;
    }
    auto d = model::ParseDuration(t.text);
    if (!d.ok()) {
      Fail(t.pos, "not a valid duration string: \"" + t.text + "\"");
      return std::nullopt;
    }
    return *d;
  }

  ExprPtr ParsePostfix(ExprPtr e) {
    while (true) {
      const Token& t = Peek();
      if (t.type == TokenType::kLeftBracket) {
        Next();
        auto range = ParseDurationToken(Next());
        if (!range) return nullptr;
        if (Peek().type == TokenType::kColon) {
          Next();
          int64_t step = 0;
          if (Peek().type != TokenType::kRightBracket) {
            auto s = ParseDurationToken(Next());
            if (!s) return nullptr;
            step = *s;
          }
          const Token& close = Next();
          if (close.type != TokenType::kRightBracket) {
            return Unexpected(close, "subquery selector", "\"]\"");
          }
          if (e->type() != ValueType::kVector) {
            return Fail(e->pos.start,
                        std::string("subquery is only allowed on instant vector, got ") +
                            ValueTypeName(e->type()) + " in \"" + e->String() + "\" instead");
          }
          auto sq = std::make_unique<SubqueryExpr>();
          sq->range_ms = *range;
          sq->step_ms = step;
          sq->pos = {e->pos.start, close.end};
          sq->expr = std::move(e);
          if (!SetHeight(sq.get(), {sq->expr.get()})) return nullptr;
          e = std::move(sq);
          continue;
        }
        const Token& close = Next();
        if (close.type != TokenType::kRightBracket) {
          return Unexpected(close, "matrix selector", "\"]\"");
        }
        if (e->kind != ExprKind::kVectorSelector) {
          return Fail(e->pos.start, "ranges only allowed for vector selectors");
        }
        auto* vs = static_cast<VectorSelector*>(e.get());
        if (vs->offset_ms != 0)
          return Fail(e->pos.start, "no offset modifiers allowed before range");
        if (vs->at.present()) return Fail(e->pos.start, "no @ modifiers allowed before range");
        auto ms = std::make_unique<MatrixSelector>();
        ms->range_ms = *range;
        ms->pos = {e->pos.start, close.end};
        ms->vs.reset(static_cast<VectorSelector*>(e.release()));
        ms->height = 2;
        e = std::move(ms);
        continue;
      }
      if (t.type == TokenType::kIdentifier && Lower(t.text) == "offset") {
        int pos = t.pos;
        Next();
        bool neg = false;
        if (Peek().type == TokenType::kSub) {
          Next();
          neg = true;
        }
        const Token& dt = Next();
        auto d = ParseDurationToken(dt);
        if (!d) return nullptr;
        int64_t off = neg ? -*d : *d;
        int64_t* target = OffsetTarget(e.get());
        if (target == nullptr) {
          return Fail(pos,
                      "offset modifier must be preceded by an instant vector selector or range "
                      "vector selector or a subquery");
        }
        if (*target != 0) return Fail(pos, "offset may not be set multiple times");
        *target = off;
        e->pos.end = dt.end;
        continue;
      }
      if (t.type == TokenType::kAt) {
        int pos = t.pos;
        Next();
        AtModifier at;
        const Token& a = Peek();
        if (a.type == TokenType::kIdentifier &&
            (Lower(a.text) == "start" || Lower(a.text) == "end")) {
          at.kind = Lower(a.text) == "start" ? AtModifier::Kind::kStart : AtModifier::Kind::kEnd;
          Next();
          if (Next().type != TokenType::kLeftParen) return Unexpected(Peek(), "@", "\"(\"");
          const Token& c = Next();
          if (c.type != TokenType::kRightParen) return Unexpected(c, "@", "\")\"");
          e->pos.end = c.end;
        } else {
          bool neg = false;
          if (Peek().type == TokenType::kSub || Peek().type == TokenType::kAdd) {
            neg = Peek().type == TokenType::kSub;
            Next();
          }
          const Token& nt = Next();
          if (nt.type != TokenType::kNumber) return Unexpected(nt, "@", "timestamp");
          double v = ParseNumber(nt.text);
          if (neg) v = -v;
          if (std::isnan(v) || std::isinf(v) || v >= 9.2e15 || v <= -9.2e15) {
            char buf[128];
            std::snprintf(buf, sizeof buf, "timestamp out of bounds for @ modifier: %f", v);
            return Fail(pos, buf);
          }
          at.kind = AtModifier::Kind::kTimestamp;
          at.ts_ms = static_cast<int64_t>(std::round(v * 1000));
          e->pos.end = nt.end;
        }
        AtModifier* target = AtTarget(e.get());
        if (target == nullptr) {
          return Fail(pos,
                      "@ modifier must be preceded by an instant vector selector or range vector "
                      "selector or a subquery");
        }
        if (target->present()) return Fail(pos, "@ <timestamp> may not be set multiple times");
        *target = at;
        continue;
      }
      return e;
    }
  }

  static int64_t* OffsetTarget(Expr* e) {
    switch (e->kind) {
      case ExprKind::kVectorSelector:
        return &static_cast<VectorSelector*>(e)->offset_ms;
      case ExprKind::kMatrixSelector:
        return &static_cast<MatrixSelector*>(e)->vs->offset_ms;
      case ExprKind::kSubquery:
        return &static_cast<SubqueryExpr*>(e)->offset_ms;
      default:
        return nullptr;
    }
  }
  static AtModifier* AtTarget(Expr* e) {
    switch (e->kind) {
      case ExprKind::kVectorSelector:
        return &static_cast<VectorSelector*>(e)->at;
      case ExprKind::kMatrixSelector:
        return &static_cast<MatrixSelector*>(e)->vs->at;
      case ExprKind::kSubquery:
        return &static_cast<SubqueryExpr*>(e)->at;
      default:
        return nullptr;
    }
  }

  static double ParseNumber(const std::string& text) {
    std::string l = Lower(text);
    if (l == "inf") return INFINITY;
    if (l == "nan") return NAN;
    if (l.size() > 2 && l[0] == '0' && l[1] == 'x') {
      return static_cast<double>(std::strtoull(l.c_str() + 2, nullptr, 16));
    }
    if (l.size() > 1 && l[0] == '0' && l.find_first_not_of("01234567") == std::string::npos) {
      return static_cast<double>(std::strtoull(l.c_str() + 1, nullptr, 8));
    }
    return std::strtod(l.c_str(), nullptr);
  }

  ExprPtr ParsePrimary() {
    const Token& t = Peek();
    switch (t.type) {
      case TokenType::kNumber: {
        Next();
        auto n = std::make_unique<NumberLiteral>();
        n->value = ParseNumber(t.text);
        n->pos = {t.pos, t.end};
        return n;
      }
      case TokenType::kString: {
        Next();
        auto s = std::make_unique<StringLiteral>();
        s->value = t.val;
        s->pos = {t.pos, t.end};
        return s;
      }
      case TokenType::kLeftParen: {
        Next();
        ExprPtr inner = ParseBinary(0);
        if (!inner) return nullptr;
        const Token& c = Next();
        if (c.type != TokenType::kRightParen) return Unexpected(c, "paren expression", "\")\"");
        auto p = std::make_unique<ParenExpr>();
        p->pos = {t.pos, c.end};
        p->expr = std::move(inner);
        if (!SetHeight(p.get(), {p->expr.get()})) return nullptr;
        return p;
      }
      case TokenType::kLeftBrace:
        return ParseVectorSelector("", t.pos);
      case TokenType::kIdentifier: {
        if (auto agg = AggOpFromWord(t.text)) return ParseAggregate(*agg);
        if (IsKeyword(t.text)) return Unexpected(t, "");
        if (Peek(1).type == TokenType::kLeftParen) return ParseCall();
        Next();
        return ParseVectorSelector(t.text, t.pos, t.end);
      }
      default:
        return Unexpected(t, "");
    }
  }

  ExprPtr ParseVectorSelector(const std::string& name, int start, int end = -1) {
    auto vs = std::make_unique<VectorSelector>();
    vs->name = name;
    vs->pos = {start, end};
    if (Peek().type == TokenType::kLeftBrace) {
      Next();
      while (true) {
        const Token& n = Next();
        if (n.type == TokenType::kRightBrace) {
          vs->pos.end = n.end;
          break;
        }
        if (n.type != TokenType::kIdentifier) {
          return Unexpected(n, "label matching", "identifier or \"}\"");
        }
        const Token& op = Next();
        LabelMatcher::Type type;
        switch (op.type) {
          case TokenType::kAssign:
            type = LabelMatcher::Type::kEqual;
            break;
          case TokenType::kNeq:
            type = LabelMatcher::Type::kNotEqual;
            break;
          case TokenType::kRegexMatch:
            type = LabelMatcher::Type::kRegexMatch;
            break;
          case TokenType::kRegexNoMatch:
            type = LabelMatcher::Type::kRegexNoMatch;
            break;
          default:
            return Unexpected(op, "label matching", "label matching operator");
        }
        const Token& val = Next();
        if (val.type != TokenType::kString) return Unexpected(val, "label matching", "string");
        auto m = LabelMatcher::Make(type, n.text, val.val);
        if (!m.ok()) return Fail(n.pos, m.status().message());
        vs->matchers.push_back(std::move(m).value());
        const Token& sep = Peek();
        if (sep.type == TokenType::kComma) {
          Next();
        } else if (sep.type != TokenType::kRightBrace) {
          return Unexpected(sep, "label matching", "\",\" or \"}\"");
        }
      }
    }
    if (!name.empty()) {
      for (const LabelMatcher& m : vs->matchers) {
        if (m.name() == "__name__") {
          return Fail(start, "metric name must not be set twice: \"" + name + "\" or \"" +
                                 m.value() + "\"");
        }
      }
      vs->matchers.push_back(
          LabelMatcher::Make(LabelMatcher::Type::kEqual, "__name__", name).value());
    }
    bool not_empty = false;
    for (const LabelMatcher& m : vs->matchers) {
      if (!m.Matches("")) not_empty = true;
    }
    if (!not_empty)
      return Fail(start, "vector selector must contain at least one non-empty matcher");
    return vs;
  }

  bool ParseArgs(std::vector<ExprPtr>* args, int* end, std::string_view context) {
    const Token& open = Next();
    if (open.type != TokenType::kLeftParen) {
      Unexpected(open, context, "\"(\"");
      return false;
    }
    if (Peek().type == TokenType::kRightParen) {
      *end = Next().end;
      return true;
    }
    while (true) {
      ExprPtr a = ParseBinary(0);
      if (!a) return false;
      args->push_back(std::move(a));
      const Token& sep = Next();
      if (sep.type == TokenType::kRightParen) {
        *end = sep.end;
        return true;
      }
      if (sep.type != TokenType::kComma) {
        Unexpected(sep, context, "\",\" or \")\"");
        return false;
      }
    }
  }

  ExprPtr ParseAggregate(AggOp op) {
    const Token& kw = Next();
    auto agg = std::make_unique<AggregateExpr>();
    agg->op = op;
    bool have_mod = false;
    auto parse_mod = [&]() -> bool {
      agg->without = PeekWord("without");
      Next();
      have_mod = true;
      return ParseGroupingLabels(&agg->grouping);
    };
    if (PeekWord("by") || PeekWord("without")) {
      if (!parse_mod()) return nullptr;
    }
    std::vector<ExprPtr> args;
    int end = 0;
    if (!ParseArgs(&args, &end, "aggregation")) return nullptr;
    if (!have_mod && (PeekWord("by") || PeekWord("without"))) {
      if (!parse_mod()) return nullptr;
      end = toks_[idx_ - 1].end;
    }
    agg->pos = {kw.pos, end};
    if (args.empty()) return Fail(kw.pos, "no arguments for aggregate expression provided");
    size_t want = AggOpHasParam(op) ? 2 : 1;
    if (args.size() != want) {
      return Fail(kw.pos, "wrong number of arguments for aggregate expression provided, expected " +
                              std::to_string(want) + ", got " + std::to_string(args.size()));
    }
    if (want == 2) agg->param = std::move(args[0]);
    agg->expr = std::move(args.back());
    if (!SetHeight(agg.get(), {agg->param.get(), agg->expr.get()})) return nullptr;
    if (agg->expr->type() != ValueType::kVector) {
      return Fail(agg->expr->pos.start,
                  std::string("expected type instant vector in aggregation expression, got ") +
                      DocumentedType(agg->expr->type()));
    }
    if (agg->param) {
      ValueType want_t = op == AggOp::kCountValues ? ValueType::kString : ValueType::kScalar;
      if (agg->param->type() != want_t) {
        return Fail(agg->param->pos.start, std::string("expected type ") + DocumentedType(want_t) +
                                               " in aggregation parameter, got " +
                                               DocumentedType(agg->param->type()));
      }
    }
    return agg;
  }

  ExprPtr ParseCall() {
    const Token& name = Next();
    const FunctionInfo* f = LookupFunction(name.text);
    if (f == nullptr) return Fail(name.pos, "unknown function with name \"" + name.text + "\"");
    auto call = std::make_unique<Call>();
    call->func = f;
    int end = 0;
    if (!ParseArgs(&call->args, &end, "function call arguments")) return nullptr;
    call->pos = {name.pos, end};
    const Expr* highest = nullptr;
    for (const ExprPtr& a : call->args) {
      if (highest == nullptr || a->height > highest->height) highest = a.get();
    }
    if (!SetHeight(call.get(), {highest})) return nullptr;
    int nargs = static_cast<int>(call->args.size());
    int ntypes = static_cast<int>(f->arg_types.size());
    std::string fname(f->name);
    if (f->variadic == 0) {
      if (nargs != ntypes) {
        return Fail(name.pos, "expected " + std::to_string(ntypes) + " argument(s) in call to \"" +
                                  fname + "\", got " + std::to_string(nargs));
      }
    } else {
      if (nargs < ntypes - 1) {
        return Fail(name.pos, "expected at least " + std::to_string(ntypes - 1) +
                                  " argument(s) in call to \"" + fname + "\", got " +
                                  std::to_string(nargs));
      }
      int max = ntypes + f->variadic - 1;
      if (f->variadic > 0 && nargs > max) {
        return Fail(name.pos, "expected at most " + std::to_string(max) +
                                  " argument(s) in call to \"" + fname + "\", got " +
                                  std::to_string(nargs));
      }
    }
    for (int i = 0; i < nargs; ++i) {
      ValueType want = f->arg_types[std::min(i, ntypes - 1)];
      ValueType got = call->args[i]->type();
      if (got != want) {
        return Fail(call->args[i]->pos.start, std::string("expected type ") + DocumentedType(want) +
                                                  " in call to function \"" + fname + "\", got " +
                                                  DocumentedType(got));
      }
    }
    return call;
  }

  std::string_view input_;
  std::vector<Token> toks_;
  size_t idx_ = 0;
  bool failed_ = false;
  int depth_ = 0;  // ParseBinary recursion depth
  int err_pos_ = 0;
  std::string err_msg_;
};

}  // namespace

common::Result<ExprPtr> ParseExpr(std::string_view query) {
  LexResult lr = Lex(query);
  if (!lr.ok) {
    return common::Status::InvalidArgument(Parser::FormatError(query, lr.error.pos, lr.error.msg));
  }
  if (lr.tokens.size() == 1) {
    return common::Status::InvalidArgument(
        Parser::FormatError(query, 0, "no expression found in input"));
  }
  return Parser(query, std::move(lr.tokens)).Run();
}

}  // namespace promql
