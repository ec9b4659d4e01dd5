#include "server/api/query_api.h"

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <memory>
#include <set>

#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "model/duration.h"
#include "promql/errors.h"
#include "promql/json.h"
#include "promql/parser.h"
#include "server/api/tsdb_queryable.h"
#include "server/http_util.h"

namespace server {

namespace {

using nlohmann::json;

// Open-ended ranges (no start/end): far beyond any real sample, with room
// left so arithmetic on them cannot overflow.
constexpr int64_t kMinTime = -(int64_t{1} << 62);
constexpr int64_t kMaxTime = int64_t{1} << 62;

common::HttpResponse Success(const json& data) {
  json env = {{"status", "success"}, {"data", data}};
  return common::HttpResponse::Json(200, env.dump());
}

common::HttpResponse Error(std::string_view type, const std::string& msg) {
  int code = type == "bad_data"                        ? 400
             : type == "execution"                     ? 422
             : type == "timeout" || type == "canceled" ? 503
             : type == "not_found"                     ? 404
                                                       : 500;
  json env = {{"status", "error"}, {"errorType", type}, {"error", msg}};
  return common::HttpResponse::Json(code, env.dump());
}

common::HttpResponse QueryError(const common::Status& s) {
  return Error(promql::ErrorTypeString(promql::ClassifyError(s)), s.message());
}

common::Result<int64_t> TimeParam(const Params& p, const char* name, int64_t dflt) {
  std::string v = p.Get(name);
  if (v.empty()) return dflt;
  auto t = ParseApiTime(v);
  if (!t.ok()) {
    return common::Status::InvalidArgument("invalid parameter \"" + std::string(name) +
                                           "\": " + t.status().message());
  }
  return *t;
}

json LabelsJson(const model::Labels& l) {
  json o = json::object();
  for (const auto& kv : l) o[kv.name] = kv.value;
  return o;
}

template <typename Fn>
common::HttpResponse Timed(const QueryApiContext& ctx, const std::string& endpoint, Fn fn) {
  auto t0 = std::chrono::steady_clock::now();
  common::HttpResponse r = fn();
  ctx.metrics->ObserveQuery(
      endpoint, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  ctx.metrics->CountRequest(endpoint, r.status);
  return r;
}

// Label names or values over the union of the match[] selectors.
common::HttpResponse LabelsResponse(const QueryApiContext& ctx, common::HttpRequest& req,
                                    const std::string* label_name) {
  auto p = Params::FromRequest(req, ctx.max_body_bytes);
  if (!p.ok()) return Error("bad_data", p.status().message());
  auto start = TimeParam(*p, "start", kMinTime);
  auto end = TimeParam(*p, "end", kMaxTime);
  if (!start.ok()) return Error("bad_data", start.status().message());
  if (!end.ok()) return Error("bad_data", end.status().message());
  auto sets = ParseMatchParams(*p);
  if (!sets.ok()) return Error("bad_data", sets.status().message());
  if (sets->empty()) sets->push_back({});
  std::set<std::string> values;
  auto q = ctx.db->NewQuerier(*start, std::max(*start, *end));
  for (const auto& matchers : *sets) {
    auto r = label_name ? q->LabelValues(*label_name, matchers) : q->LabelNames(matchers);
    if (!r.ok()) return Error("execution", r.status().message());
    values.insert(r->begin(), r->end());
  }
  return Success(json(std::vector<std::string>(values.begin(), values.end())));
}

}  // namespace

common::Result<int64_t> ParseApiTime(const std::string& s) {
  char* end = nullptr;
  double secs = std::strtod(s.c_str(), &end);
  if (end && *end == '\0' && !s.empty()) {
    // Range-checked as a double: llround of a value outside int64 is
    // unspecified, and kMinTime/kMaxTime (2^62 ms) keep end - start in range.
    if (!std::isfinite(secs) || std::fabs(secs * 1000) > static_cast<double>(kMaxTime)) {
      return common::Status::InvalidArgument("cannot parse \"" + s + "\" to a valid timestamp");
    }
    return static_cast<int64_t>(std::llround(secs * 1000));
  }
  // RFC 3339: 2006-01-02T15:04:05[.999999999](Z|+07:00)
  struct tm tm {};
  const char* rest = strptime(s.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (!rest)
    return common::Status::InvalidArgument("cannot parse \"" + s + "\" to a valid timestamp");
  int64_t ms = 0;
  if (*rest == '.') {
    ++rest;
    int digits = 0;
    while (*rest >= '0' && *rest <= '9') {
      if (digits < 3) ms = ms * 10 + (*rest - '0');
      ++digits;
      ++rest;
    }
    for (int d = digits; d < 3; ++d) ms *= 10;
  }
  int64_t offset_s = 0;
  if (*rest == 'Z' || *rest == 'z') {
    ++rest;
  } else if (*rest == '+' || *rest == '-') {
    // Exactly "+hh:mm": anything shorter must not move rest past the end.
    const int sign = *rest == '-' ? -1 : 1;
    auto digit = [](char c) { return c >= '0' && c <= '9'; };
    if (!digit(rest[1]) || !digit(rest[2]) || rest[3] != ':' || !digit(rest[4]) ||
        !digit(rest[5])) {
      return common::Status::InvalidArgument("cannot parse \"" + s + "\" to a valid timestamp");
    }
    const int hh = (rest[1] - '0') * 10 + (rest[2] - '0');
    const int mm = (rest[4] - '0') * 10 + (rest[5] - '0');
    offset_s = sign * (hh * 3600 + mm * 60);
    rest += 6;
  } else {
    return common::Status::InvalidArgument("cannot parse \"" + s + "\" to a valid timestamp");
  }
  if (*rest != '\0')
    return common::Status::InvalidArgument("cannot parse \"" + s + "\" to a valid timestamp");
  const int64_t secs_utc = static_cast<int64_t>(timegm(&tm)) - offset_s;
  if (std::llabs(secs_utc) > kMaxTime / 1000 - 1) {
    return common::Status::InvalidArgument("cannot parse \"" + s + "\" to a valid timestamp");
  }
  return secs_utc * 1000 + ms;
}

common::Result<int64_t> ParseApiDuration(const std::string& s) {
  char* end = nullptr;
  double secs = std::strtod(s.c_str(), &end);
  if (end && *end == '\0' && !s.empty()) {
    if (!std::isfinite(secs) || secs * 1000 > 9.2e18 || secs * 1000 < -9.2e18) {
      return common::Status::InvalidArgument("cannot parse \"" + s +
                                             "\" to a valid duration. It overflows int64");
    }
    return static_cast<int64_t>(std::llround(secs * 1000));
  }
  auto d = model::ParseDuration(s);
  if (!d.ok())
    return common::Status::InvalidArgument("cannot parse \"" + s + "\" to a valid duration");
  return *d;
}

common::Result<std::vector<std::vector<tsdb::Matcher>>> ParseMatchParams(const Params& p) {
  std::vector<std::vector<tsdb::Matcher>> out;
  for (const auto& sel : p.GetAll("match[]")) {
    auto e = promql::ParseExpr(sel);
    if (!e.ok()) return common::Status::InvalidArgument(e.status().message());
    if ((*e)->kind != promql::ExprKind::kVectorSelector) {
      return common::Status::InvalidArgument("invalid parameter \"match[]\": " + sel +
                                             " is not a vector selector");
    }
    auto* vs = static_cast<const promql::VectorSelector*>(e->get());
    out.push_back(vs->matchers);
  }
  return out;
}

void RegisterQueryApi(common::HttpServer& http, const QueryApiContext& ctx) {
  http.Handle("/api/v1/query", [ctx](common::HttpRequest& req) {
    return Timed(ctx, "/api/v1/query", [&] {
      auto p = Params::FromRequest(req, ctx.max_body_bytes);
      if (!p.ok()) return Error("bad_data", p.status().message());
      std::string query = p->Get("query");
      if (query.empty() && !p->Has("query")) {
        return Error("bad_data", "invalid parameter \"query\": query must not be empty");
      }
      auto ts = TimeParam(*p, "time", common::NowMs());
      if (!ts.ok()) return Error("bad_data", ts.status().message());
      TsdbQueryable storage(ctx.db);
      auto r = ctx.engine->InstantQuery(storage, query, *ts, req.ClientGone());
      if (!r.ok()) return QueryError(r.status());
      return common::HttpResponse::Json(200, promql::RenderJsonSuccessBody(*r));
    });
  });

  http.Handle("/api/v1/query_range", [ctx](common::HttpRequest& req) {
    return Timed(ctx, "/api/v1/query_range", [&] {
      auto p = Params::FromRequest(req, ctx.max_body_bytes);
      if (!p.ok()) return Error("bad_data", p.status().message());
      for (const char* required : {"start", "end", "step"}) {
        if (p->Get(required).empty()) {
          return Error("bad_data",
                       std::string("invalid parameter \"") + required +
                           "\": cannot parse \"\" to a valid " +
                           (std::string(required) == "step" ? "duration" : "timestamp"));
        }
      }
      auto start = ParseApiTime(p->Get("start"));
      if (!start.ok())
        return Error("bad_data", "invalid parameter \"start\": " + start.status().message());
      auto end = ParseApiTime(p->Get("end"));
      if (!end.ok())
        return Error("bad_data", "invalid parameter \"end\": " + end.status().message());
      if (*end < *start) {
        return Error("bad_data",
                     "invalid parameter \"end\": end timestamp must not be before start time");
      }
      auto step = ParseApiDuration(p->Get("step"));
      if (!step.ok())
        return Error("bad_data", "invalid parameter \"step\": " + step.status().message());
      if (*step <= 0) {
        return Error("bad_data",
                     "invalid parameter \"step\": zero or negative query resolution step "
                     "widths are not accepted. Try a positive integer");
      }
      // Both ends are within +-2^62 ms (ParseApiTime), so end - start fits.
      if ((*end - *start) / *step > 11000) {
        return Error("bad_data",
                     "exceeded maximum resolution of 11,000 points per timeseries. Try "
                     "decreasing the query resolution (?step=XX)");
      }
      // Thanos's max_source_resolution: "raw" (or 0s) reads raw samples
      // only, a duration tiers of at most that resolution; "auto" or
      // absent, any tier the query's step allows.
      int64_t max_source_resolution = -1;
      if (const std::string msr = p->Get("max_source_resolution"); !msr.empty() && msr != "auto") {
        if (msr == "raw") {
          max_source_resolution = 0;
        } else {
          auto d = ParseApiDuration(msr);
          if (!d.ok() || *d < 0) {
            return Error("bad_data",
                         "invalid parameter \"max_source_resolution\": want raw, auto or a "
                         "duration, got \"" +
                             msr + "\"");
          }
          max_source_resolution = *d;
        }
      }
      TsdbQueryable storage(ctx.db, max_source_resolution);
      auto r = ctx.engine->RangeQuerySteps(storage, p->Get("query"), *start, *end, *step,
                                           req.ClientGone());
      if (!r.ok()) return QueryError(r.status());
      // Evaluation is complete (errors answered above); the body is formatted
      // while it is sent, so the client reads the first series early.
      common::HttpResponse resp = common::HttpResponse::Json(200, "");
      // Which data answered: "raw", or the coarsest tier read ("300s").
      const int64_t used = storage.coarsest_resolution_used();
      resp.headers.emplace_back("X-Source-Resolution",
                                used == 0 ? "raw" : std::to_string(used / 1000) + "s");
      auto m = std::make_shared<promql::StepMatrix>(std::move(r).value());
      resp.stream = [m](const common::BodyWriter& write) {
        return promql::RenderJsonRange(*m, write);
      };
      return resp;
    });
  });

  http.Handle("/api/v1/series", [ctx](common::HttpRequest& req) {
    return Timed(ctx, "/api/v1/series", [&] {
      auto p = Params::FromRequest(req, ctx.max_body_bytes);
      if (!p.ok()) return Error("bad_data", p.status().message());
      auto sets = ParseMatchParams(*p);
      if (!sets.ok()) return Error("bad_data", sets.status().message());
      if (sets->empty()) return Error("bad_data", "no match[] parameter provided");
      auto start = TimeParam(*p, "start", kMinTime);
      auto end = TimeParam(*p, "end", kMaxTime);
      if (!start.ok()) return Error("bad_data", start.status().message());
      if (!end.ok()) return Error("bad_data", end.status().message());
      std::set<model::Labels> series;
      auto q = ctx.db->NewQuerier(*start, std::max(*start, *end));
      for (const auto& m : *sets) {
        auto set = q->Select(m);
        while (set->Next()) series.insert(set->labels());
        if (!set->status().ok()) return Error("execution", set->status().message());
      }
      json out = json::array();
      for (const auto& l : series) out.push_back(LabelsJson(l));
      return Success(out);
    });
  });

  http.Handle("/api/v1/labels", [ctx](common::HttpRequest& req) {
    return Timed(ctx, "/api/v1/labels", [&] { return LabelsResponse(ctx, req, nullptr); });
  });

  http.HandlePrefix("/api/v1/label/", [ctx](common::HttpRequest& req) {
    return Timed(ctx, "/api/v1/label/values", [&] {
      std::string_view path = req.path();
      path.remove_prefix(std::string_view("/api/v1/label/").size());
      if (!path.ends_with("/values")) return Error("not_found", "unknown endpoint");
      std::string name(path.substr(0, path.size() - std::string_view("/values").size()));
      if (!model::IsValidLabelName(name) && name != "__name__") {
        return Error("bad_data", "invalid label name: \"" + name + "\"");
      }
      return LabelsResponse(ctx, req, &name);
    });
  });

  http.Handle("/api/v1/metadata", [ctx](common::HttpRequest& req) {
    auto p = Params::FromRequest(req, ctx.max_body_bytes);
    if (!p.ok()) return Error("bad_data", p.status().message());
    std::string metric = p->Get("metric");
    long limit = p->Has("limit") ? std::strtol(p->Get("limit").c_str(), nullptr, 10) : -1;
    json out = json::object();
    long n = 0;
    for (const auto& [name, md] : ctx.metadata->Snapshot()) {
      if (!metric.empty() && name != metric) continue;
      if (limit >= 0 && n >= limit) break;
      out[name] = json::array(
          {{{"type", md.type.empty() ? "unknown" : md.type}, {"help", md.help}, {"unit", ""}}});
      ++n;
    }
    return Success(out);
  });

  http.Handle("/api/v1/status/buildinfo", [ctx](common::HttpRequest&) {
    return Success({{"version", ctx.version},
                    {"revision", "unknown"},
                    {"branch", "main"},
                    {"buildUser", "monitoring-stack"},
                    {"buildDate", "unknown"},
                    {"goVersion", "none (C++)"}});
  });

  // Prometheus's TSDB status (cardinality): 2.42's fields; `limit` (default
  // 10, as 2.42's fixed top 10) as later Prometheus versions take it.
  http.Handle("/api/v1/status/tsdb", [ctx](common::HttpRequest& req) {
    auto p = Params::FromRequest(req, ctx.max_body_bytes);
    if (!p.ok()) return Error("bad_data", p.status().message());
    long limit = 10;
    if (p->Has("limit")) {
      const std::string v = p->Get("limit");
      char* end = nullptr;
      limit = std::strtol(v.c_str(), &end, 10);
      if (v.empty() || *end != '\0' || limit <= 0 || limit > 10000) {
        return Error("bad_data", "limit must be a positive number up to 10000");
      }
    }
    const tsdb::CardinalityStats st = ctx.db->Cardinality(static_cast<size_t>(limit));
    auto entries = [](const std::vector<tsdb::CardinalityStats::Entry>& es) {
      json a = json::array();
      for (const auto& e : es) a.push_back({{"name", e.name}, {"value", e.value}});
      return a;
    };
    return Success({{"headStats",
                     {{"numSeries", st.num_series},
                      {"numLabelPairs", st.num_label_pairs},
                      {"chunkCount", st.head_chunks},
                      {"minTime", st.min_time},
                      {"maxTime", st.max_time}}},
                    {"seriesCountByMetricName", entries(st.series_count_by_metric_name)},
                    {"labelValueCountByLabelName", entries(st.label_value_count_by_label_name)},
                    {"memoryInBytesByLabelName", entries(st.memory_in_bytes_by_label_name)},
                    {"seriesCountByLabelValuePair", entries(st.series_count_by_label_value_pair)}});
  });

  http.Handle("/api/v1/targets", [ctx](common::HttpRequest&) {
    json active = json::array();
    for (const auto& t : ctx.targets()) {
      active.push_back({{"discoveredLabels", LabelsJson(t.target.labels)},
                        {"labels", LabelsJson(t.target.labels)},
                        {"scrapePool", t.target.job},
                        {"scrapeUrl", t.target.url},
                        {"lastError", t.last_error},
                        {"lastScrapeDuration", t.last_duration_seconds},
                        {"health", t.last_scrape_ms == 0 ? "unknown"
                                   : t.up                ? "up"
                                                         : "down"}});
    }
    return Success({{"activeTargets", active}, {"droppedTargets", json::array()}});
  });

  // No exemplars are stored; answering an empty list keeps Grafana quiet.
  http.Handle("/api/v1/query_exemplars",
              [](common::HttpRequest&) { return Success(json::array()); });
}

}  // namespace server
