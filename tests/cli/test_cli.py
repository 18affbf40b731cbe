#!/usr/bin/env python3
"""Tests of pipc(1), the command-line tool (meson suite "cli").

Every verb with its errors and exit codes; ls over the six kinds with their fields, and
libpipc's own mutexes, condition variables and channels told apart in ls, show and --json;
--json validated against docs/pipc-json-schema.json; holders (a descriptor, a mapping, a
System V attachment or last operation) in show and ls --holders; clean removing the
objects of a kill -9'd holder and keeping a live one's; and, with --python, the scripting
verbs against a Python peer (class PythonPeer, run with --only PythonPeer).

Where it may (root, or a user namespace), the script re-runs itself in a private IPC,
mount and PID namespace with its own /dev/shm and /dev/mqueue: listings are then exact and
nothing reaches the machine's objects. Elsewhere every check filters by the test's own
random names and keys, and clean's System V cases only --dry-run. Every object has a
random name or key and is removed also on failure; waits are bounded; no sleeps.

Usage: test_cli.py --pipc PIPC --holder CLI_HOLDER --libpipc CLI_LIBPIPC --schema SCHEMA
       [--python EXE]
       [--only CLASS] [unittest options]"""
import argparse
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import unittest

ARGS = None
ISOLATED = os.environ.get("PIPC_CLI_ISOLATED") == "1"
TIMEOUT = 60  # seconds for any one command: generous, never a synchronisation


def pipc(*argv, input=None, check=None):
    """Runs pipc; gives (exit code, stdout bytes, stderr text)."""
    r = subprocess.run([ARGS.pipc, *argv], input=input, capture_output=True, timeout=TIMEOUT)
    if check is not None and r.returncode != check:
        raise AssertionError(f"pipc {' '.join(argv)}: exit {r.returncode}, expected {check}\n"
                             f"stdout: {r.stdout!r}\nstderr: {r.stderr.decode()}")
    return r.returncode, r.stdout, r.stderr.decode()


def out(*argv, input=None):
    return pipc(*argv, input=input, check=0)[1].decode()


def ls_json(*extra):
    doc = json.loads(out("ls", "--json", *extra))
    validate(doc)
    return doc


def random_name():
    return "/pipc_cli_" + secrets.token_hex(6)


def random_key():
    return secrets.randbelow(0x7ffffff0) + 1


# ---- a minimal JSON Schema (draft 2020-12) validator for the keywords the schema uses,
# so the test needs no python3-jsonschema; jsonschema, where installed, checks as well.

def check_schema(instance, schema, root, path="$"):
    if "$ref" in schema:
        ref = schema["$ref"]
        assert ref.startswith("#/$defs/"), ref
        return check_schema(instance, root["$defs"][ref[len("#/$defs/"):]], root, path)
    types = schema.get("type")
    if types is not None:
        types = [types] if isinstance(types, str) else types
        kinds = {"object": dict, "array": list, "string": str, "boolean": bool, "null": type(None)}
        ok = any((t == "integer" and isinstance(instance, int) and not isinstance(instance, bool))
                 or (t in kinds and isinstance(instance, kinds[t])) for t in types)
        if not ok:
            raise AssertionError(f"{path}: {instance!r} is not of type {types}")
    if "const" in schema and instance != schema["const"]:
        raise AssertionError(f"{path}: {instance!r} != {schema['const']!r}")
    if "enum" in schema and instance not in schema["enum"]:
        raise AssertionError(f"{path}: {instance!r} not in {schema['enum']}")
    if "oneOf" in schema:
        passed = 0
        for sub in schema["oneOf"]:
            try:
                check_schema(instance, sub, root, path)
                passed += 1
            except AssertionError:
                pass
        if passed != 1:
            raise AssertionError(f"{path}: {instance!r} matches {passed} of oneOf")
    if isinstance(instance, str) and "pattern" in schema and not re.search(schema["pattern"], instance):
        raise AssertionError(f"{path}: {instance!r} does not match {schema['pattern']}")
    if isinstance(instance, int) and not isinstance(instance, bool):
        if "minimum" in schema and instance < schema["minimum"]:
            raise AssertionError(f"{path}: {instance} < {schema['minimum']}")
        if "maximum" in schema and instance > schema["maximum"]:
            raise AssertionError(f"{path}: {instance} > {schema['maximum']}")
    if isinstance(instance, dict):
        for key in schema.get("required", []):
            if key not in instance:
                raise AssertionError(f"{path}: missing {key}")
        props = schema.get("properties", {})
        for key, value in instance.items():
            if key in props:
                check_schema(value, props[key], root, f"{path}.{key}")
            elif schema.get("additionalProperties") is False:
                raise AssertionError(f"{path}: unexpected property {key}")
    if isinstance(instance, list):
        if len(instance) < schema.get("minItems", 0):
            raise AssertionError(f"{path}: fewer than {schema['minItems']} items")
        if schema.get("uniqueItems") and len({json.dumps(i, sort_keys=True) for i in instance}) != len(instance):
            raise AssertionError(f"{path}: items not unique")
        for i, item in enumerate(instance):
            if "items" in schema:
                check_schema(item, schema["items"], root, f"{path}[{i}]")


