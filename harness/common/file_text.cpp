#include "harness/common/file_text.h"

#include <fstream>
#include <sstream>

namespace memharness {

std::string read_file_text(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace memharness
