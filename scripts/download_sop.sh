#!/usr/bin/env bash
# Downloads Stanford Online Products (about 2.9 GB) into data/ and unpacks it to
# data/Stanford_Online_Products, the default --data_dir. Resumes a partial download, checks the
# archive before unpacking, and leaves the zip in data/ as the original script did.
# Usage: scripts/download_sop.sh [URL]
set -euo pipefail

url="${1:-ftp://cs.stanford.edu/cs/cvgl/Stanford_Online_Products.zip}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
data="$(cd "$here/.." && pwd)/data"
zip="$data/Stanford_Online_Products.zip"
mkdir -p "$data"

need() {
  command -v "$1" >/dev/null 2>&1 || { echo "download_sop.sh: '$1' is missing; install it (Debian/Ubuntu: apt-get install $2)" >&2; exit 1; }
}
need unzip unzip

if [ -f "$data/Stanford_Online_Products/Ebay_test.txt" ] && [ -f "$data/Stanford_Online_Products/Ebay_train.txt" ]; then
  echo "Stanford_Online_Products is already unpacked in $data"
  exit 0
fi

if ! unzip -tq "$zip" >/dev/null 2>&1; then
  echo "downloading $url (resumes a partial download) ..."
  if command -v wget >/dev/null 2>&1; then
    wget --continue --tries=20 --output-document="$zip" "$url"
  elif command -v curl >/dev/null 2>&1; then
    curl --fail --location --retry 20 --continue-at - --output "$zip" "$url"
  else
    echo "download_sop.sh: neither wget nor curl is installed (apt-get install wget), or download $url by hand into $data" >&2
    exit 1
  fi
  echo "checking the archive ..."
  if ! unzip -tq "$zip" >/dev/null; then
    echo "download_sop.sh: $zip is damaged or incomplete; run this script again to resume, or delete it to start over" >&2
    exit 1
  fi
fi

echo "unpacking into $data ..."
tmp="$data/.Stanford_Online_Products.partial"
rm -rf "$tmp"
unzip -q "$zip" -d "$tmp"
src="$tmp/Stanford_Online_Products"
[ -f "$src/Ebay_train.txt" ] || { echo "download_sop.sh: the archive does not hold Stanford_Online_Products/Ebay_train.txt" >&2; exit 1; }
rm -rf "$data/Stanford_Online_Products"
mv "$src" "$data/Stanford_Online_Products"
rm -rf "$tmp"
echo "done: $(($(wc -l < "$data/Stanford_Online_Products/Ebay_train.txt") - 1)) training and $(($(wc -l < "$data/Stanford_Online_Products/Ebay_test.txt") - 1)) test images in data/Stanford_Online_Products"
