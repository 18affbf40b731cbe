#!/usr/bin/env python3
"""pipc.posix_ipc / pipc.sysv_ipc against the reference posix_ipc and sysv_ipc, side by side,
and pipc.sync.Mutex against multiprocessing.Lock.

The reference modules are imported from this interpreter's sys.path (plus the directories
in $PIPC_BENCH_REFERENCE_PATH, if set). Set up once and run from the repository root:

    python3 -m venv --system-site-packages V
    V/bin/pip install posix_ipc==1.3.2 sysv_ipc==1.2.0
    PYTHONPATH=build/bindings/python V/bin/python bindings/python/bench/bench_python.py

or through meson: PIPC_BENCH_REFERENCE_PATH=V/lib/python3.11/site-packages
meson test -C build --benchmark 'python vs references'.

Each case runs in rounds that alternate between the reference and pipc (the order flips
every round); a round times one statement repeated enough to take a few milliseconds.
The figures are the medians over the rounds, in ns per statement; ratio = pipc / reference
(below 1.00: pipc is faster). A case whose pipc side does not exist yet prints n/a.
The 'sync' cases need no reference module: their reference is the standard library's
multiprocessing.Lock (a POSIX semaphore); without posix_ipc and sysv_ipc only they run.
--quick runs few short rounds: a check that every case works, not a measurement.
Exit status: 0, 1 when a case failed, 77 when no case could run.
"""
import multiprocessing
import argparse
import os
import statistics
import subprocess
import sys
import threading
import time
import timeit

SKIP = 77
KIB = 1024
MIB = 1024 * 1024


class NotAvailable(Exception):
    """The pipc module lacks what the case needs (yet)."""


class CannotRun(Exception):
    """This machine cannot run the case at all."""


# ---- cases: each setup(mod) returns (globals, cleanup) for its statement -----------------

def _cleanup_all(*steps):
    def run():
        for step in steps:
            try:
                step()
            except Exception:  # cleanup goes on; the object may be half-made
                pass
    return run


def posix_semaphore(mod):
    s = mod.Semaphore(None, mod.O_CREX, initial_value=0)
    return {'s': s}, _cleanup_all(s.unlink, s.close)


def posix_queue(size):
    def setup(mod):
        q = mod.MessageQueue(None, mod.O_CREX, max_messages=8, max_message_size=8 * KIB)
        return {'q': q, 'm': b'x' * size}, _cleanup_all(q.unlink, q.close)
    return setup


def posix_shm_create(mod):
    return {'SharedMemory': mod.SharedMemory, 'O_CREX': mod.O_CREX}, lambda: None


def sysv_semaphore(mod):
    s = mod.Semaphore(None, mod.IPC_CREX, initial_value=0)
    return {'s': s}, _cleanup_all(s.remove)


def sysv_queue(mod):
    q = mod.MessageQueue(None, mod.IPC_CREX)
    return {'q': q, 'm': b'x' * 16}, _cleanup_all(q.remove)


def sysv_memory(size, view):
    def setup(mod):
        m = mod.SharedMemory(None, mod.IPC_CREX, size=MIB)
        g = {'m': m, 'd': b'x' * size, 'n': size}
        steps = [m.detach, m.remove]
        if view:
            mv = memoryview(m)
            g['mv'] = mv
            steps.insert(0, mv.release)
        return g, _cleanup_all(*steps)
    return setup


def sync_lock(mod):
    """An uncontended lock: a pipc.sync.Mutex, or the reference's multiprocessing.Lock."""
    if mod is multiprocessing:
        return {'lock': mod.Lock()}, lambda: None
    lock = mod.Mutex()
    return {'lock': lock}, _cleanup_all(lock.unlink, lock.close)


