"""Shared by the e2e model scripts: compile a model, run it with
--compare, print one PASS/FAIL line. Standard library only."""
import subprocess


# The GPU archs the e2e scripts compile for with --target=cuda.
CUDA_ARCHS = "sm_80,sm_90"


def target_flags(target):
    """autoglm-compile flags for an e2e script's --target."""
    if target == "cuda":
        return ["--target=cuda", f"--gpu-arch={CUDA_ARCHS}"]
    return []


def compile_and_compare(label, compile_cmd, run_cmd):
    """Runs autoglm-compile then autoglm-run (unless run_cmd is None: compile
    only); prints `PASS: label: <the compare lines>` or `FAIL: label:
    <command and its output>`. True on success."""
    if run_cmd is None:
        result = subprocess.run(compile_cmd, capture_output=True, text=True)
        if result.returncode != 0:
            print(f"FAIL: {label}: {' '.join(compile_cmd)}\n{result.stdout}"
                  f"{result.stderr}")
            return False
        print(f"PASS: {label}: compiled")
        return True
    for cmd in (compile_cmd, run_cmd):
        result = subprocess.run(cmd, capture_output=True, text=True)
        if result.returncode != 0:
            print(f"FAIL: {label}: {' '.join(cmd)}\n{result.stdout}"
                  f"{result.stderr}")
            return False
    summary = [l for l in result.stdout.splitlines() if l.startswith("compare")]
    print(f"PASS: {label}: {'; '.join(summary)}")
    return True
