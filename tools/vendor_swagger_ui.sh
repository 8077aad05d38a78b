#!/usr/bin/env bash
# Copies Swagger UI's browser bundle from the swagger-ui-dist npm package into
# directory/static/vendor/swagger-ui/, so /api/docs never loads anything from a CDN.
# Run by hand when upgrading; the copied files are committed. Needs npm, not package.json.
set -euo pipefail
VERSION=5.35.0
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DEST="$ROOT/directory/static/vendor/swagger-ui"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

(cd "$WORK" && npm pack --silent "swagger-ui-dist@$VERSION" >/dev/null && tar -xzf swagger-ui-dist-*.tgz)
mkdir -p "$DEST"
for file in swagger-ui-bundle.js swagger-ui.css LICENSE; do
    cp "$WORK/package/$file" "$DEST/$file"
done
cat > "$DEST/README.md" <<NOTE
# Swagger UI $VERSION

\`swagger-ui-bundle.js\`, \`swagger-ui.css\` and \`LICENSE\` from the npm package
\`swagger-ui-dist@$VERSION\` (Apache License 2.0, © SmartBear Software), unchanged. Copied by
\`tools/vendor_swagger_ui.sh\`; /api/docs serves them from here.
NOTE
echo "Swagger UI $VERSION copied to $DEST"
