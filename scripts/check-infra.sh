#!/usr/bin/env bash
# Offline check of the infrastructure code: sst.config.ts and stacks/ type-check against SST's own
# platform types. `sst install` writes those types (.sst/platform) but first wants Pulumi and Bun;
# with no way to download them here, it gets a scratch HOME holding Bun (from the npm registry,
# pinned) and a stand-in `pulumi` that only answers `pulumi version`. That is enough for
# `sst install`, never for deploy, diff or dev, which need AWS anyway. Errors inside .sst/ itself
# are not ours and are filtered; any other error fails the check.
set -euo pipefail
export NPM_CONFIG_UPDATE_NOTIFIER=false
cd "$(dirname "$0")/.."

BUN_VERSION=1.2.1
PULUMI_VERSION=v3.215.0
shim="$PWD/node_modules/.cache/sst-offline"
bin="$shim/.config/sst/bin"
mkdir -p "$bin"

if [ ! -x "$bin/bun" ]; then
  case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) pkg=@oven/bun-linux-x64-baseline ;;
    Linux-aarch64) pkg=@oven/bun-linux-aarch64 ;;
    Darwin-arm64) pkg=@oven/bun-darwin-aarch64 ;;
    Darwin-x86_64) pkg=@oven/bun-darwin-x64 ;;
    *) echo "check-infra: no Bun build known for $(uname -s)-$(uname -m)" >&2; exit 1 ;;
  esac
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack "$pkg@$BUN_VERSION" --silent >/dev/null && tar xzf ./*.tgz)
  cp "$tmp/package/bin/bun" "$bin/bun"
  chmod +x "$bin/bun"
  rm -rf "$tmp"
fi

cat > "$bin/pulumi" <<SHIM
#!/bin/sh
# Stand-in for offline type generation only: answers 'pulumi version' and refuses everything else.
if [ "\$1" = "version" ]; then echo "$PULUMI_VERSION"; exit 0; fi
echo "pulumi is not available here: this stand-in only lets 'sst install' write types" >&2
exit 1
SHIM
chmod +x "$bin/pulumi"

sst_version=$(node -p 'JSON.parse(require("fs").readFileSync("node_modules/sst/package.json", "utf8")).version')
if [ "$(cat .sst/platform/version 2>/dev/null || true)" != "$sst_version" ]; then
  HOME="$shim" SST_TELEMETRY_DISABLED=1 SST_STAGE=offline-check npx sst install >/dev/null
fi

set +e
output=$(npx tsc -p tsconfig.sst.json --noEmit 2>&1)
status=$?
set -e
ours=$(printf '%s\n' "$output" | grep -E 'error TS[0-9]+' | grep -v '^\.sst/' || true)
if [ -n "$ours" ]; then
  printf '%s\n' "$ours" >&2
  echo "check-infra: sst.config.ts or stacks/ do not type-check against SST $sst_version" >&2
  exit 1
fi
if [ $status -ne 0 ] && ! printf '%s\n' "$output" | grep -q 'error TS'; then
  printf '%s\n' "$output" >&2
  exit $status
fi
echo "check-infra: sst.config.ts and stacks/ type-check against SST $sst_version platform types"

# The spoke template the hub deploys to member accounts as a StackSet (issue 12), validated against the
# CloudFormation resource specification, fetched once from the npm registry (scripts/cfn-spec.ts).
node scripts/cfn-validate.ts
