#!/usr/bin/env bash
# Modules (src/modules.h): libqpdf (finishing) and librsvg/gdk-pixbuf
# (SVG, JPEG) are loaded only by a run that needs them, from the folder of
# the executable or $LEAFPRESS_LIB_DIR; a missing module is a clear error
# that names it, and writes nothing.
#
#   bash tests/modules.sh LEAFPRESS [BUILDDIR]      (from the repository root)
#
# What a run loads is read from the dynamic loader's own log (LD_DEBUG=libs).
set -u

# shellcheck source=tests/lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh" || exit 2
if [ ! -f tests/data/images/schema.svg ]; then
    echo "modules.sh: run from the repository root" >&2
    exit 2
fi
moddir=$(dirname "$leafpress")
if [ ! -f "$moddir/leafpress-finish.so" ]; then
    echo "ok   (skipped: $moddir has no leafpress-finish.so; a build with LEAFPRESS_STATIC_MODULES)"
    exit 0
fi

make_scratch

# loaded LOG: the libraries of interest the loader mapped, one short name a line
loaded() {
    grep -oE 'calling init: [^ ]*/(libqpdf|liblcms2|librsvg-2|libgdk_pixbuf-2\.0|leafpress-finish|leafpress-svg)[^/ ]*' "$1" |
        sed -E 's|.*/||; s/\.so.*//' | sort -u | tr '\n' ' ' | sed 's/ $//'
}
# expect_loaded NAME LOG EXPECTED: exactly EXPECTED (sorted, space separated) of them
expect_loaded() {
    local got
    got=$(loaded "$2")
    if [ "$got" = "$3" ]; then pass "$1: loads ${3:-none of the module libraries}"
    else fail "$1: loads ${3:-none of the module libraries}" "loaded: ${got:-none}"; fi
}

# A project with one plain leaflet and one with an SVG figure.
project=$scratch/proj
mkdir -p "$project/sources" "$project/beelden"
cp -R styles fonts "$project/"
[ -d profiles ] && cp -R profiles "$project/"
cp tests/data/images/schema.svg "$project/beelden/"
front() { printf -- '---\ntitle: %s\nlang: nl-NL\npublisher: Testuitgever\nupdated: 2020-02\n---\n' "$1"; }
{ front Gewoon; printf '# Gewoon\n\nDeze folder vertelt u wat u kunt verwachten van het onderzoek.\n'; } \
    >"$project/sources/gewoon.md"
{ front Schema; printf '# Schema\n\nEen schema:\n\n![Schema van de lever](../beelden/schema.svg)\n'; } \
    >"$project/sources/schema.md"

run() { # run LOG ARGS...: leafpress in the project with the loader's log in LOG; sets status
    status=0
    (cd "$project" && LD_DEBUG=libs LD_DEBUG_OUTPUT="$1" "$leafpress" "${@:2}") \
        >"$scratch/out" 2>"$scratch/err" || status=$?
    cat "$1".* >"$1" 2>/dev/null
    rm -f "$1".*
}

run "$scratch/version.log" --version
expect_loaded "--version" "$scratch/version.log" ""
run "$scratch/check.log" check -q sources/gewoon.md
if [ "$status" -eq 0 ]; then pass "check of a plain leaflet: exit 0"
else fail "check of a plain leaflet: exit 0" "exit $status: $(cat "$scratch/err")"; fi
expect_loaded "check of a plain leaflet" "$scratch/check.log" ""
run "$scratch/check-svg.log" check -q sources/schema.md
expect_loaded "check of a leaflet with an SVG" "$scratch/check-svg.log" \
    "leafpress-svg libgdk_pixbuf-2.0 librsvg-2"
run "$scratch/build.log" build -q --screen-only -o out sources/gewoon.md
if [ "$status" -eq 0 ] && [ -f "$project/out/gewoon.pdf" ]; then pass "build of a plain leaflet: the PDF"
else fail "build of a plain leaflet: the PDF" "exit $status: $(cat "$scratch/err")"; fi
expect_loaded "build of a plain leaflet" "$scratch/build.log" "leafpress-finish liblcms2 libqpdf"

# The executable alone, without its modules.
mkdir -p "$scratch/bin"
cp "$leafpress" "$scratch/bin/leafpress"
leafpress=$scratch/bin/leafpress
run "$scratch/alone.log" --version
if [ "$status" -eq 0 ]; then pass "--version without the modules: exit 0"
else fail "--version without the modules: exit 0" "exit $status: $(cat "$scratch/err")"; fi
run "$scratch/alone.log" check -q sources/gewoon.md
if [ "$status" -eq 0 ]; then pass "check of a plain leaflet without the modules: exit 0"
else fail "check of a plain leaflet without the modules: exit 0" "exit $status: $(cat "$scratch/err")"; fi
run "$scratch/alone.log" build -q --screen-only -o out2 sources/gewoon.md
if [ "$status" -ne 0 ] && grep -q "cannot finish the PDF: cannot load $scratch/bin/leafpress-finish.so" "$scratch/err" &&
        grep -q 'LEAFPRESS_LIB_DIR' "$scratch/err" && [ ! -e "$project/out2/gewoon.pdf" ]; then
    pass "build without leafpress-finish.so: an error naming it and LEAFPRESS_LIB_DIR, no PDF"
else
    fail "build without leafpress-finish.so: an error naming it and LEAFPRESS_LIB_DIR, no PDF" \
        "exit $status: $(cat "$scratch/err")"
fi
run "$scratch/alone.log" check -q sources/schema.md
if [ "$status" -ne 0 ] && grep -q "schema.svg.*cannot load $scratch/bin/leafpress-svg.so" "$scratch/err"; then
    pass "check of an SVG without leafpress-svg.so: an error at the image naming the module"
else
    fail "check of an SVG without leafpress-svg.so: an error at the image naming the module" \
        "exit $status: $(cat "$scratch/err")"
fi
export LEAFPRESS_LIB_DIR=$moddir
run "$scratch/libdir.log" build -q -o out3 sources/schema.md
if [ "$status" -eq 0 ] && [ -f "$project/out3/schema.pdf" ]; then
    pass "LEAFPRESS_LIB_DIR: the modules found there, the leaflet with an SVG built"
else
    fail "LEAFPRESS_LIB_DIR: the modules found there, the leaflet with an SVG built" \
        "exit $status: $(cat "$scratch/err")"
fi

finish_tests
