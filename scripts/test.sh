#!/usr/bin/env bash
# `npm test` (after bootstrap and build): tap over test/** (two files at a time, each job on its own lab slot),
# then the fleet's tests (test/fleet, one file at a time: they share one fleet of POOLGATE_FLEET_SLOT, brought up
# here and brought down afterwards unless it was already up), then one plain last line "N passed, N failed" summed
# from tap's own summaries. Exit non-zero when either pass failed. With file arguments only those files run
# (through the first pass's settings) and the fleet pass is skipped; POOLGATE_TEST_FLEET=0 skips it too.
set -uo pipefail
cd "$(dirname "$0")/.."
passed=0
failed=0
status=0

# Runs tap with the given arguments, echoing its output, and adds its summary to passed/failed.
run_tap() {
  local summary
  summary=$(mktemp)
  node_modules/.bin/tap --reporter=tap "$@" | awk -v out="$summary" '
    { print; fflush() }
    /^# \{ total: / { last = $0 }
    END {
      pass = 0; fail = 1
      if (last != "") {
        fail = 0
        if (match(last, /pass: [0-9]+/)) pass = substr(last, RSTART + 6, RLENGTH - 6)
        if (match(last, /fail: [0-9]+/)) fail = substr(last, RSTART + 6, RLENGTH - 6)
      } else print "tap printed no summary: counted as 1 failed"
      print pass, fail > out
    }'
  local rc=${PIPESTATUS[0]}
  local p f
  read -r p f <"$summary"
  rm -f "$summary"
  passed=$((passed + p))
  failed=$((failed + f))
  [ "$rc" -eq 0 ] || status=$rc
}

run_tap "$@"

if [ $# -eq 0 ] && [ "${POOLGATE_TEST_FLEET:-1}" != 0 ]; then
  fleet_was_up=0
  node dist/lab/fleet/fleet-status.js >/dev/null 2>&1 && fleet_was_up=1
  # The first fleet:up on a machine builds the hosts' image (about a minute); later ones reuse it.
  if node dist/lab/fleet/fleet-up.js >/dev/null; then
    run_tap --jobs 1 test/fleet
  else
    echo "not ok - fleet:up failed: the fleet tests did not run (counted as 1 failed)"
    failed=$((failed + 1))
    status=1
  fi
  if [ "$fleet_was_up" -eq 0 ] && [ "${POOLGATE_FLEET_KEEP:-0}" != 1 ]; then
    node dist/lab/fleet/fleet-down.js >/dev/null || status=1
  fi
fi

printf '%d passed, %d failed\n' "$passed" "$failed"
exit "$status"
