// Execution of Go text/template trees (text/template/exec.go's semantics)
// with Prometheus 2.42's function map (template/template.go), and the two
// entry points of rules/template.h. Parsing is in template_parse.cc, Go's
// fmt in template_format.cc.
#include "rules/template.h"

#include <re2/re2.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <utility>

#include "model/duration.h"
#include "model/number.h"
#include "rules/template_internal.h"

namespace rules {
namespace tmpl {

namespace {

// How a function takes each argument: what Go's reflection would convert
// to its parameter type, and refuse with "wrong type for value".
enum class Param { kAny, kString, kSamples, kSample };

struct FuncSpec {
  std::vector<Param> params;
  bool variadic = false;  // the last param repeats (zero or more times)
};

const std::map<std::string_view, FuncSpec>& Functions() {
  static const auto* const kFuncs = new std::map<std::string_view, FuncSpec>{
      // Go's builtins.
      {"and", {{Param::kAny, Param::kAny}, true}},
      {"or", {{Param::kAny, Param::kAny}, true}},
      {"not", {{Param::kAny}}},
      {"len", {{Param::kAny}}},
      {"index", {{Param::kAny, Param::kAny}, true}},
      {"slice", {{Param::kAny, Param::kAny}, true}},
      {"print", {{Param::kAny}, true}},
      {"println", {{Param::kAny}, true}},
      {"printf", {{Param::kString, Param::kAny}, true}},
      {"eq", {{Param::kAny, Param::kAny}, true}},
      {"ne", {{Param::kAny, Param::kAny}}},
      {"lt", {{Param::kAny, Param::kAny}}},
      {"le", {{Param::kAny, Param::kAny}}},
      {"gt", {{Param::kAny, Param::kAny}}},
      {"ge", {{Param::kAny, Param::kAny}}},
      {"html", {{Param::kAny}, true}},
      {"js", {{Param::kAny}, true}},
      {"urlquery", {{Param::kAny}, true}},
      {"call", {{Param::kAny, Param::kAny}, true}},
      // Prometheus's.
      {"query", {{Param::kString}}},
      {"first", {{Param::kSamples}}},
      {"label", {{Param::kString, Param::kSample}}},
      {"value", {{Param::kSample}}},
      {"strvalue", {{Param::kSample}}},
      {"args", {{Param::kAny}, true}},
      {"reReplaceAll", {{Param::kString, Param::kString, Param::kString}}},
      {"safeHtml", {{Param::kString}}},
      {"match", {{Param::kString, Param::kString}}},
      {"title", {{Param::kString}}},
      {"toUpper", {{Param::kString}}},
      {"toLower", {{Param::kString}}},
      {"graphLink", {{Param::kString}}},
      {"tableLink", {{Param::kString}}},
      {"sortByLabel", {{Param::kString, Param::kSamples}}},
      {"humanize", {{Param::kAny}}},
      {"humanize1024", {{Param::kAny}}},
      {"humanizeDuration", {{Param::kAny}}},
      {"humanizePercentage", {{Param::kAny}}},
      {"humanizeTimestamp", {{Param::kAny}}},
      {"toTime", {{Param::kAny}}},
      {"pathPrefix", {{}}},
      {"externalURL", {{}}},
      {"parseDuration", {{Param::kString}}},
  };
  return *kFuncs;
}

const char* ParamTypeName(Param p) {
  switch (p) {
    case Param::kAny:
      return "interface {}";
    case Param::kString:
      return "string";
    case Param::kSamples:
      return "template.queryResult";
    case Param::kSample:
      return "*template.sample";
  }
  return "?";
}

// ---- The executor -----------------------------------------------------------

constexpr int kMaxExecDepth = 1000;

class Exec {
 public:
  Exec(const ParsedTemplate& parsed, const TemplateData& data, const TemplateQueryFunc& query)
      : parsed_(parsed), data_(data), query_(query) {}

  common::Result<std::string> Run() {
    auto it = parsed_.trees.find(parsed_.parse_name);
    if (it == parsed_.trees.end()) {
      return common::Status::InvalidArgument("template: " + GoQuote(parsed_.parse_name) +
                                             " is an incomplete or empty template");
    }
    Value dot;
    dot.kind = Kind::kData;
    dot.data = &data_;
    tree_ = &it->second;
    vars_.push_back({"$", dot});
    WalkList(dot, tree_->root);
    if (!err_.empty()) return common::Status::InvalidArgument(err_);
    return std::move(out_);
  }

 private:
  struct Var {
    std::string name;
    Value value;
  };
  enum class Flow { kNormal, kBreak, kContinue };

  bool failed() const { return !err_.empty(); }

