# shellcheck shell=bash
# tests/lib/common.sh: what every tests/NAME.sh shares. Each test sources it
# first (after its own `set`), by its own path, so that it is found from
# wherever the test is started:
#
#   . "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh" || exit 2
#
# Sourcing it reads the test's arguments, LEAFPRESS [BUILDDIR], and promises:
#   me         "NAME.sh", which starts every message the test prints on stderr
#   leafpress  LEAFPRESS as an absolute path, an executable file
#   builddir   BUILDDIR, or empty
#   repo       the repository root, which is $PWD
#   passed, failed   the counters, both 0
# or it exits 2 with a message on stderr: the usage, for no LEAFPRESS
# ("usage: bash tests/NAME.sh LEAFPRESS [BUILDDIR]"), "NAME.sh: run from the
# repository root" when $PWD is not the checkout that holds this file,
# "NAME.sh: LEAFPRESS is not an executable".
# Sourcing it sets no shell option and no trap; it defines these functions:
#   require_tools HINT TOOL...   each TOOL on PATH, or exit 2 with
#                                "NAME.sh: TOOL not found (HINT)" (no
#                                parentheses for an empty HINT)
#   require_dirs DIR...          each DIR a folder (a test's fixtures, from the
#                                repository root), or exit 2 with "NAME.sh: run
#                                from the repository root (DIR, DIR not found)",
#                                naming every DIR as given
#   test_tool HINT NAME          prints the absolute path of BUILDDIR/NAME, a
#                                test program the build makes (tests/NAME.c),
#                                or returns 2 after "NAME.sh: BUILDDIR/NAME
#                                not found (HINT)" on stderr; a test takes it
#                                as  tool=$(test_tool HINT NAME) || exit 2
#   make_scratch [--outside]     $scratch: a new empty folder, an absolute
#                                path with no link in it, that the EXIT trap
#                                it sets removes (the test keeps that trap,
#                                and may trap other signals). In BUILDDIR
#                                when that is a folder, else, and always with
#                                --outside (for a test that must run outside
#                                any project: BUILDDIR is in the repository),
#                                in ${TMPDIR:-/tmp}, as leafpress-NAME.XXXXXX
#   make_project DIR [STYLE...]  a project: DIR/sources/, DIR/styles/ with
#                                the repository's styles (every one, or
#                                STYLE.yaml for each STYLE), DIR/fonts a link
#                                to the repository's fonts/
#   pass NAME                    "ok   NAME"; counts a pass
#   fail NAME [DETAIL]           "FAIL NAME", then DETAIL indented; counts a failure
#   finish_tests                 "N passed, M failed"; returns 0 only when
#                                nothing failed and something passed (a test
#                                that checked nothing has failed)
# A test ends with `finish_tests`, so that its status is the script's.

me=${BASH_SOURCE[1]##*/}

if [ $# -lt 1 ] || [ -z "$1" ]; then
    echo "usage: bash tests/$me LEAFPRESS [BUILDDIR]" >&2
    exit 2
fi
leafpress=$1
builddir=${2:-}
case $leafpress in /*) ;; *) leafpress=$PWD/$leafpress ;; esac
repo=$PWD
if [ ! "$repo/tests/lib/common.sh" -ef "${BASH_SOURCE[0]}" ]; then
    echo "$me: run from the repository root" >&2
    exit 2
fi
if [ ! -f "$leafpress" ] || [ ! -x "$leafpress" ]; then
    echo "$me: $leafpress is not an executable" >&2
    exit 2
fi

passed=0
failed=0

# require_tools HINT TOOL...: exit 2 unless every TOOL is on PATH; HINT says
# which packages have them
require_tools() {
    local hint=$1 tool
    shift
    for tool in "$@"; do
        if ! command -v "$tool" >/dev/null; then
            echo "$me: $tool not found${hint:+ ($hint)}" >&2
            exit 2
        fi
    done
}

# require_dirs DIR...: exit 2 unless every DIR is a folder
require_dirs() {
    local dir list
    for dir in "$@"; do
        if [ ! -d "$dir" ]; then
            printf -v list '%s, ' "$@"
            echo "$me: run from the repository root (${list%, } not found)" >&2
            exit 2
        fi
    done
}

# test_tool HINT NAME: the path of the test program BUILDDIR/NAME; status 2
# when there is none (no BUILDDIR, or a build without it), HINT saying how to get it
test_tool() {
    local hint=$1 name=$2 path
    path=${builddir:-BUILDDIR}/$name
    case $path in /*) ;; *) path=$PWD/$path ;; esac
    if [ -z "$builddir" ] || [ ! -f "$path" ] || [ ! -x "$path" ]; then
        echo "$me: ${builddir:-BUILDDIR}/$name not found${hint:+ ($hint)}" >&2
        return 2
    fi
    printf '%s\n' "$path"
}

# make_scratch [--outside]: sets $scratch (see the top of this file)
# shellcheck disable=SC2120 # the argument is optional
make_scratch() {
    local parent=${TMPDIR:-/tmp} prefix=leafpress- made
    if [ "${1:-}" != --outside ] && [ -n "$builddir" ] && [ -d "$builddir" ]; then
        parent=$builddir
        prefix=
    fi
    made=$(mktemp -d "$parent/$prefix${me%.sh}.XXXXXX") || {
        echo "$me: cannot make a scratch folder in $parent" >&2
        exit 2
    }
    scratch=$made
    trap 'rm -rf "$scratch"' EXIT
    scratch=$(cd "$made" >/dev/null && pwd -P) || {
        echo "$me: cannot enter the scratch folder $made" >&2
        rm -rf "$made"
        exit 2
    }
}

# make_project DIR [STYLE...]: a project folder (see the top of this file)
make_project() {
    local dir=$1 style
    shift
    mkdir -p "$dir/sources" "$dir/styles"
    if [ $# -eq 0 ]; then
        cp "$repo"/styles/*.yaml "$dir/styles/"
    else
        for style in "$@"; do cp "$repo/styles/$style.yaml" "$dir/styles/"; done
    fi
    ln -s "$repo/fonts" "$dir/fonts"
}

pass() { echo "ok   $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1"; [ $# -gt 1 ] && printf '%s\n' "$2" | sed 's/^/     /'; failed=$((failed + 1)); }

# finish_tests: the summary line; the test's status
finish_tests() {
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
}
