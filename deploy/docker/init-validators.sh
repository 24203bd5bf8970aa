#!/bin/sh
# Makes the validator set for compose.yaml once: each validator's keys are created in its own
# volume, its entry printed with the address the others reach it at, and the entries joined
# into /set/validators.json. The public relay gets /set/relay.json (its peers: the validators).
set -eu
# SET_DIR and VALIDATORS_DIR move the two folders (the unit tests run this script in a temp dir).
SET_DIR="${SET_DIR:-/set}"
VALIDATORS_DIR="${VALIDATORS_DIR:-/validators}"
if [ -f "$SET_DIR/validators.json" ]; then echo "validator set exists"; exit 0; fi
for i in 1 2 3; do
  node_modules/.bin/tsx relay/cli.ts --data-dir "$VALIDATORS_DIR/$i" --announce "/dns4/validator-$i/tcp/9090/ws" --validator-entry > "$SET_DIR/entry-$i.json"
done
SET_DIR="$SET_DIR" node -e '
const fs = require("fs")
const dir = process.env.SET_DIR
const entries = [1, 2, 3].map((i) => JSON.parse(fs.readFileSync(`${dir}/entry-${i}.json`, "utf8")))
fs.writeFileSync(`${dir}/validators.json`, JSON.stringify({ chainId: "agent-mesh-compose", validators: entries }, null, 2))
fs.writeFileSync(`${dir}/relay.json`, JSON.stringify({ peers: entries.flatMap((e) => e.multiaddrs) }, null, 2))
'
echo "wrote $SET_DIR/validators.json and $SET_DIR/relay.json"