  void ErrorAt(const Node* n, const std::string& msg) {
    if (failed()) return;
    if (n == nullptr) {
      err_ = "template: " + tree_->name + ": " + msg;
      return;
    }
    const std::string& text = parsed_.text;
    size_t pos = std::min(static_cast<size_t>(n->pos), text.size());
    size_t nl = text.rfind('\n', pos == 0 ? 0 : pos - 1);
    if (pos == 0) nl = std::string::npos;
    size_t col = nl == std::string::npos ? pos : pos - (nl + 1);
    int line = 1 + static_cast<int>(std::count(text.begin(), text.begin() + pos, '\n'));
    std::string context = n->String();
    err_ = "template: " + parsed_.parse_name + ":" + std::to_string(line) + ":" +
           std::to_string(col) + ": executing " + GoQuote(tree_->name) + " at <" + context +
           ">: " + msg;
  }

  // ---- Statements ----

  void WalkList(const Value& dot, const NodeList& list) {
    for (const auto& n : list) {
      if (failed() || flow_ != Flow::kNormal) return;
      Walk(dot, *n);
    }
  }

  void Walk(const Value& dot, const Node& n) {
    switch (n.type) {
      case NodeType::kText:
        out_ += n.text;
        return;
      case NodeType::kAction: {
        Value v = EvalPipeline(dot, n.pipe.get());
        if (failed()) return;
        if (n.pipe->decl.empty()) out_ += PrintValue(v);
        return;
      }
      case NodeType::kIf:
      case NodeType::kWith: {
        size_t mark = vars_.size();
        Value v = EvalPipeline(dot, n.pipe.get());
        if (failed()) return;
        if (Truth(v)) {
          WalkList(n.type == NodeType::kWith ? v : dot, n.list);
        } else {
          WalkList(dot, n.else_list);
        }
        vars_.resize(mark);
        return;
      }
      case NodeType::kRange:
        WalkRange(dot, n);
        return;
      case NodeType::kTemplate:
        WalkTemplate(dot, n);
        return;
      case NodeType::kBreak:
        flow_ = Flow::kBreak;
        return;
      case NodeType::kContinue:
        flow_ = Flow::kContinue;
        return;
      default:
        ErrorAt(&n, "unknown node: " + n.String());
    }
  }

  void WalkRange(const Value& dot, const Node& r) {
    size_t mark = vars_.size();
    Value v = EvalPipeline(dot, r.pipe.get());
    if (failed()) return;
    size_t mark2 = vars_.size();
    const Node& pipe = *r.pipe;
    bool stop = false;
    auto one = [&](const Value& index, const Value& elem) {
      if (!pipe.decl.empty()) {
        if (pipe.is_assign) {
          if (pipe.decl.size() > 1) {
            SetVar(&r, pipe.decl[0], index);
            SetVar(&r, pipe.decl[1], elem);
          } else {
            SetVar(&r, pipe.decl[0], elem);
          }
        } else {
          vars_[mark2 - 1].value = elem;
          if (pipe.decl.size() > 1) vars_[mark2 - 2].value = index;
        }
      }
      WalkList(elem, r.list);
      vars_.resize(mark2);
      if (flow_ == Flow::kBreak) stop = true;
      flow_ = Flow::kNormal;
    };
    bool any = false;
    switch (v.kind) {
      case Kind::kSamples:
        if (v.samples) {
          // Copy: the body may sort the same slice.
          SampleList items = *v.samples;
          for (size_t i = 0; i < items.size() && !stop && !failed(); ++i) {
            any = true;
            Value e;
            e.kind = Kind::kSample;
            e.sample = items[i];
            one(Value::Int(static_cast<int64_t>(i)), e);
          }
        }
        break;
      case Kind::kLabels:
        for (const auto& l : *v.labels) {
          if (stop || failed()) break;
          any = true;
          one(Value::String(l.name), Value::String(l.value));
        }
        break;
      case Kind::kMap:
        for (const auto& [k, e] : *v.map) {
          if (stop || failed()) break;
          any = true;
          one(Value::String(k), e);
        }
        break;
      case Kind::kInvalid:
        break;
      default:
        // Go reports it at the node evaluated last.
        ErrorAt(at_, "range can't iterate over " + PrintValue(v));
        return;
    }
    if (!any && !failed()) WalkList(dot, r.else_list);
    vars_.resize(mark);
  }

