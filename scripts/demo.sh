#!/usr/bin/env bash
# `npm run demo` / `npm run demo:fleet` (after bootstrap and build): the runbook's whole change — pool max 50 → 200,
# min 10 → 20 — under steady background traffic through HAProxy, with lab-sized durations (load test 30 s,
# monitoring 60 s sampled every 5 s), on the local lab (`demo.sh`, inventory/lab) or on the fleet lab of separate
# hosts reached over SSH (`demo.sh fleet`, inventory/fleet). Brings the lab or fleet up if needed and leaves it up.
# Prints the verdict and, last, `evidence: <folder>`.
# Exit 0: changed and verified. Non-zero: refused or rolled back (the evidence says why).
set -euo pipefail
cd "$(dirname "$0")/.."
export POOLGATE_OPERATOR="${POOLGATE_OPERATOR:-${USER:-lab-operator}}"
target="${1:-lab}"

case "$target" in
  lab)
    export POOLGATE_LAB_SLOT="${POOLGATE_LAB_SLOT:-0}"
    node dist/lab/control/lab-up.js >&2
    # The backup gate judges a real backup: dump the lab's database now.
    bash scripts/lab-backup.sh take >/dev/null
    lb_url=$(node -e 'process.stdout.write(require("./dist/lab/lab-config").labConfig().haproxy.url)')
    ;;
  fleet)
    export POOLGATE_FLEET_SLOT="${POOLGATE_FLEET_SLOT:-0}"
    # fleet:up also switches db-1's WAL, so the backup gate (pg_stat_archiver) sees a fresh archive.
    node dist/lab/fleet/fleet-up.js >&2
    lb_url=$(node -e 'process.stdout.write(require("./dist/lab/fleet/fleet-config").fleetConfig().haproxy.url)')
    # The inventory's database password is in the vault fleet:up wrote, under the fleet's vault password.
    ANSIBLE_VAULT_PASSWORD_FILE=$(node -e \
      'process.stdout.write(require("./dist/lab/fleet/fleet-config").fleetConfig().secrets.vaultPasswordFile)')
    export ANSIBLE_VAULT_PASSWORD_FILE
    ;;
  *)
    echo "usage: demo.sh [lab|fleet]" >&2
    exit 2
    ;;
esac

traffic_dir=$(mktemp -d "${TMPDIR:-/tmp}/poolgate-demo-traffic.XXXXXX")
# Background traffic: 20 requests/s of the lab scenario (80 % reads, 20 % writes) through HAProxy, bounded to
# 15 minutes; stopped (SIGTERM: the partial result is still written) when the rollout ends.
node bin/poolgate.js loadtest --url "$lb_url" --scenario lab/scenarios/ledger.yml --allow-writes \
  --rate 20 --duration 15m --concurrency 8 --no-warmup \
  --output "$traffic_dir/traffic.json" --evidence-dir "$traffic_dir" 2>/dev/null >/dev/null &
traffic_pid=$!
# SIGTERM ends the load test early and it writes its partial result; should the process then linger, it is
# killed once the result is on disk (bounded: 30 s).
stop_traffic() {
  kill -TERM "$traffic_pid" 2>/dev/null || return 0
  for _ in $(seq 1 30); do
    kill -0 "$traffic_pid" 2>/dev/null || break
    [ -s "$traffic_dir/traffic.json" ] && sleep 1 && kill -KILL "$traffic_pid" 2>/dev/null
    sleep 1
  done
  { wait "$traffic_pid"; } 2>/dev/null || true
}
trap stop_traffic EXIT

set +e
ansible-playbook -i "inventory/$target" playbooks/pool-scaling.yml | tee "$traffic_dir/ansible.log"
rc=${PIPESTATUS[0]}
set -e
# (bash would announce the SIGKILL of a lingering load test: not news for the operator)
stop_traffic 2>/dev/null
trap - EXIT

evidence=$(grep -o "evidence: [^\"']*" "$traffic_dir/ansible.log" | tail -n 1 | sed 's/^evidence: //' || true)
if [ -z "$evidence" ]; then
  evidence=$(ls -1dt "$PWD"/evidence/*-change 2>/dev/null | head -n 1)
fi
traffic=$(node -e '
  const fs = require("fs");
  try {
    const r = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
    const cut = r.requests.aborted_in_flight ?? 0;
    process.stdout.write(`${r.requests.sent} sent, ${r.requests.ok} ok, ${r.requests.failed} failed` +
      (cut ? ` (${cut} of them in flight when the traffic was stopped)` : ""));
  } catch { process.stdout.write("no result"); }' "$traffic_dir/traffic.json")
rm -rf "$traffic_dir"

echo
if [ "$rc" -eq 0 ]; then
  echo "VERDICT: SUCCESS — every instance runs the new pool (read back); background traffic through HAProxy: $traffic"
else
  echo "VERDICT: FAILED (ansible-playbook exit $rc) — see rollback_log.txt and incidents/ in the evidence; background traffic: $traffic"
fi
echo "evidence: $evidence"
exit "$rc"
