#!/bin/sh
# Meson install script: sets the libdir= line of the installed .pc file PC (relative to
# the prefix) to LIBDIR.   Usage: set_pc_libdir.sh PC LIBDIR
set -eu
sed -i "s|^libdir=.*|libdir=$2|" "$MESON_INSTALL_DESTDIR_PREFIX/$1"
