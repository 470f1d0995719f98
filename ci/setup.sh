#!/usr/bin/env bash
# Installs everything memharness needs to build, run and test, from Debian's
# packages only. Idempotent: a second run installs nothing new.
set -euo pipefail

packages=(
  # build
  meson ninja-build g++ pkg-config git
  clang-format  # ci/format.sh: the tree's C++ layout, checked in CI
  # libraries
  libtomlplusplus-dev libcli11-dev libfmt-dev nlohmann-json3-dev libyaml-cpp-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libboost-math-dev  # compare: Student's t distribution (header-only)
  libsqlite3-dev     # history: the run index (harness/history)
  gnuplot-nox        # compare --format html: the plots (svg terminal)
  chromium           # tests: the HTML report loaded in a headless browser
  # workloads
  stress-ng util-linux e2fsprogs
  # kernbench: Debian's kernel source and what building it needs
  linux-source-6.1 make flex bison bc libelf-dev libssl-dev xz-utils
  # probes (BPF) — used by the probes issue, installed now so machines match
  clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev
  # fuzz targets (ci/fuzz.sh): libFuzzer's runtime, only a Recommends of clang
  libclang-rt-14-dev
  # VM targets and fixture capture
  qemu-system-x86 busybox-static cpio kmod
  # VM runs: the guest's initramfs (ldd: libc-bin; objcopy: binutils; xz, zstd
  # for compressed modules), SHA-256 (libssl-dev), the scratch disk (e2fsprogs)
  libc-bin binutils zstd libssl-dev
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "ci/setup.sh: must run as root to install: ${missing[*]}" >&2
    exit 3
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
