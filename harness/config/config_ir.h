#pragma once
// The intermediate form of a test config: what the file says, structurally checked
// (known sections and keys, tables where tables belong) but not yet interpreted.
// Every value keeps where it was written, so the compiler (plan_compiler.h) can
// report "FILE:LINE:COL: error: ..." without knowing about TOML. Plain data only;
// toml_loader.cpp is the one place that turns toml++ nodes into these.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace memharness::config::ir {

struct Position {
  int line = 1;    // 1-based
  int column = 1;  // 1-based, in characters
};

// A value that is not a scalar the config language uses (a table, an array, a
// date): kept only to say what it was in an error message.
struct OtherValue {
  std::string description;  // "a table", "an array", "a date"
};

// One value as written, with where it starts.
struct Value {
  std::variant<std::int64_t, double, bool, std::string, OtherValue> data;
  Position where;

  const std::int64_t* integer() const { return std::get_if<std::int64_t>(&data); }
  const bool* boolean() const { return std::get_if<bool>(&data); }
  const std::string* string() const { return std::get_if<std::string>(&data); }
  // What the user wrote, for "got ..." in messages: "lots" (quoted), 12, 1.5,
  // true, a table.
  std::string describe() const;
};

// A key whose meaning the compiler decides (workload parameters, sysctls).
struct Entry {
  std::string key;
  Position key_where;
  Value value;
};

struct Workload {
  Position where;  // the [[phase.workload]] header
  std::optional<Value> type;
  std::optional<Value> name;
  std::vector<Entry> params;  // every other key, in file order
};

struct Phase {
  Position where;  // the [[phase]] header
  std::optional<Value> name;
  std::optional<Value> timeout;
  std::vector<Workload> workloads;
};

struct Cgroup {
  Position where;  // the [cgroup] header, or 1:1 when absent
  std::optional<Value> memory_max;
  std::optional<Value> memory_high;
  std::optional<Value> memory_low;
  std::optional<Value> memory_min;
  std::optional<Value> swap_max;
};

struct Swap {
  Position where;
  std::optional<Value> mode;
  std::optional<Value> swapfile_size;
  std::optional<Value> swapfile_directory;
};

// [vm]: the guest a kernel image boots in (ignored by host runs).
struct Vm {
  Position where;
  std::optional<Value> memory;
  std::optional<Value> cpus;
  std::optional<Value> timeout;
  std::optional<Value> scratch_size;
};

// [[kernel]]: a kernel image to boot, possibly a variant of another.
struct Kernel {
  Position where;
  std::optional<Value> name;
  std::optional<Value> image;
  std::optional<Value> modules;
  std::optional<Value> cmdline;
  std::vector<Entry> sysctls;  // [kernel.sysctl], flattened like [sysctl]
};

struct TestConfig {
  // As the caller named it; every message starts with it.
  std::filesystem::path source_file;
  std::optional<Value> name;
  std::optional<Value> description;
  std::optional<Value> iterations;
  std::optional<Value> sample_interval;
  std::optional<Value> timeout;
  Cgroup cgroup;
  Swap swap;
  // [sysctl], nested tables flattened to dotted names ("vm.swappiness"), in file
  // order; key_where is where the last part of the name was written.
  std::vector<Entry> sysctls;
  std::vector<Phase> phases;
  Vm vm;
  std::vector<Kernel> kernels;
};

}  // namespace memharness::config::ir
