// Fake workloads for the config tests, registered in the global registry (the
// golden-error tests load files through load_test_plan, which uses it). Their
// names start with "test-" so they never clash with the real workloads linked
// into the same binary.
#include "tests/unit/config/test_workloads.h"

#include "workloads/registry.h"

namespace memharness::config::testing {

using workloads::ParamSpec;
using workloads::ParamType;
using workloads::WorkloadSpec;

namespace {

ParamSpec param(std::string name, ParamType type, std::string default_value) {
  ParamSpec spec;
  spec.name = std::move(name);
  spec.type = type;
  spec.default_value = std::move(default_value);
  spec.description = "a test parameter";
  return spec;
}

}  // namespace

WorkloadSpec test_dirty_spec() {
  WorkloadSpec spec;
  spec.name = "test-dirty";
  spec.description = "a fake workload with one parameter of every type";
  spec.params.push_back(param("bytes", ParamType::size, ""));  // required
  ParamSpec chunk = param("chunk", ParamType::size, "4K");
  chunk.relative_allowed = false;
  spec.params.push_back(chunk);
  ParamSpec workers = param("workers", ParamType::count, "2");
  workers.min = 1;
  workers.max = 64;
  spec.params.push_back(workers);
  ParamSpec method = param("method", ParamType::choice, "write");
  method.choices = {"write", "read-write", "memset"};
  spec.params.push_back(method);
  spec.params.push_back(param("run-time", ParamType::duration, "10s"));
  spec.params.push_back(param("verify", ParamType::boolean, "false"));
  spec.params.push_back(param("label", ParamType::text, "fake"));
  spec.create = [](const workloads::ResolvedParams&) { return nullptr; };
  return spec;
}

WorkloadSpec test_share_spec() {
  WorkloadSpec spec;
  spec.name = "test-share";
  spec.description = "a fake workload whose size defaults to a share of the cgroup limit";
  spec.params.push_back(param("share", ParamType::size, "50%"));
  spec.params.push_back(param("loops", ParamType::count, "3"));
  spec.create = [](const workloads::ResolvedParams&) { return nullptr; };
  return spec;
}

MEMHARNESS_REGISTER_WORKLOAD(test_dirty_spec());
MEMHARNESS_REGISTER_WORKLOAD(test_share_spec());

}  // namespace memharness::config::testing
