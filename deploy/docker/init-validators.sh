#!/bin/sh
# Makes the validator set for compose.yaml once: each validator's keys are created in its own
# volume, its entry printed with the address the others reach it at, and the entries joined
# into /set/validators.json. The public relay gets /set/relay.json (its peers: the validators).
set -eu
if [ -f /set/validators.json ]; then echo "validator set exists"; exit 0; fi
for i in 1 2 3; do
  node_modules/.bin/tsx relay/cli.ts --data-dir "/validators/$i" --announce "/dns4/validator-$i/tcp/9090/ws" --validator-entry > "/set/entry-$i.json"
done
node -e '
const fs = require("fs")
const entries = [1, 2, 3].map((i) => JSON.parse(fs.readFileSync(`/set/entry-${i}.json`, "utf8")))
fs.writeFileSync("/set/validators.json", JSON.stringify({ chainId: "agent-mesh-compose", validators: entries }, null, 2))
fs.writeFileSync("/set/relay.json", JSON.stringify({ peers: entries.flatMap((e) => e.multiaddrs) }, null, 2))
'
echo "wrote /set/validators.json and /set/relay.json"