# (label, setup, statement, family): family picks the reference, 'posix', 'sysv' or 'sync'
# (multiprocessing). The
# 'pingpong' cases time a loop of release+acquire against a child process instead; their
# statement says whether parent and child run on two CPUs (else both on one).
CASES = [
    ('posix Semaphore release+acquire', posix_semaphore, 's.release(); s.acquire()', 'posix'),
    ('posix MessageQueue send+receive 16 B', posix_queue(16), 'q.send(m); q.receive()', 'posix'),
    ('posix MessageQueue send+receive 8 KiB', posix_queue(8 * KIB), 'q.send(m); q.receive()',
     'posix'),
    ('posix Semaphore ping-pong, 2 processes, 1 CPU', 'pingpong', False, 'posix'),
    ('posix Semaphore ping-pong, 2 processes, 2 CPUs', 'pingpong', True, 'posix'),
    ('posix SharedMemory 4 KiB create+unlink', posix_shm_create,
     's = SharedMemory(None, O_CREX, size=4096); s.close_fd(); s.unlink()', 'posix'),
    ('sysv Semaphore release+acquire', sysv_semaphore, 's.release(); s.acquire()', 'sysv'),
    ('sysv MessageQueue send+receive 16 B', sysv_queue, 'q.send(m); q.receive()', 'sysv'),
    ('sysv SharedMemory write 4 KiB', sysv_memory(4 * KIB, False), 'm.write(d, 0)', 'sysv'),
    ('sysv SharedMemory read 4 KiB', sysv_memory(4 * KIB, False), 'm.read(n, 0)', 'sysv'),
    ('sysv SharedMemory write 1 MiB', sysv_memory(MIB, False), 'm.write(d, 0)', 'sysv'),
    ('sysv SharedMemory read 1 MiB', sysv_memory(MIB, False), 'm.read(n, 0)', 'sysv'),
    ('sysv memoryview write 4 KiB', sysv_memory(4 * KIB, True), 'mv[:n] = d', 'sysv'),
    ('sysv memoryview read 4 KiB', sysv_memory(4 * KIB, True), 'bytes(mv[:n])', 'sysv'),
    ('sysv memoryview write 1 MiB', sysv_memory(MIB, True), 'mv[:n] = d', 'sysv'),
    ('sysv memoryview read 1 MiB', sysv_memory(MIB, True), 'bytes(mv[:n])', 'sysv'),
    ('sync Mutex `with` vs multiprocessing.Lock', sync_lock, 'with lock: pass', 'sync'),
    ('sync Mutex acquire+release vs multiprocessing.Lock', sync_lock,
     'lock.acquire(); lock.release()', 'sync'),
]

# ---- timing ----------------------------------------------------------------------------

def statement_timer(setup, stmt, mod):
    """A function timing N runs of STMT (seconds) and the cleanup, or NotAvailable."""
    try:
        g, cleanup = setup(mod)
    except (AttributeError, NotImplementedError) as e:
        raise NotAvailable(str(e))
    timer = timeit.Timer(stmt, globals=g)
    try:
        timer.timeit(1)
    except (AttributeError, NotImplementedError) as e:
        cleanup()
        raise NotAvailable(str(e))
    except BaseException:
        cleanup()
        raise
    return timer.timeit, cleanup


CHILD = r'''
import importlib, os, sys
mod = importlib.import_module(sys.argv[1])
os.sched_setaffinity(0, {int(sys.argv[5])})
ping, pong = mod.Semaphore(sys.argv[2]), mod.Semaphore(sys.argv[3])
acquire, release = ping.acquire, pong.release
release()  # ready
for _ in range(int(sys.argv[4])):
    acquire()
    release()
'''


def pingpong_cpus(spread):
    """(parent CPU, child CPU): the same one, or two different ones when SPREAD; None
    when this machine cannot do it. Pinning makes the figure repeatable: unpinned, the
    pair lands on one CPU or on two by chance, and the two cost very different times."""
    cpus = sorted(os.sched_getaffinity(0))
    if spread:
        return (cpus[0], cpus[1]) if len(cpus) > 1 else None
    return (cpus[0], cpus[0])


