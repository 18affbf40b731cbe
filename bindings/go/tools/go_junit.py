"""Runs `go test -json ...`, prints its plain output, and writes one junit <testcase> per
test (subtests included) to the file named first, for .ci/summary.py.

usage: go_junit.py OUT.xml GO test [args...]   (-json is added)"""
import json
import subprocess
import sys
import xml.etree.ElementTree as ET


def main():
    out_path, go_cmd = sys.argv[1], sys.argv[2:]
    proc = subprocess.Popen(go_cmd[:2] + ["-json"] + go_cmd[2:], stdout=subprocess.PIPE, text=True)
    cases = {}    # (package, test) -> [result, elapsed, output lines]
    order = []
    for line in proc.stdout:
        try:
            ev = json.loads(line)
        except ValueError:  # build errors and the like are plain text
            sys.stdout.write(line)
            continue
        text = ev.get("Output")
        if text:
            sys.stdout.write(text)
        test = ev.get("Test")
        if not test:
            continue
        key = (ev.get("Package", ""), test)
        if key not in cases:
            cases[key] = [None, 0.0, []]
            order.append(key)
        case = cases[key]
        if text:
            case[2].append(text)
        if ev.get("Action") in ("pass", "fail", "skip"):
            case[0], case[1] = ev["Action"], ev.get("Elapsed", 0.0)
    rc = proc.wait()

    suite = ET.Element("testsuite", name="go test", tests=str(len(order)))
    failures = skipped = 0
    for pkg, test in order:
        result, elapsed, output = cases[(pkg, test)]
        tc = ET.SubElement(suite, "testcase", classname=pkg, name=test, time=f"{elapsed:.3f}")
        if result == "skip":
            skipped += 1
            ET.SubElement(tc, "skipped").text = "".join(output)
        elif result != "pass":  # fail, or never finished (panic, timeout)
            failures += 1
            ET.SubElement(tc, "failure", message=result or "did not finish").text = "".join(output)
    suite.set("failures", str(failures))
    suite.set("skipped", str(skipped))
    root = ET.Element("testsuites")
    root.append(suite)
    ET.ElementTree(root).write(out_path, encoding="utf-8", xml_declaration=True)
    print(f"go test: {len(order) - failures - skipped} passed, {failures} failed, {skipped} skipped")
    sys.exit(rc if rc else (1 if failures else 0))


if __name__ == "__main__":
    main()
