// The shrink guard in front of every publisher (issue 7 item 13): what is held back, what
// counts as the previous state, and that the record survives a new publisher on the store.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "publish/publisher.h"

namespace guardfeed {
namespace {

namespace fs = std::filesystem;

SnapshotPtr Feed(const std::string& name, uint64_t entries) {
  Snapshot snapshot;
  snapshot.feed = name;
  snapshot.path = name + ".txt";
  snapshot.entries = entries;
  for (uint64_t i = 0; i < entries; ++i) snapshot.body += "45.0.0." + std::to_string(i) + "\n";
  return MakeSnapshot(std::move(snapshot));
}

// Records what reaches the target; says what it holds as told.
class RecordingPublisher final : public Publisher {
 public:
  explicit RecordingPublisher(PreviousEntries previous) : previous_(previous) {}
  Result<PublishReport> Publish(const FeedSet& set) override {
    PublishReport report;
    for (const SnapshotPtr& file : set.files) report.written.push_back(file->feed);
    published.push_back(report.written);
    return report;
  }
  std::string Describe() const override { return "recording://target"; }
  PreviousEntries Previous(const Snapshot&) override { return previous_; }
  std::vector<std::vector<std::string>> published;

 private:
  PreviousEntries previous_;
};

struct Guarded {
  RecordingPublisher* target;
  std::unique_ptr<Publisher> publisher;
};

Guarded Make(PreviousEntries previous, Store* store = nullptr, ShrinkGuardOptions guard = {}) {
  auto inner = std::make_unique<RecordingPublisher>(previous);
  RecordingPublisher* target = inner.get();
  return {target, NewShrinkGuardedPublisher(std::move(inner), store, guard)};
}

TEST(ShrinkGuardedPublisher, HoldsBackOnlyTheFeedThatShrankTooMuch) {
  Guarded g = Make(PreviousEntries::Never());
  ASSERT_TRUE(g.publisher->Publish(FeedSet{{Feed("a", 100), Feed("b", 10)}, 0}).ok());
  Result<PublishReport> report = g.publisher->Publish(FeedSet{{Feed("a", 40), Feed("b", 2)}, 0});
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), Status::Code::kFailedPrecondition);
  EXPECT_NE(report.status().message().find("'a' would go from 100 to 40"), std::string::npos);
  EXPECT_NE(report.status().message().find("'b' would go from 10 to 2"), std::string::npos);
  EXPECT_TRUE(g.target->published.back().empty());
  ASSERT_FALSE(g.publisher->Publish(FeedSet{{Feed("a", 60), Feed("b", 2)}, 0}).ok());
  EXPECT_EQ(g.target->published.back(), std::vector<std::string>{"a"});
  // The baseline is what was published: b still compares against 10.
  EXPECT_FALSE(g.publisher->Publish(FeedSet{{Feed("a", 60), Feed("b", 4)}, 0}).ok());
}

TEST(ShrinkGuardedPublisher, UnknownPreviousStateIsNotNeverPublished) {
  Guarded unknown = Make(PreviousEntries::Unknown());
  EXPECT_FALSE(unknown.publisher->Publish(FeedSet{{Feed("a", 0)}, 0}).ok());
  EXPECT_TRUE(unknown.target->published.back().empty());
  EXPECT_TRUE(unknown.publisher->Publish(FeedSet{{Feed("a", 3)}, 0}).ok());
  Guarded never = Make(PreviousEntries::Never());
  EXPECT_TRUE(never.publisher->Publish(FeedSet{{Feed("a", 0)}, 0}).ok());
  Guarded known = Make(PreviousEntries::Known(50));
  EXPECT_FALSE(known.publisher->Publish(FeedSet{{Feed("a", 10)}, 0}).ok());
  Guarded forced = Make(PreviousEntries::Unknown(), nullptr, {0.5, true});
  EXPECT_TRUE(forced.publisher->Publish(FeedSet{{Feed("a", 0)}, 0}).ok());
}

TEST(ShrinkGuardedPublisher, RecordSurvivesANewPublisherOnTheSameStore) {
  std::string dir = fs::temp_directory_path() / ("gf-guard-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  auto store = OpenStore("sqlite://" + dir + "/state.db");
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  ASSERT_TRUE(Make(PreviousEntries::Never(), store->get())
                  .publisher->Publish(FeedSet{{Feed("a", 100)}, 0})
                  .ok());
  Guarded restarted = Make(PreviousEntries::Never(), store->get());
  EXPECT_FALSE(restarted.publisher->Publish(FeedSet{{Feed("a", 0)}, 0}).ok());
  fs::remove_all(dir);
}

TEST(ShrinkGuardedPublisher, DirectoryRefusesToEmptyAFileItHasNoRecordOf) {
  std::string dir = fs::temp_directory_path() / ("gf-guard-dir-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir + "/a.txt") << "45.0.0.1\n45.0.0.2\n";  // an earlier run on another store
  auto publisher = NewDirectoryPublisher(dir);
  ASSERT_TRUE(publisher.ok());
  Result<PublishReport> report = (*publisher)->Publish(FeedSet{{Feed("a", 0)}, 0});
  ASSERT_FALSE(report.ok());
  EXPECT_NE(report.status().message().find("empty"), std::string::npos);
  std::ifstream in(dir + "/a.txt");
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(content, "45.0.0.1\n45.0.0.2\n");
  // A feed that was never there may start empty.
  EXPECT_TRUE((*publisher)->Publish(FeedSet{{Feed("b", 0)}, 0}).ok());
  fs::remove_all(dir);
}

// A restart on a new, empty store has no record in the store: the directory's own record keeps
// one new finding from replacing a 10-entry list.
TEST(ShrinkGuardedPublisher, DirectoryKnowsWhatItHoldsWithoutTheStore) {
  std::string dir = fs::temp_directory_path() / ("gf-guard-rec-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  ASSERT_TRUE((*NewDirectoryPublisher(dir))->Publish(FeedSet{{Feed("a", 10)}, 0}).ok());
  auto restarted = NewDirectoryPublisher(dir);
  ASSERT_TRUE(restarted.ok());
  Result<PublishReport> report = (*restarted)->Publish(FeedSet{{Feed("a", 1)}, 0});
  ASSERT_FALSE(report.ok());
  EXPECT_NE(report.status().message().find("from 10 to 1"), std::string::npos)
      << report.status().message();
  EXPECT_TRUE((*restarted)->Publish(FeedSet{{Feed("a", 6)}, 0}).ok());
  fs::remove_all(dir);
}

}  // namespace
}  // namespace guardfeed
