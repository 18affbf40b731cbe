module example.com/consumer

go 1.19

require libpipc.dev/pipc v0.0.0

// where `meson install` puts the module for the default prefix /usr/local
replace libpipc.dev/pipc => /usr/local/share/gocode/src/libpipc.dev/pipc