  void WalkTemplate(const Value& dot, const Node& t) {
    auto it = parsed_.trees.find(t.text);
    if (it == parsed_.trees.end()) {
      ErrorAt(&t, "template " + GoQuote(t.text) + " not defined");
      return;
    }
    if (depth_ >= kMaxExecDepth) {
      ErrorAt(&t, "exceeded maximum template depth (" + std::to_string(kMaxExecDepth) + ")");
      return;
    }
    Value new_dot = t.pipe ? EvalPipeline(dot, t.pipe.get()) : Value();
    if (failed()) return;
    std::vector<Var> saved_vars = std::move(vars_);
    const Tree* saved_tree = tree_;
    vars_ = {{"$", new_dot}};
    tree_ = &it->second;
    ++depth_;
    WalkList(new_dot, tree_->root);
    --depth_;
    tree_ = saved_tree;
    vars_ = std::move(saved_vars);
  }

  // ---- Variables ----

  void SetVar(const Node* n, const std::string& name, const Value& v) {
    for (size_t i = vars_.size(); i-- > 0;) {
      if (vars_[i].name == name) {
        vars_[i].value = v;
        return;
      }
    }
    ErrorAt(n, "undefined variable: " + name);
  }

  Value VarValue(const Node* n, const std::string& name) {
    for (size_t i = vars_.size(); i-- > 0;) {
      if (vars_[i].name == name) return vars_[i].value;
    }
    ErrorAt(n, "undefined variable: " + name);
    return {};
  }

  // ---- Pipelines and commands ----

  Value EvalPipeline(const Value& dot, const Node* pipe) {
    if (pipe == nullptr) return {};
    at_ = pipe;
    Value v;
    bool have = false;
    for (const auto& cmd : pipe->cmds) {
      v = EvalCommand(dot, *cmd, have ? &v : nullptr);
      if (failed()) return {};
      have = true;
    }
    for (const auto& d : pipe->decl) {
      if (pipe->is_assign) {
        SetVar(pipe, d, v);
      } else {
        vars_.push_back({d, v});
      }
    }
    return v;
  }

  void NotAFunction(const NodeList& args, const Value* final) {
    if (args.size() > 1 || final != nullptr) {
      ErrorAt(args[0].get(), "can't give argument to non-function " + args[0]->String());
    }
  }

  Value EvalCommand(const Value& dot, const Node& cmd, const Value* final) {
    const Node& first = *cmd.args[0];
    switch (first.type) {
      case NodeType::kField:
        at_ = &first;
        return EvalFieldChain(dot, dot, first, first.idents, 0, &cmd.args, final);
      case NodeType::kChain:
        return EvalChain(dot, first, &cmd.args, final);
      case NodeType::kIdentifier:
        return EvalFunction(dot, first, cmd, &cmd.args, final);
      case NodeType::kPipe:
        NotAFunction(cmd.args, final);
        if (failed()) return {};
        return EvalPipeline(dot, &first);
      case NodeType::kVariable:
        return EvalVariable(dot, first, &cmd.args, final);
      default:
        break;
    }
    at_ = &first;
    NotAFunction(cmd.args, final);
    if (failed()) return {};
    switch (first.type) {
      case NodeType::kBool:
        return Value::Bool(first.b);
      case NodeType::kDot:
        return dot;
      case NodeType::kNil:
        ErrorAt(&first, "nil is not a command");
        return {};
      case NodeType::kNumber:
        return IdealConstant(first);
      case NodeType::kString:
        return Value::String(first.value);
      default:
        ErrorAt(&first, "can't evaluate command " + GoQuote(first.String()));
        return {};
    }
  }

  Value IdealConstant(const Node& n) {
    bool hex_int =
        n.text.size() > 1 && n.text.find_first_of("pP") == std::string::npos &&
        (n.text.rfind("0x", n.text[0] == '-' || n.text[0] == '+' ? 1 : 0) != std::string::npos ||
         n.text.find("0X") != std::string::npos);
    bool rune = !n.text.empty() && n.text[0] == '\'';
    if (n.is_float && !hex_int && !rune && n.text.find_first_of(".eEpP") != std::string::npos) {
      return Value::Float(n.float_val);
    }
    if (n.is_int) return Value::Int(n.int_val);
    ErrorAt(&n, n.text + " overflows int");
    return {};
  }

  Value EvalVariable(const Value& dot, const Node& n, const NodeList* args, const Value* final) {
    at_ = &n;
    Value v = VarValue(&n, n.idents[0]);
    if (failed()) return {};
    if (n.idents.size() == 1) {
      if (args) NotAFunction(*args, final);
      return v;
    }
    return EvalFieldChain(dot, v, n, n.idents, 1, args, final);
  }

  Value EvalChain(const Value& dot, const Node& chain, const NodeList* args, const Value* final) {
    if (chain.node->type == NodeType::kNil) {
      ErrorAt(&chain, "indirection through explicit nil in " + chain.String());
      return {};
    }
    Value v = EvalArg(dot, Param::kAny, *chain.node);
    if (failed()) return {};
    return EvalFieldChain(dot, v, chain, chain.idents, 0, args, final);
  }

