#!/bin/sh
# make deb: builds the Debian package (debian/) from a copy of the source
# tree with dpkg-buildpackage -us -uc -b, then checks it with lintian, which
# must report no error or warning (overrides in debian/*.lintian-overrides
# carry their reason).
#
# usage: build-deb.sh [OUT_DIR]    (default build-deb)
# The .deb, .buildinfo and .changes end up in OUT_DIR; the copy it was
# built from in OUT_DIR/src. MLDASH_DEB_VERSION builds under another
# version (the copy's latest changelog entry gets it: the upgrade test
# builds a "previous" package that way); MLDASH_DEB_LEAVE_OUT names files
# (space-separated, relative to the source) left out of the copy (the test's
# previous package lacks the newest migration, which its upgrade applies).
set -eu
cd "$(dirname "$0")/.."
out=${1:-build-deb}
mkdir -p "$out"
out=$(cd "$out" && pwd)
src=$out/src/mldash

rm -rf "$out/src"
mkdir -p "$src"
# The tracked and new files, not the build folders or var/.
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	git ls-files -co --exclude-standard -z | xargs -0 cp --parents -t "$src"
else
	tar --exclude='./build*' --exclude=./var --exclude=./debian/mldash -cf - . | tar -xf - -C "$src"
fi

for f in ${MLDASH_DEB_LEAVE_OUT:-}; do
	rm "$src/$f"
done

if [ -n "${MLDASH_DEB_VERSION:-}" ]; then
	sed -i "1s/^mldash ([^)]*)/mldash ($MLDASH_DEB_VERSION)/" "$src/debian/changelog"
fi

version=$(dpkg-parsechangelog -l "$src/debian/changelog" -S Version)
arch=$(dpkg --print-architecture)
echo "build-deb: building mldash $version ($arch) in $src"
(cd "$src" && dpkg-buildpackage -us -uc -b -j"$(nproc)") >"$out/build.log" 2>&1 || {
	tail -40 "$out/build.log" >&2
	echo "build-deb: dpkg-buildpackage failed; the whole log: $out/build.log" >&2
	exit 1
}
for f in "$out/src/mldash_${version}_$arch".* "$out/src/mldash-dbgsym_${version}_$arch".deb \
	"$out/src/mldash_${version}_$arch.deb"; do
	[ -e "$f" ] && mv "$f" "$out/"
done
deb=$out/mldash_${version}_$arch.deb
[ -f "$deb" ] || { echo "build-deb: $deb was not made" >&2; exit 1; }

# Errors and warnings fail; info and pedantic tags are printed only.
lintian --fail-on error,warning --display-info "$out/mldash_${version}_$arch.changes" \
	>"$out/lintian.log" 2>&1 || {
	cat "$out/lintian.log" >&2
	echo "build-deb: lintian found errors or warnings" >&2
	exit 1
}
cat "$out/lintian.log"
echo "build-deb: $deb (lintian: no errors or warnings)"
