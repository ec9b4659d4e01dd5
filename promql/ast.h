// The PromQL syntax tree. Nodes are owned by their parent through
// std::unique_ptr; String() prints a query that parses back to an equal tree.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "promql/label_matcher.h"

namespace promql {

struct FunctionInfo;

enum class ValueType { kNone, kScalar, kVector, kMatrix, kString };
// "scalar", "instant vector", "range vector", "string" (as in error messages).
const char* DocumentedType(ValueType t);
// "scalar", "vector", "matrix", "string" (as in the HTTP API's resultType).
const char* ValueTypeName(ValueType t);

struct PosRange {
  int start = 0;
  int end = 0;
};

enum class ExprKind {
  kNumber,
  kString,
  kVectorSelector,
  kMatrixSelector,
  kSubquery,
  kParen,
  kUnary,
  kBinary,
  kAggregate,
  kCall,
};

enum class BinOp {
  kAdd,
  kSub,
  kMul,
  kDiv,
  kMod,
  kPow,
  kAtan2,
  kEql,
  kNeq,
  kGtr,
  kLss,
  kGte,
  kLte,
  kAnd,
  kOr,
  kUnless,
};
const char* BinOpString(BinOp op);
bool IsComparison(BinOp op);
bool IsSetOperator(BinOp op);

enum class AggOp {
  kSum,
  kAvg,
  kCount,
  kMin,
  kMax,
  kGroup,
  kStddev,
  kStdvar,
  kTopk,
  kBottomk,
  kCountValues,
  kQuantile,
};
const char* AggOpString(AggOp op);
bool AggOpHasParam(AggOp op);

// The @ modifier of a selector or subquery.
struct AtModifier {
  enum class Kind { kNone, kTimestamp, kStart, kEnd };
  Kind kind = Kind::kNone;
  int64_t ts_ms = 0;  // for kTimestamp
  bool present() const { return kind != Kind::kNone; }
  std::string String() const;  // " @ 123.000", " @ start()", "" when absent
};

struct Expr {
  explicit Expr(ExprKind k) : kind(k) {}
  virtual ~Expr() = default;
  virtual ValueType type() const = 0;
  virtual std::string String() const = 0;
  const ExprKind kind;
  PosRange pos;
  // Nodes on the longest path down to a leaf (1 for a leaf), set by the
  // parser, which refuses trees higher than kMaxExprHeight: the printer, the
  // evaluator and the destructor recurse over the tree, so its height bounds
  // their stack use.
  int height = 1;
};
using ExprPtr = std::unique_ptr<Expr>;

// Highest expression tree the parser accepts (and deepest it recurses).
// Prometheus has no such limit (Go stacks grow); hand-written and Grafana
// queries stay far below it, while "-" repeated 100,000 times would
// otherwise exhaust a thread's stack.
inline constexpr int kMaxExprHeight = 512;

struct NumberLiteral : Expr {
  NumberLiteral() : Expr(ExprKind::kNumber) {}
  ValueType type() const override { return ValueType::kScalar; }
  std::string String() const override;
  double value = 0;
};

struct StringLiteral : Expr {
  StringLiteral() : Expr(ExprKind::kString) {}
  ValueType type() const override { return ValueType::kString; }
  std::string String() const override;
  std::string value;
};

struct VectorSelector : Expr {
  VectorSelector() : Expr(ExprKind::kVectorSelector) {}
  ValueType type() const override { return ValueType::kVector; }
  std::string String() const override;
  // Without offset and @ (used when printing a matrix selector).
  std::string SelectorString() const;
  std::string name;  // may be empty; also present as a __name__ matcher
  std::vector<LabelMatcher> matchers;
  int64_t offset_ms = 0;  // may be negative
  AtModifier at;
};

struct MatrixSelector : Expr {
  MatrixSelector() : Expr(ExprKind::kMatrixSelector) {}
  ValueType type() const override { return ValueType::kMatrix; }
  std::string String() const override;
  std::unique_ptr<VectorSelector> vs;  // holds offset and @
  int64_t range_ms = 0;
};

struct SubqueryExpr : Expr {
  SubqueryExpr() : Expr(ExprKind::kSubquery) {}
  ValueType type() const override { return ValueType::kMatrix; }
  std::string String() const override;
  ExprPtr expr;
  int64_t range_ms = 0;
  int64_t step_ms = 0;  // 0: the engine's default evaluation interval
  int64_t offset_ms = 0;
  AtModifier at;
};

struct ParenExpr : Expr {
  ParenExpr() : Expr(ExprKind::kParen) {}
  ValueType type() const override { return expr->type(); }
  std::string String() const override { return "(" + expr->String() + ")"; }
  ExprPtr expr;
};

struct UnaryExpr : Expr {
  UnaryExpr() : Expr(ExprKind::kUnary) {}
  ValueType type() const override { return expr->type(); }
  std::string String() const override;
  BinOp op = BinOp::kSub;  // kSub or kAdd
  ExprPtr expr;
};

struct VectorMatching {
  enum class Card { kOneToOne, kManyToOne, kOneToMany, kManyToMany };
  Card card = Card::kOneToOne;
  bool on = false;                   // on(...) rather than ignoring(...)
  std::vector<std::string> labels;   // the on/ignoring list
  std::vector<std::string> include;  // group_left/group_right extra labels
};

struct BinaryExpr : Expr {
  BinaryExpr() : Expr(ExprKind::kBinary) {}
  ValueType type() const override;
  std::string String() const override;
  BinOp op = BinOp::kAdd;
  ExprPtr lhs, rhs;
  bool return_bool = false;
  // Set when both sides are instant vectors.
  std::optional<VectorMatching> matching;
};

struct AggregateExpr : Expr {
  AggregateExpr() : Expr(ExprKind::kAggregate) {}
  ValueType type() const override { return ValueType::kVector; }
  std::string String() const override;
  AggOp op = AggOp::kSum;
  ExprPtr expr;
  ExprPtr param;  // topk/bottomk/quantile: scalar; count_values: string
  std::vector<std::string> grouping;
  bool without = false;
};

struct Call : Expr {
  Call() : Expr(ExprKind::kCall) {}
  ValueType type() const override;
  std::string String() const override;
  const FunctionInfo* func = nullptr;
  std::vector<ExprPtr> args;
};

// Strips any number of enclosing parentheses.
const Expr* UnwrapParens(const Expr* e);

}  // namespace promql
