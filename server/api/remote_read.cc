#include "server/api/remote_read.h"

#include <snappy.h>

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>

#include <spdlog/spdlog.h>

#include "server/api/read_frames.h"

namespace server {

namespace {

using ms::remote::ReadRequest;

// Admits at most `limit` requests at once; the others wait in Acquire.
class ReadGate {
 public:
  explicit ReadGate(int limit) : limit_(limit) {}

  // Waits for a slot. False if *client_gone became true first.
  bool Acquire(const std::atomic<bool>* client_gone) {
    std::unique_lock<std::mutex> lock(mu_);
    while (active_ >= limit_) {
      if (client_gone && client_gone->load()) return false;
      cv_.wait_for(lock, std::chrono::milliseconds(100));
    }
    ++active_;
    return true;
  }
  void Release() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      --active_;
    }
    cv_.notify_one();
  }

 private:
  const int limit_;
  std::mutex mu_;
  std::condition_variable cv_;
  int active_ = 0;  // guarded by mu_
};

// Holds a gate slot until destroyed; shared with a streaming response, so
// the slot is held until the last frame is sent.
class GateSlot {
 public:
  explicit GateSlot(ReadGate* gate) : gate_(gate) {}
  ~GateSlot() { gate_->Release(); }
  GateSlot(const GateSlot&) = delete;
  GateSlot& operator=(const GateSlot&) = delete;

 private:
  ReadGate* gate_;
};

struct PreparedQuery {
  int64_t start_ms;
  int64_t end_ms;
  std::vector<tsdb::Matcher> matchers;
};

void SetLabels(const model::Labels& labels,
               google::protobuf::RepeatedPtrField<ms::remote::Label>* out) {
  out->Reserve(static_cast<int>(labels.size()));
  for (const auto& l : labels) {
    ms::remote::Label* pl = out->Add();
    pl->set_name(l.name);
    pl->set_value(l.value);
  }
}

// Every sample of each query in one ReadResponse. Fails with
// ResourceExhausted past the sample limit.
common::Result<std::string> ReadSamples(const RemoteReadContext& ctx,
                                        const std::vector<PreparedQuery>& queries,
                                        const model::Labels& external) {
  ms::remote::ReadResponse resp;
  int64_t total = 0;
  model::SampleVector samples;
  for (const PreparedQuery& q : queries) {
    ms::remote::QueryResult* result = resp.add_results();
    if (q.start_ms > q.end_ms) continue;
    auto querier = ctx.db->NewQuerier(q.start_ms, q.end_ms);
    auto set = querier->Select(q.matchers);
    while (set->Next()) {
      samples.clear();
      auto it = set->NewIterator();
      if (auto s = it->AppendRange(q.start_ms, q.end_ms, &samples); !s.ok()) return s;
      total += static_cast<int64_t>(samples.size());
      if (ctx.sample_limit > 0 && total > ctx.sample_limit) {
        return common::Status::ResourceExhausted("exceeded sample limit (" +
                                                 std::to_string(ctx.sample_limit) + ")");
      }
      ms::remote::TimeSeries* ts = result->add_timeseries();
      SetLabels(WithExternalLabels(set->labels(), external), ts->mutable_labels());
      ts->mutable_samples()->Reserve(static_cast<int>(samples.size()));
      for (const auto& smp : samples) {
        ms::remote::Sample* ps = ts->add_samples();
        ps->set_timestamp(smp.t);
        ps->set_value(smp.v);
      }
    }
    if (!set->status().ok()) return set->status();
  }
  std::string raw;
  if (!resp.SerializeToString(&raw)) return common::Status::Internal("cannot encode ReadResponse");
  std::string compressed;
  snappy::Compress(raw.data(), raw.size(), &compressed);
  return compressed;
}

