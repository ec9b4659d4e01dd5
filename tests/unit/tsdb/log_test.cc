// The sample log (DB::OpenLogReader, ReadLog, CommitLogReader): what
// remote_write reads. Every accepted sample must be readable exactly once in
// commit order, across reopen, and the log must not be trimmed under a
// reader.
#include <map>

#include "test_util.h"
#include "tsdb/db.h"

namespace tsdb {
namespace {

using model::Labels;
using testing::Samples;
using testing::TempDir;
using testing::TestOptions;

class tsdb_Log : public ::testing::Test {
 protected:
  void Open(Options o = TestOptions()) {
    db_.reset();
    auto r = DB::Open(dir_.path(), o);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    db_ = std::move(r).value();
  }
  void SetUp() override { Open(); }

  void Append(const Labels& l, const Samples& s) {
    auto app = db_->NewAppender();
    for (auto [t, v] : s) app->Add(l, t, v);
    AppendResult r = app->Commit();
    ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  }

  // Everything the log holds from `from`, per series labels, read in chunks
  // of max_samples.
  std::map<std::string, Samples> ReadAll(uint64_t from, size_t max_samples, uint64_t* next) {
    std::map<std::string, Samples> out;
    const uint64_t end = db_->LogEnd();
    uint64_t pos = from;
    while (pos < end) {
      std::vector<LogRecord> recs;
      uint64_t n = 0;
      common::Status s = db_->ReadLog(pos, end, max_samples, &recs, &n);
      EXPECT_TRUE(s.ok()) << s.ToString();
      EXPECT_GT(n, pos);
      for (const auto& r : recs) {
        EXPECT_GE(r.seq, pos);
        EXPECT_LT(r.seq, end);
        EXPECT_EQ(r.offsets.size(), r.refs.size() + 1);
        for (size_t k = 0; k < r.refs.size(); ++k) {
          Labels l;
          EXPECT_TRUE(db_->SeriesLabels(r.refs[k], &l));
          for (uint32_t i = r.offsets[k]; i < r.offsets[k + 1]; ++i) {
            out[l.ToString()].push_back({r.ts[i], r.vs[i]});
          }
        }
      }
      pos = n;
    }
    *next = pos;
    return out;
  }

