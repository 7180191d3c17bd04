#!/usr/bin/env bash
# What CI lints: TypeScript types, generated types in sync with schemas, YAML, Ansible (production profile),
# playbook syntax and every inventory's vars against the schemas.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
echo "== tsc" >&2
npx tsc -p . --noEmit
echo "== generated types match schemas/" >&2
npm run --silent types:check
