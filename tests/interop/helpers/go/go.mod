module libpipc.dev/tests/interop

go 1.19

require libpipc.dev/pipc v0.0.0

replace libpipc.dev/pipc => ../../../../bindings/go
