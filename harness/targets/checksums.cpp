#include "harness/targets/checksums.h"

#include <openssl/evp.h>

#include <array>
#include <fstream>
#include <map>
#include <sstream>

#include <fmt/core.h>

#include "harness/common/error.h"

namespace memharness::targets {

namespace fs = std::filesystem;

Sha256::Sha256() : context_(EVP_MD_CTX_new()) {
  if (!context_ || EVP_DigestInit_ex(static_cast<EVP_MD_CTX*>(context_), EVP_sha256(), nullptr) != 1)
    throw environment_error("OpenSSL: cannot start a SHA-256 digest");
}

Sha256::~Sha256() { EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(context_)); }

void Sha256::update(std::string_view bytes) {
  EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(context_), bytes.data(), bytes.size());
}

void Sha256::update_file(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw environment_error("{}: cannot be read", file.string());
  std::array<char, 1 << 16> buffer{};
  while (in.read(buffer.data(), buffer.size()) || in.gcount() > 0)
    update(std::string_view(buffer.data(), static_cast<std::size_t>(in.gcount())));
  if (in.bad()) throw environment_error("{}: read failed", file.string());
}

std::string Sha256::hex() {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(context_), digest.data(), &length);
  std::string text;
  for (unsigned int i = 0; i < length; ++i) text += fmt::format("{:02x}", digest[i]);
  return text;
}

std::string sha256_file(const fs::path& file) {
  Sha256 digest;
  digest.update_file(file);
  return digest.hex();
}

std::vector<std::string> verify_checksums(const fs::path& root, std::string_view sha256sums) {
  std::vector<std::string> problems;
  std::map<fs::path, std::string> listed;
  std::istringstream lines{std::string(sha256sums)};
  for (std::string line; std::getline(lines, line);) {
    auto gap = line.find("  ");
    if (gap != 64) {
      problems.push_back(fmt::format("SHA256SUMS: not a checksum line: \"{}\"", line));
      continue;
    }
    listed[fs::path(line.substr(gap + 2)).lexically_normal()] = line.substr(0, gap);
  }
  for (const auto& [relative, expected] : listed) {
    std::error_code ec;
    if (!fs::is_regular_file(root / relative, ec)) {
      problems.push_back(fmt::format("{}: listed in SHA256SUMS but did not come back", relative.string()));
    } else if (sha256_file(root / relative) != expected) {
      problems.push_back(
          fmt::format("{}: checksum differs from the guest's (corrupted on the way out)", relative.string()));
    }
  }
  std::error_code ec;
  for (const auto& entry : fs::recursive_directory_iterator(root, ec))
    if (entry.is_regular_file() && !listed.count(entry.path().lexically_relative(root).lexically_normal()))
      problems.push_back(
          fmt::format("{}: came back but is not in SHA256SUMS", entry.path().lexically_relative(root).string()));
  return problems;
}

}  // namespace memharness::targets
