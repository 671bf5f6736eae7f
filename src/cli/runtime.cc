#include "cli/runtime.h"

namespace guardfeed {

Result<Config> LoadEffectiveConfig(const GlobalOptions& global) {
  auto config = LoadConfig(global.config_path, ProcessEnvironment());
  if (!config.ok()) return config.status();
  if (!global.store_url.empty()) config->store_url = global.store_url;
  return config;
}

Result<std::unique_ptr<Runtime>> OpenRuntime(const GlobalOptions& global, Config config,
                                             std::shared_ptr<Store> store) {
  auto runtime = std::make_unique<Runtime>();
  runtime->config = std::move(config);
  if (global.now) {
    runtime->manual_clock = std::make_unique<ManualClock>(*global.now);
    runtime->clock = runtime->manual_clock.get();
  } else {
    runtime->clock = SystemClock();
  }
  if (store != nullptr) {
    runtime->store = std::move(store);
  } else {
    auto opened = OpenStore(runtime->config.store_url);
    if (!opened.ok()) return opened.status();
    runtime->store = std::move(*opened);
  }
  runtime->policy = std::make_unique<Policy>(runtime->config.policy);
  runtime->builder =
      std::make_unique<FeedBuilder>(runtime->config.feeds, runtime->config.secintel,
                                    runtime->policy.get(), runtime->store.get(), runtime->clock);
  return runtime;
}

Result<std::unique_ptr<Runtime>> OpenRuntime(const GlobalOptions& global) {
  auto config = LoadEffectiveConfig(global);
  if (!config.ok()) return config.status();
  return OpenRuntime(global, std::move(*config));
}

}  // namespace guardfeed
