// Go's fmt printing (Sprint, Sprintln, Sprintf) over template values, with
// strconv's float forms and time.Time's String and Format: what `print`,
// `printf`, an action's output and the humanize functions produce.
//
// Float digits come from the C library's printf, which, like Go's strconv,
// rounds the exact binary value to the nearest decimal with ties to even;
// only the layout (exponent digits, "+Inf", sign and padding rules) is
// Go's and is done here.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "model/number.h"
#include "rules/template_internal.h"

namespace rules::tmpl {

Value Value::Bool(bool v) {
  Value r;
  r.kind = Kind::kBool;
  r.b = v;
  return r;
}
Value Value::Int(int64_t v) {
  Value r;
  r.kind = Kind::kInt;
  r.i = v;
  return r;
}
Value Value::Float(double v) {
  Value r;
  r.kind = Kind::kFloat;
  r.f = v;
  return r;
}
Value Value::String(std::string v) {
  Value r;
  r.kind = Kind::kString;
  r.s = std::move(v);
  return r;
}
Value Value::Labels(model::Labels v) {
  Value r;
  r.kind = Kind::kLabels;
  r.labels = std::make_shared<const model::Labels>(std::move(v));
  return r;
}
Value Value::Time(GoTime t) {
  Value r;
  r.kind = Kind::kTime;
  r.time = t;
  return r;
}

std::string TypeName(const Value& v) {
  switch (v.kind) {
    case Kind::kInvalid:
      return "<nil>";
    case Kind::kBool:
      return "bool";
    case Kind::kInt:
      return "int";
    case Kind::kFloat:
      return "float64";
    case Kind::kString:
      return "string";
    case Kind::kLabels:
      return "map[string]string";
    case Kind::kMap:
      return "map[string]interface {}";
    case Kind::kSample:
      return "*template.sample";
    case Kind::kSamples:
      return "template.queryResult";
    case Kind::kTime:
      return "*time.Time";
    case Kind::kData:
      return "struct { Labels map[string]string; ExternalLabels map[string]string; "
             "ExternalURL string; Value float64 }";
  }
  return "?";
}

bool Truth(const Value& v) {
  switch (v.kind) {
    case Kind::kInvalid:
      return false;
    case Kind::kBool:
      return v.b;
    case Kind::kInt:
      return v.i != 0;
    case Kind::kFloat:
      return v.f != 0;
    case Kind::kString:
      return !v.s.empty();
    case Kind::kLabels:
      return !v.labels->empty();
    case Kind::kMap:
      return !v.map->empty();
    case Kind::kSample:
      return v.sample != nullptr;
    case Kind::kSamples:
      return v.samples && !v.samples->empty();
    case Kind::kTime:
    case Kind::kData:
      return true;
  }
  return false;
}

namespace {

// Decodes one UTF-8 rune at s[i]; invalid bytes decode as U+FFFD, width 1.
uint32_t DecodeRune(std::string_view s, size_t i, size_t* width) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  *width = 1;
  if (c < 0x80) return c;
  size_t n = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
  if (n == 0 || i + n > s.size()) return 0xFFFD;
  uint32_t r = n == 2 ? (c & 0x1F) : n == 3 ? (c & 0x0F) : (c & 0x07);
  for (size_t k = 1; k < n; ++k) {
    unsigned char cc = static_cast<unsigned char>(s[i + k]);
    if ((cc & 0xC0) != 0x80) return 0xFFFD;
    r = (r << 6) | (cc & 0x3F);
  }
  static const uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (r < kMin[n] || r > 0x10FFFF || (r >= 0xD800 && r < 0xE000)) return 0xFFFD;
  *width = n;
  return r;
}

size_t RuneCount(std::string_view s) {
  size_t n = 0;
  for (size_t i = 0; i < s.size();) {
    size_t w;
    DecodeRune(s, i, &w);
    i += w;
    ++n;
  }
  return n;
}

// unicode.IsPrint, approximately: Go's tables are not reproduced; the
// control, surrogate, private-use and unassigned-at-the-edges ranges are.
bool IsPrintRune(uint32_t r) {
  if (r < 0x20 || (r >= 0x7F && r < 0xA0) || r == 0xAD) return false;
  if (r >= 0xD800 && r < 0xE000) return false;
  if (r >= 0xE000 && r < 0xF900) return false;  // private use
  if (r == 0xFFFD) return true;
  if (r >= 0xFFF0 && r <= 0xFFFF) return false;
  if (r >= 0x2028 && r <= 0x202E) return false;
  if (r >= 0x200B && r <= 0x200F) return false;
  if (r >= 0x2060 && r <= 0x206F) return false;
  if (r == 0xFEFF) return false;
  if (r >= 0xE0000) return false;
  return true;
}

std::string QuoteWith(std::string_view s, char quote, bool ascii_only) {
  std::string out(1, quote);
  char buf[16];
  for (size_t i = 0; i < s.size();) {
    size_t w;
    uint32_t r = DecodeRune(s, i, &w);
    if (w == 1 && r == 0xFFFD) {
      std::snprintf(buf, sizeof(buf), "\\x%02x", static_cast<unsigned char>(s[i]));
      out.append(buf);
      ++i;
      continue;
    }
    i += w;
    if (r == static_cast<uint32_t>(quote) || r == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(r));
      continue;
    }
    if (ascii_only ? (r < 0x7F && IsPrintRune(r)) : IsPrintRune(r)) {
      AppendUtf8(r, &out);
      continue;
    }
    switch (r) {
      case 7:
        out.append("\\a");
        continue;
      case 8:
        out.append("\\b");
        continue;
      case 12:
        out.append("\\f");
        continue;
      case 10:
        out.append("\\n");
        continue;
      case 13:
        out.append("\\r");
        continue;
      case 9:
        out.append("\\t");
        continue;
      case 11:
        out.append("\\v");
        continue;
      default:
        break;
    }
    if (r < 0x20 || r == 0x7F) {
      std::snprintf(buf, sizeof(buf), "\\x%02x", r);
    } else if (r < 0x10000) {
      std::snprintf(buf, sizeof(buf), "\\u%04x", r);
    } else {
      std::snprintf(buf, sizeof(buf), "\\U%08x", r);
    }
    out.append(buf);
  }
  out.push_back(quote);
  return out;
}

