#!/usr/bin/env bash
# Usage: npm run migration:generate -- AddOrders
# Writes src/database/migrations/<timestamp>-AddOrders.ts from the difference between the entities
# and the migrated database. Add the new class to src/database/migrations.ts afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
name="${1:?usage: npm run migration:generate -- <Name>}"
bash scripts/typeorm.sh migration:generate "src/database/migrations/${name}" -d ormconfig.ts --pretty
echo "Now add the new migration class to src/database/migrations.ts (a unit test fails until you do)."
