#!/usr/bin/env bash
# The lab's database backups, so preflight's "last backup < 24 h" gate judges a real one.
#   lab-backup.sh take   pg_dump the lab's ledger database (custom format) and check the dump reads back
#   lab-backup.sh list   print the dumps as WAL-G `backup-list --json` does ([{backup_name, time}]), for
#                        plan.preflight.backup = {source: command, command: [bash, lab-backup.sh, list]}
# POOLGATE_LAB_SLOT selects the lab (default 0). The password comes from the lab's secrets file via PGPASSWORD,
# never from the command line.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
slot="${POOLGATE_LAB_SLOT:-0}"
state="$root/lab/.run/$slot"
dir="$state/backups"

case "${1:-}" in
  take)
    mkdir -p "$dir"
    ts="$(date -u +%Y%m%dT%H%M%SZ)"
    PGPASSWORD="$(cat "$state/secrets/app_password")" pg_dump -h "127.0.$slot.1" -p 54320 -U ledger_app -d ledger \
      -Fc -f "$dir/ledger-$ts.dump.tmp"
    pg_restore --list "$dir/ledger-$ts.dump.tmp" >/dev/null
    mv "$dir/ledger-$ts.dump.tmp" "$dir/ledger-$ts.dump"
    # Keep the three newest dumps.
    ls -1t "$dir"/ledger-*.dump | tail -n +4 | xargs -r rm -f
    echo "$dir/ledger-$ts.dump"
    ;;
  list)
    printf '['
    sep=''
    for f in $(ls -1 "$dir"/ledger-*.dump 2>/dev/null | sort); do
      printf '%s{"backup_name":"%s","time":"%s"}' "$sep" "$(basename "$f" .dump)" \
        "$(date -u -r "$f" +%Y-%m-%dT%H:%M:%SZ)"
      sep=','
    done
    printf ']\n'
    ;;
  *)
    echo "usage: lab-backup.sh take|list" >&2
    exit 2
    ;;
esac
