#!/usr/bin/env python3
"""--color=auto on a terminal: colour unless NO_COLOR is set (and not empty); --color=never wins.

usage: colour_tty.py MQTT_DISSECT
Runs the program with stdout on a pseudo-terminal and checks for ANSI escapes.
"""
import os
import sys

from pty_run import run_on_tty

ESC = b"\x1b["


def run_colour(program, args, env_extra):
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    env.update(env_extra)
    return run_on_tty([program] + args, "stdout", env)


def main():
    program = sys.argv[1]
    broken = ["--hex", "30 05 00 01 23 68 69"]  # PUBLISH with a wildcard topic: an error to colour
    cases = [
        (["--color=auto"] + broken, {}, True),
        (["--color=auto"] + broken, {"NO_COLOR": "1"}, False),
        (["--color=auto"] + broken, {"NO_COLOR": ""}, True),   # empty NO_COLOR does not count
        (["--color=never"] + broken, {}, False),
        (["--color=always"] + broken, {"NO_COLOR": "1"}, True),  # an explicit flag wins
        (["--json"] + broken, {}, False),                      # JSON is never coloured
    ]
    failed = 0
    for args, env, want_colour in cases:
        code, out = run_colour(program, args, env)
        has_colour = ESC in out
        if code != 1 or has_colour != want_colour:
            print(f"FAIL {args} env={env}: exit {code}, colour {has_colour}, wanted {want_colour}\n{out!r}")
            failed += 1
    print(f"{len(cases) - failed}/{len(cases)} cases passed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
