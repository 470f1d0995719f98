#include "harness/common/utf8.h"

#include <nlohmann/json.hpp>

namespace memharness {

std::string valid_utf8(std::string_view text) {
  // nlohmann's serializer already decodes UTF-8 strictly; its replace mode is
  // the substitution wanted here, and parsing its output undoes the escaping.
  nlohmann::json value = std::string(text);
  std::string quoted = value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return nlohmann::json::parse(quoted).get<std::string>();
}

}  // namespace memharness
