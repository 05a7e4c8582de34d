#!/usr/bin/env bash
# Makes sure leafpress can build against cairo >= 1.18, which its tagged-PDF
# output requires.
#
# - The system's cairo when `pkg-config --atleast-version=1.18 cairo` says so.
# - Otherwise (Debian 12 has 1.16) cairo from Debian trixie's source package,
#   built with meson from bookworm-backports, installed into build/deps/prefix.
#   Nothing outside the build tree is touched: apt runs with its own state,
#   cache and source list under build/deps/apt; /etc/apt is only read (to
#   learn which Debian mirror this machine uses, and for the archive keys that
#   verify the downloads). Built once; later runs see build/deps/cairo.stamp.
#
# Environment: LEAFPRESS_DEBIAN_MIRROR overrides the mirror URI found in
# /etc/apt; LEAFPRESS_DEPS_DIR overrides build/deps.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DEPS=${LEAFPRESS_DEPS_DIR:-$ROOT/build/deps}
PREFIX=$DEPS/prefix
STAMP=$DEPS/cairo.stamp
LOG=$DEPS/cairo-build.log
MIN_VERSION=1.18
MIN_MESON=1.3.0
# Bump when the way cairo is built changes (options below): the next make
# then builds it again instead of trusting the old stamp.
RECIPE=1

say() { printf 'prereqs: %s\n' "$*"; }
die() { printf 'prereqs: error: %s\n' "$*" >&2; exit 1; }
rel() { printf '%s' "${1#"$ROOT"/}"; }

# Already built, the current way.
if [ -f "$PREFIX/lib/pkgconfig/cairo.pc" ] && [ -f "$STAMP" ] \
   && [ "$(head -n 1 "$STAMP")" = "recipe $RECIPE" ]; then
    exit 0
fi
# The system's is new enough.
if pkg-config --atleast-version="$MIN_VERSION" cairo 2>/dev/null; then
    exit 0
fi

system_version=$(pkg-config --modversion cairo 2>/dev/null || echo none)
codename=$( (. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}") || true)
codename=${codename:-bookworm}

# The URI of this machine's main Debian archive: the entry whose suite is the
# release itself (not -updates, -security, -backports). deb822 .sources files
# first, then one-line sources.list files (what debootstrap writes).
find_mirror() {
    local f
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -r "$f" ] || continue
        awk -v want="$codename" '
            function flush() {
                if (types ~ /(^| )deb( |$)/ && enabled != "no" && uris != "") {
                    n = split(suites, s, " ")
                    for (i = 1; i <= n; i++) if (s[i] == want) { split(uris, u, " "); print u[1]; found = 1; exit }
                }
                types = ""; suites = ""; uris = ""; enabled = ""
            }
            /^[ \t]*#/ { next }
            /^[ \t]*$/ { flush(); next }
            { key = tolower($1); sub(/:$/, "", key); $1 = ""; sub(/^[ \t]+/, "")
              if (key == "types") types = $0
              else if (key == "suites") suites = $0
              else if (key == "uris") uris = $0
              else if (key == "enabled") enabled = tolower($0) }
            END { if (!found) flush() }
        ' "$f"
    done
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -r "$f" ] || continue
        awk -v want="$codename" '
            /^[ \t]*#/ { next }
            $1 == "deb" {
                i = 2
                if ($i ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
                if ($(i + 1) == want) { print $i; exit }
            }
        ' "$f"
    done
}

mirror=${LEAFPRESS_DEBIAN_MIRROR:-}
if [ -z "$mirror" ]; then
    mirror=$(find_mirror | grep -E '^(https?|file|ftp)://' | head -n 1 || true)
fi
[ -n "$mirror" ] || die "cannot find this machine's Debian mirror for '$codename' in /etc/apt/sources.list*; set LEAFPRESS_DEBIAN_MIRROR=<URI>"

say "system cairo is $system_version, leafpress needs >= $MIN_VERSION: building cairo from Debian trixie's source into $(rel "$PREFIX")"

rm -rf "$DEPS/apt" "$DEPS/src" "$DEPS/meson" "$DEPS/cairo-build" "$PREFIX" "$STAMP"
mkdir -p "$DEPS"/apt/{lists/partial,cache/archives/partial,etc/sources.list.d,etc/preferences.d} "$DEPS/src"
: >"$LOG"
cat >"$DEPS/apt/etc/sources.list" <<EOF
deb-src $mirror trixie main
deb $mirror ${codename}-backports main
EOF

APT=(apt-get -q
    -o "Dir::Etc::SourceList=$DEPS/apt/etc/sources.list"
    -o "Dir::Etc::SourceParts=$DEPS/apt/etc/sources.list.d"
    -o "Dir::Etc::Preferences=$DEPS/apt/etc/preferences"
    -o "Dir::Etc::PreferencesParts=$DEPS/apt/etc/preferences.d"
    -o "Dir::State::Lists=$DEPS/apt/lists"
    -o "Dir::Cache=$DEPS/apt/cache"
    -o "Dir::Cache::pkgcache=" -o "Dir::Cache::srcpkgcache="
    -o "APT::Sandbox::User=root"
    -o "Acquire::Languages=none"
    -o "Acquire::IndexTargets::deb::Contents-deb::DefaultEnabled=false"
    -o "Acquire::IndexTargets::deb::DEP-11::DefaultEnabled=false"
    -o "Acquire::IndexTargets::deb::DEP-11-icons::DefaultEnabled=false"
    -o "Acquire::IndexTargets::deb::DEP-11-icons-small::DefaultEnabled=false"
    -o "Acquire::IndexTargets::deb::DEP-11-icons-hidpi::DefaultEnabled=false"
)

