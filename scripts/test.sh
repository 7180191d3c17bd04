#!/usr/bin/env bash
# `npm test` (after bootstrap and build): tap over test/**, then one plain last line "N passed, N failed"
# read from tap's own summary. The exit status stays tap's.
set -uo pipefail
cd "$(dirname "$0")/.."
node_modules/.bin/tap --reporter=tap "$@" | awk '
  { print; fflush() }
  /^# \{ total: / { last = $0 }
  END {
    if (last == "") { print "tap printed no summary: 0 passed, 1 failed"; exit }
    pass = 0; fail = 0
    if (match(last, /pass: [0-9]+/)) pass = substr(last, RSTART + 6, RLENGTH - 6)
    if (match(last, /fail: [0-9]+/)) fail = substr(last, RSTART + 6, RLENGTH - 6)
    printf "%d passed, %d failed\n", pass, fail
  }'
exit "${PIPESTATUS[0]}"
