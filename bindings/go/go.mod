module libpipc.dev/pipc

go 1.19