def validate(doc):
    schema = json.load(open(ARGS.schema))
    check_schema(doc, schema, schema)
    try:
        import jsonschema
    except ImportError:
        return
    jsonschema.Draft202012Validator(schema).validate(doc)


# ---- objects and holders, removed whatever happens

class Objects:
    """Creates objects with the tool and removes each at the end."""

    def __init__(self, test):
        self.made = []
        test.addCleanup(self.remove_all)

    def posix(self, kind, *options, name=None):
        name = name or random_name()
        self.made.append((kind, name))
        self.made_name = out("create", kind, name, *options).strip()
        assert self.made_name == name, (self.made_name, name)
        return name

    def sysv(self, kind, *options):
        key = random_key()
        self.made.append((kind, key))
        printed_key, printed_id = out("create", kind, "--key", hex(key), "--exclusive", *options).split()
        assert int(printed_key, 16) == key
        return key, int(printed_id)

    def libpipc(self, type, *messages):
        """A libpipc mutex, cond or channel (16 slots of 64 B, MESSAGES sent): shared memory."""
        name = random_name()
        self.made.append(("shm", name))
        subprocess.run([ARGS.libpipc, type, name, *messages], check=True, timeout=TIMEOUT)
        return name

    def remove_all(self):
        for kind, target in reversed(self.made):
            if isinstance(target, int):
                pipc("rm", "--kind", kind, "--key", str(target))
            else:
                pipc("rm", "--kind", kind, target)


