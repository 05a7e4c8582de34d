#!/usr/bin/env bash
# A worker that ends badly after its last leaflet (what the sanitizers' leak
# check does: a report on stderr, then exit 23) must not go unseen: what it
# printed then is shown and the run fails. The late failure is made by a
# preloaded library whose destructor, in a worker only (its parent is
# leafpress), prints a line and exits 3: BUILDDIR/late_exit.so
# (tests/late_exit.c).
#
#   bash tests/worker_exit.sh LEAFPRESS BUILDDIR      (from the repository root)
set -u

# shellcheck source=tests/lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh" || exit 2
if ldd "$leafpress" 2>/dev/null | grep -q 'libasan\|libubsan'; then
    # a preloaded library would come before the sanitizer runtime
    echo "ok   (skipped: a sanitizer build; its own leak check covers the workers)"
    echo "0 passed, 0 failed"
    exit 0
fi
late_exit=$(test_tool "build the tests: cmake" late_exit.so) || exit 2
make_scratch
unset SOURCE_DATE_EPOCH
export CI=true


p=$scratch/project
make_project "$p" house
for i in 1 2 3; do
    printf -- '---\ntitle: Folder %s\nlang: nl-NL\npublisher: Testziekenhuis\nupdated: 2024-01\n---\n# Folder %s\n\nEen korte folder.\n' \
        "$i" "$i" >"$p/sources/folder-$i.md"
done

# the control: the same run without the preload passes
status=0
(cd "$p" && "$leafpress" check -q -j2) >"$scratch/plain.out" 2>"$scratch/plain.err" || status=$?
[ "$status" -eq 0 ] && pass "without the late exit: exit 0" || fail "without the late exit: exit 0" "exit $status: $(cat "$scratch/plain.err")"

for command in check build; do
    status=0
    (cd "$p" && LD_PRELOAD="$late_exit" "$leafpress" "$command" -q -j2 -o out) \
        >"$scratch/$command.out" 2>"$scratch/$command.err" || status=$?
    [ "$status" -eq 1 ] && pass "$command: a worker's late exit fails the run (exit 1)" \
        || fail "$command: a worker's late exit fails the run (exit 1)" "exit $status: $(cat "$scratch/$command.err")"
    n=$(grep -c '^late_exit: printed after the last leaflet$' "$scratch/$command.err")
    [ "$n" -eq 2 ] && pass "$command: what each of the 2 workers printed last is shown" \
        || fail "$command: what each of the 2 workers printed last is shown ($n times)" "$(cat "$scratch/$command.err")"
    n=$(grep -c '^leafpress: a worker ended with exit status 3 after its last leaflet$' "$scratch/$command.err")
    [ "$n" -eq 2 ] && pass "$command: each says so" \
        || fail "$command: each says so ($n times)" "$(cat "$scratch/$command.err")"
done

finish_tests
