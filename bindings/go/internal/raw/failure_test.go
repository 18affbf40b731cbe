package raw

import (
	"fmt"
	"strings"
	"testing"
)

// unlinkMissing fails: the name does not exist. Its detail names it.
func unlinkMissing(i int) (name string, r int) {
	name = fmt.Sprintf("/pipc_go_raw_missing_%d", i)
	return name, Pipc_sem_unlink_name(name)
}

// More failures unread at once than the pool holds: the rest get records of their
// own, each read back intact, and every pooled record is free again afterwards.
func TestFailureRecordsOutlastThePool(t *testing.T) {
	if n := Pgo_failures_pooled(); n != 0 {
		t.Fatalf("%d records taken before the test", n)
	}
	results := map[string]int{}
	for i := 0; i < 2*PGO_POOL_SIZE; i++ {
		name, r := unlinkMissing(i)
		if r > -lowestRecord {
			t.Fatalf("failure %d: result %d names no record", i, r)
		}
		results[name] = r
	}
	if n := Pgo_failures_pooled(); n != PGO_POOL_SIZE {
		t.Fatalf("%d pooled records taken, want all %d", n, PGO_POOL_SIZE)
	}
	for name, r := range results {
		status, errno, message := Failure(r)
		if status != int(PIPC_ENOENT) || errno != 2 || !strings.Contains(message, `"`+name+`"`) {
			t.Errorf("%s: got status %d, errno %d, %q", name, status, errno, message)
		}
	}
	if n := Pgo_failures_pooled(); n != 0 {
		t.Fatalf("%d records still taken after every one was read", n)
	}
}

// A result above every record's address is a bare status (what a failure returns
// when there was no memory for a record).
func TestFailureOfABareStatus(t *testing.T) {
	status, errno, message := Failure(int(PIPC_ENOMEM))
	if status != int(PIPC_ENOMEM) || errno != 0 || message != "" {
		t.Fatalf("got status %d, errno %d, %q", status, errno, message)
	}
}

// The whole detail arrives, also a long one (a name at the length limit in it).
func TestFailureKeepsLongMessages(t *testing.T) {
	name := "/" + strings.Repeat("n", 250)
	r := Pipc_sem_unlink_name(name)
	_, _, message := Failure(r)
	if !strings.HasPrefix(message, "sem_unlink") || !strings.HasSuffix(message, "No such file or directory") {
		t.Fatalf("message %q is not whole", message)
	}
}