class Holders:
    """cli_holder processes, each holding one object until its stdin closes."""

    def __init__(self, test):
        self.procs = []
        test.addCleanup(self.stop_all)

    def hold(self, kind, target):
        p = subprocess.Popen([ARGS.holder, kind, str(target)], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.procs.append(p)
        line = p.stdout.readline()  # blocks until it holds the object (or fails)
        if line != b"ready\n":
            p.kill()
            raise AssertionError(f"cli_holder {kind} {target}: {p.stderr.read().decode()}")
        return p

    def stop_all(self):
        for p in self.procs:
            if p.poll() is None:
                p.stdin.close()
                try:
                    p.wait(timeout=TIMEOUT)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()


def find(doc, kind, name=None, key=None):
    for o in doc["objects"]:
        if o["kind"] == kind and (o["name"] == name if name is not None else o["key"] == key):
            return o
    return None


# ---- the tests

class Help(unittest.TestCase):
    VERBS = ["ls", "show", "rm", "clean", "create", "send", "receive", "post", "wait", "read", "write"]

    def test_main_help_lists_every_verb(self):
        text = out("--help")
        for verb in self.VERBS:
            self.assertIn(f"pipc {verb}", text)
        self.assertIn("Exit status", text)

    def test_every_verb_has_help(self):
        for verb in self.VERBS:
            text = out(verb, "--help")
            self.assertTrue(text.startswith(f"usage: pipc {verb}"), text)

    def test_version_is_the_library_version(self):
        self.assertRegex(out("--version"), r"^pipc \d+\.\d+\.\d+\n$")

    def test_usage_errors_exit_2(self):
        for argv in [[], ["frobnicate"], ["ls", "--bogus"], ["ls", "--kind", "pipes"],
                     ["ls", "--kind"], ["show"], ["wait", "/x", "--timeout", "3 weeks"],
                     ["create", "sem", "/x", "--size", "10"], ["create", "sysv-sem", "/x"],
                     ["send", "/x"], ["send", "--key", "1", "d", "--priority", "1"],
                     ["read", "--key", "zz"], ["rm", "--key", "1", "--id", "2"]]:
            code, _, err = pipc(*argv)
            self.assertEqual(code, 2, f"pipc {argv}: {err}")
            self.assertTrue(err.startswith("pipc"), err)


class Listing(unittest.TestCase):
    def test_six_kinds_with_their_fields(self):
        objs = Objects(self)
        sem = objs.posix("sem", "--value", "3")
        shm = objs.posix("shm", "--size", "4096", "--mode", "640")
        mq = objs.posix("mq", "--max-messages", "5", "--max-message-size", "128")
        out("send", mq, "hello")
        skey, sid = objs.sysv("sysv-sem", "--value", "2")
        hkey, hid = objs.sysv("sysv-shm", "--size", "8192")
        qkey, qid = objs.sysv("sysv-mq")
        out("send", "--key", str(qkey), "abc", "--type", "4")

        doc = ls_json()
        self.assertEqual(doc["kinds"], ["sem", "shm", "mq", "sysv-sem", "sysv-shm", "sysv-mq"])
        self.assertFalse(doc["holders_scanned"])
        o = find(doc, "sem", sem)
        self.assertEqual((o["value"], o["key"], o["id"], o["size"]), (3, None, None, None))
        self.assertEqual(o["mode"], "0600")
        self.assertEqual(o["uid"], os.geteuid())
        o = find(doc, "shm", shm)
        self.assertEqual((o["size"], o["mode"]), (4096, "0640"))
        o = find(doc, "mq", mq)
        self.assertEqual((o["max_messages"], o["max_message_size"], o["messages"], o["size"]), (5, 128, 1, 5))
        o = find(doc, "sysv-sem", key=skey)
        self.assertEqual((o["value"], o["id"], o["name"], o["semaphores"]), (2, sid, None, 1))
        o = find(doc, "sysv-shm", key=hkey)
        self.assertEqual((o["size"], o["id"], o["attaches"]), (8192, hid, 0))
        o = find(doc, "sysv-mq", key=qkey)
        self.assertEqual((o["messages"], o["size"], o["id"]), (1, 3, qid))
        self.assertIsNone(o["holders"])
        if ISOLATED:  # exactly ours
            self.assertEqual(len(doc["objects"]), 6, doc)

        table = out("ls").splitlines()
        self.assertRegex(table[0], r"^KIND +NAME/KEY +ID +OWNER +PERMS +SIZE +VALUE/MSGS +CHANGED +LIBPIPC$")
        rows = {tuple(line.split()[:7]) for line in table[1:]}
        owner = find(doc, "sem", sem)["user"]
        self.assertIn(("sem", sem, "-", owner, "rw-------", "-", "3"), rows)
        self.assertIn(("shm", shm, "-", owner, "rw-r-----", "4096", "-"), rows)
        self.assertIn(("mq", mq, "-", owner, "rw-------", "5", "1"), rows)
        self.assertIn(("sysv-sem", f"0x{skey:08x}", str(sid), owner, "rw-------", "-", "2"), rows)
        self.assertIn(("sysv-mq", f"0x{qkey:08x}", str(qid), owner, "rw-------", "3", "1"), rows)
        # aligned: the right-aligned ID column ends at the same place on every row
        id_end = table[0].index(" ID") + 3
        for line in table[1:]:
            self.assertEqual(line[id_end], " ", line)
            self.assertNotEqual(line[id_end - 1], " ", line)

    def test_kind_and_user_filters(self):
        objs = Objects(self)
        sem = objs.posix("sem")
        key, _ = objs.sysv("sysv-mq")
        doc = ls_json("--kind", "sysv")
        self.assertEqual(doc["kinds"], ["sysv-sem", "sysv-shm", "sysv-mq"])
        self.assertTrue(all(o["kind"].startswith("sysv-") for o in doc["objects"]))
        self.assertIsNotNone(find(doc, "sysv-mq", key=key))
        doc = ls_json("--kind", "sem,sysv-mq")
        self.assertEqual({o["kind"] for o in doc["objects"]} - {"sem", "sysv-mq"}, set())
        self.assertIsNotNone(find(doc, "sem", sem))
        me = str(os.geteuid())
        self.assertIsNotNone(find(ls_json("--user", me), "sem", sem))
        other = str(os.geteuid() + 4242)
        self.assertIsNone(find(ls_json("--user", other), "sem", sem))
        self.assertEqual(pipc("ls", "--user", "no-such-user-pipc")[0], 2)

    def test_show(self):
        objs = Objects(self)
        shm = objs.posix("shm", "--size", "100")
        text = out("show", shm)
        self.assertIn(f"name:             {shm}", text)
        self.assertRegex(text, r"size: +100\n")
        self.assertRegex(text, r"holders: +0\n")
        doc = json.loads(out("show", shm, "--json"))
        validate(doc)
        self.assertEqual(len(doc["objects"]), 1)
        self.assertEqual(doc["objects"][0]["holders"], [])
        key, sid = objs.sysv("sysv-sem", "--value", "7")
        self.assertRegex(out("show", "--key", hex(key)), rf"id: +{sid}\n")
        self.assertRegex(out("show", "--id", str(sid), "--kind", "sysv-sem"), r"value: +7\n")
        code, _, err = pipc("show", random_name())
        self.assertEqual(code, 1)
        self.assertIn("pipc show: no such object", err)


class LibpipcObjects(unittest.TestCase):
    """Segments that hold libpipc's own objects stay kind shm, and say which object."""

    def test_ls_show_and_json_say_which_object_and_a_channels_messages(self):
        objs = Objects(self)
        mutex, cond = objs.libpipc("mutex"), objs.libpipc("cond")
        channel = objs.libpipc("channel", "3")
        plain = objs.posix("shm", "--size", "4096")

        table = out("ls", "--kind", "shm").splitlines()
        row = {line.split()[1]: line for line in table[1:]}
        self.assertTrue(row[channel].endswith("  channel 3/16 x 64 B"), row[channel])
        cells = row[channel].split()
        self.assertEqual((cells[0], cells[6]), ("shm", "3"))  # KIND, VALUE/MSGS
        self.assertTrue(row[mutex].endswith("  mutex"), row[mutex])
        self.assertTrue(row[cond].endswith("  cond"), row[cond])
        self.assertRegex(row[plain], r"\d\d:\d\d:\d\d$")  # nothing after CHANGED

        doc = ls_json("--kind", "shm")
        fields = ("kind", "libpipc_type", "messages", "max_messages", "max_message_size")
        expected = {channel: ("shm", "channel", 3, 16, 64), mutex: ("shm", "mutex", None, None, None),
                    cond: ("shm", "cond", None, None, None), plain: ("shm", None, None, None, None)}
        for name, values in expected.items():
            o = find(doc, "shm", name)
            self.assertEqual(tuple(o[f] for f in fields), values, name)

        text = out("show", channel)
        self.assertRegex(text, r"libpipc type: +channel\n")
        self.assertRegex(text, r"messages: +3\n")
        self.assertRegex(text, r"max messages: +16\n")
        self.assertRegex(out("show", mutex), r"libpipc type: +mutex\n")
        self.assertNotIn("libpipc type", out("show", plain))
        shown = json.loads(out("show", cond, "--json"))
        validate(shown)
        self.assertEqual(shown["objects"][0]["libpipc_type"], "cond")
        out("rm", channel)  # plain shared memory to rm
        self.assertIsNone(find(ls_json("--kind", "shm"), "shm", channel))


class HoldersShown(unittest.TestCase):
    def test_holders_of_every_kind(self):
        objs, holders = Objects(self), Holders(self)
        sem = objs.posix("sem")
        shm = objs.posix("shm", "--size", "4096")
        mq = objs.posix("mq")
        skey, _ = objs.sysv("sysv-sem")
        hkey, _ = objs.sysv("sysv-shm", "--size", "4096")
        qkey, _ = objs.sysv("sysv-mq")
        expect = {}
        for kind, target, how, ident in [("sem", sem, "map", sem), ("shm", shm, "map", shm),
                                         ("mq", mq, "fd", mq), ("sysv-sem", skey, "last-op", skey),
                                         ("sysv-shm", hkey, "attach", hkey), ("sysv-mq", qkey, "last-op", qkey)]:
            p = holders.hold(kind, target)
            expect[kind] = (p.pid, how, ident)
        doc = ls_json("--holders")
        self.assertTrue(doc["holders_scanned"])
        for kind, (pid, how, ident) in expect.items():
            o = find(doc, kind, **({"key": ident} if kind.startswith("sysv") else {"name": ident}))
            self.assertIsNotNone(o, kind)
            mine = [h for h in o["holders"] if h["pid"] == pid]
            self.assertEqual(len(mine), 1, (kind, o["holders"]))
            self.assertIn(how, mine[0]["how"], kind)
            self.assertIn("cli_holder", mine[0]["command"])
        self.assertIn("fd", [h for h in find(doc, "shm", shm)["holders"] if h["pid"] == expect["shm"][0]][0]["how"])
        # the table's HOLDERS column and show's holder lines
        table = out("ls", "--holders")
        self.assertIn("HOLDERS", table.splitlines()[0])
        row = [line for line in table.splitlines() if f" {shm} " in line][0]
        self.assertRegex(row, rf" 1:{expect['shm'][0]} ")
        text = out("show", shm)
        self.assertRegex(text, rf"\n *{expect['shm'][0]} +fd,map +\S+ +\S*cli_holder shm {shm}\n")
        text = out("show", "--key", str(hkey))
        self.assertRegex(text, rf"\n *{expect['sysv-shm'][0]} +attach(,[a-z-]+)* ")
        self.assertRegex(text, r"attaches: +1\n")


class Remove(unittest.TestCase):
    def test_rm_by_name_key_and_id(self):
        objs = Objects(self)
        name = objs.posix("sem")
        objs.posix("shm", name=name)
        code, _, err = pipc("rm", name)
        self.assertEqual(code, 2)
        self.assertIn(f"{name} exists as sem and shm", err)
        self.assertIn("--kind", err)
        out("rm", "--kind", "sem", name)
        doc = ls_json("--kind", "posix")
        self.assertIsNone(find(doc, "sem", name))
        self.assertIsNotNone(find(doc, "shm", name))
        out("rm", name)  # now unambiguous
        self.assertIsNone(find(ls_json(), "shm", name))
        code, _, err = pipc("rm", name)
        self.assertEqual(code, 1)
        self.assertIn("pipc rm: no such object", err)
        code, _, err = pipc("rm", "--kind", "mq", name)
        self.assertEqual(code, 1)
        self.assertRegex(err, r"^pipc rm: no such object: .+")
        key, qid = objs.sysv("sysv-mq")
        out("rm", "--key", hex(key))
        self.assertIsNone(find(ls_json(), "sysv-mq", key=key))
        key, hid = objs.sysv("sysv-shm")
        out("rm", "--id", str(hid), "--kind", "sysv-shm")
        self.assertIsNone(find(ls_json(), "sysv-shm", key=key))
        a, b = objs.posix("mq"), objs.posix("mq")
        out("rm", a, b)
        doc = ls_json()
        self.assertIsNone(find(doc, "mq", a))
        self.assertIsNone(find(doc, "mq", b))


class Clean(unittest.TestCase):
    def test_clean_removes_a_killed_holders_objects_and_keeps_a_live_ones(self):
        objs, holders = Objects(self), Holders(self)
        prefix = "/pipc_cli_" + secrets.token_hex(4) + "_"
        live = {k: objs.posix(k, *(["--size", "4096"] if k == "shm" else []), name=prefix + "live_" + k)
                for k in ("sem", "shm", "mq")}
        dead = {k: objs.posix(k, *(["--size", "4096"] if k == "shm" else []), name=prefix + "dead_" + k)
                for k in ("sem", "shm", "mq")}
        live_pids = {k: holders.hold(k, n).pid for k, n in live.items()}
        for k, n in dead.items():
            p = holders.hold(k, n)
            p.send_signal(signal.SIGKILL)
            p.wait(timeout=TIMEOUT)
        unseen = ls_json("--holders", "--kind", "posix")["unseen_processes"]
        extra = []
        if unseen:  # the safe default: what it cannot prove unheld stays
            text = out("clean", "--prefix", prefix)
            for k, n in dead.items():
                self.assertIn(f"kept {k} {n}: {unseen} process(es) could not be inspected", text)
            extra = ["--ignore-unseen"]
        dry = out("clean", "--prefix", prefix, "--dry-run", *extra)
        for k, n in dead.items():
            self.assertIn(f"would remove {k} {n}\n", dry)
        self.assertEqual(len([o for o in ls_json("--kind", "posix")["objects"]
                              if o["name"].startswith(prefix)]), 6)
        text = out("clean", "--prefix", prefix, *extra)
        for k, n in dead.items():
            self.assertIn(f"removed {k} {n}\n", text)
        for k, n in live.items():
            self.assertIn(f"kept {k} {n}: held by pid {live_pids[k]} (", text)
        doc = ls_json("--kind", "posix")
        for k, n in dead.items():
            self.assertIsNone(find(doc, k, n))
        for k, n in live.items():
            self.assertIsNotNone(find(doc, k, n))

    def test_clean_system_v(self):
        objs, holders = Objects(self), Holders(self)
        live_key, _ = objs.sysv("sysv-shm")
        dead_key, dead_id = objs.sysv("sysv-shm")
        used_key, used_id = objs.sysv("sysv-mq")
        never_key, never_id = objs.sysv("sysv-mq")
        live = holders.hold("sysv-shm", live_key)
        p = holders.hold("sysv-shm", dead_key)
        p.kill()
        p.wait(timeout=TIMEOUT)
        p = holders.hold("sysv-mq", used_key)
        p.kill()
        p.wait(timeout=TIMEOUT)
        args = ["clean", "--kind", "sysv-shm,sysv-mq"] + ([] if ISOLATED else ["--dry-run"])
        text = out(*args)
        verb = "removed" if ISOLATED else "would remove"
        self.assertIn(f"{verb} sysv-shm 0x{dead_key:08x} (id {dead_id})\n", text)
        self.assertIn(f"{verb} sysv-mq 0x{used_key:08x} (id {used_id})\n", text)
        self.assertRegex(text, rf"kept sysv-shm 0x{live_key:08x} \(id \d+\): held by pid {live.pid} ")
        self.assertIn(f"kept sysv-mq 0x{never_key:08x} (id {never_id}): never used", text)
        if ISOLATED:
            doc = ls_json()
            self.assertIsNone(find(doc, "sysv-shm", key=dead_key))
            self.assertIsNone(find(doc, "sysv-mq", key=used_key))
            self.assertIsNotNone(find(doc, "sysv-shm", key=live_key))

    def test_clean_usage(self):
        self.assertEqual(pipc("clean", "--prefix", "/x", "--kind", "sysv")[0], 2)
        self.assertEqual(pipc("clean", "--older-than", "soon")[0], 2)
        self.assertEqual(pipc("clean", "leftover")[0], 2)


class Scripting(unittest.TestCase):
    def test_posix_queue_binary_round_trip(self):
        objs = Objects(self)
        mq = objs.posix("mq", "--max-message-size", "512")
        payload = bytes(range(256)) * 2
        out("send", mq, "-", "--priority", "3", input=payload)
        out("send", mq, "text")
        code, data, err = pipc("receive", mq, "-v", "--timeout", "1s")
        self.assertEqual((code, data), (0, payload))
        self.assertIn("priority 3, 512 bytes", err)
        self.assertEqual(out("receive", mq), "text")
        code, data, err = pipc("receive", mq, "--timeout", "0")
        self.assertEqual((code, data), (3, b""))
        self.assertRegex(err, r"^pipc receive: [^:]+: .+")
        code, _, err = pipc("receive", mq, "--timeout", "20ms")
        self.assertEqual(code, 3)
        code, _, err = pipc("send", mq, "x" * 600)
        self.assertEqual(code, 1)
        code, _, err = pipc("send", random_name(), "x")
        self.assertEqual(code, 1)
        self.assertIn("pipc send: no such object", err)

    def test_system_v_queue(self):
        objs = Objects(self)
        key, qid = objs.sysv("sysv-mq")
        out("send", "--key", str(key), "one", "--type", "5")
        out("send", "--id", str(qid), "-", "--type", "2", input=b"\x00two\xff")
        code, data, err = pipc("receive", "--key", hex(key), "--type", "2", "-v")
        self.assertEqual((code, data), (0, b"\x00two\xff"))
        self.assertIn("type 2", err)
        self.assertEqual(out("receive", "--id", str(qid)), "one")
        self.assertEqual(pipc("receive", "--key", str(key), "--timeout", "0")[0], 3)
        self.assertEqual(pipc("send", "--key", str(key), "x", "--type", "0")[0], 2)

    def test_semaphores(self):
        objs = Objects(self)
        sem = objs.posix("sem", "--value", "1")
        out("wait", sem, "--timeout", "1s")
        self.assertEqual(pipc("wait", sem, "--timeout", "0")[0], 3)
        code, _, err = pipc("wait", sem, "--timeout", "30ms")
        self.assertEqual(code, 3)
        self.assertTrue(err.startswith("pipc wait: "), err)
        out("post", sem)
        out("wait", sem)
        key, sid = objs.sysv("sysv-sem", "--value", "0")
        self.assertEqual(pipc("wait", "--key", str(key), "--timeout", "0")[0], 3)
        out("post", "--id", str(sid))
        out("wait", "--key", str(key), "--timeout", "1s")
        self.assertEqual(pipc("post", random_name())[0], 1)

    def test_shared_memory(self):
        objs = Objects(self)
        shm = objs.posix("shm", "--size", "64")
        out("write", shm, "--offset", "8", input=b"\x00\x01hello\xfe")
        self.assertEqual(pipc("read", shm, "--offset", "8", "--length", "8")[1], b"\x00\x01hello\xfe")
        self.assertEqual(len(pipc("read", shm)[1]), 64)
        code, _, err = pipc("write", shm, "--offset", "60", input=b"123456")
        self.assertEqual(code, 1)
        self.assertIn("pipc write: ", err)
        self.assertEqual(pipc("read", shm, "--offset", "65")[0], 1)
        key, hid = objs.sysv("sysv-shm", "--size", "100")
        out("write", "--key", str(key), input=b"sysv\x00data")
        self.assertEqual(pipc("read", "--id", str(hid), "--length", "9")[1], b"sysv\x00data")

    def test_create_errors_and_random_names(self):
        objs = Objects(self)
        name = objs.posix("sem")
        code, _, err = pipc("create", "sem", name, "--exclusive")
        self.assertEqual(code, 1)
        self.assertIn("pipc create: ", err)
        made = out("create", "shm", "--size", "10").strip()
        objs.made.append(("shm", made))
        self.assertTrue(made.startswith("/"))
        printed_key, sid = out("create", "sysv-sem").split()
        key = int(printed_key, 16)
        key = key - (1 << 32) if key > 0x7fffffff else key  # as signed as the kernel's
        objs.made.append(("sysv-sem", key))
        self.assertEqual(find(ls_json(), "sysv-sem", key=key)["id"], int(sid))


class Completion(unittest.TestCase):
    """The bash completion, sourced into bash with the built pipc first on PATH."""

    def complete(self, *words):
        script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                              "libpipc", "cli", "pipc.bash-completion")
        program = (f'source "{script}"; COMP_WORDS=({" ".join(repr(w) for w in words)}); '
                   f'COMP_CWORD={len(words) - 1}; _pipc; printf "%s\\n" "${{COMPREPLY[@]}}"')
        env = dict(os.environ, PATH=os.path.dirname(os.path.abspath(ARGS.pipc)) + ":" + os.environ["PATH"])
        r = subprocess.run(["bash", "-c", program], capture_output=True, text=True, env=env, timeout=TIMEOUT)
        self.assertEqual(r.returncode, 0, r.stderr)
        return set(r.stdout.split())

    def test_verbs_options_and_kinds(self):
        self.assertEqual(self.complete("pipc", "re"), {"receive", "read"})
        self.assertIn("--holders", self.complete("pipc", "ls", "--"))
        self.assertEqual(self.complete("pipc", "ls", "--kind", "sysv-s"), {"sysv-sem", "sysv-shm"})

    def test_names_of_existing_objects(self):
        name = random_name()
        pipc("create", "sem", name, check=0)
        try:
            self.assertIn(name, self.complete("pipc", "post", name[:-2]))
            self.assertNotIn(name, self.complete("pipc", "read", name[:-2]))  # not shared memory
        finally:
            pipc("rm", "--kind", "sem", name, check=0)


