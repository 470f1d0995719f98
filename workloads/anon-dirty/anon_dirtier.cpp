#include "workloads/anon-dirty/anon_dirtier.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include <fmt/core.h>

#include "workloads/anon-dirty/dirty_pacer.h"

namespace memharness::workloads {
namespace {

using namespace std::chrono_literals;

// Longest sleep between grants: short enough that a stop or the deadline is
// noticed promptly, long enough that a worker does not wake per page.
constexpr auto kSleepSlice = 10ms;
// Pages written per grant at most.
constexpr std::int64_t kChunkPages = 64;

std::chrono::nanoseconds monotonic_now() {
  // steady_clock is CLOCK_MONOTONIC on Linux.
  return std::chrono::steady_clock::now().time_since_epoch();
}

struct WorkerTally {
  std::int64_t pages = 0;
  std::int64_t mapped_pages = 0;
  std::chrono::nanoseconds behind{0};
  std::string failure;
};

// xorshift64*: cheap pseudo-random words, so no page is same-filled (6.12+
// keeps those out of swap I/O) and every pass writes new content.
struct PageFiller {
  std::uint64_t state;
  void fill(std::uint64_t* page, std::size_t words) {
    for (std::size_t i = 0; i < words; ++i) {
      state ^= state >> 12;
      state ^= state << 25;
      state ^= state >> 27;
      page[i] = state * 0x2545F4914F6CDD1DULL;
    }
  }
};

void dirty_share(std::int64_t share_bytes, std::int64_t bytes_per_second, std::int64_t max_pages,
                 std::chrono::nanoseconds deadline, std::uint64_t seed, const std::atomic<bool>& stop,
                 WorkerTally& tally) {
  const std::int64_t page = ::sysconf(_SC_PAGESIZE);
  const std::int64_t pages_in_share = std::max<std::int64_t>(1, share_bytes / page);
  void* mapping = ::mmap(nullptr, static_cast<std::size_t>(pages_in_share * page), PROT_READ | PROT_WRITE,
                         MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (mapping == MAP_FAILED) {
    tally.failure = fmt::format("mmap of {} bytes failed: {}", pages_in_share * page, std::strerror(errno));
    return;
  }
  tally.mapped_pages = pages_in_share;
  auto* base = static_cast<char*>(mapping);
  DirtyPacer pacer(bytes_per_second, DirtyPacer::burst_for(bytes_per_second, 5 * kSleepSlice, kChunkPages * page), page,
                   monotonic_now);
  PageFiller filler{seed | 1};
  std::int64_t next = 0;
  while (!stop.load(std::memory_order_relaxed) && monotonic_now() < deadline &&
         (max_pages == 0 || tally.pages < max_pages)) {
    std::int64_t wanted = kChunkPages;
    if (max_pages != 0) wanted = std::min(wanted, max_pages - tally.pages);
    std::int64_t granted = pacer.grant(wanted * page) / page;
    if (granted == 0) {
      std::this_thread::sleep_for(
          std::min<std::chrono::nanoseconds>(pacer.until_available(wanted * page), kSleepSlice));
      continue;
    }
    for (std::int64_t i = 0; i < granted; ++i) {
      filler.fill(reinterpret_cast<std::uint64_t*>(base + next * page), static_cast<std::size_t>(page) / 8);
      if (++next == pages_in_share) next = 0;
    }
    tally.pages += granted;
  }
  tally.behind = pacer.behind_schedule();
  ::munmap(mapping, static_cast<std::size_t>(pages_in_share * page));
}

}  // namespace

nlohmann::json run_anon_dirtier(const AnonDirtierOptions& options, const std::atomic<bool>& stop) {
  const auto start = monotonic_now();
  const auto deadline = start + options.duration;
  std::vector<WorkerTally> tallies(static_cast<std::size_t>(options.workers));
  {
    std::vector<std::jthread> threads;
    for (std::int64_t w = 0; w < options.workers; ++w) {
      // The remainders go to the first workers, so the shares add up exactly.
      auto share = [&](std::int64_t total) { return total / options.workers + (w < total % options.workers ? 1 : 0); };
      std::int64_t budget = options.max_pages == 0 ? 0 : std::max<std::int64_t>(1, share(options.max_pages));
      threads.emplace_back(dirty_share, share(options.total_bytes), share(options.bytes_per_second), budget, deadline,
                           0x9E3779B97F4A7C15ULL * static_cast<std::uint64_t>(w + 1), std::cref(stop),
                           std::ref(tallies[static_cast<std::size_t>(w)]));
    }
  }
  const double elapsed = std::chrono::duration<double>(monotonic_now() - start).count();
  const std::int64_t page = ::sysconf(_SC_PAGESIZE);
  std::int64_t pages = 0, mapped_pages = 0;
  std::chrono::nanoseconds behind{0};
  nlohmann::json failures = nlohmann::json::array();
  for (const auto& tally : tallies) {
    pages += tally.pages;
    mapped_pages += tally.mapped_pages;
    behind += tally.behind;
    if (!tally.failure.empty()) failures.push_back(tally.failure);
  }
  const std::int64_t bytes = pages * page;
  return {
      {"bytes", bytes},
      {"pages", pages},
      {"page_bytes", page},
      {"mapped_bytes", mapped_pages * page},
      {"passes", mapped_pages > 0 ? static_cast<double>(pages) / static_cast<double>(mapped_pages) : 0.0},
      {"elapsed_s", elapsed},
      {"rate_bytes_per_s", elapsed > 0 ? static_cast<double>(bytes) / elapsed : 0.0},
      {"target_bytes_per_s", options.bytes_per_second},
      {"behind_schedule_s", std::chrono::duration<double>(behind).count() / static_cast<double>(options.workers)},
      {"stopped", stop.load()},
      {"failures", failures},
  };
}

}  // namespace memharness::workloads
