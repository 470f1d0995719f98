#include "harness/targets/guest_init.h"

#include <fmt/core.h>

namespace memharness::targets {

std::string guest_init_script() {
  return fmt::format(R"SH(#!/bin/sh
# memharness guest init: PID 1 of a throwaway VM, built by the harness.
/bin/busybox mkdir -p /sbin /usr/sbin /usr/bin
/bin/busybox --install -s
export PATH=/usr/bin:/usr/sbin:/bin:/sbin HOME=/root MEMHARNESS_STATE_DIR=/var/lib/memharness
fail() {{ echo "memharness-guest: error: $*"; sync; poweroff -f; }}
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tracefs tracefs /sys/kernel/tracing || fail "cannot mount tracefs"
mount -t cgroup2 cgroup2 /sys/fs/cgroup || fail "cannot mount cgroup2"
release=$(uname -r)
while read -r module; do
  insmod "/lib/modules/$release/$module" || fail "insmod $module failed"
done < /etc/memharness/modules
for i in $(seq 1 100); do [ -b /dev/vda ] && break; sleep 0.1; done
[ -b /dev/vda ] || fail "no scratch disk (/dev/vda)"
mount -t ext4 /dev/vda /scratch || fail "cannot mount the scratch disk"
mkdir -p /scratch/tmp /scratch/var-tmp
mount --bind /scratch/tmp /tmp && mount --bind /scratch/var-tmp /var/tmp || fail "cannot bind /tmp"
# uptime: the guest's seconds from boot to the workload (boot-to-workload latency).
echo "{begin} $release uptime=$(cut -d' ' -f1 /proc/uptime) $(cat /proc/cmdline)"
# memharness.cgroup=NAME on the command line: the harness runs alone in
# /sys/fs/cgroup/NAME, with the memory controller available there, as
# `systemd-run --scope -p Delegate=yes` starts it on a systemd host.
harness_cgroup=
for word in $(cat /proc/cmdline); do
  case "$word" in memharness.cgroup=*) harness_cgroup="/sys/fs/cgroup/${{word#memharness.cgroup=}}" ;; esac
done
if [ -n "$harness_cgroup" ]; then
  echo +memory > /sys/fs/cgroup/cgroup.subtree_control && mkdir -p "$harness_cgroup" ||
    fail "cannot create the harness cgroup $harness_cgroup"
fi
cd /scratch
eval "set -- $(cat /scratch/job/args)"
# Through a pipe: on the console (a tty) the progress line would redraw itself
# into thousands of lines of the saved console.
set -o pipefail
if [ -n "$harness_cgroup" ]; then
  sh -c 'echo $$ > "$1/cgroup.procs" || exit 125; shift; exec memharness run "$@"' \
    sh "$harness_cgroup" /scratch/job/config.toml --kernel host --results /scratch/results "$@" 2>&1 | cat
else
  memharness run /scratch/job/config.toml --kernel host --results /scratch/results "$@" 2>&1 | cat
fi
echo $? > /scratch/job/exit-status
if [ -n "$harness_cgroup" ]; then
  # What the harness left in its cgroup: its restore should have left nothing.
  echo "memharness-guest: harness cgroup $harness_cgroup after the run:" \
    "children=[$(cd "$harness_cgroup" && for d in */; do [ -d "$d" ] && printf '%s ' "${{d%/}}"; done)]" \
    "subtree_control=[$(cat "$harness_cgroup/cgroup.subtree_control")]"
fi
if [ -d /scratch/results ] && cd /scratch/results; then
  find . -type f | sort | while read -r f; do sha256sum "$f"; done > /scratch/job/SHA256SUMS
fi
cd /
umount /tmp /var/tmp
sync
umount /scratch || sync
echo "{end}"
poweroff -f
)SH",
                     fmt::arg("begin", guest_begin_marker), fmt::arg("end", guest_end_marker));
}

}  // namespace memharness::targets
