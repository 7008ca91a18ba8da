"""Runs a program with one of its output streams on a pseudo-terminal (for the tests of what
mqtt-dissect does on a terminal: colour, the progress line)."""
import os
import pty
import subprocess


def run_on_tty(args, stream="stdout", env=None, timeout=30):
    """Runs `args` with `stream` ("stdout" or "stderr") on a new pseudo-terminal and the other to
    /dev/null; returns (exit status, everything written to the terminal)."""
    main, secondary = pty.openpty()
    streams = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    streams[stream] = secondary
    proc = subprocess.Popen(args, env=env, **streams)
    os.close(secondary)
    out = b""
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:  # EIO once the child has closed the terminal
            break
        if not chunk:
            break
        out += chunk
    os.close(main)
    return proc.wait(timeout=timeout), out
