# Sourced by ci/fuzz.sh and bench/fuzz-all.sh: the list of fuzz targets and
# fuzz_build, which configures (once) and builds ./build-fuzz with clang
# (-Dfuzz=true; fuzz/README.md). Returns 0 when built, 77 when clang or
# libFuzzer is missing outside CI (callers skip), 1 when missing under CI=true
# or when the build fails. Called as `fuzz_build || ...`, so set -e does not
# apply inside: every step checks its own status.

fuzz_targets=(config ftrace vmstat meminfo psi buddyinfo pagetypeinfo zoneinfo memory_stat run_directory journal kernel_image nightly_suite compare_config)

fuzz_build() {
  local missing=""
  command -v clang++ >/dev/null || missing="clang++ (package clang)"
  if [[ -z $missing ]] && ! echo 'extern "C" int LLVMFuzzerTestOneInput(const char*, unsigned long) { return 0; }' |
      clang++ -fsanitize=fuzzer -x c++ - -o /dev/null 2>/dev/null; then
    missing="libFuzzer (package libclang-rt-14-dev)"
  fi
  if [[ -n $missing ]]; then
    if [[ ${CI:-} == true ]]; then
      echo "fuzz: $missing is missing: CI must build the fuzz targets (ci/setup.sh installs it)" >&2
      return 1
    fi
    echo "fuzz: warning: $missing is missing: the fuzz targets are not built (ci/setup.sh installs it)" >&2
    return 77
  fi
  local cc=clang cxx=clang++ log
  if command -v ccache >/dev/null; then cc="ccache clang" cxx="ccache clang++"; fi
  log=$(mktemp "${TMPDIR:-/tmp}/memharness-fuzz-build-XXXXXX")
  if [[ ! -f build-fuzz/build.ninja ]] &&
     ! CC=$cc CXX=$cxx meson setup build-fuzz -Dfuzz=true -Doptimization=0 -Ddebug=false -Dtests=false -Dbenchmarks=false \
         -Dbpf=disabled >"$log" 2>&1; then
    echo "fuzz: meson setup build-fuzz failed:" >&2
    tail -n 30 "$log" >&2
    rm -f "$log"
    return 1
  fi
  # Only the fuzz targets: the memharness executable is not needed here.
  if ! nice -n 10 ninja -C build-fuzz -j "${FUZZ_BUILD_JOBS:-2}" "${fuzz_targets[@]/#/fuzz/fuzz-}" >"$log" 2>&1; then
    echo "fuzz: building build-fuzz failed:" >&2
    tail -n 60 "$log" >&2
    rm -f "$log"
    return 1
  fi
  rm -f "$log"
}
