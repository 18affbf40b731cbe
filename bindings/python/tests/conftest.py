"""Fixtures shared by the binding's test modules."""
import signal

import pytest


@pytest.fixture
def alarm():
    """alarm(handler): SIGALRM's handler for the test, fired 0.1 s later (a signal to the
    main thread, which blocks in the call under test)."""
    old = signal.getsignal(signal.SIGALRM)

    def arm(handler):
        signal.signal(signal.SIGALRM, handler)
        signal.setitimer(signal.ITIMER_REAL, 0.1)
    yield arm
    signal.setitimer(signal.ITIMER_REAL, 0)
    signal.signal(signal.SIGALRM, old)
