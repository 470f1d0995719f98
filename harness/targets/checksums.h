#pragma once
// SHA-256 (OpenSSL) of files and strings, and verification of a sha256sum-style
// list ("HEX  ./relative/path" per line), which the guest writes with busybox
// sha256sum over the results it hands back.
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace memharness::targets {

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void update(std::string_view bytes);
  // Adds a file's bytes; throws environment_error when it cannot be read.
  void update_file(const std::filesystem::path& file);
  std::string hex();  // finishes the digest

 private:
  void* context_;  // EVP_MD_CTX, kept out of this header
};

std::string sha256_file(const std::filesystem::path& file);

// Checks every file listed against its digest, and that every regular file below
// `root` is listed. Returns the problems (empty: all intact), one sentence each.
std::vector<std::string> verify_checksums(const std::filesystem::path& root, std::string_view sha256sums);

}  // namespace memharness::targets
