"""The directories this system's loader and pkg-config search by themselves."""
import re
import subprocess

# ldconfig -v lists each dir it scans ("/usr/local/lib: (from ...)"), one that does not
# exist yet ("Can't stat DIR: ...") and one listed twice ("Path `DIR' given more than once")
LDCONFIG_DIR = re.compile(r"^(/\S+): \(from |Can't stat (/\S+):|Path `([^']+)' given more than once", re.M)


def library_dirs():
    """ld.so's own dirs and those of ld.so.conf, as ldconfig reads them (it writes nothing)."""
    out = subprocess.run(["/sbin/ldconfig", "-v", "-N", "-X"], capture_output=True, text=True)
    return {next(d for d in match if d) for match in LDCONFIG_DIR.findall(out.stdout + out.stderr)}


def pkg_config_dirs():
    path = subprocess.run(["pkg-config", "--variable", "pc_path", "pkg-config"],
                          check=True, capture_output=True, text=True).stdout.strip()
    return set(path.split(":"))
