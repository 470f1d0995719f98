#!/usr/bin/env bash
# The C++ layout of the tree, as .clang-format says (Google's style, 120
# columns; probes/bpf/ keeps the kernel's own style and is left alone).
#   ci/format.sh           rewrite every C++ source and header in place
#   ci/format.sh --check   list the files that differ, exit 1 if any (CI)
set -euo pipefail
cd "$(dirname "$0")/.."
check=false
case ${1:-} in
  --check) check=true ;;
  "") ;;
  *) echo "ci/format.sh: unknown argument \"$1\": expected --check or nothing" >&2; exit 2 ;;
esac
command -v clang-format >/dev/null || { echo "ci/format.sh: clang-format is missing (ci/setup.sh installs it)" >&2; exit 1; }
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  mapfile -t files < <(git ls-files '*.cpp' '*.h' '*.c')
else
  mapfile -t files < <(find harness workloads probes tests bench fuzz -name '*.cpp' -o -name '*.h' -o -name '*.c')
fi
if ! $check; then
  clang-format -i "${files[@]}"
  exit 0
fi
# One clang-format for every file (one per file took 40 s here); its
# "FILE:LINE:COL: error: code should be clang-formatted" lines name them.
if report=$(clang-format --dry-run --Werror "${files[@]}" 2>&1); then
  echo "ci/format.sh: every C++ file follows .clang-format"
  exit 0
fi
mapfile -t differ < <(grep -o '^[^:]*:[0-9]*:[0-9]*: error: code should be clang-formatted' <<<"$report" | cut -d: -f1 | sort -u)
if ((${#differ[@]} == 0)); then
  echo "ci/format.sh: clang-format failed:" >&2
  echo "$report" | tail -n 20 >&2
  exit 1
fi
echo "ci/format.sh: ${#differ[@]} file(s) differ from .clang-format (fix: bash ci/format.sh):" >&2
printf '  %s\n' "${differ[@]}" >&2
exit 1
