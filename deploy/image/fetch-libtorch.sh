#!/bin/sh
# Downloads the libtorch archive at URL, checks it against LIBTORCH_SHA256 and unpacks its
# libtorch/ folder to DEST. Refuses to run without a checksum: an unverified native library would
# run with the worker's credentials on every GPU node.
#   LIBTORCH_SHA256=<64 hex digits> fetch-libtorch.sh URL DEST
set -eu
if [ $# -ne 2 ]; then
  echo "usage: LIBTORCH_SHA256=<sha256> $0 URL DEST" >&2
  exit 64
fi
url=$1
dest=$2
sha=${LIBTORCH_SHA256:-}
if ! printf '%s' "$sha" | grep -Eq '^[0-9a-f]{64}$'; then
  echo "error: LIBTORCH_SHA256 must be the SHA-256 (64 lower-case hex digits) of $url, got '$sha'." >&2
  echo "Download the archive once from the official site, check it, and pass" >&2
  echo "  docker build --build-arg LIBTORCH_SHA256=\$(sha256sum libtorch.zip | cut -d' ' -f1) ..." >&2
  exit 65
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
curl -fsSL --retry 3 -o "$work/libtorch.zip" "$url"
if ! echo "$sha  $work/libtorch.zip" | sha256sum -c - >/dev/null 2>&1; then
  echo "error: SHA-256 mismatch for $url: expected $sha, got $(sha256sum "$work/libtorch.zip" | cut -d' ' -f1)" >&2
  exit 66
fi
unzip -q "$work/libtorch.zip" -d "$work/unpacked"
if [ ! -f "$work/unpacked/libtorch/lib/libtorch.so" ]; then
  echo "error: $url has no libtorch/lib/libtorch.so" >&2
  exit 67
fi
mkdir -p "$(dirname "$dest")"
mv "$work/unpacked/libtorch" "$dest"
