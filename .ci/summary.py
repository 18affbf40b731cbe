"""Counts every test case of the given meson build dirs and prints "N passed, N failed, N skipped".

--extra-failed N adds N failures found outside meson (objects the run left behind).

GoogleTest suites count case by case (meson's junit log lists them); other tests
count once. Exit status 1 if anything failed or nothing ran."""
import sys
import xml.etree.ElementTree as ET

args = sys.argv[1:]
passed = failed = skipped = 0
if args[:1] == ["--extra-failed"]:
    failed += int(args[1])
    args = args[2:]
for build in args:
    try:
        root = ET.parse(f"{build}/meson-logs/testlog.junit.xml").getroot()
    except (OSError, ET.ParseError) as error:
        print(f"{build}: no test log ({error})")
        failed += 1
        continue
    for case in root.iter("testcase"):
        if case.find("failure") is not None or case.find("error") is not None:
            failed += 1
        elif case.find("skipped") is not None:
            skipped += 1
        else:
            passed += 1
print(f"{passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed or passed == 0 else 0)
