// Go's Regexp.Expand over an RE2 match: the one implementation of the
// replacement templates Prometheus users write, shared by relabel_config's
// replacement/target_label (model/relabel.h) and the templates'
// reReplaceAll (rules/template_funcs.cc).
//
// In the template, $name and ${name} are replaced by the group of that
// number or name (nothing if there is no such group or it took no part in
// the match); a name is the longest run of Unicode letters, decimal digits
// and '_' (so "$1x" names the group "1x"); a number has no leading zero and
// is below 1e8; "$$" is a literal '$'; a malformed reference ("$", "${1")
// leaves its '$' as text.
#pragma once

#include <re2/re2.h>

#include <string>
#include <string_view>
#include <vector>

namespace model {

// Appends the expansion of tmpl to *out. groups[i] is group i of the match
// (a null data() for a group that did not take part); names are looked up in
// re's named groups.
void ExpandRegexpTemplate(std::string_view tmpl, const re2::RE2& re,
                          const std::vector<re2::StringPiece>& groups, std::string* out);

}  // namespace model
