# Sourced by the CLI tests: expect CODE STDERR-SUBSTRING ARGS... runs
# "$memharness" ARGS with stdout in $tmp/out and stderr in $tmp/err, and counts
# a failure in $failures when the exit code is not CODE, stderr lacks the
# substring (when one is given), or a usage error (2) is not one line.
expect() {
  local code=$1 message=$2
  shift 2
  "$memharness" "$@" >"$tmp/out" 2>"$tmp/err"
  local got=$?
  if [[ $got -ne $code ]] || { [[ -n $message ]] && ! grep -qF -- "$message" "$tmp/err"; }; then
    echo "FAIL: memharness $* -> exit $got (want $code), stderr: $(cat "$tmp/err") (want: $message)"
    failures=$((failures + 1))
  elif ((code == 2)) && [[ $(wc -l <"$tmp/err") -ne 1 ]]; then
    echo "FAIL: memharness $*: the error is not one line: $(cat "$tmp/err")"
    failures=$((failures + 1))
  fi
}
