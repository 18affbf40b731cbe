"""Steps of a check outside meson, each a test case of a junit file that .ci/summary.py counts."""
import subprocess
import xml.etree.ElementTree as ET


class Steps:
    def __init__(self, suite):
        self.suite = suite
        self.cases = ET.Element("testsuite", name=suite)

    def record(self, name, ok, output="", skipped=None):
        print(("ok:   " if ok else "SKIP: " if skipped else "FAIL: ") + name)
        case = ET.SubElement(self.cases, "testcase", name=name, classname=self.suite)
        if skipped:
            ET.SubElement(case, "skipped", message=skipped)
        elif not ok:
            ET.SubElement(case, "failure", message=name).text = output
        return ok

    def step(self, name, command, **kwargs):
        """Runs COMMAND; the case passes when it exits 0."""
        run = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kwargs)
        print(run.stdout, end="")
        return self.record(name, run.returncode == 0, run.stdout)

    def write(self, junit):
        """Writes the junit file; returns the exit status (1 if a case failed)."""
        ET.ElementTree(self.cases).write(junit, encoding="unicode")
        return 0 if not self.cases.findall(".//failure") else 1
