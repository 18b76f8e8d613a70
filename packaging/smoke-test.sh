#!/usr/bin/env bash
# Check what packaging/build.sh made, without installing anything:
#   1. `cnnviz --self-test` passes in the bundle folder;
#   2. the .deb's contents, unpacked into a temporary root, hold the program, the command, the
#      desktop entry, metainfo and icons; its desktop and metainfo files validate; the command
#      passes the self-test, and the desktop entry's Exec line starts the window;
#   3. the tarball holds the same folder, the torchvision operators included.
# Exit status 0 only if every check passed.
set -euo pipefail
cd "$(dirname "$0")/.."

DIST=${DIST:-dist}
PY=${PY:-.venv/bin/python}
read -r VERSION APP_ID < <("$PY" -c 'import cnnviz; print(cnnviz.__version__, cnnviz.APP_ID)')
DEB=$(ls "$DIST"/cnnviz_"$VERSION"_*.deb)
TARBALL=$(ls "$DIST"/cnnviz-"$VERSION"-linux-*.tar.gz)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
# Headless and private: nothing reaches a running cnnviz window or the user's settings.
export QT_QPA_PLATFORM=offscreen HOME="$TMP/home" XDG_RUNTIME_DIR="$TMP/run"
mkdir -p "$HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
failures=0
check() {  # check NAME COMMAND...: run one check, report it, remember a failure
    local name=$1 start
    shift
    start=$(date +%s)
    if "$@" >"$TMP/log" 2>&1; then
        echo "PASS  $name ($(($(date +%s) - start)) s)"
    else
        echo "FAIL  $name ($(($(date +%s) - start)) s)"
        sed 's/^/      /' "$TMP/log" | tail -40
        failures=$((failures + 1))
    fi
}

check "bundle: cnnviz --self-test" "$DIST/cnnviz/cnnviz" --self-test

ROOT="$TMP/root"
check ".deb: unpacks" dpkg-deb -x "$DEB" "$ROOT"
check ".deb: control names the Qt xcb libraries" \
    bash -c "dpkg-deb -f '$DEB' Depends | grep -q libxcb-cursor0"
for path in opt/cnnviz/cnnviz usr/bin/cnnviz "usr/share/applications/$APP_ID.desktop" \
        "usr/share/metainfo/$APP_ID.metainfo.xml" \
        "usr/share/icons/hicolor/48x48/apps/$APP_ID.png" \
        "usr/share/icons/hicolor/scalable/apps/$APP_ID.svg" \
        opt/cnnviz/_internal/torchvision/_C_stable.so; do
    check ".deb: has /$path" test -e "$ROOT/$path"
done
check ".deb: desktop-file-validate" \
    desktop-file-validate "$ROOT/usr/share/applications/$APP_ID.desktop"
check ".deb: appstreamcli validate" \
    appstreamcli validate --no-net "$ROOT/usr/share/metainfo/$APP_ID.metainfo.xml"
check ".deb: /usr/bin/cnnviz --self-test" "$ROOT/usr/bin/cnnviz" --self-test

# The desktop entry's Exec line, run as a menu would (PATH leads to the unpacked /usr/bin): the
# window must come up with an image and still be running after a while.
exec_line=$(sed -n 's/^Exec=//p' "$ROOT/usr/share/applications/$APP_ID.desktop")
"$PY" -c 'from PIL import Image; Image.new("RGB", (64, 48), "teal").save("'"$TMP"'/photo.png")'
starts_window() {
    local rc=0
    # shellcheck disable=SC2086 # the Exec line is split into words like a desktop would
    PATH="$ROOT/usr/bin:$PATH" timeout 60 ${exec_line/\%F/$TMP/photo.png} || rc=$?
    [ "$rc" -eq 124 ]  # still running when the timeout ended it: the window is up
}
check ".deb: desktop Exec line ($exec_line) starts the window" starts_window

tarball_holds() {
    tar -tzf "$TARBALL" >"$TMP/tarball.txt"
    grep -qx 'cnnviz/cnnviz' "$TMP/tarball.txt" &&
        grep -qx 'cnnviz/_internal/torchvision/_C_stable.so' "$TMP/tarball.txt"
}
check "tarball: holds the program and the torchvision operators" tarball_holds

if [ "$failures" -gt 0 ]; then
    echo "$failures check(s) failed"
    exit 1
fi
echo "all checks passed"
