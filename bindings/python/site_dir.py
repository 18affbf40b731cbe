"""Prints the directory where this interpreter finds packages installed under PREFIX.

That is the site dir of its own search path that belongs to PREFIX (Debian's python3:
/usr/local/lib/python3.11/dist-packages for /usr/local, /usr/lib/python3/dist-packages
for /usr; ~/.local/lib/python3.11/site-packages for ~/.local). For a prefix the
interpreter does not search (e.g. /opt/pipc), the posix_prefix scheme's dir under it,
which the user then adds to PYTHONPATH.
Usage: site_dir.py PREFIX"""
import os
import re
import site
import sys
import sysconfig

prefix = os.path.normpath(sys.argv[1])
own_site_dir = re.compile(r"lib[^/]*/python[^/]*/(site|dist)-packages")
for path in site.getsitepackages() + [site.getusersitepackages()]:
    if own_site_dir.fullmatch(os.path.relpath(path, prefix)):
        print(path)
        break
else:
    print(sysconfig.get_path("platlib", "posix_prefix", vars={"base": prefix, "platbase": prefix}))
