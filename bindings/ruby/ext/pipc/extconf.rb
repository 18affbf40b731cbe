# frozen_string_literal: true

# Builds pipc/lowlevel.so (the SWIG wrapper shipped in the gem) against an installed
# libpipc found by pkg-config: set PKG_CONFIG_PATH for a libpipc outside the system dirs.
require "mkmf"

pkg_config("libpipc") or
  abort "libpipc not found by pkg-config: install it, or point PKG_CONFIG_PATH at its libpipc.pc"
# A libpipc outside the system dirs is found at run time through the extension's RUNPATH.
$LDFLAGS.scan(/-L(\S+)/).flatten.each { |dir| $LDFLAGS << " -Wl,-rpath,#{dir}" }
create_makefile("pipc/lowlevel")