// Go's exponent has at least two digits; C's %a writes one.
std::string FixHexExponent(std::string s) {
  size_t p = s.find_first_of("pP");
  if (p != std::string::npos && p + 2 < s.size() + 1) {
    size_t digits = s.size() - (p + 2);
    if (digits == 1) s.insert(p + 2, "0");
  }
  return s;
}

void AppendInt64(int64_t v, int width, std::string* out) {
  uint64_t u = v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  if (v < 0) out->push_back('-');
  std::string d = std::to_string(u);
  for (int i = static_cast<int>(d.size()); i < width; ++i) out->push_back('0');
  out->append(d);
}

struct Flags {
  bool plus = false, minus = false, sharp = false, space = false, zero = false;
  bool plus_v = false, sharp_v = false;
  bool wid_present = false, prec_present = false;
  int wid = 0, prec = 0;
};

const char* const kFakePointer = "0xc000010000";

// Go's pp: one printer state, as fmt keeps per call.
class Printer {
 public:
  std::string buf;
  Flags f;

  void Pad(std::string_view s) {
    if (!f.wid_present || f.wid == 0) {
      buf.append(s);
      return;
    }
    size_t n = RuneCount(s);
    size_t width = static_cast<size_t>(f.wid);
    if (n >= width) {
      buf.append(s);
      return;
    }
    std::string padding(width - n, f.zero && !f.minus ? '0' : ' ');
    if (f.minus) {
      buf.append(s);
      buf.append(padding);
    } else {
      buf.append(padding);
      buf.append(s);
    }
  }
  void WritePadding(int n) {
    if (n > 0) buf.append(static_cast<size_t>(n), f.zero ? '0' : ' ');
  }