class UnmountedQueues(unittest.TestCase):
    """POSIX queues where no mqueue filesystem is mounted (needs root for the namespaces)."""

    def setUp(self):
        if os.geteuid() != 0:
            self.skipTest("needs root to unmount /dev/mqueue in a private mount namespace")

    def run_unmounted(self, *argv, user=None):
        # a mount namespace whose mounts reach no other: "/" made private, or in a chroot
        # (where "/" is no mount point) /dev, which holds /dev/mqueue
        inner = ["sh", "-c", 'mount --make-rprivate / 2>/dev/null || mount --make-rprivate /dev || exit 98; '
                 'while umount /dev/mqueue 2>/dev/null; do :; done; '
                 'grep -q " - mqueue " /proc/self/mountinfo && exit 99; exec "$@"', "sh"]
        program, env = ARGS.pipc, None
        if user:
            program, env = self.copy_for_anyone()
        setpriv = ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups"] if user else []
        r = subprocess.run(["unshare", "--mount", "--propagation", "unchanged", *inner, *setpriv, program, *argv],
                           capture_output=True, timeout=TIMEOUT, env=env)
        self.assertNotEqual(r.returncode, 98, "no private mount namespace: " + r.stderr.decode())
        if r.returncode == 99:
            self.skipTest("the mqueue filesystem stays mounted here")
        return r.returncode, r.stdout.decode(), r.stderr.decode()

    def copy_for_anyone(self):
        """pipc and the libpipc it loads, copied where another user may run them (the
        build tree may lie under root's 0700 home, as on a fresh machine's CI run)."""
        directory = tempfile.mkdtemp(prefix="pipc-cli-")
        self.addCleanup(shutil.rmtree, directory)
        os.chmod(directory, 0o755)
        shutil.copy(ARGS.pipc, directory)
        for library_dir in os.environ.get("LD_LIBRARY_PATH", "").split(":") + [
                os.path.join(os.path.dirname(os.path.abspath(ARGS.pipc)), "..")]:
            library = os.path.join(library_dir, "libpipc.so.0")
            if library_dir and os.path.exists(library):
                shutil.copy(library, directory)
                break
        env = dict(os.environ, LD_LIBRARY_PATH=directory)
        return os.path.join(directory, os.path.basename(ARGS.pipc)), env

    def test_root_mounts_its_own(self):
        objs = Objects(self)
        mq = objs.posix("mq")
        code, text, err = self.run_unmounted("ls", "--kind", "mq", "--json")
        self.assertEqual(code, 0, err)
        self.assertIsNotNone(find(json.loads(text), "mq", mq))

    def test_others_get_advice_and_the_other_kinds(self):
        objs = Objects(self)
        sem = objs.posix("sem", "--mode", "644")
        code, text, err = self.run_unmounted("ls", "--json", user=65534)
        self.assertEqual(code, 0, err)
        doc = json.loads(text)
        validate(doc)
        self.assertNotIn("mq", doc["kinds"])
        self.assertIn("mount -t mqueue", err)
        self.assertTrue(any("mqueue" in w for w in doc["warnings"]))
        self.assertIsNotNone(find(doc, "sem", sem))


