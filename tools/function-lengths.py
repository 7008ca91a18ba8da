#!/usr/bin/env python3
"""C++ functions longer than N lines (from the first line of the signature to the closing brace),
comments, strings and preprocessor lines not counted as code structure.

usage: function-lengths.py N DIR...   prints each one; exit 1 when there is any, 0 otherwise

The project's rule (issue 11): no function over 80 lines in dissector/ or tools/; ctest runs
`function-lengths.py 80 dissector tools` as style.function_lengths."""
import pathlib
import re
import sys

def strip(src):
    out = []; i = 0; n = len(src)
    while i < n:
        c = src[i]
        if src.startswith('//', i):
            j = src.find('\n', i); j = n if j < 0 else j
            out.append(' ' * (j - i)); i = j
        elif src.startswith('/*', i):
            j = src.find('*/', i + 2); j = n if j < 0 else j + 2
            out.append(re.sub(r'[^\n]', ' ', src[i:j])); i = j
        elif c == 'R' and src.startswith('R"', i):
            m = re.match(r'R"([^(]*)\(', src[i:])
            end = src.find(')' + m.group(1) + '"', i); end = n if end < 0 else end + len(m.group(1)) + 2
            out.append(re.sub(r'[^\n]', ' ', src[i:end])); i = end
        elif c in '"\'':
            if c == "'" and i > 0 and (src[i-1].isalnum()) and src[i-1] not in 'uULR8':  # digit separator
                out.append(' '); i += 1; continue
            j = i + 1
            while j < n and src[j] != c:
                j += 2 if src[j] == '\\' else 1
            out.append(c + ' ' * (j - i - 1) + c); i = j + 1
        else:
            out.append(c); i += 1
    return ''.join(out)

def functions(text):
    s = strip(text)
    s = re.sub(r'(?m)^[ \t]*#.*(\\\n.*)*$', lambda m: re.sub(r'[^\n]', ' ', m.group(0)), s)
    stack = []  # (kind, start_line)
    last_stmt_end = 0
    res = []
    for i, c in enumerate(s):
        if c in ';':
            last_stmt_end = i + 1
        elif c == '{':
            header = s[last_stmt_end:i]
            outer_ok = all(k == 'scope' for k, *_ in stack)
            h = header.strip()
            if re.match(r'^(template\s*<.*>\s*)?(namespace|class|struct|union|enum|extern)\b', h, re.S) and '(' not in h.split('{')[0].split('=')[0] or h.startswith('namespace') or h.startswith('extern "'):
                kind = 'scope'
            elif outer_ok and ')' in h and not re.search(r'=\s*$', h):
                kind = 'func'
            else:
                kind = 'other'
            # start line: first non-space char of header
            off = last_stmt_end + (len(header) - len(header.lstrip()))
            stack.append((kind, s.count('\n', 0, off) + 1, h[:60].replace('\n', ' ')))
            last_stmt_end = i + 1
        elif c == '}':
            if stack:
                kind, start, h = stack.pop()
                if kind == 'func':
                    end = s.count('\n', 0, i) + 1
                    res.append((end - start + 1, start, h))
            last_stmt_end = i + 1
    return res

limit = int(sys.argv[1]); bad = 0
for root in sys.argv[2:]:
    for p in sorted(pathlib.Path(root).rglob('*')):
        if p.suffix in ('.cpp', '.hpp') and p.is_file():
            for length, start, h in functions(p.read_text(errors='replace')):
                if length > limit:
                    bad += 1; print(f'{p}:{start}: {length} lines: {h}')
print(f'{bad} over {limit}')
sys.exit(1 if bad else 0)
