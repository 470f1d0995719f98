#include "harness/common/file_text.h"

#include <fstream>
#include <sstream>

namespace memharness {

std::string read_file_text(const std::filesystem::path& file) { return read_file_if_opened(file).value_or(""); }

std::optional<std::string> read_file_if_opened(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::nullopt;  // errno is open()'s: an unopened stream closes nothing
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace memharness