  Value EvalFieldChain(const Value& dot, Value receiver, const Node& node,
                       const std::vector<std::string>& idents, size_t from, const NodeList* args,
                       const Value* final) {
    for (size_t i = from; i + 1 < idents.size(); ++i) {
      receiver = EvalField(dot, idents[i], node, nullptr, nullptr, receiver);
      if (failed()) return {};
    }
    return EvalField(dot, idents.back(), node, args, final, receiver);
  }

  Value EvalField(const Value& dot, const std::string& name, const Node& node, const NodeList* args,
                  const Value* final, const Value& receiver) {
    if (!receiver.valid()) return {};
    bool has_args = (args && args->size() > 1) || final != nullptr;
    auto no_args = [&](const char* what) {
      if (has_args) ErrorAt(&node, name + what);
      return !has_args;
    };
    switch (receiver.kind) {
      case Kind::kData:
        if (name == "Labels" || name == "ExternalLabels" || name == "ExternalURL" ||
            name == "Value") {
          if (!no_args(" has arguments but cannot be invoked as function")) return {};
          if (name == "Labels") return Value::Labels(receiver.data->labels);
          if (name == "ExternalLabels") return Value::Labels(receiver.data->external_labels);
          if (name == "ExternalURL") return Value::String(receiver.data->external_url);
          return Value::Float(receiver.data->value);
        }
        break;
      case Kind::kSample:
        if (name == "Labels" || name == "Value") {
          if (!receiver.sample) {
            ErrorAt(&node, "nil pointer evaluating *template.sample." + name);
            return {};
          }
          if (!no_args(" has arguments but cannot be invoked as function")) return {};
          if (name == "Labels") return Value::Labels(receiver.sample->labels);
          return Value::Float(receiver.sample->value);
        }
        break;
      case Kind::kLabels:
        if (!no_args(" is not a method but has arguments")) return {};
        // missingkey=zero: an absent label is "".
        return Value::String(std::string(receiver.labels->Get(name)));
      case Kind::kMap: {
        if (!no_args(" is not a method but has arguments")) return {};
        auto it = receiver.map->find(name);
        return it == receiver.map->end() ? Value() : it->second;
      }
      case Kind::kTime:
        return TimeMethod(dot, name, node, args, final, receiver.time);
      default:
        break;
    }
    ErrorAt(&node, "can't evaluate field " + name + " in type " + TypeName(receiver));
    return {};
  }

  // The time.Time methods a template may call on toTime's result.
  Value TimeMethod(const Value& dot, const std::string& name, const Node& node,
                   const NodeList* args, const Value* final, const GoTime& t) {
    std::vector<Value> argv;
    if (args) {
      for (size_t i = 1; i < args->size(); ++i) {
        argv.push_back(EvalArg(dot, Param::kAny, *(*args)[i]));
        if (failed()) return {};
      }
    }
    if (final) argv.push_back(*final);
    size_t want = name == "Format" ? 1 : 0;
    CivilTime c = ToCivil(t);
    static const char* const kMonths[] = {"January",   "February", "March",    "April",
                                          "May",       "June",     "July",     "August",
                                          "September", "October",  "November", "December"};
    static const char* const kDays[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                        "Thursday", "Friday", "Saturday"};
    Value result;
    if (name == "Unix") {
      result = Value::Int(t.sec);
    } else if (name == "UnixMilli") {
      result = Value::Int(t.sec * 1000 + t.nsec / 1000000);
    } else if (name == "UnixMicro") {
      result = Value::Int(t.sec * 1000000 + t.nsec / 1000);
    } else if (name == "UnixNano") {
      result = Value::Int(t.sec * 1000000000 + t.nsec);
    } else if (name == "String") {
      result = Value::String(TimeString(t));
    } else if (name == "Year") {
      result = Value::Int(c.year);
    } else if (name == "Month") {
      result = Value::String(kMonths[c.month - 1]);
    } else if (name == "Day") {
      result = Value::Int(c.day);
    } else if (name == "Hour") {
      result = Value::Int(c.hour);
    } else if (name == "Minute") {
      result = Value::Int(c.minute);
    } else if (name == "Second") {
      result = Value::Int(c.second);
    } else if (name == "Nanosecond") {
      result = Value::Int(t.nsec);
    } else if (name == "YearDay") {
      result = Value::Int(c.yday);
    } else if (name == "Weekday") {
      result = Value::String(kDays[c.weekday]);
    } else if (name == "UTC" || name == "Local") {
      result = Value::Time(t);
    } else if (name == "IsZero") {
      result = Value::Bool(t.sec == -62135596800 && t.nsec == 0);
    } else if (name == "Format") {
      if (argv.size() == 1 && argv[0].kind != Kind::kString) {
        ErrorAt(&node, "wrong type for value; expected string; got " + TypeName(argv[0]));
        return {};
      }
      if (argv.size() == 1) result = Value::String(TimeFormat(t, argv[0].s));
    } else {
      ErrorAt(&node, "can't evaluate field " + name + " in type *time.Time");
      return {};
    }
    if (argv.size() != want) {
      ErrorAt(&node, "wrong number of args for " + name + ": want " + std::to_string(want) +
                         " got " + std::to_string(argv.size()));
      return {};
    }
    return result;
  }