  void FmtInteger(uint64_t u, bool negative, int base, char verb, bool upper) {
    const char* digits = upper ? "0123456789ABCDEFX" : "0123456789abcdefx";
    int prec = 0;
    if (f.prec_present) {
      prec = f.prec;
      if (prec == 0 && u == 0) {
        bool z = f.zero;
        f.zero = false;
        WritePadding(f.wid);
        f.zero = z;
        return;
      }
    } else if (f.zero && f.wid_present) {
      prec = f.wid;
      if (negative || f.plus || f.space) --prec;
    }
    std::string s;
    do {
      s.push_back(digits[u % static_cast<uint64_t>(base)]);
      u /= static_cast<uint64_t>(base);
    } while (u != 0);
    while (static_cast<int>(s.size()) < prec) s.push_back('0');
    if (f.sharp) {
      if (base == 2) {
        s.append("b0");
      } else if (base == 8 && s.back() != '0') {
        s.push_back('0');
      } else if (base == 16) {
        s.push_back(digits[16]);
        s.push_back('0');
      }
    }
    if (verb == 'O') s.append("o0");
    if (negative) {
      s.push_back('-');
    } else if (f.plus) {
      s.push_back('+');
    } else if (f.space) {
      s.push_back(' ');
    }
    std::string out(s.rbegin(), s.rend());
    bool z = f.zero;
    f.zero = false;
    Pad(out);
    f.zero = z;
  }

  void FmtFloat(double v, char verb, int prec) {
    if (f.prec_present) prec = f.prec;
    std::string num;
    if ((verb == 'g' || verb == 'G' || verb == 'e' || verb == 'E' || verb == 'f' || verb == 'F') &&
        f.sharp && std::isfinite(v)) {
      char fmt[8] = {'%', '#', '.', '*', verb, 0};
      int p = prec < 0 ? 6 : prec;
      char tmp[512];
      std::snprintf(tmp, sizeof(tmp), fmt, p, v);
      num = tmp;
    } else {
      num = FormatFloatVerb(v, verb, prec);
    }
    if (num[0] != '-' && num[0] != '+') num.insert(num.begin(), '+');
    if (f.space && num[0] == '+' && !f.plus) num[0] = ' ';
    if (num[1] == 'I' || num[1] == 'N') {
      bool z = f.zero;
      f.zero = false;
      if (num[1] == 'N' && !f.space && !f.plus) num.erase(0, 1);
      Pad(num);
      f.zero = z;
      return;
    }
    if (f.plus || num[0] != '+') {
      if (f.zero && f.wid_present && f.wid > static_cast<int>(num.size())) {
        buf.push_back(num[0]);
        WritePadding(f.wid - static_cast<int>(num.size()));
        buf.append(num, 1);
        return;
      }
      Pad(num);
      return;
    }
    Pad(std::string_view(num).substr(1));
  }

