#include "harness/results/record_members.h"

#include <algorithm>
#include <fstream>
#include <limits>
#include <sstream>

#include "harness/common/error.h"

namespace memharness::results {

namespace {

using json = nlohmann::json;

bool is_whole(const json& v, std::int64_t lo, std::int64_t hi) {
  if (v.is_number_unsigned()) return v.get<std::uint64_t>() <= static_cast<std::uint64_t>(hi);
  return v.is_number_integer() && v.get<std::int64_t>() >= lo && v.get<std::int64_t>() <= hi;
}

// Whether `v` is a T, and what a T is called in an error.
template <typename T>
struct Kind;
template <>
struct Kind<std::string> {
  static constexpr std::string_view name = "a string";
  static bool fits(const json& v) { return v.is_string(); }
};
template <>
struct Kind<bool> {
  static constexpr std::string_view name = "true or false";
  static bool fits(const json& v) { return v.is_boolean(); }
};
template <>
struct Kind<int> {
  static constexpr std::string_view name = "a whole number";
  static bool fits(const json& v) {
    return is_whole(v, std::numeric_limits<int>::min(), std::numeric_limits<int>::max());
  }
};
template <>
struct Kind<std::int64_t> {
  static constexpr std::string_view name = "a whole number";
  static bool fits(const json& v) {
    return is_whole(v, std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::int64_t>::max());
  }
};
template <>
struct Kind<std::uint64_t> {
  static constexpr std::string_view name = "a count";
  // Parsed JSON holds a non-negative integer as unsigned, one built in code as signed.
  static bool fits(const json& v) {
    return v.is_number_unsigned() || (v.is_number_integer() && v.get<std::int64_t>() >= 0);
  }
};
template <>
struct Kind<double> {
  static constexpr std::string_view name = "a number";
  static bool fits(const json& v) { return v.is_number(); }
};

}  // namespace

json read_record_file(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) throw usage_error("{}: cannot be read", file.string());
  std::stringstream buffer;
  buffer << in.rdbuf();
  try {
    return json::parse(buffer.str());
  } catch (const json::exception& e) {  // parse_error, and out_of_range for a number like 1e3080
    throw usage_error("{}: not valid JSON: {}", file.string(), e.what());
  }
}

RecordMembers::RecordMembers(const json& object, std::string file) : object_(&object), file_(std::move(file)) {
  if (!object.is_object()) throw usage_error("{}: expected a JSON object", file_);
}

std::string RecordMembers::path_of(std::string_view key) const {
  return fmt::format("{}{}\"{}\"", path_, path_.empty() ? "" : ".", key);
}

void RecordMembers::fail(std::string_view key, std::string_view must_be) const {
  throw usage_error("{}: {} must be {}", file_, path_of(key), must_be);
}

const json* RecordMembers::find(std::string_view key) const {
  auto it = object_->find(key);
  return it == object_->end() ? nullptr : &*it;
}

template <typename T>
std::optional<T> RecordMembers::get(std::string_view key) const {
  const json* v = find(key);
  if (!v) return std::nullopt;
  if (!Kind<T>::fits(*v)) fail(key, Kind<T>::name);
  return v->get<T>();
}

template <typename T>
std::optional<T> RecordMembers::get_or_null(std::string_view key, std::string_view must_be) const {
  const json* v = find(key);
  if (!v || v->is_null()) return std::nullopt;
  if (!Kind<T>::fits(*v)) fail(key, must_be.empty() ? std::string(Kind<T>::name) + " or null" : std::string(must_be));
  return v->get<T>();
}

template std::optional<std::string> RecordMembers::get(std::string_view) const;
template std::optional<bool> RecordMembers::get(std::string_view) const;
template std::optional<int> RecordMembers::get(std::string_view) const;
template std::optional<std::int64_t> RecordMembers::get(std::string_view) const;
template std::optional<std::uint64_t> RecordMembers::get(std::string_view) const;
template std::optional<double> RecordMembers::get(std::string_view) const;
template std::optional<std::string> RecordMembers::get_or_null(std::string_view, std::string_view) const;
template std::optional<bool> RecordMembers::get_or_null(std::string_view, std::string_view) const;
template std::optional<int> RecordMembers::get_or_null(std::string_view, std::string_view) const;
template std::optional<std::int64_t> RecordMembers::get_or_null(std::string_view, std::string_view) const;
template std::optional<std::uint64_t> RecordMembers::get_or_null(std::string_view, std::string_view) const;
template std::optional<double> RecordMembers::get_or_null(std::string_view, std::string_view) const;

std::optional<json> RecordMembers::any(std::string_view key) const {
  const json* v = find(key);
  return v ? std::optional<json>(*v) : std::nullopt;
}

std::optional<json> RecordMembers::json_object(std::string_view key) const {
  const json* v = find(key);
  if (!v) return std::nullopt;
  if (!v->is_object()) fail(key, "an object");
  return *v;
}

std::optional<RecordMembers> RecordMembers::object(std::string_view key) const {
  const json* v = find(key);
  if (!v) return std::nullopt;
  if (!v->is_object()) fail(key, "an object");
  return RecordMembers(*v, file_, path_of(key));
}

std::optional<std::vector<RecordMembers>> RecordMembers::objects(std::string_view key) const {
  const json* v = find(key);
  if (!v) return std::nullopt;
  if (!v->is_array()) fail(key, "an array");
  std::vector<RecordMembers> out;
  for (std::size_t i = 0; i < v->size(); ++i) {
    std::string element = fmt::format("{}[{}]", path_of(key), i);
    if (!(*v)[i].is_object()) throw usage_error("{}: {} must be an object", file_, element);
    out.push_back(RecordMembers((*v)[i], file_, element));
  }
  return out;
}

std::optional<std::vector<std::string>> RecordMembers::strings(std::string_view key) const {
  const json* v = find(key);
  if (!v) return std::nullopt;
  if (!v->is_array() || !std::all_of(v->begin(), v->end(), [](const json& e) { return e.is_string(); }))
    fail(key, "an array of strings");
  return v->get<std::vector<std::string>>();
}

std::optional<std::map<std::string, std::string>> RecordMembers::string_map(std::string_view key) const {
  auto members = object(key);
  if (!members) return std::nullopt;
  std::map<std::string, std::string> out;
  for (const auto& [name, value] : members->object_->items()) out[name] = *members->get<std::string>(name);
  return out;
}

std::optional<CounterMap> RecordMembers::counters(std::string_view key) const {
  auto members = object(key);
  if (!members) return std::nullopt;
  CounterMap out;
  for (const auto& [name, value] : members->object_->items()) out[name] = *members->get<std::int64_t>(name);
  return out;
}

json RecordMembers::others(std::initializer_list<std::string_view> known) const {
  json out = json::object();
  for (const auto& [name, value] : object_->items())
    if (std::find(known.begin(), known.end(), name) == known.end()) out[name] = value;
  return out;
}

}  // namespace memharness::results