def pingpong_timer(mod, total, cpus):
    """Ping-pong with a child process of the same implementation, which answers TOTAL
    pings in all; the timer times N of them with the parent on cpus[0], the child on
    cpus[1]."""
    try:
        ping = mod.Semaphore(None, mod.O_CREX, initial_value=0)
        pong = mod.Semaphore(None, mod.O_CREX, initial_value=0)
    except (AttributeError, NotImplementedError) as e:
        raise NotAvailable(str(e))
    # The child imports the very module the parent has: its top directory comes first.
    top = os.path.abspath(mod.__file__)
    for _ in range(mod.__name__.count('.') + 1):
        top = os.path.dirname(top)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([top] + [p for p in sys.path if p]))
    state = {'done': False, 'died': None}
    proc = None

    def cleanup():
        state['done'] = True
        if proc is not None and proc.poll() is None:
            proc.kill()
        if proc is not None:
            proc.wait()
        for s in (ping, pong):
            for step in (s.unlink, s.close):
                try:
                    step()
                except Exception:
                    pass

    try:
        proc = subprocess.Popen([sys.executable, '-c', CHILD, mod.__name__, ping.name, pong.name,
                                 str(total), str(cpus[1])], env=env)

        def watch():  # a dead child must not leave the parent waiting forever
            rc = proc.wait()
            if not state['done'] and rc != 0:
                state['died'] = rc
                pong.release()
        threading.Thread(target=watch, daemon=True).start()
        pong.acquire(30)  # the child is ready
        if state['died'] is not None:
            raise RuntimeError('ping-pong child exited with %d' % state['died'])
    except BaseException:
        cleanup()
        raise

    def run(n):
        r, a = ping.release, pong.acquire
        saved = os.sched_getaffinity(0)
        os.sched_setaffinity(0, {cpus[0]})  # this thread only
        try:
            t0 = time.perf_counter()
            for _ in range(n):
                r()
                a()
            elapsed = time.perf_counter() - t0
        finally:
            os.sched_setaffinity(0, saved)
        if state['died'] is not None:
            raise RuntimeError('ping-pong child exited with %d' % state['died'])
        return elapsed

    def finish():
        state['done'] = True
        if proc.wait(30) != 0:
            raise RuntimeError('ping-pong child exited with %d' % proc.returncode)
    return run, cleanup, finish


def calibrate(run, target_s):
    n = 1
    while True:
        t = run(n)
        if t >= target_s / 4 or n >= 1 << 24:
            return max(1, int(n * target_s / max(t, 1e-9)))
        n *= 4


def measure(setup, stmt, ref, new, rounds, target_s, pingpong_n):
    """[ref ns, pipc ns or None (n/a)] medians, and the n/a reason."""
    sides = [(0, ref), (1, new)]
    timers, cleanups, finishes, reason = {}, [], [], None
    cpus = pingpong_cpus(stmt) if setup == 'pingpong' else None
    if setup == 'pingpong' and cpus is None:
        raise CannotRun('this process may use only one CPU')
    try:
        for i, mod in sides:
            try:
                if setup == 'pingpong':
                    run, cleanup, finish = pingpong_timer(mod, pingpong_n * rounds, cpus)
                    finishes.append(finish)
                else:
                    run, cleanup = statement_timer(setup, stmt, mod)
            except NotAvailable as e:
                if i == 0:
                    raise RuntimeError('the reference lacks it: %s' % e)
                reason = str(e)
                continue
            timers[i] = run
            cleanups.append(cleanup)
        n = pingpong_n if setup == 'pingpong' else calibrate(timers[0], target_s)
        samples = {i: [] for i in timers}
        for r in range(rounds):
            order = sorted(timers) if r % 2 == 0 else sorted(timers, reverse=True)
            for i in order:
                samples[i].append(timers[i](n) / n * 1e9)
        for finish in finishes:
            finish()
    finally:
        for cleanup in cleanups:
            cleanup()
    return [statistics.median(samples[i]) if i in samples else None for i in (0, 1)], reason


# ---- main ------------------------------------------------------------------------------

def import_reference(name):
    """The reference module NAME from sys.path. Directories whose NAME is something else
    (the stray SWIG shadow module next to pipc/ in the build tree, an alias of pipc) are
    passed over."""
    import importlib
    saved = sys.path[:]
    try:
        while True:
            sys.modules.pop(name, None)
            mod = importlib.import_module(name)
            where = os.path.dirname(os.path.abspath(getattr(mod, '__file__', None) or '.'))
            if mod.__name__ == name and hasattr(mod, 'VERSION') and hasattr(mod, 'Semaphore'):
                return mod
            rest = [p for p in sys.path if os.path.abspath(p or '.') != where]
            if len(rest) == len(sys.path):
                raise ImportError('%s from %s is not the reference module' % (name, where))
            sys.path[:] = rest
    finally:
        sys.path[:] = saved