  void FmtString(std::string_view s, char verb) {
    switch (verb) {
      case 'v':
        if (f.sharp_v) {
          FmtQ(s);
        } else {
          FmtS(s);
        }
        return;
      case 's':
        FmtS(s);
        return;
      case 'x':
      case 'X':
        FmtHex(s, verb == 'X');
        return;
      case 'q':
        FmtQ(s);
        return;
      default:
        BadVerb(verb, Value::String(std::string(s)));
    }
  }
  std::string_view Truncate(std::string_view s) {
    if (f.prec_present) {
      size_t n = 0;
      for (size_t i = 0; i < s.size();) {
        if (n == static_cast<size_t>(f.prec)) return s.substr(0, i);
        size_t w;
        DecodeRune(s, i, &w);
        i += w;
        ++n;
      }
    }
    return s;
  }
  void FmtS(std::string_view s) { Pad(Truncate(s)); }
  void FmtQ(std::string_view s) {
    s = Truncate(s);
    if (f.sharp && s.find('`') == std::string_view::npos) {
      bool can = true;
      for (char c : s) {
        if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7F) can = false;
      }
      if (can) {
        Pad("`" + std::string(s) + "`");
        return;
      }
    }
    Pad(QuoteWith(s, '"', f.plus));
  }
  void FmtHex(std::string_view s, bool upper) {
    const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    size_t n = s.size();
    if (f.prec_present && static_cast<size_t>(f.prec) < n) n = static_cast<size_t>(f.prec);
    std::string out;
    for (size_t i = 0; i < n; ++i) {
      if (f.space && i > 0) out.push_back(' ');
      if (f.sharp && (f.space || i == 0)) out.append(upper ? "0X" : "0x");
      unsigned char c = static_cast<unsigned char>(s[i]);
      out.push_back(digits[c >> 4]);
      out.push_back(digits[c & 15]);
    }
    Pad(out);
  }

  void BadVerb(char verb, const Value& v) {
    buf.append("%!");
    buf.push_back(verb);
    buf.push_back('(');
    if (v.valid()) {
      buf.append(TypeName(v));
      buf.push_back('=');
      PrintArg(v, 'v', 0);
    } else {
      buf.append("<nil>");
    }
    buf.push_back(')');
  }

  void PrintLabels(const model::Labels& labels, char verb, int depth) {
    if (f.sharp_v) {
      buf.append("map[string]string{");
      bool first = true;
      for (const auto& l : labels) {
        if (!first) buf.append(", ");
        first = false;
        buf.append(GoQuote(l.name) + ":" + GoQuote(l.value));
      }
      buf.push_back('}');
      return;
    }
    buf.append("map[");
    bool first = true;
    for (const auto& l : labels) {
      if (!first) buf.push_back(' ');
      first = false;
      PrintArg(Value::String(l.name), verb, depth + 1);
      buf.push_back(':');
      PrintArg(Value::String(l.value), verb, depth + 1);
    }
    buf.push_back(']');
  }

  void PrintArg(const Value& v, char verb, int depth) {
    if (verb == 'T') {
      FmtS(TypeName(v));
      return;
    }
    switch (v.kind) {
      case Kind::kInvalid:
        if (verb == 'v') {
          Pad("<nil>");
        } else {
          BadVerb(verb, v);
        }
        return;
      case Kind::kBool:
        if (verb == 't' || verb == 'v') {
          Pad(v.b ? "true" : "false");
        } else {
          BadVerb(verb, v);
        }
        return;
      case Kind::kInt: {
        uint64_t u = v.i < 0 ? 0 - static_cast<uint64_t>(v.i) : static_cast<uint64_t>(v.i);
        switch (verb) {
          case 'v':
          case 'd':
            FmtInteger(u, v.i < 0, 10, verb, false);
            return;
          case 'b':
            FmtInteger(u, v.i < 0, 2, verb, false);
            return;
          case 'o':
          case 'O':
            FmtInteger(u, v.i < 0, 8, verb, false);
            return;
          case 'x':
          case 'X':
            FmtInteger(u, v.i < 0, 16, verb, verb == 'X');
            return;
          case 'c': {
            std::string s;
            uint32_t r = v.i < 0 || v.i > 0x10FFFF ? 0xFFFD : static_cast<uint32_t>(v.i);
            AppendUtf8(r, &s);
            Pad(s);
            return;
          }
          case 'q': {
            std::string s;
            uint32_t r = v.i < 0 || v.i > 0x10FFFF ? 0xFFFD : static_cast<uint32_t>(v.i);
            AppendUtf8(r, &s);
            Pad(QuoteWith(s, '\'', f.plus));
            return;
          }
          case 'U': {
            char b[32];
            std::snprintf(b, sizeof(b), "U+%04llX", static_cast<unsigned long long>(u));
            Pad(b);
            return;
          }
          default:
            BadVerb(verb, v);
            return;
        }
      }
      case Kind::kFloat:
        switch (verb) {
          case 'v':
            FmtFloat(v.f, 'g', -1);
            return;
          case 'b':
          case 'g':
          case 'G':
          case 'x':
          case 'X':
            FmtFloat(v.f, verb, -1);
            return;
          case 'f':
          case 'e':
          case 'E':
          case 'F':
            FmtFloat(v.f, verb, 6);
            return;
          default:
            BadVerb(verb, v);
            return;
        }
      case Kind::kString:
        FmtString(v.s, verb);
        return;
      case Kind::kTime:
        if (verb == 'v' || verb == 's' || verb == 'x' || verb == 'X' || verb == 'q') {
          FmtString(TimeString(v.time), verb);
        } else {
          BadVerb(verb, Value::String(TimeString(v.time)));
        }
        return;
      case Kind::kLabels:
        PrintLabels(*v.labels, verb, depth);
        return;
      case Kind::kMap: {
        buf.append("map[");
        bool first = true;
        for (const auto& [k, e] : *v.map) {
          if (!first) buf.push_back(' ');
          first = false;
          PrintArg(Value::String(k), verb, depth + 1);
          buf.push_back(':');
          if (e.valid()) {
            PrintArg(e, verb, depth + 1);
          } else {
            Pad("<nil>");
          }
        }
        buf.push_back(']');
        return;
      }
      case Kind::kSample:
        if (!v.sample) {
          if (verb == 'v') {
            Pad("<nil>");
          } else {
            BadVerb(verb, v);
          }
          return;
        }
        if (depth > 0) {
          Pad(kFakePointer);
          return;
        }
        buf.append("&{");
        if (f.plus_v) buf.append("Labels:");
        PrintLabels(v.sample->labels, verb, depth + 1);
        buf.push_back(' ');
        if (f.plus_v) buf.append("Value:");
        PrintArg(Value::Float(v.sample->value), verb, depth + 1);
        buf.push_back('}');
        return;
      case Kind::kSamples:
        buf.push_back('[');
        if (v.samples) {
          for (size_t i = 0; i < v.samples->size(); ++i) {
            if (i > 0) buf.push_back(' ');
            Pad(kFakePointer);
          }
        }
        buf.push_back(']');
        return;
      case Kind::kData:
        buf.push_back('{');
        if (f.plus_v) buf.append("Labels:");
        PrintLabels(v.data->labels, verb, depth + 1);
        buf.push_back(' ');
        if (f.plus_v) buf.append("ExternalLabels:");
        PrintLabels(v.data->external_labels, verb, depth + 1);
        buf.push_back(' ');
        if (f.plus_v) buf.append("ExternalURL:");
        PrintArg(Value::String(v.data->external_url), verb, depth + 1);
        buf.push_back(' ');
        if (f.plus_v) buf.append("Value:");
        PrintArg(Value::Float(v.data->value), verb, depth + 1);
        buf.push_back('}');
        return;
    }
  }
};