// Writes each query's series as frames; false when the client went away or
// the store failed (then the response is cut short: its status was sent).
bool StreamChunks(const RemoteReadContext& ctx, const std::vector<PreparedQuery>& queries,
                  const model::Labels& external, const common::BodyWriter& write) {
  model::SampleVector samples;
  std::string message, frame;
  for (size_t qi = 0; qi < queries.size(); ++qi) {
    const PreparedQuery& q = queries[qi];
    if (q.start_ms > q.end_ms) continue;
    auto querier = ctx.db->NewQuerier(q.start_ms, q.end_ms);
    auto set = querier->Select(q.matchers);
    while (set->Next()) {
      samples.clear();
      auto it = set->NewIterator();
      if (auto s = it->AppendRange(q.start_ms, q.end_ms, &samples); !s.ok()) {
        spdlog::error("remote read: reading {}: {}", set->labels().ToString(), s.ToString());
        return false;
      }
      ms::remote::ChunkedReadResponse resp;
      resp.set_query_index(static_cast<int64_t>(qi));
      ms::remote::ChunkedSeries* series = resp.add_chunked_series();
      SetLabels(WithExternalLabels(set->labels(), external), series->mutable_labels());
      // As Prometheus: the frame budget less the labels' size, overshot by
      // at most one chunk.
      int64_t budget = static_cast<int64_t>(ctx.max_bytes_in_frame);
      for (const auto& l : series->labels()) budget -= static_cast<int64_t>(l.ByteSizeLong());
      int64_t left = budget;
      std::vector<XorReadChunk> chunks = EncodeXorReadChunks(samples);
      for (size_t ci = 0; ci < chunks.size(); ++ci) {
        ms::remote::Chunk* c = series->add_chunks();
        c->set_min_time_ms(chunks[ci].min_time_ms);
        c->set_max_time_ms(chunks[ci].max_time_ms);
        c->set_type(ms::remote::Chunk::XOR);
        c->set_data(std::move(chunks[ci].data));
        left -= static_cast<int64_t>(c->ByteSizeLong());
        const bool more = ci + 1 < chunks.size();
        if (left > 0 && more) continue;
        message.clear();
        resp.SerializeToString(&message);
        frame.clear();
        AppendReadFrame(message, &frame);
        if (!write(frame)) return false;
        series->clear_chunks();
        left = budget;
      }
    }
    if (!set->status().ok()) {
      spdlog::error("remote read: {}", set->status().ToString());
      return false;
    }
  }
  return true;
}

common::HttpResponse TextError(int code, const std::string& msg) {
  return common::HttpResponse::Text(code, msg + "\n");
}

}  // namespace

common::Result<ReadRequest> DecodeReadRequest(std::string_view body, size_t max_decoded_bytes) {
  size_t raw_len = 0;
  if (!snappy::GetUncompressedLength(body.data(), body.size(), &raw_len)) {
    return common::Status::InvalidArgument("body is not snappy block-compressed data");
  }
  if (raw_len > max_decoded_bytes) {
    return common::Status::TooLarge("decompressed body of " + std::to_string(raw_len) +
                                    " bytes exceeds the limit of " +
                                    std::to_string(max_decoded_bytes) + " bytes");
  }
  std::string raw;
  if (!snappy::Uncompress(body.data(), body.size(), &raw)) {
    return common::Status::InvalidArgument("corrupt snappy data");
  }
  ReadRequest req;
  if (!req.ParseFromString(raw)) {
    return common::Status::InvalidArgument("body is not a valid remote_read ReadRequest protobuf");
  }
  return req;
}

common::Result<std::vector<tsdb::Matcher>> ReadQueryMatchers(const ms::remote::Query& query,
                                                             const model::Labels& external_labels) {
  std::vector<tsdb::Matcher> out;
  out.reserve(query.matchers_size());
  for (const auto& m : query.matchers()) {
    tsdb::Matcher::Type type;
    switch (m.type()) {
      case ms::remote::LabelMatcher::EQ:
        type = tsdb::Matcher::Type::kEqual;
        break;
      case ms::remote::LabelMatcher::NEQ:
        type = tsdb::Matcher::Type::kNotEqual;
        break;
      case ms::remote::LabelMatcher::RE:
        type = tsdb::Matcher::Type::kRegexMatch;
        break;
      case ms::remote::LabelMatcher::NRE:
        type = tsdb::Matcher::Type::kRegexNoMatch;
        break;
      default:
        return common::Status::InvalidArgument("invalid matcher type " +
                                               std::to_string(static_cast<int>(m.type())) +
                                               " for label \"" + m.name() + "\"");
    }
    // The client adds its own external labels as equality matchers; the
    // stored series do not carry them (they are added on the way out).
    if (type == tsdb::Matcher::Type::kEqual && !m.value().empty() &&
        external_labels.Get(m.name()) == m.value()) {
      continue;
    }
    auto matcher = tsdb::Matcher::Make(type, m.name(), m.value());
    if (!matcher.ok()) return matcher.status();
    out.push_back(std::move(matcher).value());
  }
  return out;
}

