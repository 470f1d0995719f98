#!/usr/bin/env bash
# Fetches (once) the two Debian cloud kernels the VM tests and the README's first
# command compare, unpacks them with dpkg-deb -x and makes their modules.dep
# (the .debs ship none). Prints the path of each kernel image, one a line.
# Cache: $MEMHARNESS_KERNEL_CACHE (default /var/cache/memharness/kernels).
set -euo pipefail
cache=${MEMHARNESS_KERNEL_CACHE:-/var/cache/memharness/kernels}
packages=(linux-image-6.1.0-50-cloud-amd64 linux-image-6.12.111+deb12-cloud-amd64)
mkdir -p "$cache"
for package in "${packages[@]}"; do
  root="$cache/$package"
  if [[ ! -f "$root/.unpacked" ]]; then
    work=$(mktemp -d "$cache/.fetch-XXXXXX")
    (cd "$work" && apt-get download -q "$package" >&2)
    mkdir -p "$work/root"
    dpkg-deb -x "$work"/*.deb "$work/root"
    for modules in "$work/root/lib/modules"/*; do
      depmod -b "$work/root" "$(basename "$modules")"
    done
    touch "$work/root/.unpacked"
    rm -rf "$root"
    mv "$work/root" "$root"
    rm -rf "$work"
  fi
  ls "$root"/boot/vmlinuz-*
done
