#include "server/server_context.h"

namespace guardfeed::server {

const FeedConfig* Generation::FindFeed(std::string_view name) const {
  for (const FeedConfig& feed : feeds) {
    if (feed.name == name) return &feed;
  }
  return nullptr;
}

ServerContext::ServerContext(std::shared_ptr<const Generation> generation, int store_threads)
    : started_at(generation->pipeline->clock->Now()),
      generation_(std::move(generation)),
      store_pool_(static_cast<size_t>(store_threads)) {}

}  // namespace guardfeed::server
