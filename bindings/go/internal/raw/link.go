// Package raw is libpipc's C API as SWIG generates it from the headers (raw.i); meson
// writes raw.go and raw_wrap.c into the build tree and maps them here with -overlay.
package raw

// #cgo pkg-config: libpipc
import "C"
