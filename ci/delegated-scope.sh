# Sourced by the scripts that run memharness on the host. On a cgroup v2 host a
# shell's or a cron job's cgroup (a session scope, cron.service) holds other
# processes and cannot pass the memory controller on to test cgroups, so
# memharness gets a delegated scope of its own (docs/runs.md "What a host run does").
# Sets the array `launcher`: the systemd-run prefix there when systemd runs the
# machine, else empty (cgroup v1 or hybrid hosts, the root cgroup, containers).
launcher=()
if [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ] && [ "$(cat /proc/self/cgroup)" != "0::/" ] &&
  [ -d /run/systemd/system ] && command -v systemd-run >/dev/null; then
  launcher=(systemd-run --scope -p Delegate=yes --quiet --)
fi
