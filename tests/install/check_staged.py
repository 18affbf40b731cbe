"""meson install into a staging root, then checks what landed there.

Exactly the expected files for the enabled bindings, each in the directory this system's
own tools search for the build's prefix (ld.so, pkg-config, python3, ruby; for a prefix
they do not search, see docs/install.md); libpipc.pc's prefix and libdir; the soname
links; and that the staged Python package imports and the staged Ruby library requires,
each loading the staged libpipc. The staging root is removed whatever happens.
Usage: check_staged.py --build DIR --source DIR --prefix P --libdir L --includedir I
       --version V --mandir M --bindir B --datadir D [--python EXE --python-dir D] [--ruby EXE --ruby-lib D --ruby-arch D
       --ruby-dlext EXT] [--ri-store DIR --ri-dir D] [--go-dir D]
(--ri-store: the ri store built in the build tree, installed into --ri-dir)"""
import argparse
import glob
import os
import shutil
import subprocess
import sys
import tempfile

from system_dirs import library_dirs, pkg_config_dirs

parser = argparse.ArgumentParser()
for option in ["build", "source", "prefix", "libdir", "includedir", "version", "python",
               "python-dir", "ruby", "ruby-lib", "ruby-arch", "ruby-dlext", "ri-store", "ri-dir", "go-dir",
               "mandir", "bindir", "datadir"]:
    parser.add_argument("--" + option)
args = parser.parse_args()
failures = []


def check(ok, what):
    print(("ok:   " if ok else "FAIL: ") + what)
    if not ok:
        failures.append(what)


def under(prefix, path):
    return os.path.join(prefix, path)  # an absolute path stays as it is


def source_files(subdir, pattern, exclude=()):
    root = os.path.join(args.source, subdir)
    found = glob.glob(pattern, root_dir=root, recursive=True)
    return {f for f in found if os.path.isfile(os.path.join(root, f)) and not f.endswith("_test.go")
            and f.split("/")[0] not in exclude}


def expected_files():
    libdir = under(args.prefix, args.libdir)
    includedir = under(args.prefix, args.includedir)
    files = {f"{libdir}/libpipc.so", f"{libdir}/libpipc.so.0", f"{libdir}/libpipc.so.{args.version}",
             f"{libdir}/pkgconfig/libpipc.pc", f"{includedir}/pipc.h", f"{includedir}/pipc/version.h"}
    files |= {f"{includedir}/pipc/{h}" for h in source_files("include/pipc", "*.h")}
    mandir = under(args.prefix, args.mandir)
    files |= {f"{mandir}/man{p[-1]}/{p}" if p.endswith((".1", ".7")) else f"{mandir}/man3/{p}"
              for p in source_files("docs/man", "*")}
    # pipc(1), the command-line tool, and its bash completion
    files |= {under(args.prefix, f"{args.bindir}/pipc"),
              under(args.prefix, f"{args.datadir}/bash-completion/completions/pipc")}
    if args.python:
        suffix = subprocess.run([args.python, "-c", "import sysconfig; print(sysconfig.get_config_var('EXT_SUFFIX'))"],
                                check=True, capture_output=True, text=True).stdout.strip()
        package = source_files("bindings/python/pipc", "*", exclude=("meson.build",))
        files |= {f"{args.python_dir}/pipc/{f}" for f in package}
        files |= {f"{args.python_dir}/pipc/{m}{suffix}" for m in ("posix_ipc", "sysv_ipc", "_inventory", "sync", "channel")}
    if args.ruby:
        files |= {f"{args.ruby_lib}/{f}" for f in source_files("bindings/ruby/lib", "**/*.rb")}
        files.add(f"{args.ruby_arch}/pipc/lowlevel.{args.ruby_dlext}")
    if args.ri_store:
        store = os.path.basename(args.ri_store)
        files |= {f"{args.ri_dir}/{store}/{f}" for f in source_files(args.ri_store, "**/*")}
    if args.go_dir:
        # everything but the tests, the test-only packages and the tools; plus the raw layer
        # that swig generates
        module = source_files("bindings/go", "**/*.go", exclude=("tools",))
        module -= {f for f in module if f.startswith(("internal/cbench/", "internal/testmain/"))}
        files |= {f"{args.go_dir}/{f}" for f in module | {"go.mod", "internal/raw/raw.go",
                                                             "internal/raw/raw_wrap.c"}}
    return files


def staged_files(root):
    found = set()
    for directory, _, names in os.walk(root):
        found |= {"/" + os.path.relpath(os.path.join(directory, n), root) for n in names}
    return found


