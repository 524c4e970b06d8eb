#!/usr/bin/env python3
"""Time convolab against numpy/scipy on the same work, in one run.

Run on demand (not in CI):

    python3 bench/compare.py            # makes bench/.venv with numpy + scipy
    python3 bench/compare.py --python /path/to/venv/bin/python   # reuse a venv

It builds convolab in release mode, runs examples/bench_ops.rs (the library,
medians over repeated runs), times the same workloads with numpy/scipy in the
chosen Python (medians too), times the whole `convolab -c '…'` process for
start-up plus a small steps table, and prints a Markdown table of medians and
ratios (convolab / best of numpy+scipy; below 1 means convolab is faster).
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

PY_WORK = r'''
import json, statistics, sys, time
import numpy as np
import scipy.signal as ss
import scipy.ndimage as nd
import scipy.integrate as si

REPS = int(sys.argv[1])

def lcg(n, seed):
    # The generator of examples/bench_ops.rs, so both sides see the same data.
    out = np.empty(n)
    s = seed
    m = (1 << 64) - 1
    for i in range(n):
        s = (s * 6364136223846793005 + 1442695040888963407) & m
        out[i] = ((s >> 11) / float(1 << 53)) * 2.0 - 1.0
    return out

def median(f, n=REPS):
    f()
    ts = []
    for _ in range(n):
        t = time.perf_counter(); f(); ts.append(time.perf_counter() - t)
    return statistics.median(ts)

r = {}
x = lcg(1_000_000, 1); y = lcg(1000, 2)
r["numpy.convolve"] = median(lambda: np.convolve(x, y, "full"), max(3, REPS // 3))
r["scipy.signal.fftconvolve"] = median(lambda: ss.fftconvolve(x, y, "full"))
r["scipy.signal.oaconvolve"] = median(lambda: ss.oaconvolve(x, y, "full"))

a = lcg(512 * 512, 3).reshape(512, 512); k = lcg(25, 4).reshape(5, 5)
r["scipy.signal.convolve2d"] = median(lambda: ss.convolve2d(a, k, "same", boundary="symm"), max(3, REPS // 3))
r["scipy.ndimage.convolve"] = median(lambda: nd.convolve(a, k, mode="reflect"))

f = lambda t: 1.0 if 0 <= t < 1 else 0.0
g = lambda t: t if 0 <= t < 1 else (2 - t if 1 <= t <= 2 else 0.0)
ts = np.linspace(-1, 4, 1000)
def curve():
    out = []
    for t in ts:
        lo, hi = max(0.0, t - 2), min(1.0, t)
        if hi <= lo:
            out.append(0.0); continue
        pts = [p for p in (t - 1,) if lo < p < hi]
        out.append(si.quad(lambda u: f(u) * g(t - u), lo, hi, points=pts or None, epsabs=1e-14, epsrel=1e-13)[0])
    return out
r["scipy.integrate.quad"] = median(curve, max(3, REPS // 3))

# Exact: conv of x[n] = 1/(n+7), n = 0..399, with itself.
from fractions import Fraction
xq = [Fraction(1, n + 7) for n in range(400)]
def fraction_direct():
    out = [Fraction(0)] * (2 * len(xq) - 1)
    for i, a in enumerate(xq):
        for j, b in enumerate(xq):
            out[i + j] += a * b
    return out
r["fractions.Fraction direct sum"] = median(fraction_direct, max(1, REPS // 5))
try:
    import sympy
    px = sympy.Poly(list(reversed(xq)), sympy.Symbol("z"), domain="QQ")
    r["sympy.Poly (QQ) product"] = median(lambda: px * px, max(1, REPS // 5))
except ImportError:
    pass
print(json.dumps(r))
'''


def sh(cmd, **kw):
    return subprocess.run(cmd, check=True, text=True, capture_output=True, **kw).stdout


def python_with_scipy(requested):
    if requested:
        return requested
    venv = os.path.join(ROOT, "bench", ".venv")
    py = os.path.join(venv, "bin", "python")
    if not os.path.exists(py):
        print("creating bench/.venv with numpy and scipy …", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", venv], check=True)
        subprocess.run([py, "-m", "pip", "install", "-q", "numpy", "scipy", "sympy"], check=True)
    return py


def startup_median(binary, runs=30):
    stmt = "a = [1, 0.5, 1, 1]; b = [1, 0.5, 0.25]; steps conv(a, b)"
    ts = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run([binary, "-c", stmt], check=True, stdout=subprocess.DEVNULL)
        ts.append(time.perf_counter() - t)
    return statistics.median(ts)


def fmt(s):
    if s >= 1:
        return f"{s:.2f} s"
    if s >= 1e-3:
        return f"{s * 1e3:.2f} ms"
    return f"{s * 1e6:.1f} µs"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--python", help="a Python with numpy and scipy, and sympy if you have it (default: bench/.venv, created if missing)")
    ap.add_argument("--reps", type=int, default=15)
    args = ap.parse_args()
    py = python_with_scipy(args.python)

    print("building convolab (release) …", file=sys.stderr)
    subprocess.run(["cargo", "build", "--release", "--quiet", "--example", "bench_ops", "--bin", "convolab"], cwd=ROOT, check=True)
    ours = json.loads(sh([os.path.join(ROOT, "target", "release", "examples", "bench_ops"), str(args.reps)]))
    theirs = json.loads(sh([py, "-c", PY_WORK, str(args.reps)]))
    startup = startup_median(os.path.join(ROOT, "target", "release", "convolab"))

    def best(names):
        name = min(names, key=lambda n: theirs[n])
        return name, theirs[name]

    rows = []
    for label, key, names, target in [
        ("1D conv, 10^6 × 10^3", "conv1d", ["numpy.convolve", "scipy.signal.fftconvolve", "scipy.signal.oaconvolve"], "≤ 0.5× oaconvolve"),
        ("2D conv, 512² × 5×5 (same, reflect)", "conv2d", ["scipy.ndimage.convolve", "scipy.signal.convolve2d"], "≤ 0.5× ndimage.convolve"),
        ("rect * triangle at 1000 points", "curve", ["scipy.integrate.quad"], "≤ 1/20 of quad"),
        ("… numeric integrator only", "curve_numeric", ["scipy.integrate.quad"], "≤ 1/20 of quad"),
        ("exact conv of 1/(n+7), 400 × 400", "exact_harmonic", ["fractions.Fraction direct sum", "sympy.Poly (QQ) product"], "–"),
    ]:
        names = [n for n in names if n in theirs]
        name, t = best(names)
        rows.append((label, fmt(ours[key]), f"{fmt(t)} ({name})", f"{ours[key] / t:.3f}", target))
    rows.append(("start-up + small steps table (process)", fmt(startup), "–", "–", "< 20 ms"))

    cpu = ""
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((l.split(":", 1)[1].strip() for l in f if l.startswith("model name")), "")
    except OSError:
        pass
    print(f"Machine: {cpu or platform.processor()}, {os.cpu_count()} CPUs, {platform.system()} {platform.release()}")
    print(f"Python {sh([py, '-c', 'import sys, numpy, scipy; print(sys.version.split()[0], numpy.__version__, scipy.__version__)']).strip()} (python, numpy, scipy)")
    print()
    print("| workload | convolab (median) | best numpy/scipy (median) | ratio | target |")
    print("|---|---|---|---|---|")
    for r in rows:
        print("| " + " | ".join(r) + " |")
    print()
    print(f"checks: 1D result vs the direct sum, max relative error {ours['conv1d_rel_err']:.1e}; "
          f"numeric curve vs the closed form, max error {ours['curve_max_err']:.1e}")


if __name__ == "__main__":
    main()