  // ---- Arguments ----

  Value CheckType(const Node& n, Param p, Value v) {
    switch (p) {
      case Param::kAny:
        return v;
      case Param::kString:
        if (v.kind == Kind::kString) return v;
        break;
      case Param::kSamples:
        if (v.kind == Kind::kSamples) return v;
        if (!v.valid()) {
          Value nil;
          nil.kind = Kind::kSamples;
          return nil;
        }
        break;
      case Param::kSample:
        if (v.kind == Kind::kSample) return v;
        if (!v.valid()) {
          Value nil;
          nil.kind = Kind::kSample;
          return nil;
        }
        break;
    }
    if (!v.valid()) {
      ErrorAt(&n, std::string("invalid value; expected ") + ParamTypeName(p));
    } else {
      ErrorAt(&n, std::string("wrong type for value; expected ") + ParamTypeName(p) + "; got " +
                      TypeName(v));
    }
    return {};
  }

  Value EvalArg(const Value& dot, Param p, const Node& n) {
    at_ = &n;
    switch (n.type) {
      case NodeType::kDot:
        return CheckType(n, p, dot);
      case NodeType::kNil:
        if (p == Param::kString) {
          ErrorAt(&n, "cannot assign nil to string");
          return {};
        }
        return CheckType(n, p, Value());
      case NodeType::kField:
        return CheckType(n, p, EvalFieldChain(dot, dot, n, n.idents, 0, nullptr, nullptr));
      case NodeType::kVariable:
        return CheckType(n, p, EvalVariable(dot, n, nullptr, nullptr));
      case NodeType::kPipe:
        return CheckType(n, p, EvalPipeline(dot, &n));
      case NodeType::kIdentifier:
        return CheckType(n, p, EvalFunction(dot, n, n, nullptr, nullptr));
      case NodeType::kChain:
        return CheckType(n, p, EvalChain(dot, n, nullptr, nullptr));
      default:
        break;
    }
    if (p == Param::kAny) {
      switch (n.type) {
        case NodeType::kBool:
          return Value::Bool(n.b);
        case NodeType::kNumber:
          return IdealConstant(n);
        case NodeType::kString:
          return Value::String(n.value);
        default:
          break;
      }
    }
    if (p == Param::kString) {
      if (n.type == NodeType::kString) return Value::String(n.value);
      ErrorAt(&n, "expected string; found " + n.String());
      return {};
    }
    ErrorAt(&n, "can't handle " + n.String() + " for arg of type " + ParamTypeName(p));
    return {};
  }

  // ---- Functions ----

  Value EvalFunction(const Value& dot, const Node& ident, const Node& cmd, const NodeList* args,
                     const Value* final) {
    at_ = &ident;
    const std::string& name = ident.text;
    auto it = Functions().find(name);
    if (it == Functions().end()) {
      ErrorAt(&ident, GoQuote(name) + " is not a defined function");
      return {};
    }
    const FuncSpec& spec = it->second;
    size_t nargs = args ? args->size() - 1 : 0;
    size_t num_in = nargs + (final ? 1 : 0);
    size_t num_fixed = spec.variadic ? spec.params.size() - 1 : spec.params.size();
    if (spec.variadic && num_in < num_fixed) {
      ErrorAt(&ident, "wrong number of args for " + name + ": want at least " +
                          std::to_string(num_fixed) + " got " + std::to_string(nargs));
      return {};
    }
    if (!spec.variadic && num_in != spec.params.size()) {
      ErrorAt(&ident, "wrong number of args for " + name + ": want " +
                          std::to_string(spec.params.size()) + " got " + std::to_string(num_in));
      return {};
    }
    auto param_at = [&](size_t i) { return i < num_fixed ? spec.params[i] : spec.params.back(); };
    // and/or evaluate their arguments only as far as they need.
    if (name == "and" || name == "or") {
      Value v;
      for (size_t i = 0; i < nargs; ++i) {
        v = EvalArg(dot, Param::kAny, *(*args)[i + 1]);
        if (failed()) return {};
        if (Truth(v) == (name == "or")) return v;
      }
      if (final) v = *final;
      return v;
    }
    std::vector<Value> argv;
    for (size_t i = 0; i < nargs; ++i) {
      argv.push_back(EvalArg(dot, param_at(i), *(*args)[i + 1]));
      if (failed()) return {};
    }
    if (final) {
      argv.push_back(CheckType(cmd, param_at(num_in - 1), *final));
      if (failed()) return {};
    }
    auto result = Call(name, argv);
    if (!result.ok()) {
      ErrorAt(&cmd, "error calling " + name + ": " + result.status().message());
      return {};
    }
    return std::move(result).value();
  }

