#!/usr/bin/env bash
# Every plugin of poolgate.rollout (module or action plugin) is documented like a shipped one: `ansible-doc -t module`
# shows it without error, with DOCUMENTATION (a description and every option described), EXAMPLES and RETURN.
# An action plugin without a module of its own is documented by a docs-only file in plugins/modules/, the way
# ansible-core documents ansible.builtin.debug.
set -euo pipefail
cd "$(dirname "$0")/../.."
plugins=collections/ansible_collections/poolgate/rollout/plugins
names=$( (ls "$plugins"/modules/*.py "$plugins"/action/*.py) | xargs -n1 basename | sed 's/\.py$//' | grep -v '^__' | sort -u)
failed=0
errors=$(mktemp)
trap 'rm -f "$errors"' EXIT
for name in $names; do
  if ! out=$(ansible-doc -t module --json "poolgate.rollout.$name" 2>"$errors") || [ -s "$errors" ]; then
    echo "ansible-doc poolgate.rollout.$name: $(tr '\n' ' ' <"$errors")" >&2
    failed=1
    continue
  fi
  if ! problems=$(printf '%s' "$out" | python3 -c '
import json, sys
name = sys.argv[1]
entry = json.load(sys.stdin).get("poolgate.rollout." + name)
if not entry:
    print("no documentation found"); sys.exit(1)
doc, problems = entry.get("doc") or {}, []
if not doc.get("short_description"): problems.append("no short_description")
if not doc.get("description"): problems.append("no description")
for opt, spec in (doc.get("options") or {}).items():
    if not spec.get("description"): problems.append("option %s has no description" % opt)
if not (entry.get("examples") or "").strip(): problems.append("no EXAMPLES")
if not entry.get("return"): problems.append("no RETURN")
print("; ".join(problems)); sys.exit(1 if problems else 0)
' "$name"); then
    echo "ansible-doc poolgate.rollout.$name: $problems" >&2
    failed=1
  else
    echo "   poolgate.rollout.$name: documented" >&2
  fi
done
exit $failed
