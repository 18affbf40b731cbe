"""The Python package as `pip install .` builds it (.ci/run): configured with
-Dpython_wheel=true, each extension module links a static copy of libpipc, and the
modules must load into one process and work (consumer.py, from outside the tree).
Each step is a test case of the junit file JUNIT. Usage: wheel_modules.py SOURCE BUILD JUNIT"""
import os
import sys
import tempfile

from junit_steps import Steps

source, build, junit = sys.argv[1:4]
here = os.path.dirname(os.path.abspath(__file__))
steps = Steps("python wheel build")
if (steps.step("meson setup -Dpython_wheel=true (Python only)",
               ["meson", "setup", build, source, "-Dpython_wheel=true", "-Dtests=false",
                "-Druby=disabled", "-Dgo=disabled"])
        and steps.step("meson compile", ["meson", "compile", "-C", build])):
    with tempfile.TemporaryDirectory(prefix="pipc-wheel-") as work:
        steps.step("the modules in one process: from pipc import posix_ipc, sync, sysv_ipc",
                   [sys.executable, os.path.join(here, "consumer.py")], cwd=work,
                   env=dict(os.environ, PYTHONPATH=os.path.abspath(os.path.join(build, "bindings", "python"))))
sys.exit(steps.write(junit))
