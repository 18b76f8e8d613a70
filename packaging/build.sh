#!/usr/bin/env bash
# Build the Linux packages of cnnviz: the one-folder bundle dist/cnnviz/, a .tar.gz of it and a
# .deb that installs it under /opt/cnnviz.  `make package` runs this after installing
# PyInstaller into .venv; `packaging/smoke-test.sh` checks the result.
#
# Needs about 15 GB free (bundle, package tree, two archives) and takes minutes, mostly
# PyInstaller's analysis of torch and the zstd/gzip compression of ~4 GB.  With REUSE_BUNDLE=1
# an existing dist/cnnviz is packaged again without re-running PyInstaller.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PY:-.venv/bin/python}
DIST=${DIST:-dist}
WORK=${WORK:-build}
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}

read -r VERSION APP_ID < <("$PY" -c 'import cnnviz; print(cnnviz.__version__, cnnviz.APP_ID)')
ARCH=$(dpkg --print-architecture 2>/dev/null || echo amd64)
MACHINE=$(uname -m)
RES=cnnviz/resources

seconds() { date +%s; }
step() { printf '\n== %s\n' "$*"; }
t0=$(seconds)

if [ -n "${REUSE_BUNDLE:-}" ] && [ -x "$DIST/cnnviz/cnnviz" ]; then
    step "reusing $DIST/cnnviz (REUSE_BUNDLE is set)"
else
    step "PyInstaller: $DIST/cnnviz (one folder, windowed)"
    "$PY" -m PyInstaller --noconfirm --clean --log-level WARN \
        --distpath "$DIST" --workpath "$WORK/pyinstaller" packaging/cnnviz.spec
fi
t_bundle=$(seconds)
# Files as a package manager expects them: readable by all, writable by the owner only.
chmod -R u+rwX,go+rX,go-w "$DIST/cnnviz"

step "tarball"
TARBALL="$DIST/cnnviz-$VERSION-linux-$MACHINE.tar.gz"
if command -v pigz >/dev/null 2>&1; then GZ="pigz -6"; else GZ="gzip -6"; fi
tar -C "$DIST" --owner=0 --group=0 --numeric-owner --sort=name \
    --mtime="@$SOURCE_DATE_EPOCH" -I "$GZ" -cf "$TARBALL" cnnviz
t_tar=$(seconds)

step ".deb"
ROOT="$WORK/deb/cnnviz_${VERSION}_$ARCH"
rm -rf "$ROOT"
mkdir -p "$ROOT/DEBIAN" "$ROOT/opt" "$ROOT/usr/bin" "$ROOT/usr/share/applications" \
    "$ROOT/usr/share/metainfo" "$ROOT/usr/share/icons"
cp -a "$DIST/cnnviz" "$ROOT/opt/cnnviz"
# Relative, so the link also works inside an unpacked tree (the smoke test runs it there).
ln -s ../../opt/cnnviz/cnnviz "$ROOT/usr/bin/cnnviz"
install -m 0644 "$RES/$APP_ID.desktop" "$ROOT/usr/share/applications/"
install -m 0644 "$RES/$APP_ID.metainfo.xml" "$ROOT/usr/share/metainfo/"
cp -r "$RES/icons/hicolor" "$ROOT/usr/share/icons/"
install -D -m 0644 packaging/debian/copyright "$ROOT/usr/share/doc/cnnviz/copyright"
chmod -R u+rwX,go+rX,go-w "$ROOT/usr"
# No maintainer scripts: dpkg triggers of desktop-file-utils and hicolor-icon-theme refresh the
# menu and icon caches when files appear in (or leave) these folders.
INSTALLED_SIZE=$(du -sk --apparent-size "$ROOT/opt" "$ROOT/usr" | awk '{s += $1} END {print s}')
sed -e "s/@VERSION@/$VERSION/" -e "s/@ARCH@/$ARCH/" -e "s/@INSTALLED_SIZE@/$INSTALLED_SIZE/" \
    packaging/debian/control.in > "$ROOT/DEBIAN/control"
DEB="$DIST/cnnviz_${VERSION}_$ARCH.deb"
dpkg-deb --root-owner-group -Zzstd --build "$ROOT" "$DEB"
rm -rf "$ROOT"
t_deb=$(seconds)

step "summary"
REPORT="$DIST/build-report.txt"
{
    echo "cnnviz $VERSION built $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(nproc) cores"
    echo "bundle  $(du -sh "$DIST/cnnviz" | cut -f1)  $DIST/cnnviz  ($((t_bundle - t0)) s)"
    echo "tarball $(du -sh "$TARBALL" | cut -f1)  $TARBALL  ($((t_tar - t_bundle)) s)"
    echo "deb     $(du -sh "$DEB" | cut -f1)  $DEB  ($((t_deb - t_tar)) s)"
    echo "total   $((t_deb - t0)) s"
} | tee "$REPORT"
