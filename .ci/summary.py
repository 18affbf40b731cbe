"""Counts every test case of the given meson build dirs and junit files (FILE.xml, written
by checks outside meson) and prints each skipped case with its reason, then "N passed, N failed, N skipped".

--extra-failed N adds N failures found outside meson (objects the run left behind).

GoogleTest suites count case by case (meson's junit log lists them). A meson test NAME
that runs a language's own test runner writes its cases to meson-logs/NAME.junit.xml
(pytest, minitest, go test); when it passed, its cases count one by one, and when it
failed it counts as one failure however many of its cases failed (they are in its log).
Other tests count once. Exit status 1 if anything failed or nothing ran."""
import sys
import xml.etree.ElementTree as ET


def outcome(case):
    if case.find("failure") is not None or case.find("error") is not None:
        return "failed"
    if case.find("skipped") is not None:
        return "skipped"
    return "passed"


def skip_reason(case):
    skipped = case.find("skipped")
    reason = (skipped.get("message") or skipped.text or "").strip() if skipped is not None else ""
    lines = [line.strip() for line in reason.splitlines() if line.strip()]
    if not lines:
        return "no reason given"
    # where it was skipped (or how a child's error began) and the reason's last line
    return lines[0] if len(lines) == 1 else f"{lines[0]} ... {lines[-1]}"[:300]


def cases(build):
    """(outcome, what) for every test case in BUILD's logs (or in the junit file BUILD);
    what names a skipped case and says why."""
    def each(case, where):
        result = outcome(case)
        what = ""
        if result == "skipped":
            what = f"{where}: {case.get('classname', '')} {case.get('name', '')}: {skip_reason(case)}"
        return result, what

    if build.endswith(".xml"):
        yield from (each(c, build) for c in ET.parse(build).getroot().iter("testcase"))
        return
    root = ET.parse(f"{build}/meson-logs/testlog.junit.xml").getroot()
    for case in root.iter("testcase"):
        result = outcome(case)
        name = case.get("name", "").rpartition("/ ")[2]
        try:
            runner_root = ET.parse(f"{build}/meson-logs/{name}.junit.xml").getroot()
        except (OSError, ET.ParseError):
            runner_root = None
        if result == "passed" and runner_root is not None:
            yield from (each(c, build) for c in runner_root.iter("testcase"))
        else:
            yield each(case, build)


args = sys.argv[1:]
counts = {"passed": 0, "failed": 0, "skipped": 0}
if args[:1] == ["--extra-failed"]:
    counts["failed"] += int(args[1])
    args = args[2:]
skips = []
for build in args:
    try:
        for result, what in cases(build):
            counts[result] += 1
            if what:
                skips.append(what)
    except (OSError, ET.ParseError) as error:
        print(f"{build}: no test log ({error})")
        counts["failed"] += 1
for what in skips:
    print(f"skipped: {what}")
print(f"{counts['passed']} passed, {counts['failed']} failed, {counts['skipped']} skipped")
sys.exit(1 if counts["failed"] or counts["passed"] == 0 else 0)