  common::Result<Value> Call(const std::string& name, std::vector<Value>& a) {
    using common::Status;
    auto number = [&](const Value& v, std::string (*f)(double)) -> common::Result<Value> {
      auto x = ConvertToFloat(v);
      if (!x.ok()) return x.status();
      return Value::String(f(*x));
    };
    if (name == "not") return Value::Bool(!Truth(a[0]));
    if (name == "len") {
      const Value& v = a[0];
      switch (v.kind) {
        case Kind::kString:
          return Value::Int(static_cast<int64_t>(v.s.size()));
        case Kind::kLabels:
          return Value::Int(static_cast<int64_t>(v.labels->size()));
        case Kind::kMap:
          return Value::Int(static_cast<int64_t>(v.map->size()));
        case Kind::kSamples:
          return Value::Int(v.samples ? static_cast<int64_t>(v.samples->size()) : 0);
        case Kind::kSample:
          if (!v.sample) return Status::InvalidArgument("len of nil pointer");
          return Status::InvalidArgument("len of type template.sample");
        case Kind::kTime:
          return Status::InvalidArgument("len of type time.Time");
        case Kind::kInvalid:
          return Status::InvalidArgument("reflect: call of reflect.Value.Type on zero Value");
        default:
          return Status::InvalidArgument("len of type " + TypeName(v));
      }
    }
    if (name == "index") {
      Value item = a[0];
      if (!item.valid()) return Status::InvalidArgument("index of untyped nil");
      for (size_t i = 1; i < a.size(); ++i) {
        const Value& idx = a[i];
        switch (item.kind) {
          case Kind::kString: {
            auto x = IndexArg(idx, item.s.size());
            if (!x.ok()) return x.status();
            if (static_cast<size_t>(*x) >= item.s.size()) {
              return Status::InvalidArgument("reflect: string index out of range");
            }
            item = Value::Int(static_cast<unsigned char>(item.s[static_cast<size_t>(*x)]));
            break;
          }
          case Kind::kSamples: {
            size_t n = item.samples ? item.samples->size() : 0;
            auto x = IndexArg(idx, n);
            if (!x.ok()) return x.status();
            if (static_cast<size_t>(*x) >= n) {
              return Status::InvalidArgument("reflect: slice index out of range");
            }
            Value e;
            e.kind = Kind::kSample;
            e.sample = (*item.samples)[static_cast<size_t>(*x)];
            item = e;
            break;
          }
          case Kind::kLabels:
          case Kind::kMap: {
            if (!idx.valid())
              return Status::InvalidArgument("value is nil; should be of type string");
            if (idx.kind != Kind::kString) {
              return Status::InvalidArgument("value has type " + TypeName(idx) +
                                             "; should be string");
            }
            if (item.kind == Kind::kLabels) {
              item = Value::String(std::string(item.labels->Get(idx.s)));
            } else {
              auto it = item.map->find(idx.s);
              item = it == item.map->end() ? Value() : it->second;
              if (!item.valid() && i + 1 < a.size()) {
                return Status::InvalidArgument("index of untyped nil");
              }
            }
            break;
          }
          case Kind::kSample:
            if (!item.sample) return Status::InvalidArgument("index of nil pointer");
            return Status::InvalidArgument("can't index item of type template.sample");
          default:
            return Status::InvalidArgument("can't index item of type " + TypeName(item));
        }
      }
      return item;
    }
    if (name == "slice") {
      const Value& item = a[0];
      if (!item.valid()) return Status::InvalidArgument("slice of untyped nil");
      size_t nidx = a.size() - 1;
      if (nidx > 3) {
        return Status::InvalidArgument("too many slice indexes: " + std::to_string(nidx));
      }
      size_t len;
      if (item.kind == Kind::kString) {
        if (nidx == 3) return Status::InvalidArgument("cannot 3-index slice a string");
        len = item.s.size();
      } else if (item.kind == Kind::kSamples) {
        len = item.samples ? item.samples->size() : 0;
      } else {
        return Status::InvalidArgument("can't slice item of type " + TypeName(item));
      }
      int64_t idx[3] = {0, static_cast<int64_t>(len), static_cast<int64_t>(len)};
      for (size_t i = 0; i < nidx; ++i) {
        auto x = IndexArg(a[i + 1], len);
        if (!x.ok()) return x.status();
        idx[i] = *x;
      }
      if (idx[0] > idx[1] || (nidx == 3 && idx[1] > idx[2])) {
        int64_t l = idx[0] > idx[1] ? idx[0] : idx[1];
        int64_t r = idx[0] > idx[1] ? idx[1] : idx[2];
        return Status::InvalidArgument("invalid slice index: " + std::to_string(l) + " > " +
                                       std::to_string(r));
      }
      if (item.kind == Kind::kString) {
        return Value::String(
            item.s.substr(static_cast<size_t>(idx[0]), static_cast<size_t>(idx[1] - idx[0])));
      }
      Value out;
      out.kind = Kind::kSamples;
      out.samples = std::make_shared<SampleList>();
      if (item.samples) {
        out.samples->assign(item.samples->begin() + idx[0], item.samples->begin() + idx[1]);
      }
      return out;
    }
    if (name == "print") return Value::String(Sprint(a));
    if (name == "println") return Value::String(Sprintln(a));
    if (name == "printf") {
      std::vector<Value> rest(a.begin() + 1, a.end());
      return Value::String(Sprintf(a[0].s, rest));
    }
    if (name == "html" || name == "js" || name == "urlquery") {
      std::string s;
      if (a.size() == 1 && a[0].kind == Kind::kString) {
        s = a[0].s;
      } else {
        // Like printing an action: pointers are followed, nil is <no value>.
        std::vector<Value> printable = a;
        for (auto& v : printable) {
          if (!v.valid()) v = Value::String("<no value>");
          if (v.kind == Kind::kSample && v.sample) v = Value::String(PrintValue(v));
        }
        s = Sprint(printable);
      }
      if (name == "html") return Value::String(HtmlEscape(s));
      if (name == "js") return Value::String(JsEscape(s));
      return Value::String(QueryEscape(s));
    }
    if (name == "eq") {
      std::vector<Value> rest(a.begin() + 1, a.end());
      auto r = Eq(a[0], rest);
      if (!r.ok()) return r.status();
      return Value::Bool(*r);
    }
    if (name == "ne") {
      auto r = Eq(a[0], {a[1]});
      if (!r.ok()) return r.status();
      return Value::Bool(!*r);
    }
    if (name == "lt" || name == "ge") {
      auto r = Lt(a[0], a[1]);
      if (!r.ok()) return r.status();
      return Value::Bool(name == "lt" ? *r : !*r);
    }
    if (name == "le" || name == "gt") {
      auto r = Lt(a[0], a[1]);
      if (!r.ok()) return r.status();
      bool le = *r;
      if (!le) {
        auto e = Eq(a[0], {a[1]});
        if (!e.ok()) return e.status();
        le = *e;
      }
      return Value::Bool(name == "le" ? le : !le);
    }
    if (name == "call") {
      if (!a[0].valid()) return Status::InvalidArgument("call of nil");
      return Status::InvalidArgument("non-function of type " + TypeName(a[0]));
    }
    // Prometheus's functions.
    if (name == "query") {
      if (!query_) return Status::InvalidArgument("no query function available");
      auto r = query_(a[0].s);
      if (!r.ok()) return r.status();
      Value out;
      out.kind = Kind::kSamples;
      out.samples = std::make_shared<SampleList>();
      for (auto& s : *r) out.samples->push_back(std::make_shared<const QuerySample>(std::move(s)));
      return out;
    }
    if (name == "first") {
      if (!a[0].samples || a[0].samples->empty()) {
        return Status::InvalidArgument("first() called on vector with no elements");
      }
      Value out;
      out.kind = Kind::kSample;
      out.sample = a[0].samples->front();
      return out;
    }
    if (name == "label" || name == "value" || name == "strvalue") {
      const Value& s = a.back();
      if (!s.sample) {
        return Status::InvalidArgument(
            "runtime error: invalid memory address or nil pointer dereference");
      }
      if (name == "label") return Value::String(std::string(s.sample->labels.Get(a[0].s)));
      if (name == "value") return Value::Float(s.sample->value);
      return Value::String(std::string(s.sample->labels.Get("__value__")));
    }
    if (name == "args") {
      auto m = std::make_shared<ValueMap>();
      for (size_t i = 0; i < a.size(); ++i) (*m)["arg" + std::to_string(i)] = a[i];
      Value out;
      out.kind = Kind::kMap;
      out.map = std::move(m);
      return out;
    }
    if (name == "reReplaceAll" || name == "match") {
      auto re = CompileRegexp(a[0].s);
      if (!re.ok()) {
        if (name == "match") return re.status();
        return Status::InvalidArgument("regexp: Compile(" + QuoteRegexp(a[0].s) +
                                       "): " + re.status().message());
      }
      if (name == "match") return Value::Bool(re2::RE2::PartialMatch(a[1].s, **re));
      return Value::String(ReplaceAll(**re, a[2].s, a[1].s));
    }
    if (name == "safeHtml") return a[0];
    if (name == "title") return Value::String(Title(a[0].s));
    if (name == "toUpper") return Value::String(MapString(a[0].s, true));
    if (name == "toLower") return Value::String(MapString(a[0].s, false));
    if (name == "graphLink") {
      return Value::String("/graph?g0.expr=" + QueryEscape(a[0].s) + "&g0.tab=0");
    }
    if (name == "tableLink") {
      return Value::String("/graph?g0.expr=" + QueryEscape(a[0].s) + "&g0.tab=1");
    }
    if (name == "sortByLabel") {
      if (a[1].samples) {
        const std::string& label = a[0].s;
        std::stable_sort(a[1].samples->begin(), a[1].samples->end(),
                         [&](const SamplePtr& x, const SamplePtr& y) {
                           return x->labels.Get(label) < y->labels.Get(label);
                         });
      }
      return a[1];
    }
    if (name == "humanize") return number(a[0], Humanize);
    if (name == "humanize1024") return number(a[0], Humanize1024);
    if (name == "humanizeDuration") return number(a[0], HumanizeDuration);
    if (name == "humanizePercentage") {
      auto x = ConvertToFloat(a[0]);
      if (!x.ok()) return x.status();
      return Value::String(Sprintf4g(*x * 100, "%"));
    }
    if (name == "humanizeTimestamp" || name == "toTime") {
      auto x = ConvertToFloat(a[0]);
      if (!x.ok()) return x.status();
      auto t = FloatToTime(*x);
      if (!t.ok()) {
        if (name == "humanizeTimestamp" && (std::isnan(*x) || std::isinf(*x))) {
          return Value::String(Sprintf4g(*x));
        }
        return t.status();
      }
      if (name == "toTime") return Value::Time(*t);
      return Value::String(TimeString(*t));
    }
    if (name == "pathPrefix") return Value::String(UrlPath(data_.external_url));
    if (name == "externalURL") return Value::String(data_.external_url);
    if (name == "parseDuration") {
      auto ms = model::ParseDuration(a[0].s);
      if (!ms.ok()) {
        return Status::InvalidArgument("not a valid duration string: " + GoQuote(a[0].s));
      }
      return Value::Float(static_cast<double>(*ms * 1000000) / 1e9);
    }
    return Status::Internal("function " + name + " has no implementation");
  }

