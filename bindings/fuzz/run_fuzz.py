#!/usr/bin/env python3
"""Runs a binding's random-call fuzzer batch by batch in child processes; reports what broke.

    run_fuzz.py [--calls N] [--batch N] [--seeds 1,2,...] [--time-seed S] [--jobs J]
                [--skip-known] [--junit FILE] [--report-dir DIR] [--name NAME] -- CHILD...

CHILD is a language's fuzzer (bindings/python/tests/fuzz_calls.py,
bindings/ruby/test/fuzz_calls.rb). Each batch runs
    CHILD --seed S --calls N --log FILE [--skip-known] [--shared-ipc]
as a child process of its own, in a private IPC namespace with a private /dev/shm and
/dev/mqueue (ipc_sandbox.py) when `unshare` allows it. The child writes each statement to
FILE before running it (the log is a program in the child's language) and ends it with a
"#RESULT {json}" line. A batch fails when the child dies of a signal, exits without that
line (an ASan report, a Ruby [BUG]), outlives the watchdog, reports failures of its own
(a SystemError, an exception of a type no call should raise), or leaves IPC objects it did
not make visible to the caller (a leak). A failing batch is reported with its seed, the
last statements before the failure, a shorter log that still fails (replayed with
CHILD --replay FILE), and how to run it again.

Seeds: the --seeds list, then seeds counted up from a time-based one (printed, and given
back with --time-seed to replay a run); there is always at least one time-based batch.
--calls defaults to $PIPC_FUZZ_CALLS, else 20000.

A statement the child tags "# known:WHAT" is a call shape with a known crash whose fix is
pending elsewhere: --skip-known makes the child skip it (counted), and without it a crash
at such a statement is counted as known rather than as a failure."""
import argparse
import collections
import concurrent.futures
import json
import math
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from xml.sax.saxutils import escape, quoteattr

import ipc_sandbox

SANDBOX = os.path.abspath(ipc_sandbox.__file__)
# Mounts are made private by the sandbox itself (in a chroot "/" is no mount point).
UNSHARE = ['unshare', '--ipc', '--mount', '--propagation', 'unchanged']
LAST_STATEMENTS = 25    # statements shown before a failure
KNOWN_TAG = re.compile(r'  #(?: [\w-]+)* known:(\S+)$')   # the last of a statement's marks
FUZZ_PREFIX = 'pipcfz'   # the children's POSIX names: /pipcfz.SEED.COUNT, /pipcfz.SEED.PID.COUNT shared


# ---- running one child ---------------------------------------------------------------