common::Result<ReadRequest::ResponseType> NegotiateReadResponseType(const ReadRequest& request) {
  if (request.accepted_response_types_size() == 0) return ReadRequest::SAMPLES;
  std::string asked;
  for (int t : request.accepted_response_types()) {
    if (t == ReadRequest::SAMPLES || t == ReadRequest::STREAMED_XOR_CHUNKS) {
      return static_cast<ReadRequest::ResponseType>(t);
    }
    if (!asked.empty()) asked += " ";
    asked += std::to_string(t);
  }
  return common::Status::InvalidArgument(
      "server does not support any of the requested response types: [" + asked +
      "]; supported: [SAMPLES STREAMED_XOR_CHUNKS]");
}

model::Labels WithExternalLabels(const model::Labels& series, const model::Labels& external) {
  if (external.empty()) return series;
  std::vector<model::Label> merged = series.items();
  for (const auto& l : external) {
    if (!series.Has(l.name)) merged.push_back(l);
  }
  return model::Labels::FromVector(std::move(merged));
}

void RegisterRemoteRead(common::HttpServer& http, const RemoteReadContext& ctx) {
  auto gate = std::make_shared<ReadGate>(std::max(1, ctx.concurrent_limit));
  http.Handle("/api/v1/read", [ctx, gate](common::HttpRequest& req) {
    const auto t0 = std::chrono::steady_clock::now();
    auto respond = [&](common::HttpResponse r) {
      ctx.metrics->ObserveQuery(
          "/api/v1/read",
          std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
      ctx.metrics->CountRequest("/api/v1/read", r.status);
      return r;
    };
    if (req.method() != "POST") return respond(TextError(405, "use POST"));
    auto body = req.ReadAll(ctx.max_body_bytes);
    if (!body.ok()) {
      return respond(TextError(body.status().IsTooLarge() ? 413 : 400, body.status().message()));
    }
    auto request = DecodeReadRequest(*body, ctx.max_body_bytes);
    if (!request.ok()) return respond(common::HttpResponse::FromStatus(request.status()));
    auto type = NegotiateReadResponseType(*request);
    if (!type.ok()) return respond(TextError(400, type.status().message()));
    const model::Labels external = ctx.external_labels();
    auto queries = std::make_shared<std::vector<PreparedQuery>>();
    for (const auto& q : request->queries()) {
      auto matchers = ReadQueryMatchers(q, external);
      if (!matchers.ok()) return respond(TextError(400, matchers.status().message()));
      queries->push_back(
          {q.start_timestamp_ms(), q.end_timestamp_ms(), std::move(matchers).value()});
    }

    if (!gate->Acquire(req.ClientGone())) {
      return respond(TextError(503, "client went away while waiting for a remote read slot"));
    }
    auto slot = std::make_shared<GateSlot>(gate.get());

    if (*type == ReadRequest::SAMPLES) {
      auto out = ReadSamples(ctx, *queries, external);
      if (!out.ok()) {
        const common::Status& s = out.status();
        return respond(TextError(s.IsResourceExhausted() ? 400 : 500, s.message()));
      }
      common::HttpResponse r;
      r.content_type = "application/x-protobuf";
      r.headers.emplace_back("Content-Encoding", "snappy");
      r.body = std::move(out).value();
      return respond(std::move(r));
    }
    common::HttpResponse r;
    r.content_type = "application/x-streamed-protobuf; proto=prometheus.ChunkedReadResponse";
    // The gate slot and the queries live until the last frame is written.
    r.stream = [ctx, gate, slot, queries, external](const common::BodyWriter& write) {
      return StreamChunks(ctx, *queries, external, write);
    };
    return respond(std::move(r));
  });
}

}  // namespace server
