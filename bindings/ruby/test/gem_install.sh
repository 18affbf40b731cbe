#!/bin/sh
# The gem works outside the build tree: gem build (the LICENSE text included), then gem
# install --local against a libpipc installed to a temporary root (meson install
# --destdir), then require "pipc" from the installed gem and use it, with no -I and no
# LD_LIBRARY_PATH.
# Usage: gem_install.sh BUILD_ROOT RUBY_SOURCE_DIR WRAPPER RUBY PREFIX LIBDIR
set -eu
build=$1 src=$2 wrapper=$3 ruby=$4 prefix=$5 libdir=$6
for tool in gem make cc; do   # gem install runs mkmf's Makefile
  command -v $tool >/dev/null || { echo "SKIP: no $tool (Debian: ruby, make, gcc)"; exit 77; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
preload=${LD_PRELOAD:-}
unset LD_PRELOAD    # the compilers that gem install runs are not instrumented

# (without --no-rebuild: meson test --suite ruby leaves other suites' targets unbuilt)
meson install -C "$build" --destdir "$work/root" --quiet
case $libdir in /*) lib=$libdir ;; *) lib=$prefix/$libdir ;; esac
export PKG_CONFIG_SYSROOT_DIR="$work/root" PKG_CONFIG_LIBDIR="$work/root$lib/pkgconfig"
version=$(pkg-config --modversion libpipc)

gem=$(sh "$src/gem/build.sh" "$work" "$wrapper" "$version")
echo "== built $(basename "$gem")"
# it carries the project's license text (a .gem is a tar holding data.tar.gz)
tar -xOf "$gem" data.tar.gz | tar -xzO LICENSE | cmp - "$src/../../LICENSE"
echo "== LICENSE in the gem"
gem install --local --no-document --install-dir "$work/gems" "$gem"

echo "== require \"pipc\" from the installed gem"
# libpipc only through the extension's RUNPATH; pipc only from the gem
unset LD_LIBRARY_PATH RUBYLIB RUBYOPT
export LD_PRELOAD="$preload" GEM_HOME="$work/gems" GEM_PATH="$work/gems"
"$ruby" -e '
  require "pipc"
  ext = $LOADED_FEATURES.grep(%r{/pipc/lowlevel\.so\z}).first
  abort "lowlevel.so not loaded from the gem: #{ext}" unless ext&.start_with?(ENV["GEM_HOME"])
  puts "ok: #{ext}"
'
# and use it as the program that CI runs against a real install does
"$ruby" "$src/../../tests/install/consumer.rb"
