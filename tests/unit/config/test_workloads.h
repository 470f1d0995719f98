#pragma once
// Fake workload specs the config tests compile configs against.
#include "workloads/registry.h"

namespace memharness::config::testing {

// "test-dirty": bytes (size, required), chunk (size "4K", no relative sizes),
// workers (count 1..64, "2"), method (choice write|read-write|memset, "write"),
// run-time (duration "10s"), verify (boolean "false"), label (text "fake").
workloads::WorkloadSpec test_dirty_spec();

// "test-share": share (size, default "50%" of memory-max), loops (count, "3").
workloads::WorkloadSpec test_share_spec();

}  // namespace memharness::config::testing
