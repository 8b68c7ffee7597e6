#!/usr/bin/env bash
# Runs the TypeORM CLI on TypeScript sources (ts-node, path aliases) with ormconfig.ts.
set -euo pipefail
cd "$(dirname "$0")/.."
export TS_NODE_TRANSPILE_ONLY=true TS_NODE_PROJECT=tsconfig.json
exec node -r ts-node/register -r tsconfig-paths/register node_modules/typeorm/cli.js "$@"
