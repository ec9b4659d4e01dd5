#include "promql/ast.h"

#include <cstdio>

#include "model/duration.h"
#include "model/number.h"
#include "promql/functions.h"

namespace promql {
namespace {

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) {
    if (i > 0) out += ", ";
    out += v[i];
  }
  return out;
}

std::string OffsetString(int64_t offset_ms) {
  if (offset_ms > 0) return " offset " + model::FormatDuration(offset_ms);
  if (offset_ms < 0) return " offset -" + model::FormatDuration(-offset_ms);
  return "";
}

}  // namespace

const char* DocumentedType(ValueType t) {
  switch (t) {
    case ValueType::kScalar:
      return "scalar";
    case ValueType::kVector:
      return "instant vector";
    case ValueType::kMatrix:
      return "range vector";
    case ValueType::kString:
      return "string";
    case ValueType::kNone:
      return "none";
  }
  return "none";
}

const char* ValueTypeName(ValueType t) {
  switch (t) {
    case ValueType::kScalar:
      return "scalar";
    case ValueType::kVector:
      return "vector";
    case ValueType::kMatrix:
      return "matrix";
    case ValueType::kString:
      return "string";
    case ValueType::kNone:
      return "none";
  }
  return "none";
}

const char* BinOpString(BinOp op) {
  switch (op) {
    case BinOp::kAdd:
      return "+";
    case BinOp::kSub:
      return "-";
    case BinOp::kMul:
      return "*";
    case BinOp::kDiv:
      return "/";
    case BinOp::kMod:
      return "%";
    case BinOp::kPow:
      return "^";
    case BinOp::kAtan2:
      return "atan2";
    case BinOp::kEql:
      return "==";
    case BinOp::kNeq:
      return "!=";
    case BinOp::kGtr:
      return ">";
    case BinOp::kLss:
      return "<";
    case BinOp::kGte:
      return ">=";
    case BinOp::kLte:
      return "<=";
    case BinOp::kAnd:
      return "and";
    case BinOp::kOr:
      return "or";
    case BinOp::kUnless:
      return "unless";
  }
  return "?";
}

bool IsComparison(BinOp op) {
  return op == BinOp::kEql || op == BinOp::kNeq || op == BinOp::kGtr || op == BinOp::kLss ||
         op == BinOp::kGte || op == BinOp::kLte;
}

bool IsSetOperator(BinOp op) {
  return op == BinOp::kAnd || op == BinOp::kOr || op == BinOp::kUnless;
}

const char* AggOpString(AggOp op) {
  switch (op) {
    case AggOp::kSum:
      return "sum";
    case AggOp::kAvg:
      return "avg";
    case AggOp::kCount:
      return "count";
    case AggOp::kMin:
      return "min";
    case AggOp::kMax:
      return "max";
    case AggOp::kGroup:
      return "group";
    case AggOp::kStddev:
      return "stddev";
    case AggOp::kStdvar:
      return "stdvar";
    case AggOp::kTopk:
      return "topk";
    case AggOp::kBottomk:
      return "bottomk";
    case AggOp::kCountValues:
      return "count_values";
    case AggOp::kQuantile:
      return "quantile";
  }
  return "?";
}

bool AggOpHasParam(AggOp op) {
  return op == AggOp::kTopk || op == AggOp::kBottomk || op == AggOp::kCountValues ||
         op == AggOp::kQuantile;
}

std::string AtModifier::String() const {
  switch (kind) {
    case Kind::kNone:
      return "";
    case Kind::kStart:
      return " @ start()";
    case Kind::kEnd:
      return " @ end()";
    case Kind::kTimestamp: {
      char buf[64];
      std::snprintf(buf, sizeof buf, " @ %.3f", static_cast<double>(ts_ms) / 1000.0);
      return buf;
    }
  }
  return "";
}

std::string NumberLiteral::String() const { return model::FormatGoFloat(value); }

std::string StringLiteral::String() const { return QuoteString(value); }

std::string VectorSelector::SelectorString() const {
  std::vector<std::string> parts;
  for (const LabelMatcher& m : matchers) {
    // The metric name is printed in front, not as a matcher.
    if (!name.empty() && m.name() == "__name__" && m.type() == LabelMatcher::Type::kEqual &&
        m.value() == name) {
      continue;
    }
    parts.push_back(m.String());
  }
  if (parts.empty() && !name.empty()) return name;
  return name + "{" + Join(parts) + "}";
}

std::string VectorSelector::String() const {
  return SelectorString() + at.String() + OffsetString(offset_ms);
}

std::string MatrixSelector::String() const {
  return vs->SelectorString() + "[" + model::FormatDuration(range_ms) + "]" + vs->at.String() +
         OffsetString(vs->offset_ms);
}

std::string SubqueryExpr::String() const {
  std::string step = step_ms == 0 ? "" : model::FormatDuration(step_ms);
  return expr->String() + "[" + model::FormatDuration(range_ms) + ":" + step + "]" + at.String() +
         OffsetString(offset_ms);
}

std::string UnaryExpr::String() const {
  std::string operand = expr->String();
  // An operand that prints with a leading '+' starts with the literal +Inf
  // (e.g. -(+Inf ^ 2)); "-+Inf ^ 2" would parse back with an extra unary
  // plus, so the sign is left out: "Inf" is the same number.
  if (!operand.empty() && operand[0] == '+') operand.erase(0, 1);
  return BinOpString(op) + operand;
}

ValueType BinaryExpr::type() const {
  if (lhs->type() == ValueType::kScalar && rhs->type() == ValueType::kScalar) {
    return ValueType::kScalar;
  }
  return ValueType::kVector;
}

std::string BinaryExpr::String() const {
  std::string out = lhs->String() + " " + BinOpString(op);
  if (return_bool) out += " bool";
  if (matching) {
    const VectorMatching& vm = *matching;
    bool grouped =
        vm.card == VectorMatching::Card::kManyToOne || vm.card == VectorMatching::Card::kOneToMany;
    if (vm.on || !vm.labels.empty() || grouped) {
      out += vm.on ? " on (" : " ignoring (";
      out += Join(vm.labels) + ")";
      if (grouped) {
        out += vm.card == VectorMatching::Card::kManyToOne ? " group_left (" : " group_right (";
        out += Join(vm.include) + ")";
      }
    }
  }
  return out + " " + rhs->String();
}

std::string AggregateExpr::String() const {
  std::string out = AggOpString(op);
  if (without) {
    out += " without (" + Join(grouping) + ") ";
  } else if (!grouping.empty()) {
    out += " by (" + Join(grouping) + ") ";
  }
  out += "(";
  if (param) out += param->String() + ", ";
  return out + expr->String() + ")";
}

ValueType Call::type() const { return func->return_type; }

std::string Call::String() const {
  std::string out(func->name);
  out += "(";
  for (size_t i = 0; i < args.size(); ++i) {
    if (i > 0) out += ", ";
    out += args[i]->String();
  }
  return out + ")";
}

const Expr* UnwrapParens(const Expr* e) {
  while (e->kind == ExprKind::kParen) e = static_cast<const ParenExpr*>(e)->expr.get();
  return e;
}

}  // namespace promql
