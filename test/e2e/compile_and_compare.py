"""Shared by the e2e model scripts: compile a model, run it with
--compare, print one PASS/FAIL line. Standard library only."""
import subprocess


def compile_and_compare(label, compile_cmd, run_cmd):
    """Runs autoglm-compile then autoglm-run; prints `PASS: label: <the
    compare lines>` or `FAIL: label: <command and its output>`. True on
    success."""
    for cmd in (compile_cmd, run_cmd):
        result = subprocess.run(cmd, capture_output=True, text=True)
        if result.returncode != 0:
            print(f"FAIL: {label}: {' '.join(cmd)}\n{result.stdout}"
                  f"{result.stderr}")
            return False
    summary = [l for l in result.stdout.splitlines() if l.startswith("compare")]
    print(f"PASS: {label}: {'; '.join(summary)}")
    return True
