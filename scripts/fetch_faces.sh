#!/bin/sh
# fetch_faces.sh - put scikit-image's LFW face subset (lfw_subset.npy:
# 100 faces then 100 non-faces, 25x25 float64) into data/fetched/. The
# file comes out of Debian's python3-skimage package, downloaded with
# `apt-get download` and unpacked with `dpkg-deb -x` into a temporary
# folder: nothing is installed, no Python is needed, no root either.
# Does nothing when the file is already there.
set -e
cd "$(dirname "$0")/.."
DEST=data/fetched/lfw_subset.npy
IN_DEB=usr/lib/python3/dist-packages/skimage/data/lfw_subset.npy
[ -s "$DEST" ] && exit 0
for tool in apt-get dpkg-deb; do
  command -v $tool >/dev/null || {
    echo "fetch_faces: $tool not found (needs Debian or Ubuntu)" >&2; exit 1; }
done
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
# As root apt downloads as the user _apt, which must own the folder.
[ "$(id -u)" = 0 ] && id _apt >/dev/null 2>&1 && chown _apt "$TMP"
echo "fetch_faces: downloading python3-skimage for $DEST"
if ! (cd "$TMP" && apt-get download -q python3-skimage >/dev/null); then
  echo "fetch_faces: 'apt-get download python3-skimage' failed; run" \
       "'sudo apt-get update' and try again" >&2
  exit 1
fi
dpkg-deb -x "$TMP"/python3-skimage_*.deb "$TMP/x"
SRC="$TMP/x/$IN_DEB"
# a .npy file starts with \x93NUMPY; 200 x 25 x 25 float64 plus header
if [ ! -s "$SRC" ] || [ "$(head -c 6 "$SRC" | tail -c 5)" != NUMPY ]; then
  echo "fetch_faces: the package holds no $IN_DEB" >&2
  exit 1
fi
mkdir -p "$(dirname "$DEST")"
cp "$SRC" "$DEST.tmp$$"
mv "$DEST.tmp$$" "$DEST"
echo "fetch_faces: wrote $DEST"
