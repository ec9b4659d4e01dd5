#include "model/regexp_expand.h"

namespace model {

namespace {

// Go's extract(): the longest run of letters (L), decimal digits (Nd), '_'.
const re2::RE2& NamePattern() {
  static const re2::RE2 kPattern(R"([\p{L}\p{Nd}_]+)");
  return kPattern;
}

// The group a reference names, or -1.
int GroupOf(const re2::RE2& re, std::string_view name) {
  // Decimal digits without a leading zero are a group number; Go stops
  // counting (and looks the name up instead) past 1e8.
  int num = 0;
  for (char c : name) {
    if (c < '0' || c > '9' || num >= 100000000) {
      num = -1;
      break;
    }
    num = num * 10 + (c - '0');
  }
  if (name.size() > 1 && name[0] == '0') num = -1;
  if (num >= 0) return num;
  const auto& named = re.NamedCapturingGroups();
  auto it = named.find(std::string(name));
  return it == named.end() ? -1 : it->second;
}

}  // namespace

void ExpandRegexpTemplate(std::string_view tmpl, const re2::RE2& re,
                          const std::vector<re2::StringPiece>& groups, std::string* out) {
  while (true) {
    size_t dollar = tmpl.find('$');
    if (dollar == std::string_view::npos) break;
    out->append(tmpl.substr(0, dollar));
    tmpl.remove_prefix(dollar + 1);
    if (!tmpl.empty() && tmpl[0] == '$') {  // "$$" is a literal '$'
      out->push_back('$');
      tmpl.remove_prefix(1);
      continue;
    }
    const bool brace = !tmpl.empty() && tmpl[0] == '{';
    std::string_view after_brace = brace ? tmpl.substr(1) : tmpl;
    std::string_view name;
    re2::StringPiece name_piece;
    if (NamePattern().Match(after_brace, 0, after_brace.size(), re2::RE2::ANCHOR_START,
                            &name_piece, 1)) {
      name = std::string_view(name_piece.data(), name_piece.size());
    }
    size_t consumed = (brace ? 1 : 0) + name.size();
    bool well_formed = !name.empty();
    if (well_formed && brace) {
      well_formed = name.size() < after_brace.size() && after_brace[name.size()] == '}';
      ++consumed;
    }
    if (!well_formed) {  // Go keeps a malformed reference's '$' as text
      out->push_back('$');
      continue;
    }
    const int group = GroupOf(re, name);
    if (group >= 0 && static_cast<size_t>(group) < groups.size() &&
        groups[static_cast<size_t>(group)].data() != nullptr) {
      out->append(groups[static_cast<size_t>(group)].data(),
                  groups[static_cast<size_t>(group)].size());
    }
    tmpl.remove_prefix(consumed);
  }
  out->append(tmpl);
}

}  // namespace model
