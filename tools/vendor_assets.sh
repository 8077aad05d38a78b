#!/usr/bin/env bash
# Copy the front-end files the directory serves from npm's node_modules into directory/static/vendor/.
# Run by hand after changing package.json (`npm ci && tools/vendor_assets.sh`); the copies are
# committed, so a fresh clone serves them without npm, and no page ever loads a CDN.
set -euo pipefail
cd "$(dirname "$0")/.."

[ -d node_modules/leaflet ] && [ -d node_modules/axe-core ] || {
  echo "node_modules is missing: run 'npm ci' first" >&2
  exit 1
}

vendor=directory/static/vendor
rm -rf "$vendor/leaflet" "$vendor/axe-core"
mkdir -p "$vendor/leaflet/images" "$vendor/axe-core"

# Leaflet (BSD-2-Clause): the map shown beside the results when JavaScript runs.
cp node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css "$vendor/leaflet/"
cp node_modules/leaflet/dist/images/*.png "$vendor/leaflet/images/"
cp node_modules/leaflet/LICENSE "$vendor/leaflet/LICENSE"

# axe-core (MPL-2.0): injected into pages by the browser tests to check accessibility.
cp node_modules/axe-core/axe.min.js "$vendor/axe-core/"
cp node_modules/axe-core/LICENSE "$vendor/axe-core/LICENSE"

node -e '
const fs = require("fs");
const lines = ["leaflet", "axe-core"].map((name) => {
  const pkg = JSON.parse(fs.readFileSync(`node_modules/${name}/package.json`, "utf8"));
  return `${pkg.name} ${pkg.version} (${pkg.license})`;
});
fs.writeFileSync(process.argv[1], lines.join("\n") + "\n");
' "$vendor/VERSIONS"
echo "vendored into $vendor:"
cat "$vendor/VERSIONS"