bool ParseNum(std::string_view s, size_t* i, int* out) {
  size_t start = *i;
  int n = 0;
  while (*i < s.size() && s[*i] >= '0' && s[*i] <= '9') {
    if (n > 1000000) return false;
    n = n * 10 + (s[*i] - '0');
    ++*i;
  }
  *out = n;
  return *i > start;
}

}  // namespace

void AppendUtf8(uint32_t r, std::string* out) {
  if (r < 0x80) {
    out->push_back(static_cast<char>(r));
  } else if (r < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (r >> 6)));
    out->push_back(static_cast<char>(0x80 | (r & 0x3F)));
  } else if (r < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (r >> 12)));
    out->push_back(static_cast<char>(0x80 | ((r >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (r & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (r >> 18)));
    out->push_back(static_cast<char>(0x80 | ((r >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((r >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (r & 0x3F)));
  }
}

std::string GoQuote(std::string_view s) { return QuoteWith(s, '"', false); }

std::string FormatFloatVerb(double v, char verb, int prec) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[1100];
  switch (verb) {
    case 'g':
    case 'G':
      if (prec < 0) {
        std::string s = model::FormatGoFloat(v);
        if (verb == 'G') {
          for (char& c : s) {
            if (c == 'e') c = 'E';
          }
        }
        return s;
      }
      std::snprintf(buf, sizeof(buf), verb == 'g' ? "%.*g" : "%.*G", prec, v);
      return buf;
    case 'e':
    case 'E':
      std::snprintf(buf, sizeof(buf), verb == 'e' ? "%.*e" : "%.*E", prec < 0 ? 6 : prec, v);
      return buf;
    case 'f':
    case 'F':
      if (prec < 0) return model::FormatFloat(v);
      std::snprintf(buf, sizeof(buf), "%.*f", std::min(prec, 1000), v);
      return buf;
    case 'x':
    case 'X':
      if (std::fpclassify(v) == FP_SUBNORMAL) {
        // Go normalizes subnormals to 0x1.ddd with a smaller exponent.
        int e = 0;
        double m = std::frexp(v, &e) * 2;  // [1, 2)
        std::string s = FormatFloatVerb(m, verb, prec);
        size_t p = s.find_first_of("pP");
        int exp = std::atoi(s.c_str() + p + 1) + e - 1;
        char ebuf[16];
        std::snprintf(ebuf, sizeof(ebuf), "%c%02d", exp < 0 ? '-' : '+', std::abs(exp));
        return s.substr(0, p + 1) + ebuf;
      }
      if (prec < 0) {
        std::snprintf(buf, sizeof(buf), verb == 'x' ? "%a" : "%A", v);
      } else {
        std::snprintf(buf, sizeof(buf), verb == 'x' ? "%.*a" : "%.*A", prec, v);
      }
      return FixHexExponent(buf);
    case 'b': {
      uint64_t bits;
      std::memcpy(&bits, &v, sizeof(bits));
      bool neg = bits >> 63;
      int exp = static_cast<int>((bits >> 52) & 0x7FF);
      uint64_t mant = bits & ((uint64_t{1} << 52) - 1);
      if (exp == 0) {
        exp = 1;
      } else {
        mant |= uint64_t{1} << 52;
      }
      exp -= 1075;
      std::string s = neg ? "-" : "";
      s += std::to_string(mant) + "p" + (exp >= 0 ? "+" : "") + std::to_string(exp);
      return s;
    }
    default:
      return "%!" + std::string(1, verb);
  }
}

std::string Sprint(const std::vector<Value>& args) {
  Printer p;
  bool prev_string = false;
  for (size_t i = 0; i < args.size(); ++i) {
    bool is_string = args[i].kind == Kind::kString;
    if (i > 0 && !is_string && !prev_string) p.buf.push_back(' ');
    p.PrintArg(args[i], 'v', 0);
    prev_string = is_string;
  }
  return p.buf;
}

std::string Sprintln(const std::vector<Value>& args) {
  Printer p;
  for (size_t i = 0; i < args.size(); ++i) {
    if (i > 0) p.buf.push_back(' ');
    p.PrintArg(args[i], 'v', 0);
  }
  p.buf.push_back('\n');
  return p.buf;
}

std::string PrintValue(const Value& v) {
  if (!v.valid()) return "<no value>";
  if (v.kind == Kind::kSample && v.sample) {
    // Actions print what a pointer points to: {map[...] 1}, not &{...}.
    Printer p;
    p.PrintArg(v, 'v', 0);
    return p.buf.substr(1);
  }
  return Sprint({v});
}

std::string Sprintf(std::string_view format, const std::vector<Value>& a) {
  Printer p;
  size_t arg = 0;
  bool reordered = false;
  const size_t end = format.size();
  auto int_from_arg = [&](int* out) {
    if (arg < a.size() && a[arg].kind == Kind::kInt && a[arg].i <= 1000000 &&
        a[arg].i >= -1000000) {
      *out = static_cast<int>(a[arg++].i);
      return true;
    }
    if (arg < a.size()) ++arg;
    return false;
  };
  // "[n]" argument indexes.
  auto arg_number = [&](size_t* i, bool* good) {
    if (*i >= end || format[*i] != '[') return false;
    reordered = true;
    size_t close = format.find(']', *i);
    if (close == std::string_view::npos) {
      *good = false;
      return false;
    }
    size_t j = *i + 1;
    int n = 0;
    if (!ParseNum(format, &j, &n) || j != close || n < 1 || static_cast<size_t>(n) > a.size()) {
      *good = false;
      *i = close + 1;
      return true;
    }
    arg = static_cast<size_t>(n - 1);
    *i = close + 1;
    return true;
  };
  for (size_t i = 0; i < end;) {
    bool good = true;
    size_t last = i;
    while (i < end && format[i] != '%') ++i;
    if (i > last) p.buf.append(format.substr(last, i - last));
    if (i >= end) break;
    ++i;
    p.f = Flags();
    for (; i < end; ++i) {
      char c = format[i];
      if (c == '#') {
        p.f.sharp = true;
      } else if (c == '0') {
        p.f.zero = !p.f.minus;
      } else if (c == '+') {
        p.f.plus = true;
      } else if (c == '-') {
        p.f.minus = true;
        p.f.zero = false;
      } else if (c == ' ') {
        p.f.space = true;
      } else {
        break;
      }
    }
    bool after_index = arg_number(&i, &good);
    if (i < end && format[i] == '*') {
      ++i;
      p.f.wid_present = int_from_arg(&p.f.wid);
      if (!p.f.wid_present) p.buf.append("%!(BADWIDTH)");
      if (p.f.wid < 0) {
        p.f.wid = -p.f.wid;
        p.f.minus = true;
        p.f.zero = false;
      }
      after_index = false;
    } else {
      p.f.wid_present = ParseNum(format, &i, &p.f.wid);
      if (after_index && p.f.wid_present) good = false;
    }
    if (i + 1 < end && format[i] == '.') {
      ++i;
      if (after_index) good = false;
      after_index = arg_number(&i, &good);
      if (i < end && format[i] == '*') {
        ++i;
        p.f.prec_present = int_from_arg(&p.f.prec);
        if (p.f.prec < 0) {
          p.f.prec = 0;
          p.f.prec_present = false;
        }
        if (!p.f.prec_present) p.buf.append("%!(BADPREC)");
        after_index = false;
      } else {
        p.f.prec_present = ParseNum(format, &i, &p.f.prec);
        if (!p.f.prec_present) {
          p.f.prec = 0;
          p.f.prec_present = true;
        }
      }
    }
    if (!after_index) after_index = arg_number(&i, &good);
    if (i >= end) {
      p.buf.append("%!(NOVERB)");
      break;
    }
    size_t w = 1;
    uint32_t verb = DecodeRune(format, i, &w);
    i += w;
    if (verb == '%') {
      p.buf.push_back('%');
    } else if (!good) {
      p.buf.append("%!");
      AppendUtf8(verb, &p.buf);
      p.buf.append("(BADINDEX)");
    } else if (arg >= a.size()) {
      p.buf.append("%!");
      AppendUtf8(verb, &p.buf);
      p.buf.append("(MISSING)");
    } else {
      if (verb == 'v') {
        p.f.sharp_v = p.f.sharp;
        p.f.sharp = false;
        p.f.plus_v = p.f.plus;
        p.f.plus = false;
      }
      p.PrintArg(a[arg], verb < 0x80 ? static_cast<char>(verb) : '?', 0);
      ++arg;
    }
  }
  if (!reordered && arg < a.size()) {
    p.f = Flags();
    p.buf.append("%!(EXTRA ");
    for (size_t i = arg; i < a.size(); ++i) {
      if (i > arg) p.buf.append(", ");
      if (!a[i].valid()) {
        p.buf.append("<nil>");
      } else {
        p.buf.append(TypeName(a[i]));
        p.buf.push_back('=');
        p.PrintArg(a[i], 'v', 0);
      }
    }
    p.buf.push_back(')');
  }
  return p.buf;
}

CivilTime ToCivil(const GoTime& t) {
  int64_t days = t.sec / 86400;
  int64_t rem = t.sec % 86400;
  if (rem < 0) {
    rem += 86400;
    --days;
  }
  CivilTime c{};
  c.hour = static_cast<int>(rem / 3600);
  c.minute = static_cast<int>(rem % 3600 / 60);
  c.second = static_cast<int>(rem % 60);
  c.weekday = static_cast<int>(((days + 4) % 7 + 7) % 7);
  // Days to civil date in the proleptic Gregorian calendar.
  int64_t z = days + 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = yoe + era * 400;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  c.day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  c.month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  c.year = y + (c.month <= 2 ? 1 : 0);
  static const int kCum[] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
  bool leap = (c.year % 4 == 0 && c.year % 100 != 0) || c.year % 400 == 0;
  c.yday = kCum[c.month - 1] + c.day + (leap && c.month > 2 ? 1 : 0);
  return c;
}

std::string TimeString(const GoTime& t) {
  return TimeFormat(t, "2006-01-02 15:04:05.999999999 -0700 MST");
}

std::string TimeFormat(const GoTime& t, std::string_view layout) {
  static const char* const kMonths[] = {"January",   "February", "March",    "April",
                                        "May",       "June",     "July",     "August",
                                        "September", "October",  "November", "December"};
  static const char* const kDays[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                      "Thursday", "Friday", "Saturday"};
  CivilTime c = ToCivil(t);
  std::string out;
  auto starts = [&](size_t i, std::string_view s) { return layout.substr(i, s.size()) == s; };
  for (size_t i = 0; i < layout.size();) {
    // Longest matches first, in the order Go's nextStdChunk tries them.
    if (starts(i, "January")) {
      out += kMonths[c.month - 1];
      i += 7;
    } else if (starts(i, "Jan")) {
      out += std::string(kMonths[c.month - 1]).substr(0, 3);
      i += 3;
    } else if (starts(i, "Monday")) {
      out += kDays[c.weekday];
      i += 6;
    } else if (starts(i, "Mon")) {
      out += std::string(kDays[c.weekday]).substr(0, 3);
      i += 3;
    } else if (starts(i, "MST")) {
      out += "UTC";
      i += 3;
    } else if (starts(i, "01")) {
      AppendInt64(c.month, 2, &out);
      i += 2;
    } else if (starts(i, "02")) {
      AppendInt64(c.day, 2, &out);
      i += 2;
    } else if (starts(i, "03")) {
      AppendInt64(c.hour % 12 == 0 ? 12 : c.hour % 12, 2, &out);
      i += 2;
    } else if (starts(i, "04")) {
      AppendInt64(c.minute, 2, &out);
      i += 2;
    } else if (starts(i, "05")) {
      AppendInt64(c.second, 2, &out);
      i += 2;
    } else if (starts(i, "06")) {
      AppendInt64(((c.year % 100) + 100) % 100, 2, &out);
      i += 2;
    } else if (starts(i, "002")) {
      AppendInt64(c.yday, 3, &out);
      i += 3;
    } else if (starts(i, "2006")) {
      AppendInt64(c.year, 4, &out);
      i += 4;
    } else if (starts(i, "_2")) {
      if (c.day < 10) out.push_back(' ');
      AppendInt64(c.day, 0, &out);
      i += 2;
    } else if (starts(i, "15")) {
      AppendInt64(c.hour, 2, &out);
      i += 2;
    } else if (starts(i, "1")) {
      AppendInt64(c.month, 0, &out);
      i += 1;
    } else if (starts(i, "2")) {
      AppendInt64(c.day, 0, &out);
      i += 1;
    } else if (starts(i, "3")) {
      AppendInt64(c.hour % 12 == 0 ? 12 : c.hour % 12, 0, &out);
      i += 1;
    } else if (starts(i, "4")) {
      AppendInt64(c.minute, 0, &out);
      i += 1;
    } else if (starts(i, "5")) {
      AppendInt64(c.second, 0, &out);
      i += 1;
    } else if (starts(i, "PM")) {
      out += c.hour >= 12 ? "PM" : "AM";
      i += 2;
    } else if (starts(i, "pm")) {
      out += c.hour >= 12 ? "pm" : "am";
      i += 2;
    } else if (starts(i, "-07:00:00")) {
      out += "+00:00:00";
      i += 9;
    } else if (starts(i, "-0700")) {
      out += "+0000";
      i += 5;
    } else if (starts(i, "-07:00")) {
      out += "+00:00";
      i += 6;
    } else if (starts(i, "-07")) {
      out += "+00";
      i += 3;
    } else if (starts(i, "Z07:00:00") || starts(i, "Z07:00") || starts(i, "Z0700") ||
               starts(i, "Z07")) {
      out += "Z";
      i += starts(i, "Z07:00:00") ? 9 : starts(i, "Z07:00") ? 6 : starts(i, "Z0700") ? 5 : 3;
    } else if ((layout[i] == '.' || layout[i] == ',') && i + 1 < layout.size() &&
               (layout[i + 1] == '0' || layout[i + 1] == '9')) {
      // Fractional seconds: ".000" fixed digits, ".999" without trailing zeros.
      char digit = layout[i + 1];
      size_t j = i + 1;
      while (j < layout.size() && layout[j] == digit) ++j;
      bool std_frac = j >= layout.size() || !(layout[j] >= '0' && layout[j] <= '9');
      if (!std_frac) {
        out.push_back(layout[i]);
        ++i;
        continue;
      }
      size_t n = std::min<size_t>(j - i - 1, 9);
      char frac[16];
      std::snprintf(frac, sizeof(frac), "%09d", t.nsec);
      std::string digits(frac, n);
      if (digit == '9') {
        while (!digits.empty() && digits.back() == '0') digits.pop_back();
        if (!digits.empty()) out += layout[i] + digits;
      } else {
        out += layout[i] + digits;
      }
      i = j;
    } else {
      out.push_back(layout[i]);
      ++i;
    }
  }
  return out;
}

}  // namespace rules::tmpl
