#pragma once
// The guest's /init (busybox sh) and the markers it prints on the console, which
// the host reads to tell a finished guest from one that died.
#include <string>
#include <string_view>

namespace memharness::targets {

inline constexpr std::string_view guest_begin_marker = "memharness-guest: begin";
inline constexpr std::string_view guest_end_marker = "memharness-guest: end";

// The script: mounts proc, sys, devtmpfs, tracefs and cgroup2; loads the
// modules listed in /etc/memharness/modules; mounts the scratch disk (/dev/vda,
// ext4) on /scratch with /tmp and /var/tmp on it (writeback, swapfiles); runs
// `memharness run` with the arguments in /scratch/job/args; writes its exit
// status and the SHA-256 of every result file to /scratch/job/; unmounts and
// powers off. Anything going wrong before the run powers off too, after
// saying why on the console.
std::string guest_init_script();

}  // namespace memharness::targets
