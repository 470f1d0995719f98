#include "harness/system/procfs/psi.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "harness/system/procfs/text.h"

namespace memharness::system::procfs {

namespace {

// "some avg10=0.12 avg60=0.05 avg300=0.01 total=8211": every key once, any order.
PsiLine parse_psi_values(const std::vector<std::string_view>& words, const text::Line& line, std::string_view source) {
  std::optional<double> avg10, avg60, avg300;
  std::optional<std::int64_t> total_us;
  for (std::size_t i = 1; i < words.size(); ++i) {
    std::size_t equals = words[i].find('=');
    if (equals == std::string_view::npos)
      throw text::parse_error(source, line.number, "expected KEY=VALUE, got '{}'", words[i]);
    std::string_view key = words[i].substr(0, equals);
    std::string_view value = words[i].substr(equals + 1);
    auto assign = [&](auto& slot, auto parsed, std::string_view expected) {
      if (slot) throw text::parse_error(source, line.number, "{} appears twice", key);
      if (!parsed || *parsed < 0)
        throw text::parse_error(source, line.number, "expected {}, got '{}'", expected, words[i]);
      slot = parsed;
    };
    if (key == "avg10")
      assign(avg10, text::to_double(value), "avg10=PERCENT");
    else if (key == "avg60")
      assign(avg60, text::to_double(value), "avg60=PERCENT");
    else if (key == "avg300")
      assign(avg300, text::to_double(value), "avg300=PERCENT");
    else if (key == "total")
      assign(total_us, text::to_int64(value), "total=MICROSECONDS");
    else
      throw text::parse_error(source, line.number, "unknown field '{}'", words[i]);
  }
  if (!avg10 || !avg60 || !avg300 || !total_us)
    throw text::parse_error(source, line.number, "expected '{} avg10=.. avg60=.. avg300=.. total=..', got '{}'",
                            words[0], line.content);
  return PsiLine{*avg10, *avg60, *avg300, *total_us};
}

// SystemRoot::try_read does not say why a read failed; PSI needs to tell
// "disabled" (EOPNOTSUPP) from a real failure, so ask the file once more.
int read_errno(const SystemRoot& root, std::string_view absolute_path) {
  int fd = ::open(root.resolve(absolute_path).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno;
  char byte;
  int err = ::read(fd, &byte, 1) < 0 ? errno : 0;
  ::close(fd);
  return err;
}

}  // namespace

Psi parse_psi(std::string_view text, std::string_view source) {
  std::optional<PsiLine> some;
  std::optional<PsiLine> full;
  for (const auto& line : text::lines(text)) {
    auto words = text::fields(line.content);
    if (words.empty()) continue;
    std::optional<PsiLine>* target = words[0] == "some" ? &some : words[0] == "full" ? &full : nullptr;
    if (target == nullptr)
      throw text::parse_error(source, line.number, "expected a 'some' or 'full' line, got '{}'", line.content);
    if (target->has_value()) throw text::parse_error(source, line.number, "second '{}' line", words[0]);
    *target = parse_psi_values(words, line, source);
  }
  if (!some) throw environment_error("{}: no 'some' line", source);
  return Psi{*some, full};
}

std::optional<Psi> read_psi(const SystemRoot& root, std::string_view absolute_path) {
  if (auto text = root.try_read(absolute_path)) return parse_psi(*text, absolute_path);
  int err = read_errno(root, absolute_path);
  if (err == ENOENT || err == EOPNOTSUPP) return std::nullopt;
  throw environment_error("cannot read {}: {}", root.resolve(absolute_path).string(),
                          err == 0 ? "a first read failed, a second succeeded" : std::strerror(err));
}

std::optional<Psi> read_memory_psi(const SystemRoot& root) { return read_psi(root, "/proc/pressure/memory"); }

}  // namespace memharness::system::procfs
