#!/usr/bin/env bash
# `npm run demo` (after bootstrap and build): bring the local lab up and show it. The rollout issue turns this
# into the whole pool change on the lab.
set -euo pipefail
cd "$(dirname "$0")/.."
node dist/lab/control/lab-up.js
url=$(node -e 'process.stdout.write(require("./dist/lab/lab-config").labConfig().haproxy.url)')
cat <<MSG

The lab is up. Try:
  curl ${url}/api/accounts
  npm run lab:status
Stop it (keeps the data): npm run lab:down      Remove it entirely: npm run lab:down -- --purge
MSG
