#!/usr/bin/env bash
# memharness runs as root: no command line it runs may pass data through a
# shell. Fails, naming file and line, on any popen(), system(), exec of a shell
# with a script built at run time, or `sh -c` whose script is not one string
# literal (data goes in as "$1"..., after the literal). Usage: SCRIPT SOURCE_ROOT
set -euo pipefail
cd "$1"
problems=$(find harness workloads probes bench tests -type f \( -name '*.cpp' -o -name '*.h' -o -name '*.c' \) \
  -print0 | sort -z | xargs -0 perl -0777 -ne '
    my @rules = (
      [qr/\bpopen\s*\(/, "popen() runs a shell"],
      [qr/(?:std::|::)system\s*\(/, "system() runs a shell"],
      [qr/\bexecl[pe]?\s*\(\s*"(?:\/bin\/)?(?:ba)?sh"/, "exec of a shell"],
      # "sh", "-c", then anything but a lone string literal ending the argument.
      [qr/"(?:\/bin\/)?(?:ba)?sh"\s*,\s*"-c"\s*,\s*+(?!"(?:[^"\\\n]|\\.)*"\s*[,}])/,
       "sh -c with a script built from data"],
    );
    for my $rule (@rules) {
      my ($re, $why) = @$rule;
      while (/$re/g) {
        my $line = 1 + (substr($_, 0, $-[0]) =~ tr/\n//);
        print "$ARGV:$line: $why\n";
      }
    }')
if [[ -n $problems ]]; then
  printf '%s\n' "$problems" >&2
  echo "argv vectors only: pass data as separate arguments (system::run_process)" >&2
  exit 1
fi
echo "no shell with data in harness/ workloads/ probes/ bench/ tests/"
