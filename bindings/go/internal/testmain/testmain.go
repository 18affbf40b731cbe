// Package testmain is the TestMain that the pipc and sysv test suites share: a process
// started as a child runs its role, and after the run nothing may be left behind.
package testmain

import (
	"fmt"
	"os"
	"testing"

	"libpipc.dev/pipc/internal/raw"
)

// Run runs the tests (or, in a child the tests started with PIPC_GO_CHILD set, the
// child's role) and exits. The run fails if a failure record was never read or if
// leftBehind names objects the tests made and did not remove.
func Run(m *testing.M, runChild func(role, arg string) int, leftBehind func() []string) {
	if role := os.Getenv("PIPC_GO_CHILD"); role != "" {
		os.Exit(runChild(role, os.Getenv("PIPC_GO_ARG")))
	}
	code := m.Run()
	if n := raw.Pgo_failures_pooled(); n != 0 {
		fmt.Fprintln(os.Stderr, n, "failure records were never read")
		code = 1
	}
	for _, what := range leftBehind() {
		fmt.Fprintln(os.Stderr, "left behind:", what)
		code = 1
	}
	os.Exit(code)
}