def namespaces_available():
    """Whether a child can have its own IPC namespace, with mounts it can make private
    (as ipc_sandbox.set_up does)."""
    try:
        return subprocess.run(UNSHARE + ['sh', '-c', 'mount --make-rprivate / || mount --make-rprivate /dev'],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0
    except OSError:
        return False


class Runner:
    """Runs CHILD commands, each in a fresh private IPC namespace when possible."""

    def __init__(self, child, timeout, private):
        self.child = child
        self.timeout = timeout
        self.private = private

    def run(self, args, workdir):
        """{"returncode", "timed_out", "leftovers", "stdout", "stderr"} of CHILD + ARGS."""
        out_path, err_path = os.path.join(workdir, 'stdout'), os.path.join(workdir, 'stderr')
        with open(out_path, 'wb') as out, open(err_path, 'wb') as err:
            if self.private:
                result_path = os.path.join(workdir, 'sandbox.json')
                command = UNSHARE + [sys.executable, SANDBOX, '--result', result_path,
                                     '--timeout', str(self.timeout), '--'] + self.child + args
                subprocess.run(command, stdout=out, stderr=err)
                try:
                    with open(result_path) as f:
                        result = json.load(f)
                except (OSError, ValueError):
                    result = {'returncode': None, 'timed_out': False, 'leftovers': [],
                              'sandbox_failed': True}
            else:   # the child shares the machine's IPC objects
                result = ipc_sandbox.run(self.child + args + ['--shared-ipc'], self.timeout,
                                         stdout=out, stderr=err)
                result['leftovers'] = []
        result['stdout'] = excerpt(out_path)
        result['stderr'] = excerpt(err_path)
        return result


def excerpt(path, head=15, tail=25):
    """The start and the end of a child's output (a Ruby [BUG] report says what it is first,
    a Python traceback last)."""
    with open(path, 'rb') as f:
        lines = f.read().decode('utf-8', 'replace').splitlines()
    if len(lines) > head + tail:
        lines = lines[:head] + [f'... ({len(lines) - head - tail} lines)'] + lines[-tail:]
    return '\n'.join(line[:300] for line in lines)


# ---- the child's log -------------------------------------------------------------------

class Log:
    """A child's log: statements (the calls it made, in order), the objects it reported
    making ("#+ KIND IDENT" lines) and its closing "#RESULT {json}"."""

    def __init__(self, path):
        self.path = path
        self.statements, self.made, self.result = [], [], None
        try:
            with open(path, encoding='utf-8', errors='surrogateescape') as f:
                lines = f.read().splitlines()
        except OSError:
            lines = []
        for line in lines:
            if line.startswith('#RESULT '):
                self.result = json.loads(line[len('#RESULT '):])
            elif line.startswith('#+ '):
                self.made.append(line[3:].split())
            elif line and not line.startswith('#'):
                self.statements.append(line)

    def known_tag(self):
        """The known-crash tag of the last statement, if it has one."""
        match = self.statements and KNOWN_TAG.search(self.statements[-1])
        return match.group(1) if match else None


def remove_made(made, pid):
    """Without a namespace: removes what the child PID made and could not remove (it
    crashed): the objects it reported making ("#+" lines) — System V ones by id, only while
    the id still has the key it saw, so never another program's — and those a call made
    before it crashed: POSIX names under the fuzzers' prefix with its pid in them, and the
    System V segments it created (a segment knows its creator)."""
    left = []
    for directory in ('/dev/shm', '/dev/mqueue'):
        for name in os.listdir(directory) if os.path.isdir(directory) else ():
            if re.match(rf'(sem\.)?{FUZZ_PREFIX}\.[0-9a-f]+\.{pid}\.', name):
                left.append(os.path.join(directory, name))
                os.unlink(left[-1])
    with open('/proc/sysvipc/shm') as f:
        for row in f.read().splitlines()[1:]:
            # (one it removed while attached goes with its memory: see ipc_sandbox.settled_objects)
            if int(row.split()[4]) == pid and not int(row.split()[2], 8) & ipc_sandbox.SHM_DEST:
                left.append(f'sysv shm id={row.split()[1]}')
                subprocess.run(['ipcrm', '-m', row.split()[1]], stderr=subprocess.DEVNULL)
    for kind, *ident in made:
        family, _, what = kind.partition('_')
        if family == 'posix':
            name = bytes.fromhex(ident[0]).lstrip(b'/')
            path = {'sem': b'/dev/shm/sem.' + name, 'shm': b'/dev/shm/' + name,
                    'mq': b'/dev/mqueue/' + name}[what]
            if os.path.lexists(path):
                left.append(f'{kind} {os.fsdecode(path)}')
                os.unlink(path)
        else:
            table = {'sem': 'sem', 'shm': 'shm', 'mq': 'msg'}[what]
            ipc_id, key = int(ident[0]), int(ident[1])
            with open(f'/proc/sysvipc/{table}') as f:
                rows = [line.split() for line in f.read().splitlines()[1:]]
            if any(int(r[1]) == ipc_id and int(r[0]) == key for r in rows):
                left.append(f'{kind} id={ipc_id}')
                subprocess.run(['ipcrm', {'sem': '-s', 'shm': '-m', 'msg': '-q'}[table], str(ipc_id)],
                               stderr=subprocess.DEVNULL)
    return left


# ---- one batch -------------------------------------------------------------------------

class Outcome:
    """What one run of the child (a batch, or a replay) came to."""

    def __init__(self, result, log, skip_known):
        self.log = log
        self.result = result
        returncode = result['returncode']
        self.known = None
        self.kind = None            # None: passed
        if result.get('sandbox_failed'):
            self.kind = 'the sandbox failed'
        elif result['timed_out']:
            self.kind = 'hang (watchdog)'
        elif returncode is not None and returncode < 0:
            self.kind = f'crash: {signal.Signals(-returncode).name}'
        elif returncode != 0 or log.result is None:
            self.kind = f'exit status {returncode} before the end'
        elif log.result['failures']:
            self.kind = 'failure: ' + log.result['failures'][0]['error'].split(':')[0]
        elif result['leftovers']:
            self.kind = 'leak of IPC objects'
        if self.kind and self.kind.startswith(('crash', 'exit')) and not skip_known:
            self.known = log.known_tag()

    @property
    def calls(self):
        return self.log.result['calls'] if self.log.result else len(self.log.statements)

    def same_failure(self, other):
        return other.kind == self.kind


class Fuzz:
    def __init__(self, args):
        self.args = args
        self.private = not args.shared_ipc and namespaces_available()
        self.runner = Runner(args.child, args.timeout, self.private)
        self.report_dir = args.report_dir or tempfile.mkdtemp(prefix='pipc-fuzz-')
        os.makedirs(self.report_dir, exist_ok=True)

    def child_flags(self):
        return ['--skip-known'] if self.args.skip_known else []

    def run_log(self, args, workdir):
        """Runs the child with ARGS writing WORKDIR/log: its Outcome."""
        log_path = os.path.join(workdir, 'log')
        result = self.runner.run(args + ['--log', log_path] + self.child_flags(), workdir)
        log = Log(log_path)
        if not self.private:
            left = remove_made(log.made, result['pid'])
            if result['returncode'] == 0 and not result['timed_out']:
                result['leftovers'] = left
        return Outcome(result, log, self.args.skip_known)

    def batch(self, seed, calls):
        workdir = tempfile.mkdtemp(prefix=f'seed-{seed}-', dir=self.report_dir)
        started = time.monotonic()
        outcome = self.run_log(['--seed', str(seed), '--calls', str(calls)], workdir)
        outcome.seed, outcome.batch_calls = seed, calls
        outcome.seconds, outcome.workdir = time.monotonic() - started, workdir
        outcome.reduced = None
        if outcome.kind and not outcome.known and outcome.kind not in ('hang (watchdog)', 'the sandbox failed'):
            outcome.reduced = self.reduce(outcome, workdir)
        if not outcome.kind:
            shutil.rmtree(workdir)
        return outcome

    # -- a shorter log that fails the same way --

    def replay(self, statements, workdir):
        path = os.path.join(workdir, 'candidate')
        with open(path, 'w', encoding='utf-8', errors='surrogateescape') as f:
            f.write('\n'.join(statements) + '\n')
        return self.run_log(['--replay', path], workdir)

    def reduce(self, outcome, workdir):
        """The shortest failing log found within --reduce-budget replays: first the shortest
        failing tail, then without each chunk that is not needed (halving the chunks). A
        crash or a failure happened at the last statement, which stays; a leak may come from
        any statement."""
        budget = [self.args.reduce_budget]
        scratch = tempfile.mkdtemp(dir=workdir)

        def fails(statements):
            if budget[0] <= 0 or not statements:
                return False
            budget[0] -= 1
            return outcome.same_failure(self.replay(statements, scratch))

        statements = outcome.log.statements
        failures = (outcome.log.result or {}).get('failures')
        if failures:
            statements = statements[:failures[0]['call']]
        keep_last = not outcome.kind.startswith('leak')
        if not fails(statements):
            return None          # the failure does not come back on a replay
        tail = 1
        while tail < len(statements) and not fails(statements[-tail:]):
            tail *= 2
        statements = statements[-tail:]
        chunk = len(statements) // 2
        while chunk >= 1 and budget[0] > 0:
            i = 0
            while i < len(statements):
                candidate = statements[:i] + statements[i + chunk:]
                if keep_last and candidate[-1:] != statements[-1:]:
                    break
                if fails(candidate):
                    statements = candidate
                else:
                    i += chunk
            chunk //= 2
        shutil.rmtree(scratch)
        path = os.path.join(workdir, 'reduced')
        with open(path, 'w', encoding='utf-8', errors='surrogateescape') as f:
            f.write('\n'.join(statements) + '\n')
        return path


# ---- reporting -------------------------------------------------------------------------

def describe(outcome, args):
    """The report of a failed batch."""
    lines = [f'FAILED seed {outcome.seed}: {outcome.kind} after {outcome.calls} calls',
             f'  log: {outcome.workdir}/log']
    for failure in (outcome.log.result or {}).get('failures', [])[:10]:
        lines += [f'  {failure["error"]}', f'    at: {failure["statement"]}']
    if outcome.kind.startswith('leak'):
        lines += ['  left behind:'] + [f'    {x}' for x in outcome.result['leftovers'][:20]]
    lines.append(f'  last {LAST_STATEMENTS} statements:')
    lines += [f'    {s[:300]}' for s in outcome.log.statements[-LAST_STATEMENTS:]]
    for name in ('stderr', 'stdout'):
        if outcome.result[name].strip():
            lines += [f'  {name}:'] + [f'    {x}' for x in outcome.result[name].splitlines()]
    reduced = outcome.reduced
    if reduced:
        with open(reduced, encoding='utf-8', errors='surrogateescape') as f:
            body = f.read().splitlines()
        lines += [f'  reduced to {len(body)} statements ({reduced}):'] + [f'    {s[:300]}' for s in body]
        replay_with = reduced
    else:
        lines.append('  (not reduced: a hang, a known crash, or a replay of the log did not fail)')
        replay_with = f'{outcome.workdir}/log'
    child = shlex.join(args.child)
    lines += ['  replay:    ' + child + f' --replay {replay_with}',
              '  run again: ' + f'{sys.argv[0]} --time-seed {outcome.seed} --batch {outcome.batch_calls} '
              f'--calls {outcome.batch_calls}{" --skip-known" if args.skip_known else ""} -- {child}']
    return '\n'.join(lines)


def write_junit(path, name, outcomes, reports):
    cases = []
    for outcome in outcomes:
        head = (f'<testcase classname={quoteattr(name)} name={quoteattr(f"seed {outcome.seed}")}'
                f' time="{outcome.seconds:.3f}"')
        if outcome.kind and not outcome.known:
            cases.append(f'{head}><failure message={quoteattr(outcome.kind)}>'
                         f'{escape(reports[outcome.seed])}</failure></testcase>')
        else:
            cases.append(head + '/>')
    failed = sum(1 for o in outcomes if o.kind and not o.known)
    with open(path, 'w') as f:
        f.write('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites>\n'
                f'<testsuite name={quoteattr(name)} tests="{len(outcomes)}" failures="{failed}">\n'
                + '\n'.join(cases) + '\n</testsuite>\n</testsuites>\n')


def seeds_to_run(args):
    fixed = [int(s) for s in args.seeds.split(',') if s] if args.seeds else []
    batches = max(len(fixed) + 1, math.ceil(args.calls / args.batch))
    time_seed = args.time_seed if args.time_seed is not None else int(time.time())
    seeds = fixed + [time_seed + i for i in range(batches - len(fixed))]
    return seeds, time_seed, [args.calls // batches + (i < args.calls % batches) for i in range(batches)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--calls', type=int, default=int(os.environ.get('PIPC_FUZZ_CALLS', 20000)))
    parser.add_argument('--batch', type=int, default=2000, help='calls per child process')
    parser.add_argument('--seeds', default='', help='comma-separated fixed seeds')
    parser.add_argument('--time-seed', type=int, help='the first time-based seed (default: now)')
    parser.add_argument('--jobs', type=int, default=1, help='children at once')
    parser.add_argument('--skip-known', action='store_true', help='skip the call shapes tagged known')
    parser.add_argument('--shared-ipc', action='store_true',
                        help='no private namespace (as where unshare is not permitted)')
    parser.add_argument('--timeout', type=float, default=120, help='watchdog per child, seconds')
    parser.add_argument('--reduce-budget', type=int, default=150, help='replays to shorten a failing log')
    parser.add_argument('--junit')
    parser.add_argument('--report-dir')
    parser.add_argument('--name', default='fuzz')
    parser.add_argument('child', nargs='+')
    args = parser.parse_args()

    fuzz = Fuzz(args)
    seeds, time_seed, calls = seeds_to_run(args)
    print(f'{args.name}: {args.calls} calls in {len(seeds)} batches; fixed seeds {args.seeds or "none"}, '
          f'time-based seed {time_seed} (--time-seed {time_seed} runs the same batches)', flush=True)
    if not fuzz.private:
        print('note: no private IPC namespace here (unshare failed): the children share the '
              "machine's IPC objects and remove what they made", flush=True)
    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        outcomes = list(pool.map(fuzz.batch, seeds, calls))
    elapsed = time.monotonic() - started

    reports = {}
    for outcome in outcomes:
        if outcome.kind:
            reports[outcome.seed] = describe(outcome, args)
            print(('KNOWN (' + outcome.known + ') ' if outcome.known else '') + reports[outcome.seed],
                  flush=True)
    total = sum(o.calls for o in outcomes)
    skipped = sum((o.log.result or {}).get('skipped_known', 0) for o in outcomes)
    failed = [o for o in outcomes if o.kind and not o.known]
    known = collections.Counter(o.known for o in outcomes if o.known)
    exceptions = collections.Counter()
    for o in outcomes:
        exceptions.update((o.log.result or {}).get('exceptions', {}))
    print('exceptions raised (validation at work): ' +
          ', '.join(f'{n} {c}' for n, c in exceptions.most_common()))
    print(f'{args.name}: {total} calls, {len(outcomes)} batches, {len(failed)} failed, '
          f'known crashes {dict(known) or "none"}, known call shapes skipped {skipped}, {elapsed:.1f} s')
    if args.junit:
        write_junit(args.junit, args.name, outcomes, reports)
    if not args.report_dir and not os.listdir(fuzz.report_dir):
        os.rmdir(fuzz.report_dir)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
