"""Shared by the e2e model scripts: compile a model, run it with
--compare, print one PASS/FAIL line. Standard library only."""
import os
import subprocess


# The GPU archs the e2e scripts compile for with --target=cuda
# (AGM_CUDA_ARCHS overrides: sm_90 alone for an H100 bundle).
CUDA_ARCHS = os.environ.get("AGM_CUDA_ARCHS", "sm_80,sm_90")


def target_flags(target):
    """autoglm-compile flags for an e2e script's --target."""
    if target == "cuda":
        return ["--target=cuda", f"--gpu-arch={CUDA_ARCHS}"]
    return []


def add_artifact_options(parser):
    """--artifact-dir / --prebuilt: compile here, run on another machine
    (a GPU machine without the compiler; scripts/gpu-bundle)."""
    parser.add_argument("--artifact-dir",
                        help="keep the artifacts in this folder (with "
                             "--prebuilt: take them from it)")
    parser.add_argument("--prebuilt", action="store_true",
                        help="do not compile: run the artifacts of "
                             "--artifact-dir")


def compile_and_compare(label, compile_cmd, run_cmd):
    """Runs autoglm-compile (unless compile_cmd is None: prebuilt) then
    autoglm-run (unless run_cmd is None: compile only); prints `PASS: label:
    <the compare lines>` or `FAIL: label: <command and its output>`. True on
    success."""
    summary = ["compiled"]
    for cmd in (compile_cmd, run_cmd):
        if cmd is None:
            continue
        result = subprocess.run(cmd, capture_output=True, text=True)
        if result.returncode != 0:
            print(f"FAIL: {label}: {' '.join(cmd)}\n{result.stdout}"
                  f"{result.stderr}")
            return False
        if cmd is run_cmd:
            summary = [l for l in result.stdout.splitlines()
                       if l.startswith("compare")]
    print(f"PASS: {label}: {'; '.join(summary)}")
    return True