class PythonPeer(unittest.TestCase):
    """The scripting verbs against a Python program using pipc.posix_ipc / sysv_ipc."""

    def peer(self, code):
        return subprocess.Popen([ARGS.python, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def finish(self, p):
        o, e = p.communicate(timeout=TIMEOUT)
        self.assertEqual(p.returncode, 0, e.decode())
        return o

    def test_send_to_python_and_python_posts_to_wait(self):
        objs = Objects(self)
        mq = objs.posix("mq")
        sem = objs.posix("sem")
        out("send", mq, "-", "--priority", "2", input=b"from pipc\x00")
        got = self.finish(self.peer(
            "import sys; from pipc import posix_ipc as p\n"
            f"q = p.MessageQueue({mq!r}); m, pr = q.receive(30); sys.stdout.buffer.write(m + bytes([pr]))\n"
            f"s = p.Semaphore({sem!r}); s.release()\n"))
        self.assertEqual(got, b"from pipc\x00\x02")
        out("wait", sem, "--timeout", "30s")

    def test_python_sends_pipc_receives_and_shared_memory(self):
        objs = Objects(self)
        mq = objs.posix("mq")
        shm = objs.posix("shm", "--size", "32")
        key, _ = objs.sysv("sysv-shm", "--size", "16")
        self.finish(self.peer(
            "import mmap; from pipc import posix_ipc as p, sysv_ipc as s\n"
            f"p.MessageQueue({mq!r}).send(b'\\xffpython', priority=4)\n"
            f"m = p.SharedMemory({shm!r}); mm = mmap.mmap(m.fd, m.size); mm[0:4] = b'py\\x00!'\n"
            f"s.SharedMemory({key}).write(b'sysv-py')\n"))
        code, data, err = pipc("receive", mq, "-v", "--timeout", "30s")
        self.assertEqual((code, data), (0, b"\xffpython"))
        self.assertIn("priority 4", err)
        self.assertEqual(pipc("read", shm, "--length", "4")[1], b"py\x00!")
        self.assertEqual(pipc("read", "--key", str(key), "--length", "7")[1], b"sysv-py")
        out("write", "--key", str(key), "--offset", "8", input=b"cli")
        got = self.finish(self.peer(
            "import sys; from pipc import sysv_ipc as s\n"
            f"sys.stdout.buffer.write(s.SharedMemory({key}).read(3, offset=8))\n"))
        self.assertEqual(got, b"cli")


def isolate():
    """Re-runs this script in a private IPC, mount and PID namespace, where permitted: the
    PID namespace lets the holder scan see every process (unseen 0), so clean's
    decisions are exact."""
    if ISOLATED or os.environ.get("PIPC_CLI_NO_ISOLATION"):
        return
    for user_ns in ([], ["--user", "--map-root-user"]):
        probe = subprocess.run(["unshare", *user_ns, "--ipc", "--mount", "--pid", "--fork", "true"],
                               capture_output=True)
        if probe.returncode == 0:
            script = ('mkdir -p /dev/mqueue && mount -t tmpfs -o size=64m,mode=1777 pipc-cli /dev/shm && '
                      'mount -t mqueue pipc-cli /dev/mqueue && PIPC_CLI_ISOLATED=1 exec "$@"')
            os.execvp("unshare", ["unshare", *user_ns, "--ipc", "--mount", "--pid", "--fork", "--mount-proc",
                                  "--propagation", "private",
                                  "--", "sh", "-eu", "-c", script, "sh", sys.executable, *sys.argv])
    print("test_cli.py: no private IPC namespace permitted: checking by our own names and keys")


def main():
    global ARGS
    parser = argparse.ArgumentParser()
    parser.add_argument("--pipc", required=True)
    parser.add_argument("--holder", required=True)
    parser.add_argument("--libpipc", required=True)
    parser.add_argument("--schema", required=True)
    parser.add_argument("--python")
    parser.add_argument("--only")
    ARGS, rest = parser.parse_known_args()
    isolate()
    print(f"isolated: {ISOLATED}")
    loader = unittest.TestLoader()
    module = sys.modules[__name__]
    if ARGS.only:
        suite = loader.loadTestsFromName(ARGS.only, module)
    else:
        suite = unittest.TestSuite(t for t in loader.loadTestsFromModule(module)
                                   if not any(c.__class__.__name__ == "PythonPeer" for c in t))
    if rest:
        suite = loader.loadTestsFromNames(rest, module)
    result = unittest.TextTestRunner(verbosity=2).run(suite)
    print(f"tests: {result.testsRun - len(result.failures) - len(result.errors)} passed, "
          f"{len(result.failures) + len(result.errors)} failed, {len(result.skipped)} skipped")
    sys.exit(0 if result.wasSuccessful() else 1)


if __name__ == "__main__":
    main()
