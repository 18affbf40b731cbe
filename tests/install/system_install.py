"""The real install on a fresh machine, used the way a user would, then uninstalled (.ci/run).

`sudo meson install -C BUILD && sudo ldconfig`; then, from a temporary dir outside the tree,
as an ordinary user (nobody, when this runs as root, so that nothing the programs write
lands in the installed dirs) with a clean environment (env -i PATH HOME), the programs
beside this file in C, Python, Ruby and Go; then `sudo ninja -C BUILD uninstall`, after
which nothing that the install added may remain. Each step is a test case of the junit
file JUNIT, which .ci/summary.py counts.
Usage: system_install.py BUILD JUNIT"""
import os
import pwd
import shutil
import subprocess
import sys
import tempfile

from junit_steps import Steps

build, junit = sys.argv[1], sys.argv[2]
here = os.path.dirname(os.path.abspath(__file__))
PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
sudo = [] if os.getuid() == 0 else ["sudo"]
steps = Steps("system install")
record, step = steps.record, steps.step


def installed_files():
    with open(os.path.join(build, "meson-logs", "install-log.txt")) as log:
        return [line.strip() for line in log if not line.startswith("#")]


def installed(files, ending):
    return any(f.endswith(ending) for f in files)


def user_runner(work):
    """The command prefix and HOME that run a program as an ordinary user in WORK."""
    home = os.path.join(work, "home")
    os.mkdir(home)
    if os.getuid() != 0:
        return [], home
    nobody = pwd.getpwnam("nobody")
    for directory, dirs, files in os.walk(work):
        for path in [directory] + [os.path.join(directory, n) for n in dirs + files]:
            os.chown(path, nobody.pw_uid, nobody.pw_gid)
    return ["setpriv", f"--reuid={nobody.pw_uid}", f"--regid={nobody.pw_gid}", "--clear-groups"], home


def run_consumers(files):
    work = tempfile.mkdtemp(prefix="pipc-consumers-")
    try:
        os.chmod(work, 0o755)
        for name in ("consumer.c", "consumer.py", "consumer.rb", "go"):
            source = os.path.join(here, name)
            (shutil.copytree if os.path.isdir(source) else shutil.copy)(source, os.path.join(work, name))
        runner, home = user_runner(work)
        clean_env = runner + ["env", "-i", f"PATH={PATH}", f"HOME={home}", "sh", "-c"]
        consumers = [
            ("C program: cc $(pkg-config --cflags --libs libpipc)", True, "cc",
             "cc consumer.c $(pkg-config --cflags --libs libpipc) -o consumer-c && ./consumer-c"),
            ("python3: from pipc import posix_ipc, sysv_ipc", installed(files, "/pipc/__init__.py"), "python3",
             "python3 consumer.py"),
            ('ruby: require "pipc"', installed(files, "/pipc.rb"), "ruby", "ruby consumer.rb"),
            ("Go program: go.mod replace directive", installed(files, "/libpipc.dev/pipc/go.mod"), "go",
             "cd go && go build -o consumer-go . && ./consumer-go"),
            # the reference documentation, as each language's own tool shows it
            ("man pipc_sem_open, man libpipc", installed(files, "/man3/pipc_sem.3"), "man",
             "man -P cat pipc_sem_open | grep -q 'pipc_sem_acquire()' && "
             "man -P cat 7 libpipc | grep -q PIPC_EBADHANDLE"),
            ("python3: help(posix_ipc.Semaphore.acquire)", installed(files, "/pipc/__init__.py"), "python3",
             "python3 -c 'from pipc import posix_ipc; help(posix_ipc.Semaphore.acquire)' | grep -qi monotonic"),
            ("ri Pipc::Posix::Semaphore", installed(files, "/cache.ri"), "ri",
             "ri -T Pipc::Posix::Semaphore | grep -q acquire && "
             "ri -T 'Pipc::Posix::MessageQueue#send' | grep -qi timeout"),
            ("go doc libpipc.dev/pipc.OpenSemaphore", installed(files, "/libpipc.dev/pipc/go.mod"), "go",
             "cd go && go doc libpipc.dev/pipc.OpenSemaphore | grep -q 'func OpenSemaphore'"),
        ]
        for name, binding_installed, tool, command in consumers:
            if not binding_installed:
                record(name, False, skipped="not installed by this build")
            elif not shutil.which(tool, path=PATH):
                record(name, False, skipped=f"no {tool} on {PATH}")
            else:
                step(name, clean_env + [command], cwd=work)
    finally:
        shutil.rmtree(work)


if step("sudo meson install -C build && sudo ldconfig",
        ["sh", "-c", " ".join(sudo + ["meson", "install", "-C", build]) + " && " + " ".join(sudo + ["ldconfig"])]):
    files = installed_files()
    run_consumers(files)
    step("sudo ninja -C build uninstall", sudo + ["ninja", "-C", build, "uninstall"])
    subprocess.run(sudo + ["ldconfig"], check=False)
    left = [f for f in files if os.path.lexists(f)]
    record(f"uninstall leaves none of the {len(files)} installed paths", not left, "\n".join(left))
sys.exit(steps.write(junit))
