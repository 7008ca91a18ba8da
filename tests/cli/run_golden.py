#!/usr/bin/env python3
"""Runs one command and compares it with golden files.

usage: run_golden.py --exit N --stdout GOLDEN [--stderr GOLDEN] [--stdin FILE] -- COMMAND ARGS...

The command's stdout must equal the --stdout file byte for byte; its stderr must equal the --stderr
file, or be empty when none is given; its exit status must be N. A golden ending in .json must also
hold one valid JSON object per line. With UPDATE_GOLDEN=1 the golden files are rewritten from the
actual output (the exit status is never rewritten: it lives in CMakeLists.txt). Review every
rewritten golden by eye before committing it.
"""
import argparse
import difflib
import json
import os
import subprocess
import sys


def show_diff(name, expected, actual):
    diff = difflib.unified_diff(
        expected.decode("utf-8", "backslashreplace").splitlines(keepends=True),
        actual.decode("utf-8", "backslashreplace").splitlines(keepends=True),
        fromfile=name + " (golden)", tofile=name + " (actual)")
    sys.stdout.writelines(diff)
    print()


def check_json_lines(path, data):
    ok = True
    for number, line in enumerate(data.decode("utf-8").splitlines(), 1):
        try:
            value = json.loads(line)
            if not isinstance(value, dict):
                raise ValueError("not an object")
        except ValueError as e:
            print(f"{path}:{number}: invalid JSON line: {e}")
            ok = False
    return ok


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--exit", type=int, required=True)
    parser.add_argument("--stdout", required=True)
    parser.add_argument("--stderr")
    parser.add_argument("--stdin")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command

    stdin = open(args.stdin, "rb") if args.stdin else subprocess.DEVNULL
    result = subprocess.run(command, stdin=stdin, capture_output=True, timeout=60)
    update = os.environ.get("UPDATE_GOLDEN") == "1"
    ok = True

    for path, actual, name in ((args.stdout, result.stdout, "stdout"), (args.stderr, result.stderr, "stderr")):
        if path is None:
            if actual:
                print(f"unexpected stderr:\n{actual.decode('utf-8', 'backslashreplace')}")
                ok = False
            continue
        if update:
            with open(path, "wb") as f:
                f.write(actual)
            print(f"rewrote {path}: review it before committing")
            continue
        try:
            with open(path, "rb") as f:
                expected = f.read()
        except FileNotFoundError:
            print(f"missing golden {path}: run with UPDATE_GOLDEN=1 and review it")
            ok = False
            continue
        if actual != expected:
            print(f"{name} differs from {path}:")
            show_diff(name, expected, actual)
            ok = False
        if path.endswith(".json") and not check_json_lines(path, actual):
            ok = False

    if result.returncode != args.exit:
        print(f"exit status {result.returncode}, expected {args.exit}")
        ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
