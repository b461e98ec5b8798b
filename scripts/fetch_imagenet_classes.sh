#!/bin/sh
# fetch_imagenet_classes.sh - put the 1,000 ImageNet class names, one a
# line in class-index order, into data/fetched/imagenet_classes.txt for
# decode_predictions. They come from torchvision's
# models/_meta.py (_IMAGENET_CATEGORIES, BSD-3-Clause) inside Debian's
# python3-torchvision package, downloaded with `apt-get download` and
# unpacked with `dpkg-deb -x` into a temporary folder: nothing is
# installed, no Python is needed. Does nothing when the file is there.
set -e
cd "$(dirname "$0")/.."
DEST=data/fetched/imagenet_classes.txt
IN_DEB=usr/lib/python3/dist-packages/torchvision/models/_meta.py
[ -s "$DEST" ] && exit 0
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
# As root apt downloads as the user _apt, which must own the folder.
[ "$(id -u)" = 0 ] && id _apt >/dev/null 2>&1 && chown _apt "$TMP"
echo "fetch_imagenet_classes: downloading python3-torchvision for $DEST"
if ! (cd "$TMP" && apt-get download -q python3-torchvision >/dev/null); then
  echo "fetch_imagenet_classes: 'apt-get download python3-torchvision'" \
       "failed; run 'sudo apt-get update' and try again" >&2
  exit 1
fi
dpkg-deb -x "$TMP"/python3-torchvision_*.deb "$TMP/x"
# the quoted names between "_IMAGENET_CATEGORIES = [" and the closing "]"
sed -n '/^_IMAGENET_CATEGORIES = \[/,/^\]/p' "$TMP/x/$IN_DEB" |
  sed -n 's/^ *"\(.*\)",\{0,1\}$/\1/p' > "$TMP/classes.txt"
n=$(wc -l < "$TMP/classes.txt")
if [ "$n" != 1000 ]; then
  echo "fetch_imagenet_classes: found $n class names in $IN_DEB, expected 1000" >&2
  exit 1
fi
mkdir -p "$(dirname "$DEST")"
cp "$TMP/classes.txt" "$DEST.tmp$$"
mv "$DEST.tmp$$" "$DEST"
echo "fetch_imagenet_classes: wrote $DEST"
