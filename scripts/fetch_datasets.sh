#!/bin/sh
# fetch_datasets.sh - put the course's small data sets into data/fetched/,
# taken out of Debian packages without installing them: each package is
# downloaded with `apt-get download` and unpacked with `dpkg-deb -x` into
# a temporary folder, the files below are copied, and the package's
# copyright file goes beside them (data/fetched/licences/). No Python, no
# root. A package whose files are all there already is skipped.
#
#   package                 file in the package          -> data/fetched/...
set -e
cd "$(dirname "$0")/.."
SK=usr/lib/python3/dist-packages/sklearn/datasets
VG=usr/lib/python3/dist-packages/vega_datasets/_data
SM=usr/lib/python3/dist-packages/statsmodels/datasets
PP=usr/lib/R/site-library/palmerpenguins/extdata
FILES="
python3-sklearn $SK/data/iris.csv sklearn/iris.csv
python3-sklearn $SK/data/wine_data.csv sklearn/wine_data.csv
python3-sklearn $SK/data/breast_cancer.csv sklearn/breast_cancer.csv
python3-sklearn $SK/data/digits.csv.gz sklearn/digits.csv.gz
python3-sklearn $SK/data/diabetes_data_raw.csv.gz sklearn/diabetes_data_raw.csv.gz
python3-sklearn $SK/data/diabetes_target.csv.gz sklearn/diabetes_target.csv.gz
python3-sklearn $SK/descr/iris.rst sklearn/descr/iris.rst
python3-sklearn $SK/descr/wine_data.rst sklearn/descr/wine_data.rst
python3-sklearn $SK/descr/breast_cancer.rst sklearn/descr/breast_cancer.rst
python3-sklearn $SK/descr/digits.rst sklearn/descr/digits.rst
python3-sklearn $SK/descr/diabetes.rst sklearn/descr/diabetes.rst
r-cran-palmerpenguins $PP/penguins.csv penguins/penguins.csv
python3-vega-datasets $VG/cars.json vega/cars.json
python3-vega-datasets $VG/seattle-weather.csv vega/seattle-weather.csv
python3-vega-datasets $VG/seattle-temps.csv vega/seattle-temps.csv
python3-statsmodels $SM/sunspots/sunspots.csv statsmodels/sunspots.csv
python3-statsmodels $SM/co2/co2.csv statsmodels/co2.csv
python3-statsmodels $SM/engel/engel.csv statsmodels/engel.csv
"
DEST=data/fetched

packages=$(echo "$FILES" | awk 'NF { print $1 }' | sort -u)
missing=""
for p in $packages; do
  for f in $(echo "$FILES" | awk -v p="$p" '$1 == p { print $3 }') licences/$p.copyright; do
    [ -s "$DEST/$f" ] || { missing="$missing $p"; break; }
  done
done
[ -z "$missing" ] && exit 0

for tool in apt-get dpkg-deb; do
  command -v $tool >/dev/null || {
    echo "fetch_datasets: $tool not found (needs Debian or Ubuntu)" >&2; exit 1; }
done
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
# As root apt downloads as the user _apt, which must own the folder.
[ "$(id -u)" = 0 ] && id _apt >/dev/null 2>&1 && chown _apt "$TMP"
echo "fetch_datasets: downloading$missing"
if ! (cd "$TMP" && apt-get download -q $missing >/dev/null); then
  echo "fetch_datasets: 'apt-get download$missing' failed; run" \
       "'sudo apt-get update' and try again" >&2
  exit 1
fi
for p in $missing; do
  x="$TMP/x-$p"
  dpkg-deb -x "$TMP/${p}"_*.deb "$x"
  for row in $(echo "$FILES" | awk -v p="$p" '$1 == p { print $2 "|" $3 }'); do
    src="$x/${row%%|*}" dst="$DEST/${row#*|}"
    if [ ! -s "$src" ]; then
      echo "fetch_datasets: $p holds no ${row%%|*}" >&2
      exit 1
    fi
    mkdir -p "$(dirname "$dst")"
    cp "$src" "$dst.tmp$$" && mv "$dst.tmp$$" "$dst"
  done
  mkdir -p "$DEST/licences"
  cp "$x/usr/share/doc/$p/copyright" "$DEST/licences/$p.copyright.tmp$$"
  mv "$DEST/licences/$p.copyright.tmp$$" "$DEST/licences/$p.copyright"
  echo "fetch_datasets: wrote the files of $p"
done