  TempDir dir_;
  std::unique_ptr<DB> db_;
};

TEST_F(tsdb_Log, EveryAcceptedSampleIncludingSealedOnesIsLoggedOnceInOrder) {
  auto pos = db_->OpenLogReader("dest");
  ASSERT_TRUE(pos.ok()) << pos.status().ToString();
  Labels a{{"__name__", "a"}}, b{{"__name__", "b"}};
  Samples want_a, want_b;
  // 300 samples of a in one batch: two chunks seal inside the batch, which
  // without a reader would keep those samples out of the log.
  for (int i = 0; i < 300; ++i) want_a.push_back({i * 1000, i * 0.5});
  Append(a, want_a);
  for (int i = 0; i < 10; ++i) {
    Append(b, {{i * 1000, static_cast<double>(i)}});
    want_b.push_back({i * 1000, static_cast<double>(i)});
  }
  // Rejected samples are not stored, so not logged.
  auto app = db_->NewAppender();
  app->Add(b, 0, 42);  // out of order
  EXPECT_EQ(app->Commit().out_of_order, 1u);

  uint64_t next = 0;
  auto got = ReadAll(pos.value().next_seq, 7, &next);
  EXPECT_EQ(next, db_->LogEnd());
  ASSERT_EQ(got.size(), 2u);
  EXPECT_TRUE(testing::SameSamples(want_a, got[a.ToString()]));
  EXPECT_TRUE(testing::SameSamples(want_b, got[b.ToString()]));
}

TEST_F(tsdb_Log, ReaderHoldsTheLogAcrossTrimAndReopenUntilItCommits) {
  ASSERT_TRUE(db_->OpenLogReader("dest").ok());
  const uint64_t start = db_->OpenLogReader("dest").value().next_seq;
  Labels a{{"__name__", "a"}};
  Samples want;
  for (int i = 0; i < 500; ++i) {
    Append(a, {{i * 1000, static_cast<double>(i)}});
    want.push_back({i * 1000, static_cast<double>(i)});
  }
  // Everything is sealed past sample 480: without the reader the log would
  // be trimmed to the head's few samples.
  ASSERT_TRUE(db_->Flush().ok());
  ASSERT_TRUE(db_->ApplyRetention().ok());
  uint64_t next = 0;
  EXPECT_TRUE(testing::SameSamples(want, ReadAll(start, 1000, &next)[a.ToString()]));

  // Commit halfway with some state; reopen: position, state and records
  // survive, and the head is rebuilt exactly (replay starts late).
  std::vector<LogRecord> recs;
  uint64_t half = 0;
  ASSERT_TRUE(db_->ReadLog(start, db_->LogEnd(), 250, &recs, &half).ok());
  ASSERT_TRUE(db_->CommitLogReader("dest", LogPosition{half, "shard-state"}).ok());
  ASSERT_TRUE(db_->Flush().ok());
  Open();
  EXPECT_EQ(db_->LogReaders(), std::vector<std::string>{"dest"});
  auto reopened = db_->OpenLogReader("dest");
  ASSERT_TRUE(reopened.ok());
  EXPECT_EQ(reopened.value().next_seq, half);
  EXPECT_EQ(reopened.value().state, "shard-state");
  auto rest = ReadAll(half, 1000, &next)[a.ToString()];
  EXPECT_TRUE(testing::SameSamples(Samples(want.begin() + 250, want.end()), rest));
  EXPECT_TRUE(testing::SameSamples(want, testing::Query(db_.get(), {testing::Eq("__name__", "a")},
                                                        0, 1'000'000)[0]
                                             .second));
  // Records below the committed position may go; the rest may not.
  ASSERT_TRUE(db_->ApplyRetention().ok());
  std::vector<LogRecord> from_zero;
  uint64_t unused = 0;
  ASSERT_TRUE(db_->ReadLog(0, db_->LogEnd(), 1, &from_zero, &unused).ok());
  ASSERT_FALSE(from_zero.empty());
  EXPECT_EQ(from_zero[0].seq, half);

  // New batches are numbered after the reader's position even though every
  // record before it may be trimmed.
  Append(a, {{600'000, 1.0}});
  auto tail = ReadAll(next, 1000, &next);
  EXPECT_TRUE(testing::SameSamples(Samples{{600'000, 1.0}}, tail[a.ToString()]));
}

TEST_F(tsdb_Log, RemovedReaderReleasesTheLog) {
  const uint64_t start = db_->OpenLogReader("dest").value().next_seq;
  Labels a{{"__name__", "a"}};
  for (int i = 0; i < 300; ++i) Append(a, {{i * 1000, 1.0}});
  ASSERT_TRUE(db_->RemoveLogReader("dest").ok());
  EXPECT_TRUE(db_->LogReaders().empty());
  ASSERT_TRUE(db_->ApplyRetention().ok());
  std::vector<LogRecord> recs;
  uint64_t next = 0;
  ASSERT_TRUE(db_->ReadLog(start, db_->LogEnd(), 1, &recs, &next).ok());
  ASSERT_FALSE(recs.empty());
  // Only the head's unsealed samples (after the last sealed chunk) remain.
  EXPECT_GT(recs[0].seq, start + 200);
}

TEST_F(tsdb_Log, NewReaderStartsAtTheEnd) {
  Labels a{{"__name__", "a"}};
  Append(a, {{1000, 1.0}});
  const uint64_t start = db_->OpenLogReader("late").value().next_seq;
  Append(a, {{2000, 2.0}});
  uint64_t next = 0;
  auto got = ReadAll(start, 10, &next);
  EXPECT_TRUE(testing::SameSamples(Samples{{2000, 2.0}}, got[a.ToString()]));
}

}  // namespace
}  // namespace tsdb

namespace tsdb {
namespace {

TEST(tsdb_Cardinality, CountsLikePrometheusTsdbStatus) {
  testing::TempDir dir;
  auto db = DB::Open(dir.path(), testing::TestOptions()).value();
  auto app = db->NewAppender();
  // 3 hosts x {up, load1}, plus cpu with 2 modes on one host.
  for (const char* host : {"a", "b", "c"}) {
    app->Add(model::Labels{{"__name__", "up"}, {"instance", host}}, 1000, 1);
    app->Add(model::Labels{{"__name__", "load1"}, {"instance", host}}, 2000, 1);
  }
  app->Add(model::Labels{{"__name__", "cpu"}, {"instance", "a"}, {"mode", "idle"}}, 500, 1);
  app->Add(model::Labels{{"__name__", "cpu"}, {"instance", "a"}, {"mode", "user"}}, 3000, 1);
  ASSERT_TRUE(app->Commit().status.ok());

  CardinalityStats st = db->Cardinality(2);
  EXPECT_EQ(st.num_series, 8u);
  // __name__: cpu load1 up; instance: a b c; mode: idle user.
  EXPECT_EQ(st.num_label_pairs, 8u);
  EXPECT_EQ(st.head_chunks, 8u);
  EXPECT_EQ(st.min_time, 500);
  EXPECT_EQ(st.max_time, 3000);
  using E = CardinalityStats::Entry;
  EXPECT_EQ(st.series_count_by_metric_name, (std::vector<E>{{"load1", 3}, {"up", 3}}));
  EXPECT_EQ(st.label_value_count_by_label_name, (std::vector<E>{{"__name__", 3}, {"instance", 3}}));
  // __name__: "up"+"load1"+"cpu" = 10 bytes; mode: "idle"+"user" = 8.
  EXPECT_EQ(st.memory_in_bytes_by_label_name, (std::vector<E>{{"__name__", 10}, {"mode", 8}}));
  EXPECT_EQ(st.series_count_by_label_value_pair,
            (std::vector<E>{{"instance=a", 4}, {"__name__=load1", 3}}));
}

}  // namespace
}  // namespace tsdb

namespace tsdb {
namespace {

// Options::memtable_budget_bytes bounds all memtables together: without it
// the series and index families each buffer up to their own 16 MiB.
size_t PeakMemtableBytes(size_t budget) {
  testing::TempDir dir;
  Options o = testing::TestOptions();
  o.memtable_budget_bytes = budget;
  auto db = DB::Open(dir.path(), o).value();
  const std::string pad(300, 'x');
  size_t peak = 0;
  for (int i = 0; i < 60000; ++i) {
    auto ref = db->GetOrCreateSeries(
        model::Labels{{"__name__", "m"}, {"id", std::to_string(i)}, {"pad", pad + std::to_string(i)}});
    EXPECT_TRUE(ref.ok());
    if (i % 1000 == 0) peak = std::max<size_t>(peak, db->GetStats().memtable_bytes);
  }
  return peak;
}

TEST(tsdb_MemtableBudget, BoundsAllMemtablesTogether) {
  const size_t budget = 4 << 20;
  const size_t bounded = PeakMemtableBytes(budget);
  EXPECT_LE(bounded, 2 * budget);
  EXPECT_GT(PeakMemtableBytes(0), 4 * budget);
}

}  // namespace
}  // namespace tsdb

#include <random>

#include "tsdb/packed_labels.h"

namespace tsdb {
namespace {

// PackedLabels must answer exactly as model::Labels: order (queries return
// series sorted by it), equality (series identity), lookups.
TEST(tsdb_PackedLabels, BehavesAsModelLabels) {
  std::mt19937_64 rng(7);
  auto random_labels = [&] {
    std::vector<model::Label> v;
    const int n = static_cast<int>(rng() % 4);
    for (int i = 0; i < n; ++i) {
      // Short alphabets so that prefixes and equal names are common; one
      // long value for multi-byte lengths.
      std::string name(1 + rng() % 2, static_cast<char>('a' + rng() % 2));
      std::string value = rng() % 10 == 0 ? std::string(200 + rng() % 100, 'v')
                                          : std::string(1 + rng() % 2, static_cast<char>('x' + rng() % 2));
      v.push_back({name, value});
    }
    return model::Labels::FromVector(v);
  };
  std::vector<model::Labels> all;
  for (int i = 0; i < 300; ++i) all.push_back(random_labels());
  for (const auto& a : all) {
    PackedLabels pa(a);
    EXPECT_EQ(pa.Unpack(), a);
    EXPECT_TRUE(pa.Equals(a));
    for (const char* name : {"a", "aa", "b", "bb", "c"}) EXPECT_EQ(pa.Get(name), a.Get(name));
    for (const auto& b : all) {
      PackedLabels pb(b);
      const int want = a < b ? -1 : (a == b ? 0 : 1);
      const int got = pa.Compare(pb);
      EXPECT_EQ(got < 0 ? -1 : (got == 0 ? 0 : 1), want) << a.ToString() << " vs " << b.ToString();
      EXPECT_EQ(pa.Equals(b), a == b);
    }
  }
}

}  // namespace
}  // namespace tsdb

#include <thread>

namespace tsdb {
namespace {

// A series that stops getting samples (a host that went away) must not keep
// its head chunk open until the retention: its memory stays and the head log
// cannot be trimmed past its first sample, so the log kept every later
// sample of every series (regression: it grew for the whole retention).
TEST(tsdb_IdleHeads, AreSealedSoTheHeadLogIsTrimmed) {
  testing::TempDir dir;
  Options o = testing::TestOptions();
  o.idle_head_seal_ms = 50;
  auto db = DB::Open(dir.path(), o).value();
  model::Labels gone{{"__name__", "up"}, {"instance", "gone"}};
  model::Labels live{{"__name__", "up"}, {"instance", "live"}};
  testing::Samples want_gone, want_live;
  auto append = [&](const model::Labels& l, int64_t t, testing::Samples* want) {
    auto app = db->NewAppender();
    app->Add(l, t, static_cast<double>(t));
    ASSERT_TRUE(app->Commit().status.ok());
    want->push_back({t, static_cast<double>(t)});
  };
  for (int i = 0; i < 10; ++i) append(gone, 1000 + i, &want_gone);
  std::this_thread::sleep_for(std::chrono::milliseconds(80));
  // `live` keeps getting samples; `gone` has been idle past the threshold.
  for (int i = 0; i < 300; ++i) append(live, 2000 + i, &want_live);
  ASSERT_TRUE(db->ApplyRetention().ok());
  // The head log holds only what live's open head needs: batches after its
  // last sealed chunk (240 samples in), not everything since gone's first.
  std::vector<LogRecord> recs;
  uint64_t next = 0;
  ASSERT_TRUE(db->ReadLog(0, db->LogEnd(), 1'000'000, &recs, &next).ok());
  size_t logged = 0;
  for (const auto& r : recs) logged += r.num_samples();
  EXPECT_LE(logged, 60u);
  EXPECT_EQ(db->GetStats().head_bytes > 0, true);  // live's head is still open
  // Everything reads back, and again after reopening; gone continues.
  auto check = [&] {
    EXPECT_TRUE(testing::SameSamples(
        want_gone, testing::Query(db.get(), {testing::Eq("instance", "gone")}, 0, 10'000)[0].second));
    EXPECT_TRUE(testing::SameSamples(
        want_live, testing::Query(db.get(), {testing::Eq("instance", "live")}, 0, 10'000)[0].second));
  };
  check();
  append(gone, 5000, &want_gone);
  check();
  db.reset();
  db = DB::Open(dir.path(), o).value();
  check();
}

}  // namespace
}  // namespace tsdb
