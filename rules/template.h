// Go text/template expansion for rule labels and annotations, with
// Prometheus 2.42's function map (template/template.go), so an alert's
// labels and annotations read exactly as Prometheus would write them.
//
//   rules::TemplateData data;
//   data.labels = alert_labels;
//   data.value = 0.93;
//   auto text = rules::ExpandTemplate("__alert_DiskFull",
//       "{{ $labels.mountpoint }} is {{ $value | humanizePercentage }} full",
//       data, eval_ms, query_fn);
//
// The text is parsed with Prometheus's definitions prepended:
//   {{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}
//   {{$externalURL := .ExternalURL}}{{$value := .Value}}
// so the text sees $labels, $externalLabels, $externalURL and $value, and
// the data's fields as .Labels, .ExternalLabels, .ExternalURL, .Value.
//
// Supported: text, {{- -}} trimming, comments, pipelines, variables
// (declare and assign), if/else if/else, range (with else, over query results
// and label maps), with/else, define/template/block, parenthesised calls,
// field and map-key access (.Labels.instance, $labels.job), the Go builtins
// (and, or, not, len, index, print, printf, println, eq, ne, lt, le, gt, ge,
// html, js, urlquery, slice) and Prometheus's functions (query, first,
// label, value, strvalue, args, reReplaceAll, safeHtml, match, title,
// toUpper, toLower, graphLink, tableLink, sortByLabel, humanize,
// humanize1024, humanizeDuration, humanizePercentage, humanizeTimestamp,
// toTime, pathPrefix, externalURL, parseDuration).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "model/labels.h"

namespace rules {

// What the templates of one alert see (Prometheus's AlertTemplateData).
struct TemplateData {
  model::Labels labels;           // .Labels / $labels
  model::Labels external_labels;  // .ExternalLabels / $externalLabels
  std::string external_url;       // .ExternalURL / $externalURL
  double value = 0;               // .Value / $value
};

// One element of a `query` result (Prometheus's template sample).
struct QuerySample {
  model::Labels labels;
  double value = 0;
};

// The `query` function: an instant query at the evaluation time. An error
// becomes the template's error.
using TemplateQueryFunc =
    std::function<common::Result<std::vector<QuerySample>>(const std::string& query)>;

// Parses `text` (definitions prepended) as Go's template.Parse does with
// Prometheus's function map, without executing it: the check rule files get
// at load (rulefmt's testTemplateParsing). InvalidArgument with the reason on
// a syntax error or an unknown function; the message is Go's parse error,
// e.g. `template: __alert_X:1: function "foo" not defined` (what promtool
// check rules prints after `annotation "a": `).
common::Status CheckTemplate(std::string_view name, std::string_view text);

// Parses and executes `text` for `data`. eval_ms is the evaluation time
// (milliseconds) for functions that need one. `query` may be empty: then a
// template calling `query` fails. On error the caller decides what to show
// (Prometheus writes "<error expanding template: ERR>"). The message is the
// text of Prometheus's Expand error, so "<error expanding template: " +
// message + ">" is what Prometheus shows: "error parsing template NAME: ..."
// or "error executing template NAME: template: NAME:LINE:COL: executing
// "NAME" at <eq $value 1>: error calling eq: incompatible types for
// comparison" (columns count the prepended definitions, as Go's do).
//
// Known differences from Prometheus: toUpper/toLower/title map case for
// ASCII, Latin-1, Greek and Cyrillic only; printing a query result slice
// shows made-up pointers (Go prints addresses); template calls nest at most
// 1000 deep (Go: 100000); complex number literals are refused.
common::Result<std::string> ExpandTemplate(std::string_view name, std::string_view text,
                                           const TemplateData& data, int64_t eval_ms,
                                           const TemplateQueryFunc& query);

}  // namespace rules