def import_modules():
    """{family: (reference, pipc module)} of the families that can run, and why the others
    cannot (None when all can)."""
    from pipc import sync
    mods = {'sync': (multiprocessing, sync)}
    extra = os.environ.get('PIPC_BENCH_REFERENCE_PATH')
    if extra:
        sys.path.extend(p for p in extra.split(os.pathsep) if p)
    try:
        posix_ipc = import_reference('posix_ipc')
        sysv_ipc = import_reference('sysv_ipc')
    except ImportError as e:
        return mods, 'the reference modules are not importable (%s)' % e
    from pipc import posix_ipc as pipc_posix
    from pipc import sysv_ipc as pipc_sysv
    mods.update(posix=(posix_ipc, pipc_posix), sysv=(sysv_ipc, pipc_sysv))
    return mods, None


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--quick', action='store_true', help='few short rounds: check, not measure')
    parser.add_argument('--rounds', type=int, help='rounds per case (default 21, quick 3)')
    parser.add_argument('--round-ms', type=float, help='length of one round (default 20, quick 2)')
    parser.add_argument('-k', dest='select', help='only cases whose label contains this text')
    args = parser.parse_args()
    rounds = args.rounds or (3 if args.quick else 21)
    target_s = (args.round_ms or (2 if args.quick else 20)) / 1000
    pingpong_n = 100 if args.quick else 2000

    mods, why = import_modules()
    cases = [c for c in CASES if c[3] in mods and (not args.select or args.select in c[0])]
    if why:
        print('posix and sysv cases skipped: %s.\nInstall posix_ipc==1.3.2 and sysv_ipc==1.2.0 '
              'in a venv and run the benchmark with its python, or set PIPC_BENCH_REFERENCE_PATH '
              'to its site-packages.' % why)
    if not cases:
        print('SKIP: no case to run')
        return SKIP
    pipc_dir = os.path.dirname(mods['sync'][1].__file__)
    if why:
        print('python %s; pipc from %s' % (sys.version.split()[0], pipc_dir))
    else:
        (rp, _), (rs, _) = mods['posix'], mods['sysv']
        print('python %s; reference posix_ipc %s, sysv_ipc %s (%s); pipc from %s'
              % (sys.version.split()[0], rp.VERSION, rs.VERSION, os.path.dirname(rp.__file__),
                 pipc_dir))
    print('%d rounds per case, alternating, %.0f ms each; medians in ns per statement; '
          'ratio = pipc / reference; %d CPUs usable%s'
          % (rounds, target_s * 1000, len(os.sched_getaffinity(0)),
             '; QUICK: not a measurement' if args.quick else ''))
    width = max(len(c[0]) for c in cases)
    print('%-*s %12s %12s %7s' % (width, 'case', 'reference', 'pipc', 'ratio'), flush=True)
    failed = 0
    for label, setup, stmt, family in cases:
        ref, new = mods[family]
        try:
            (ref_ns, new_ns), reason = measure(setup, stmt, ref, new, rounds, target_s,
                                               pingpong_n)
        except CannotRun as e:
            print('%-*s %12s %12s %7s   (%s)' % (width, label, 'n/a', 'n/a', 'n/a', e), flush=True)
            continue
        except Exception as e:
            failed += 1
            print('%-*s FAILED: %s: %s' % (width, label, type(e).__name__, e), flush=True)
            continue
        if new_ns is None:
            print('%-*s %12.1f %12s %7s   (%s)' % (width, label, ref_ns, 'n/a', 'n/a', reason),
                  flush=True)
        else:
            print('%-*s %12.1f %12.1f %7.2f' % (width, label, ref_ns, new_ns, new_ns / ref_ns),
                  flush=True)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
