#include "harness/system/procfs/process_status.h"

#include "harness/system/procfs/text.h"

namespace memharness::system::procfs {

ProcessMemory parse_process_memory(std::string_view text, std::string_view source) {
  ProcessMemory memory;
  for (const auto& line : text::lines(text)) {
    auto colon = line.content.find(':');
    if (colon == std::string_view::npos) continue;
    auto name = line.content.substr(0, colon);
    std::optional<std::int64_t>* target = name == "VmHWM"   ? &memory.peak_rss_kb
                                          : name == "VmRSS" ? &memory.rss_kb
                                                            : nullptr;
    if (!target) continue;
    auto fields = text::fields(line.content.substr(colon + 1));
    auto value = fields.size() == 2 && fields[1] == "kB" ? text::to_count(fields[0]) : std::nullopt;
    if (!value) throw text::parse_error(source, line.number, "expected '{}: N kB', got '{}'", name, line.content);
    if (*target) throw text::parse_error(source, line.number, "{} appears twice", name);
    *target = *value;
  }
  return memory;
}

ProcessMemory read_own_memory(const SystemRoot& root) {
  auto text = root.try_read("/proc/self/status");
  return text ? parse_process_memory(*text, "/proc/self/status") : ProcessMemory{};
}

}  // namespace memharness::system::procfs