  const ParsedTemplate& parsed_;
  const TemplateData& data_;
  const TemplateQueryFunc& query_;
  const Tree* tree_ = nullptr;
  std::vector<Var> vars_;
  std::string out_;
  std::string err_;
  Flow flow_ = Flow::kNormal;
  int depth_ = 0;
  const Node* at_ = nullptr;  // the node evaluated last, as Go's state.node
};

// Prometheus's rules prepend these so templates see $labels and friends.
constexpr std::string_view kDefinitions =
    "{{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}"
    "{{$externalURL := .ExternalURL}}{{$value := .Value}}";

}  // namespace

bool IsFunction(std::string_view name) { return Functions().count(name) != 0; }

}  // namespace tmpl

common::Status CheckTemplate(std::string_view name, std::string_view text) {
  tmpl::ParsedTemplate parsed;
  return tmpl::Parse(name, std::string(tmpl::kDefinitions) + std::string(text), &parsed);
}

common::Result<std::string> ExpandTemplate(std::string_view name, std::string_view text,
                                           const TemplateData& data, int64_t eval_ms,
                                           const TemplateQueryFunc& query) {
  // The evaluation time is the query function's business (it runs the
  // instant query at it); no template function reads it directly.
  (void)eval_ms;
  tmpl::ParsedTemplate parsed;
  common::Status st =
      tmpl::Parse(name, std::string(tmpl::kDefinitions) + std::string(text), &parsed);
  if (!st.ok()) {
    return common::Status::InvalidArgument("error parsing template " + std::string(name) + ": " +
                                           st.message());
  }
  auto out = tmpl::Exec(parsed, data, query).Run();
  if (!out.ok()) {
    return common::Status::InvalidArgument("error executing template " + std::string(name) + ": " +
                                           out.status().message());
  }
  return out;
}

}  // namespace rules
