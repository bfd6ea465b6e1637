#!/bin/bash
# --check in CI's formats: --junit FILE writes JUnit XML that parses, one failing testcase
# per leaked process or one passing testcase; GITHUB_ACTIONS=true adds one ::error
# annotation per leak; --junit needs --check; an unwritable FILE fails before the launch.
. "${srcdir:-.}/tests/lib.sh"
[ -n "$PYTHON" ] || skip "python3 is needed to read the XML"

# junit FILE EXPR: evaluate EXPR over the parsed report (root: the document's root element).
junit() {
	"$PYTHON" - "$1" "$2" <<'PY'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
suite = root.find("testsuite")
cases = suite.findall("testcase")
failed = [c for c in cases if c.find("failure") is not None]
r = eval(sys.argv[2])
print("true" if r is True else ("" if r is False or r is None else r))
PY
}

# 1. Two leaks, one with a name that needs escaping: two failing testcases, XML that parses.
watchdog 30 env GITHUB_ACTIONS=true "$ORPHANAGE" --check --grace 0.5 --junit "$TMPD/leak.xml" -- \
	sh -c 'sleep 300 & setsid sleep 301 & bash -c "exec -a \$'"'"'a<b&\"c\\x01'"'"' sleep 302" & sleep 0.2; echo "100% done"' \
	>"$TMPD/leak.out" 2>"$TMPD/leak.err" </dev/null
rc=$?
track_output "$TMPD/leak.out"
[ "$rc" = 3 ] || fail "a leaking job gave exit $rc, not 3: $(cat "$TMPD/leak.out" "$TMPD/leak.err")"
[ -s "$TMPD/leak.xml" ] || fail "no JUnit report written"
junit "$TMPD/leak.xml" 'True' >/dev/null 2>"$TMPD/parse.err" || fail "the report does not parse: $(cat "$TMPD/parse.err") $(cat "$TMPD/leak.xml")"
if command -v xmllint >/dev/null; then
	xmllint --noout "$TMPD/leak.xml" 2>"$TMPD/lint.err" || fail "xmllint rejects the report: $(cat "$TMPD/lint.err")"
fi
[ "$(junit "$TMPD/leak.xml" 'len(cases)')" = 3 ] || fail "not 3 testcases for 3 leaks: $(cat "$TMPD/leak.xml")"
[ "$(junit "$TMPD/leak.xml" 'len(failed)')" = 3 ] || fail "not 3 failures for 3 leaks: $(cat "$TMPD/leak.xml")"
[ "$(junit "$TMPD/leak.xml" 'suite.get("tests") + "/" + suite.get("failures")')" = 3/3 ] ||
	fail "the testsuite's counts are not tests=3 failures=3: $(cat "$TMPD/leak.xml")"
junit "$TMPD/leak.xml" 'any("sleep 300" in c.find("failure").text for c in failed) and any("sleep 301" in c.find("failure").text for c in failed)' | grep -qx true ||
	fail "the failures do not hold the leaked rows: $(cat "$TMPD/leak.xml")"
# Each name says which process and how it leaked ("escaped with setsid", "orphaned when
# 4242 exited": which one depends on what orphanage saw first).
junit "$TMPD/leak.xml" '__import__("re") and all(__import__("re").match(r"\d+ \(sleep\) leaked: \S", c.get("name")) for c in failed)' | grep -qx true ||
	fail "a testcase's name does not say which process leaked and how: $(cat "$TMPD/leak.xml")"
# The control character arrives as the text \x01 (XML 1.0 cannot carry it).
junit "$TMPD/leak.xml" 'any("a<b&\"c\\x01" in c.find("failure").text for c in failed)' | grep -qx true ||
	fail "the command with < & \" and a control character did not come through escaped: $(cat "$TMPD/leak.xml")"
say "ok: JUnit for 3 leaks: 3 failing testcases, escaped, parses"

# 2. The annotations: one ::error per leak on stdout, % escaped, one line each.
n=$(grep -c '^::error title=process leak::' "$TMPD/leak.out")
[ "$n" = 3 ] || fail "$n annotations for 3 leaks: $(cat "$TMPD/leak.out")"
grep '^::error' "$TMPD/leak.out" | grep -q 'leaked: .*%0A.*sleep 301$' ||
	fail "no annotation holds the setsid sleep's row: $(grep '^::error' "$TMPD/leak.out")"
grep -qx '100% done' "$TMPD/leak.out" || fail "the job's own output did not pass through"
say "ok: GitHub annotations"

# 3. A clean run: one passing testcase; no annotation.
watchdog 30 env GITHUB_ACTIONS=true "$ORPHANAGE" --check --grace 0.2 --junit "$TMPD/clean.xml" -- true \
	>"$TMPD/clean.out" 2>"$TMPD/clean.err" </dev/null
rc=$?
[ "$rc" = 0 ] || fail "a clean job gave exit $rc: $(cat "$TMPD/clean.err")"
[ "$(junit "$TMPD/clean.xml" '"%d %d %s/%s" % (len(cases), len(failed), suite.get("tests"), suite.get("failures"))')" = "1 0 1/0" ] ||
	fail "a clean run's report is not one passing testcase: $(cat "$TMPD/clean.xml")"
grep -q '::error' "$TMPD/clean.out" && fail "an annotation for a clean run: $(cat "$TMPD/clean.out")"
# Without GITHUB_ACTIONS, no annotation even with a leak.
watchdog 30 env -u GITHUB_ACTIONS "$ORPHANAGE" --check --grace 0.2 -- sh -c 'sleep 303 &' \
	>"$TMPD/noga.out" 2>&1 </dev/null
track_output "$TMPD/noga.out"
grep -q '::error' "$TMPD/noga.out" && fail "an annotation without GITHUB_ACTIONS=true"
say "ok: a clean run is one passing testcase"

# 4. Usage: --junit without --check is exit 2; an unwritable file is exit 1, nothing launched.
"$ORPHANAGE" --junit "$TMPD/x.xml" -- true >/dev/null 2>"$TMPD/usage.err"
rc=$?
[ "$rc" = 2 ] || fail "--junit without --check gave exit $rc, not 2"
"$ORPHANAGE" --check --junit "$TMPD/no/such/dir.xml" -- sh -c "touch $TMPD/launched" >/dev/null 2>"$TMPD/unwritable.err"
rc=$?
[ "$rc" = 1 ] || fail "an unwritable --junit file gave exit $rc, not 1"
grep -q 'JUnit' "$TMPD/unwritable.err" || fail "the error does not say what failed: $(cat "$TMPD/unwritable.err")"
[ -e "$TMPD/launched" ] && fail "the job was launched although the report could not be written"
say "ok: --junit's usage and errors"
exit 0