fail() {
    tail -n 25 "$LOG" >&2
    die "$* (full log: $(rel "$LOG"))"
}

start=$SECONDS
"${APT[@]}" update >>"$LOG" 2>&1 </dev/null || fail "apt-get update (trixie sources, ${codename}-backports) failed"
# apt checked the index against the signed Release file, and the download
# against the index's checksums: no need to verify the .dsc's own signature.
(cd "$DEPS/src" && "${APT[@]}" source --download-only cairo) >>"$LOG" 2>&1 </dev/null \
    || fail "downloading cairo's source package from trixie failed"

dsc=$(ls "$DEPS"/src/cairo_*.dsc 2>/dev/null | head -n 1)
[ -n "$dsc" ] || fail "no cairo .dsc was downloaded"
deb_version=$(awk '/^Version:/ { print $2; exit }' "$dsc")
upstream=${deb_version#*:}
upstream=${upstream%-*}
dpkg --compare-versions "$upstream" ge "$MIN_VERSION" \
    || fail "trixie's cairo is $deb_version, older than $MIN_VERSION"
orig=$(ls "$DEPS"/src/cairo_"$upstream".orig.tar.* 2>/dev/null | head -n 1)
[ -n "$orig" ] || fail "no cairo_$upstream.orig.tar.* in the download"

# meson >= 1.3 (cairo's minimum); bookworm has 1.0, so unless a new enough one
# is installed, take bookworm-backports' (architecture-independent) package
# and run it from where it was unpacked.
MESON=()
if command -v meson >/dev/null 2>&1 \
   && dpkg --compare-versions "$(meson --version 2>/dev/null || echo 0)" ge "$MIN_MESON"; then
    MESON=(meson)
else
    (cd "$DEPS/src" && "${APT[@]}" download "meson/${codename}-backports") >>"$LOG" 2>&1 </dev/null \
        || fail "downloading meson from ${codename}-backports failed"
    dpkg -x "$(ls "$DEPS"/src/meson_*.deb | head -n 1)" "$DEPS/meson" || fail "unpacking meson failed"
    # Python puts the script's folder first on sys.path: with mesonbuild
    # beside it, meson runs as is, also when ninja calls it back.
    ln -s ../lib/python3/dist-packages/mesonbuild "$DEPS/meson/usr/bin/mesonbuild"
    MESON=("$DEPS/meson/usr/bin/meson")
fi
meson_version=$("${MESON[@]}" --version)

say "building cairo $upstream (Debian $deb_version, meson $meson_version) into $(rel "$PREFIX") (about 30 s)"
tar -xf "$orig" -C "$DEPS/src" || fail "unpacking $orig failed"
srcdir=$(ls -d "$DEPS"/src/cairo-"$upstream" 2>/dev/null || ls -d "$DEPS"/src/cairo-*/ | head -n 1)

# Only what leafpress uses (image, PDF, PNG, FreeType/fontconfig fonts,
# cairo-gobject for librsvg); no X11, no tests, no docs. nofallback: never
# reach for meson's bundled subprojects (they would download).
"${MESON[@]}" setup "$DEPS/cairo-build" "$srcdir" \
    --prefix="$PREFIX" --libdir=lib --buildtype=release --wrap-mode=nofallback \
    -Dfontconfig=enabled -Dfreetype=enabled -Dpng=enabled -Dzlib=enabled -Dglib=enabled \
    -Dxlib=disabled -Dxcb=disabled -Dquartz=disabled -Ddwrite=disabled \
    -Dtests=disabled -Dgtk_doc=false -Dspectre=disabled -Dsymbol-lookup=disabled -Dlzo=disabled \
    >>"$LOG" 2>&1 </dev/null || fail "meson setup for cairo failed"
ninja -C "$DEPS/cairo-build" install >>"$LOG" 2>&1 </dev/null || fail "building cairo failed"

built=$(PKG_CONFIG_PATH="$PREFIX/lib/pkgconfig" pkg-config --modversion cairo 2>/dev/null || true)
dpkg --compare-versions "${built:-0}" ge "$MIN_VERSION" || fail "the installed cairo reports version '${built}'"

# Keep the prefix and the log; the sources, apt state and build tree go.
rm -rf "$DEPS/apt" "$DEPS/src" "$DEPS/meson" "$DEPS/cairo-build"
printf 'recipe %s\ncairo %s (Debian %s) built with meson %s\n' \
    "$RECIPE" "$built" "$deb_version" "$meson_version" >"$STAMP"
say "cairo $built ready in $(rel "$PREFIX") ($((SECONDS - start)) s)"
