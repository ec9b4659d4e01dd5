#include "server/ingest_routes.h"

#include <chrono>

#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "server/http_util.h"
#include "server/ingest/import.h"
#include "server/ingest/remote_write.h"
#include "server/ingest/system_json.h"
#include "server/ingest/text_ingest.h"

namespace server {

namespace {

common::HttpResponse BodyError(const common::Status& s) {
  // A body that cannot be read is the client's problem (400), not a 503.
  if (s.IsIOError()) return common::HttpResponse::Text(400, s.message() + "\n");
  return common::HttpResponse::FromStatus(s);
}

// A request refused before its samples were committed. An IOError there is
// the store failing to create a series (disk full): 503, retryable.
common::HttpResponse Refused(const common::Status& s) {
  if (s.IsIOError()) return common::HttpResponse::Text(503, "storage error: " + s.message() + "\n");
  return common::HttpResponse::FromStatus(s);
}

// 204 when everything was stored; 400 listing per-sample rejections otherwise
// (the good samples are kept); 429 when the series limit refused samples; 503
// when a series was removed while the request was in flight (a retry resolves
// it anew and stores the samples; the ones stored already are then ignored
// as duplicates).
common::HttpResponse AppendOutcome(const tsdb::AppendResult& r) {
  if (!r.status.ok() && r.status.IsIOError()) {
    return common::HttpResponse::Text(503, "storage error: " + r.status.message() + "\n");
  }
  if (r.rejected() == 0) return common::HttpResponse::Text(204, "");
  int code = r.series_removed > 0 ? 503 : r.series_limit > 0 ? 429 : 400;
  return common::HttpResponse::Text(code, DescribeRejections(r) + "\n");
}

common::HttpResponse PushJson(const IngestContext& ctx, const Params& params,
                              const std::string& body, std::string_view remote) {
  auto reading = ParseSystemJson(body);
  if (!reading.ok()) return common::HttpResponse::FromStatus(reading.status());
  std::string job = params.Has("job") ? params.Get("job") : "system-stats";
  std::string instance = params.Has("instance") ? params.Get("instance") : reading->hostname;
  if (instance.empty()) instance = std::string(remote);
  int64_t ts = reading->timestamp_ms ? reading->timestamp_ms : common::NowMs();
  std::vector<tsdb::RefSample> batch;
  Ingester::SeriesBatch series(ctx.ingester);  // created only once all series are valid
  for (const auto& s : reading->samples) {
    model::Labels labels = s.labels.With("job", job).With("instance", instance);
    auto ref = series.Resolve(labels.ToString(),
                              [&]() -> common::Result<model::Labels> { return labels; });
    if (!ref.ok()) return Refused(ref.status());
    batch.push_back({*ref, ts, s.value});
  }
  if (auto s = series.Create(&batch); !s.ok()) return Refused(s);
  ctx.metrics->CountIngested("push_json", batch.size());
  return AppendOutcome(ctx.ingester->Commit(batch));
}

common::HttpResponse PushText(const IngestContext& ctx, const Params& params,
                              const std::string& body, std::string_view remote) {
  TextIngestOptions opts;
  std::string job = params.Has("job") ? params.Get("job") : "system-stats";
  std::string instance = params.Has("instance") ? params.Get("instance") : std::string(remote);
  opts.target_labels = model::Labels{{"job", job}, {"instance", instance}};
  opts.default_timestamp_ms = common::NowMs();
  opts.metadata = ctx.metadata;
  auto r = IngestText(*ctx.ingester, body, opts);
  if (!r.ok()) return Refused(r.status());
  ctx.metrics->CountIngested("push_text", r->samples);
  return AppendOutcome(r->append);
}

}  // namespace

void RegisterIngestRoutes(common::HttpServer& http, const IngestContext& ctx,
                          common::HttpServer::Handler self_metrics_handler) {
  const size_t max_body = ctx.ingester->limits().max_body_bytes;

  http.Handle("/metrics", [ctx, max_body, self_metrics_handler](common::HttpRequest& req) {
    if (req.method() == "GET" || req.method() == "HEAD") return self_metrics_handler(req);
    if (req.method() != "POST") return common::HttpResponse::Text(405, "use GET or POST\n");
    if (auto denied = CheckWrite(req, ctx.write_access)) return *denied;
    // The body is the pushed data, so job/instance come from the query string
    // only (FromRequest would try to read a form body).
    Params params = Params::FromQuery(req);
    auto body = req.ReadAll(max_body);
    if (!body.ok()) return BodyError(body.status());
    std::string_view ct = req.Header("Content-Type");
    bool json = ct.starts_with("application/json") ||
                (ct.empty() && !body->empty() && body->front() == '{');
    auto resp = json ? PushJson(ctx, params, *body, req.remote_addr())
                     : PushText(ctx, params, *body, req.remote_addr());
    ctx.metrics->CountRequest("/metrics", resp.status);
    return resp;
  });

  http.Handle("/api/v1/write", [ctx, max_body](common::HttpRequest& req) {
    if (req.method() != "POST") return common::HttpResponse::Text(405, "use POST\n");
    if (auto denied = CheckWrite(req, ctx.write_access)) return *denied;
    std::string_view enc = req.Header("Content-Encoding");
    if (!enc.empty() && enc != "snappy") {
      return common::HttpResponse::Text(415, "unsupported Content-Encoding \"" + std::string(enc) +
                                                 "\" (remote_write 1.0 uses snappy)\n");
    }
    auto body = req.ReadAll(max_body);
    if (!body.ok()) return BodyError(body.status());
    auto r = IngestRemoteWrite(*ctx.ingester, *body, ctx.metadata);
    common::HttpResponse resp;
    if (!r.ok()) {
      resp = Refused(r.status());
    } else {
      ctx.metrics->CountIngested("remote_write", r->samples);
      resp = AppendOutcome(r->append);
    }
    ctx.metrics->CountRequest("/api/v1/write", resp.status);
    return resp;
  });

  http.Handle("/api/v1/import/prometheus", [ctx](common::HttpRequest& req) {
    if (req.method() != "POST") return common::HttpResponse::Text(405, "use POST\n");
    if (auto denied = CheckWrite(req, ctx.write_access)) return *denied;
    uint64_t max = ctx.ingester->limits().max_import_body_bytes;
    if (req.content_length() > 0 && static_cast<uint64_t>(req.content_length()) > max) {
      return common::HttpResponse::Text(
          413, "body exceeds the import limit of " + std::to_string(max) + " bytes\n");
    }
    ImportResult r = ImportText(
        *ctx.ingester, [&req](char* buf, size_t n) { return req.ReadBody(buf, n); },
        common::NowMs(), max);
    ctx.metrics->CountIngested("import", r.samples);
    nlohmann::json summary = {{"samples", r.samples},
                              {"accepted", r.accepted},
                              {"rejected",
                               {{"out_of_order", r.out_of_order},
                                {"duplicate", r.duplicate},
                                {"too_old", r.too_old},
                                {"too_far_in_future", r.too_far_in_future},
                                {"series_limit", r.series_limit},
                                {"invalid", r.invalid},
                                {"series_removed", r.series_removed}}}};
    common::HttpResponse resp;
    if (r.storage_error) {
      // Retrying the import is safe: what was stored is not stored twice.
      summary["error"] = "storage error: " + r.status.message() + " (" +
                         std::to_string(r.accepted) + " samples before it were stored; retry)";
      resp = common::HttpResponse::Json(503, summary.dump() + "\n");
    } else if (!r.status.ok()) {
      summary["error"] = r.status.message() + " (" + std::to_string(r.accepted) +
                         " samples before it were stored)";
      int code = r.status.IsTooLarge() ? 413 : r.status.IsResourceExhausted() ? 429 : 400;
      resp = common::HttpResponse::Json(code, summary.dump() + "\n");
    } else if (r.series_removed > 0) {
      // Retrying the import is safe: what was stored is ignored as duplicates.
      summary["error"] = "series removed while the import was in flight; retry";
      resp = common::HttpResponse::Json(503, summary.dump() + "\n");
    } else {
      resp = common::HttpResponse::Json(200, summary.dump() + "\n");
    }
    ctx.metrics->CountRequest("/api/v1/import/prometheus", resp.status);
    return resp;
  });
}

}  // namespace server
