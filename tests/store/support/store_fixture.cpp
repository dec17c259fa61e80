#include "support/store_fixture.hpp"

#include <cstdlib>
#include <iostream>

#include "fhir/search/index_values.hpp"

namespace chartroom::store::test {

IndexFunction RealIndex() {
  static const fs::IndexExtractor* extractor = [] {
    auto created = fs::IndexExtractor::Create();
    if (!created) {
      std::cerr << "the index extractor does not build: " << created.error().message() << "\n";
      std::abort();
    }
    return created->release();
  }();
  return [](const boost::json::value& resource) { return extractor->Extract(resource); };
}

void StoreFixture::Reopen(IndexFunction index, std::int64_t group_commit_window_us) {
  backend_.reset();
  dir_ = std::make_unique<TempDir>();
  BackendEnv env;
  env.clock = &clock_;
  env.random = &random_;
  env.index = std::move(index);
  env.dir = dir_->path();
  env.group_commit_window_us = group_commit_window_us;
  auto opened = GetParam().open(env);
  ASSERT_TRUE(opened.has_value()) << opened.error().code() << ": " << opened.error().message();
  backend_ = std::move(*opened);
}

namespace {
Result<ResourceVersion> Write(ResourceStore& store,
                              const std::function<Result<ResourceVersion>(Transaction&)>& op) {
  Result<ResourceVersion> out = Fail(ErrorCategory::kInternal, "test.not-run", "not run");
  Status status = store.InTransaction([&](Transaction& tx) -> Status {
    out = op(tx);
    if (!out) return tl::unexpected(out.error());
    return Ok();
  });
  if (!status) return tl::unexpected(status.error());
  return out;
}
}  // namespace

Result<ResourceVersion> StoreFixture::Create(std::string_view json) {
  return Write(store(), [&](Transaction& tx) { return tx.Create(Json(json)); });
}

Result<ResourceVersion> StoreFixture::Put(std::string_view json,
                                          std::optional<std::int64_t> expected) {
  return Write(store(), [&](Transaction& tx) { return tx.Update(Json(json), expected); });
}

Result<ResourceVersion> StoreFixture::Delete(std::string_view type, std::string_view id,
                                             std::optional<std::int64_t> expected) {
  return Write(store(), [&](Transaction& tx) { return tx.Delete(type, id, expected); });
}

void StoreFixture::PutAll(const std::vector<std::string>& jsons) {
  Status status = store().InTransaction([&](Transaction& tx) -> Status {
    for (const std::string& json : jsons) {
      auto written = tx.Update(Json(json), std::nullopt);
      if (!written) return tl::unexpected(written.error());
    }
    return Ok();
  });
  ASSERT_TRUE(status.has_value()) << status.error().code() << ": " << status.error().message();
}

std::vector<std::string> StoreFixture::Ids(const std::vector<ResourceVersion>& versions) {
  std::vector<std::string> ids;
  for (const ResourceVersion& v : versions) ids.push_back(v.type + "/" + v.id);
  return ids;
}

std::vector<std::string> StoreFixture::Find(const fs::SearchQuery& query) {
  auto page = store().Search(query);
  if (!page) return {"error:" + page.error().code()};
  return Ids(page->matches);
}

std::vector<std::string> StoreFixture::FindIds(const fs::SearchQuery& query) {
  std::vector<std::string> ids;
  fs::SearchQuery q = query;
  for (int guard = 0; guard < 1000; ++guard) {
    auto page = store().Search(q);
    if (!page) return {"error:" + page.error().code()};
    for (const ResourceVersion& v : page->matches) ids.push_back(v.type + "/" + v.id);
    if (!page->next_page) break;
    q.page_token = page->next_page;
  }
  return ids;
}

}  // namespace chartroom::store::test
