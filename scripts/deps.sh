#!/bin/sh
# deps.sh - install the Debian packages workbook needs, if any is missing.
# Uses sudo when not root. Quiet and quick when everything is there.
set -e
# at the very end: the face set, the ImageNet class names and the course's
# small data sets, taken out of Debian packages (python3-skimage,
# python3-torchvision, python3-sklearn, r-cran-palmerpenguins,
# python3-vega-datasets, python3-statsmodels) without installing them
D="$(dirname "$0")"
trap 'sh "$D/fetch_faces.sh" && sh "$D/fetch_imagenet_classes.sh" && sh "$D/fetch_datasets.sh" || exit 1' EXIT
PKGS="make gcc pkg-config perl liblua5.4-dev libpng-dev zlib1g-dev
libopenblas-dev liblapacke-dev libcairo2-dev fonts-nanum fonts-dejavu-core
libcmark-gfm-dev libcmark-gfm-extensions-dev nettle-dev libjs-katex
libjs-highlight.js dataset-fashion-mnist libhdf5-dev libsvm-dev liblinear-dev libdnnl-dev liblbfgs-dev
libreadline-dev
nodejs"
# `deps.sh browser` installs only headless Chromium, which the book's
# browser test and `workbook book --pdf` need (big, so not part of every
# build's set-up). nodejs runs KaTeX's parser over the book's TeX.
[ "${1:-}" = browser ] && PKGS="chromium"
# `deps.sh fuzz`: clang with libFuzzer's runtime, for `make fuzz`
[ "${1:-}" = fuzz ] && PKGS="clang"
missing=""
for p in $PKGS; do
  st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  [ "$st" = installed ] || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "deps: installing$missing"
SUDO=""
if [ "$(id -u)" != 0 ]; then
  command -v sudo >/dev/null || { echo "deps: need root or sudo to install$missing" >&2; exit 1; }
  SUDO=sudo
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends $missing
