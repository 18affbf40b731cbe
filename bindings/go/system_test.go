package pipc_test

import (
	"os"
	"strings"
	"testing"

	"libpipc.dev/pipc"
	"libpipc.dev/pipc/internal/raw"
)

func TestSystem(t *testing.T) {
	// the loaded library's pipc_version(), the same as the headers it was built with
	if v := pipc.Version(); strings.Count(v, ".") != 2 || v != raw.PIPC_VERSION_STRING {
		t.Fatalf("version %q, headers %q", v, raw.PIPC_VERSION_STRING)
	}
	if !pipc.Has("posix_sem") || pipc.Has("no such feature") || pipc.Has("") {
		t.Fatal("Has")
	}
	if pipc.PageSize() != int64(os.Getpagesize()) {
		t.Fatal("page size")
	}
	// Linux: the real-time signals are 32..64, of which the C library keeps the first few
	if lo, hi := pipc.UserSignalMin(), pipc.UserSignalMax(); lo < 32 || hi > 64 || lo >= hi {
		t.Fatalf("user signals %d..%d", lo, hi)
	}
	for what, v := range map[string]int64{
		"sem value max": pipc.SemaphoreValueMax(), "priority max": pipc.MessagePriorityMax(),
		"default max messages": pipc.DefaultMaxMessages(), "default message size": pipc.DefaultMaxMessageSize(),
		"limit max messages": pipc.LimitMaxMessages(), "limit message size": pipc.LimitMaxMessageSize(),
	} {
		if v <= 0 {
			t.Errorf("%s: %d", what, v)
		}
	}
}
