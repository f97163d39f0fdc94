#!/usr/bin/env bash
# Copies the pinned front-end libraries from node_modules into static/vendor (never committed).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p static/vendor
cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx.min.js
cp node_modules/chart.js/dist/chart.umd.min.js node_modules/chart.js/dist/chart.umd.min.js.map static/vendor/
