#!/usr/bin/env bash
# Wrap dist/cnnviz.app (made by `pyinstaller packaging/cnnviz.spec` on a Mac) into a disk image
# with the usual drag-to-Applications layout.  Runs on macOS only (hdiutil).
set -euo pipefail
cd "$(dirname "$0")/../.."

PY=${PY:-python3}
VERSION=$("$PY" -c 'import cnnviz; print(cnnviz.__version__)')
APP=dist/cnnviz.app
DMG="dist/cnnviz-$VERSION-macos-$(uname -m).dmg"
[ -d "$APP" ] || { echo "no $APP: run pyinstaller packaging/cnnviz.spec first" >&2; exit 1; }

# An unsigned app downloaded from the web is quarantined by Gatekeeper; an ad-hoc signature at
# least keeps the bundle's code consistent (Apple Silicon refuses to run unsigned code at all).
codesign --force --deep --sign - "$APP"

STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT
cp -R "$APP" "$STAGE/"
ln -s /Applications "$STAGE/Applications"
rm -f "$DMG"
hdiutil create -volname "cnnviz $VERSION" -srcfolder "$STAGE" -fs HFS+ -format UDZO -ov "$DMG"
echo "built $DMG ($(du -sh "$DMG" | cut -f1))"
