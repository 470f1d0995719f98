#pragma once
// Reading the members of a run record (manifest.json, result.json,
// tracepoints.json) by name. Run directories are input like any other (copied
// from other machines, written by other versions): a member of the wrong type
// is a usage_error naming the file and the member's path,
//   .../iterations/2/result.json: "phases"[0]."workloads"[1]."metrics" must be an object
// never a JSON type_error from deep inside analysis. An absent member is
// nullopt: which members a record must have is the record's decision.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/common/counters.h"

namespace memharness::results {

// Reads a record file as JSON: usage_error naming it when it cannot be read or
// is not valid JSON.
nlohmann::json read_record_file(const std::filesystem::path& file);

class RecordMembers {
 public:
  // The root of `file`: "<file>: expected a JSON object" when it is not one.
  RecordMembers(const nlohmann::json& object, std::string file);

  const std::string& file() const { return file_; }
  // "phases"[0]."workloads" for the member `key` of this object.
  std::string path_of(std::string_view key) const;
  [[noreturn]] void fail(std::string_view key, std::string_view must_be) const;

  const nlohmann::json* find(std::string_view key) const;
  bool has(std::string_view key) const { return find(key) != nullptr; }

  // A member of type T: absent is nullopt; null or another type is an error
  // ("a string", "true or false", "a whole number" (int, std::int64_t),
  // "a count" (std::uint64_t), "a number" (double)).
  template <typename T>
  std::optional<T> get(std::string_view key) const;
  // The same, null also being nullopt ("a string or null" ...); `must_be`
  // overrides the description in the error.
  template <typename T>
  std::optional<T> get_or_null(std::string_view key, std::string_view must_be = {}) const;

  // Free-form members kept as JSON: any value, or an object.
  std::optional<nlohmann::json> any(std::string_view key) const;
  std::optional<nlohmann::json> json_object(std::string_view key) const;
  // A nested record: must be an object.
  std::optional<RecordMembers> object(std::string_view key) const;
  // An array of nested records: must be an array of objects.
  std::optional<std::vector<RecordMembers>> objects(std::string_view key) const;
  std::optional<std::vector<std::string>> strings(std::string_view key) const;
  // {"name": "value", ...} and {"counter": whole number, ...}.
  std::optional<std::map<std::string, std::string>> string_map(std::string_view key) const;
  std::optional<CounterMap> counters(std::string_view key) const;

  // The members not in `known`, kept so a record read and written again
  // (promotion, a VM run's manifest) loses nothing a newer harness added.
  nlohmann::json others(std::initializer_list<std::string_view> known) const;

 private:
  RecordMembers(const nlohmann::json& object, std::string file, std::string path)
      : object_(&object), file_(std::move(file)), path_(std::move(path)) {}
  const nlohmann::json* object_;
  std::string file_;
  std::string path_;  // empty at the root
};

// Writing: a member only when it has a value (absent, not null, otherwise).
template <typename T>
void put_if(nlohmann::json& j, const char* key, const std::optional<T>& value) {
  if (value) j[key] = *value;
}
// A member that is always written, null when it has no value.
template <typename T>
nlohmann::json value_or_null(const std::optional<T>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

}  // namespace memharness::results
