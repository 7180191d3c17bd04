#!/usr/bin/env bash
# What CI lints: TypeScript types (code and tests), the formatting, generated types in sync with schemas, YAML, Ansible (production profile), the collection's plugin docs,
# playbook syntax and every inventory's vars against the schemas.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
echo "== tsc (the code, then the code with its tests)" >&2
npx tsc -p . --noEmit
npx tsc -p tsconfig.test.json
echo "== prettier (the one formatter of the TypeScript)" >&2
npx prettier --check --log-level warn "scripts/**/*.ts" "lab/**/*.ts" "agent/**/*.ts" "examples/**/*.ts" "test/**/*.ts"
echo "== generated types match schemas/" >&2
npm run --silent types:check
echo "== yamllint" >&2
yamllint -s playbooks roles inventory collections .yamllint .ansible-lint
echo "== ansible-lint (production profile)" >&2
ansible-lint -p playbooks roles inventory collections
echo "== ansible-doc: every plugin of poolgate.rollout documented (DOCUMENTATION, EXAMPLES, RETURN)" >&2
bash scripts/dev/ansible-doc-check.sh
echo "== ansible-playbook --syntax-check" >&2
for playbook in playbooks/*.yml; do
  ansible-playbook -i inventory/lab --syntax-check "$playbook" >/dev/null
done
echo "== every inventory's vars against the schemas (rendered plan + poolgate plan check)" >&2
npm run --silent build
plan_dir=$(mktemp -d)
trap 'rm -rf "$plan_dir"' EXIT
for inventory in inventory/*/; do
  name=$(basename "$inventory")
  # Production's operator comes from the bastion's environment; CI names itself.
  ansible-playbook -i "$inventory" playbooks/render-plan.yml -e "plan_out=$plan_dir/$name.json" \
    -e pool_scaling_operator=ci >/dev/null
  echo "   $name: plan valid" >&2
done
