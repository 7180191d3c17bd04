#!/usr/bin/env bash
# Installs what is missing on a fresh machine, then nothing on the next run: Debian packages (as root) and npm deps.
set -euo pipefail
cd "$(dirname "$0")/.."

debian_packages=(postgresql haproxy ansible ansible-lint yamllint supervisor wrk hey prometheus prometheus-node-exporter)
# The fleet lab (npm run fleet:up): machines booted with systemd-nspawn from an image mmdebstrap builds, reached by SSH.
debian_packages+=(systemd-container mmdebstrap openssh-client)
# The HTML report's browser test renders it in headless Chromium (test/integration/html-report.test.ts).
debian_packages+=(chromium)
# The https load-test test makes a throwaway certificate (test/integration/loadtest-https.test.ts).
debian_packages+=(openssl)
missing=()
for p in "${debian_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "poolgate bootstrap: missing Debian packages: ${missing[*]} (run as root, or: sudo apt-get install ${missing[*]})" >&2
    exit 2
  fi
  echo "poolgate bootstrap: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi
# Debian starts packaged daemons on install where it can; the lab runs its own, so stop any system copies.
for svc in haproxy supervisor postgresql prometheus prometheus-node-exporter; do
  if command -v service >/dev/null 2>&1 && service "$svc" status >/dev/null 2>&1; then
    service "$svc" stop >/dev/null 2>&1 || true
  fi
done

stamp=node_modules/.poolgate-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "poolgate bootstrap: npm ci" >&2
  npm ci --no-audit --no-fund >&2
  echo "$want" > "$stamp"
fi
