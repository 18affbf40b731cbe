#!/bin/sh
# A pkg-config consumer builds and runs the demo against libpipc twice: from the
# build tree (meson-uninstalled) and from an installed copy (meson install --destdir).
# Usage: check_pkgconfig.sh BUILD_ROOT SOURCE_ROOT PREFIX LIBDIR
# In a sanitizer build PIPC_ASAN_PRELOAD names the ASan runtime the consumer needs.
set -eu
build=$1 source=$2 prefix=$3 libdir=$4
cc=${CC:-cc}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
demo=$source/tests/demo/pipc_demo.c
run() { LD_LIBRARY_PATH=$1 LD_PRELOAD=${PIPC_ASAN_PRELOAD:-} ASAN_OPTIONS=detect_leaks=0 "$2"; }

echo "== build tree"
flags=$(PKG_CONFIG_PATH=$build/meson-uninstalled pkg-config --cflags --libs libpipc)
$cc -std=c99 -Wall -Werror "$demo" $flags -o "$work/demo-uninstalled"
run "$build/libpipc" "$work/demo-uninstalled"

echo "== installed"
meson install -C "$build" --destdir "$work/root" --no-rebuild --quiet
case $libdir in /*) lib=$libdir ;; *) lib=$prefix/$libdir ;; esac
flags=$(PKG_CONFIG_SYSROOT_DIR=$work/root PKG_CONFIG_LIBDIR=$work/root$lib/pkgconfig \
        pkg-config --cflags --libs libpipc)
$cc -std=c99 -Wall -Werror "$demo" $flags -o "$work/demo-installed"
run "$work/root$lib" "$work/demo-installed"
# The installed library must be the one with the soname, found by that name.
readelf -d "$work/root$lib/libpipc.so" | grep -q 'SONAME.*libpipc\.so\.0'
