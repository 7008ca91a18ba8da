"""What every Python test driver here shares: check() and the failures it records, running one of
the project's programs to its end, reading JSON lines, and the end of a driver's main."""
import json
import subprocess

failures = []


def check(condition, message):
    """Records `message` as a failure (and prints it) unless `condition`; returns `condition`."""
    if not condition:
        failures.append(message)
        print("FAIL: " + message)
    return condition


def run_tool(path, *args, timeout=30):
    """Runs `path` with `args` to its end (`timeout` seconds at most): (exit code, stdout, stderr)."""
    r = subprocess.run([path, *args], capture_output=True, text=True, timeout=timeout)
    return r.returncode, r.stdout, r.stderr


def json_lines(out):
    """One JSON document per non-empty line of `out`."""
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def verdict(passed_message="all checks passed"):
    """Says how many checks failed (or `passed_message`); the driver's exit code, 1 if any did."""
    if failures:
        print(f"{len(failures)} check(s) failed")
        return 1
    print(passed_message)
    return 0
