#!/usr/bin/env python3
"""Checks docs/man against the library and its headers.

  coverage LIB HEADERS_DIR MAN_DIR
      The functions the headers declare are the ones LIB exports, and each has a page
      (its own, or a ".so" link to a family page) whose NAME lists it and whose
      SYNOPSIS shows the header's prototype. Every ".so" link names an exported
      function and points at a page that exists. Needs only nm (binutils).
  render MAN_DIR
      Every page formats without a groff warning (exit 77, a skip, without groff).
  examples MAN_DIR BUILD_DIR LIB INCLUDE_DIR... -- CC...
      Every EXAMPLES program of the C pages (sections 3 and 7; pipc(1)'s examples are
      shell) compiles as C99 with every warning an error and links with LIB.
      Programs are built, never run: they would create IPC objects.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

LINK = re.compile(r'^\.so\s+man3/(\S+)\s*$')


def fail(problems):
    for p in problems:
        print(p)
    print(f'{len(problems)} problem(s)')
    sys.exit(1)


def exported(lib):
    out = subprocess.run(['nm', '-D', '--defined-only', lib], check=True,
                         capture_output=True, text=True).stdout
    # nm shows a versioned symbol as NAME@@NODE.
    return {f[2].split('@')[0] for f in (line.split() for line in out.splitlines())
            if len(f) == 3 and f[2].startswith('pipc_')}


def declared(headers_dir):
    """name -> prototype (whitespace folded, no PIPC_API, no ';') of every function."""
    protos = {}
    for entry in sorted(os.listdir(headers_dir)):
        if not (entry.endswith('.h') or entry.endswith('.h.in')):
            continue
        with open(os.path.join(headers_dir, entry)) as f:
            text = re.sub(r'/\*.*?\*/', ' ', f.read(), flags=re.S)
        text = re.sub(r'^\s*#.*$', '', text, flags=re.M)  # "#  define PIPC_API" lines
        for m in re.finditer(r'PIPC_API\s+([^;]*?);', text, flags=re.S):
            proto = ' '.join(m.group(1).split())
            protos[re.search(r'(pipc_\w+)\s*\(', proto).group(1)] = proto
    return protos


def sections(path):
    """Section name -> its source lines."""
    out, current = {}, None
    with open(path) as f:
        for line in f:
            line = line.rstrip('\n')
            if line.startswith('.SH '):
                current = line[4:].strip().strip('"')
                out[current] = []
            elif current is not None:
                out[current].append(line)
    return out


def plain(lines):
    """The text of roff lines: font macros' arguments joined, escapes resolved,
    whitespace folded."""
    words = []
    for line in lines:
        if line.startswith('.\\"'):
            continue
        m = re.match(r'^\.(B|I|BI|IB|BR|RB|IR|RI)(\s+(.*))?$', line)
        if m:
            args = re.findall(r'"((?:[^"]|"")*)"|(\S+)', m.group(3) or '')
            line = ''.join(q.replace('""', '"') if q else w for q, w in args)
        elif line.startswith('.'):
            continue
        words.append(unescape(line))
    return ' '.join(' '.join(words).split())


def unescape(text):
    for escape, char in (('\\(dq', '"'), ('\\(aq', "'"), ('\\-', '-'), ('\\&', ''),
                         ('\\e', '\\')):
        text = text.replace(escape, char)
    return text


def link_target(path):
    with open(path) as f:
        m = LINK.match(f.readline())
    return m.group(1) if m else None


def coverage(lib, headers_dir, man_dir):
    problems = []
    symbols = exported(lib)
    protos = declared(headers_dir)
    if not symbols:
        fail([f'{lib} exports no pipc_* function'])
    for name in sorted(set(protos) - symbols):
        problems.append(f'{name}: declared in the headers but not exported '
                        '(missing from libpipc/libpipc.map?)')
    for name in sorted(symbols - set(protos)):
        problems.append(f'{name}: exported but declared in no public header')
    pages = {}
    for name in sorted(symbols):
        path = os.path.join(man_dir, name + '.3')
        if not os.path.exists(path):
            problems.append(f'{name}: no page {path} (nor a .so link to its family page)')
            continue
        target = link_target(path)
        page = os.path.join(man_dir, target) if target else path
        if target and not os.path.exists(page):
            continue  # reported with the links below
        if page not in pages:
            pages[page] = sections(page)
        found = pages[page]
        if name not in plain(found.get('NAME', [])).replace(',', ' ').split():
            problems.append(f'{name}: not listed in the NAME section of {page}')
        proto = protos.get(name)
        if proto and proto + ';' not in plain(found.get('SYNOPSIS', [])):
            problems.append(f'{name}: the SYNOPSIS of {page} lacks the prototype '
                            f'"{proto};"')
    for entry in sorted(os.listdir(man_dir)):
        path = os.path.join(man_dir, entry)
        target = link_target(path)
        if target is None:
            continue
        if not os.path.exists(os.path.join(man_dir, target)):
            problems.append(f'{entry}: .so link to man3/{target}, which does not exist')
        elif link_target(os.path.join(man_dir, target)) is not None:
            problems.append(f'{entry}: .so link to man3/{target}, itself a link')
        if entry[:-2] not in symbols:
            problems.append(f'{entry}: a link for a function the library does not export')
    if problems:
        fail(problems)
    print(f'{len(symbols)} exported functions, each declared, and described on one of '
          f'{len(pages)} pages')


def real_pages(man_dir):
    return [os.path.join(man_dir, e) for e in sorted(os.listdir(man_dir))
            if re.search(r'\.[1-8]$', e) and link_target(os.path.join(man_dir, e)) is None]


def render(man_dir):
    groff = shutil.which('groff')
    if groff is None:
        print('groff not found (Debian: groff-base): pages not rendered')
        sys.exit(77)
    problems = []
    for page in real_pages(man_dir):
        r = subprocess.run([groff, '-t', '-man', '-Tutf8', '-ww', '-z', page],
                           capture_output=True, text=True)
        if r.returncode != 0 or r.stderr:
            problems.append(f'{page}: groff exit {r.returncode}\n{r.stderr}')
    if problems:
        fail(problems)
    print(f'{len(real_pages(man_dir))} pages render without warnings')


def examples(man_dir, build_dir, cc, libs):
    problems, count = [], 0
    with tempfile.TemporaryDirectory(dir=build_dir) as tmp:
        for page in real_pages(man_dir):
            if page.endswith('.1'):
                continue
            lines = sections(page).get('EXAMPLES', [])
            blocks, block = [], None
            for line in lines:
                if line == '.EX':
                    block = []
                elif line == '.EE':
                    blocks.append(block)
                    block = None
                elif block is not None:
                    block.append(unescape(line))
            for i, block in enumerate(blocks):
                count += 1
                source = os.path.join(tmp, f'{os.path.basename(page)}.{i}.c')
                with open(source, 'w') as f:
                    f.write('\n'.join(block) + '\n')
                r = subprocess.run(cc + ['-std=c99', '-Wall', '-Wextra', '-Werror',
                                         '-o', source[:-2], source] + libs,
                                   capture_output=True, text=True)
                if r.returncode != 0:
                    problems.append(f'{page}: example {i + 1} does not build:\n'
                                    f'{r.stdout}{r.stderr}')
    if problems:
        fail(problems)
    print(f'{count} examples compile and link')


if __name__ == '__main__':
    command, args = sys.argv[1], sys.argv[2:]
    if command == 'coverage':
        coverage(*args)
    elif command == 'render':
        render(*args)
    elif command == 'examples':
        split = args.index('--')
        man_dir, build_dir, lib, *includes = args[:split]
        examples(man_dir, build_dir, args[split + 1:] + ['-I' + d for d in includes], [lib])
    else:
        sys.exit(f'unknown command {command}')