def check_places():
    """The dirs this system's tools search for the prefix hold what they must find."""
    libdir = under(args.prefix, args.libdir)
    if args.prefix not in ("/usr", "/usr/local"):
        print(f"note: {args.prefix} is no system prefix: docs/install.md says which variables to set")
        return
    check(libdir in library_dirs(), f"ld.so searches {libdir}")
    check(f"{libdir}/pkgconfig" in pkg_config_dirs(), f"pkg-config searches {libdir}/pkgconfig")
    if args.python:
        sites = subprocess.run([args.python, "-c", "import site; print(*site.getsitepackages(), sep='\\n')"],
                               check=True, capture_output=True, text=True).stdout.split()
        check(args.python_dir in sites, f"{args.python} searches {args.python_dir}")
    if args.ruby:
        load_path = subprocess.run([args.ruby, "-e", "puts $LOAD_PATH"],
                                   check=True, capture_output=True, text=True).stdout.split()
        for directory in (args.ruby_lib, args.ruby_arch):
            check(directory in load_path, f"{args.ruby} searches {directory}")
    if args.ri_store:
        site = subprocess.run([args.ruby, "-rrdoc", "-e", "puts RDoc::RI::Paths.site_dir"],
                              check=True, capture_output=True, text=True).stdout.strip()
        store = f"{args.ri_dir}/{os.path.basename(args.ri_store)}"
        check(store == site, f"ri searches {store}")


def check_pc_file(root):
    text = open(f"{root}{under(args.prefix, args.libdir)}/pkgconfig/libpipc.pc").read().splitlines()
    check(f"prefix={args.prefix}" in text, f"libpipc.pc: prefix={args.prefix}")
    libdir = args.libdir if os.path.isabs(args.libdir) else "${prefix}/" + args.libdir
    check(f"libdir={libdir}" in text, f"libpipc.pc: libdir={libdir}")


def check_soname_links(root):
    libdir = root + under(args.prefix, args.libdir)
    check(os.readlink(f"{libdir}/libpipc.so") == "libpipc.so.0", "libpipc.so -> libpipc.so.0")
    check(os.readlink(f"{libdir}/libpipc.so.0") == f"libpipc.so.{args.version}",
          f"libpipc.so.0 -> libpipc.so.{args.version}")
    dynamic = subprocess.run(["readelf", "-d", f"{libdir}/libpipc.so.{args.version}"],
                             check=True, capture_output=True, text=True).stdout
    check("Library soname: [libpipc.so.0]" in dynamic, "SONAME libpipc.so.0")


def check_loads(root):
    """The staged packages load, with the staged libpipc (LD_LIBRARY_PATH) and no other."""
    env = dict(os.environ, LD_LIBRARY_PATH=root + under(args.prefix, args.libdir))
    for variable in ("PYTHONPATH", "RUBYLIB", "RUBYOPT"):
        env.pop(variable, None)
    maps = "open('/proc/self/maps').read()"
    if args.python:
        program = ("import sys; from pipc import posix_ipc, sysv_ipc; "
                   f"s = posix_ipc.Semaphore(None, posix_ipc.O_CREX); s.unlink(); s.close(); "
                   f"sys.exit(not (posix_ipc.__file__.startswith(sys.argv[1]) and sys.argv[1] in {maps}))")
        run = subprocess.run([args.python, "-B", "-c", program, root],
                             env=dict(env, PYTHONPATH=root + args.python_dir))
        check(run.returncode == 0, "the staged Python package imports, with the staged libpipc")
    if args.ruby:
        program = ('require "pipc"; Pipc::Posix::Semaphore.open(nil, flags: Pipc::Posix::O_CREX, &:unlink); '
                   'root = ARGV[0]; exit($LOADED_FEATURES.grep(/pipc/).all? { _1.start_with?(root) } && '
                   'File.read("/proc/self/maps").include?(root))')
        run = subprocess.run([args.ruby, "-I", root + args.ruby_lib, "-I", root + args.ruby_arch,
                              "-e", program, root], env=env)
        check(run.returncode == 0, "the staged Ruby library requires, with the staged libpipc")


root = tempfile.mkdtemp(prefix="pipc-staged-")
try:
    subprocess.run(["meson", "install", "-C", args.build, "--destdir", root, "--no-rebuild", "--quiet"],
                   check=True)
    expected, staged = expected_files(), staged_files(root)
    for path in sorted(expected - staged):
        check(False, f"not installed: {path}")
    for path in sorted(staged - expected):
        check(False, f"installed but not expected: {path}")
    check(expected == staged, f"the {len(expected)} expected files, nothing else")
    check_places()
    check_pc_file(root)
    check_soname_links(root)
    check_loads(root)
finally:
    shutil.rmtree(root)
sys.exit(1 if failures else 0)
