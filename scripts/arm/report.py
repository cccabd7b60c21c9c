#!/usr/bin/env python3
"""Compares the harness runs, counts vector instructions, prints the tables. Used by scripts/arm-test.

usage: report.py DIR    (DIR holds the files scripts/arm-test writes; exit 1 on any failure)

Vector-instruction rule (static, from `objdump -dr` of each kernels object):
  aarch64: an instruction counts as NEON (Advanced SIMD) if an operand is a vector register with
           an arrangement or element (v0.16b, v3.4s, v1.s[2], {v0.16b, v1.16b}) or a 128-bit q
           register (ldr/str/ldp/stp q0..q31). Scalar FP on s/d registers (fadd s0, ucvtf d1) is
           not counted.
  x86_64:  an instruction counts as SSE if it has an %xmm/%ymm operand and is not a scalar FP
           operation (mnemonics ending in ss/sd, cvt*2ss/2sd/ss2/sd2, comiss/ucomiss, movd/movq
           to or from a general register are counted as vector moves).
Per exported function the count includes every function it reaches by direct calls or branches
inside the object (the code it inlined is already in its body); calls leaving the object
(memset, posix_memalign) are listed, not counted.
"""
import collections
import os
import re
import sys

D = sys.argv[1]
failures = []


def read(name):
    path = os.path.join(D, name)
    return open(path).read() if os.path.exists(path) else None


# ---------------------------------------------------------------------------------------------
# Disassembly: functions, call graph, vector instruction counts.

FUNC_RE = re.compile(r"^([0-9a-f]+) <(.+)>:$")
INSN_RE = re.compile(r"^\s+([0-9a-f]+):\s+(\S+)\s*(.*)$")
RELOC_RE = re.compile(r"^\s+[0-9a-f]+: (R_\S+)\s+(\S+?)(?:[+-]0x[0-9a-f]+)?$")
TARGET_RE = re.compile(r"<([^>+]+)(?:\+0x[0-9a-f]+)?>")
ARM_VEC_RE = re.compile(r"\bv([0-9]|[12][0-9]|3[01])\.(?:[0-9]*[bhsd])\b")
ARM_Q_RE = re.compile(r"\bq([0-9]|[12][0-9]|3[01])\b")
ARM_BRANCH = {"b", "bl", "cbz", "cbnz", "tbz", "tbnz"}
X86_SCALAR_FP = re.compile(r"(ss|sd)$|2s[sd]|s[sd]2|^u?comis[sd]")


def is_vector(arch, mnem, ops):
    if arch == "arm64":
        return bool(ARM_VEC_RE.search(ops) or ARM_Q_RE.search(ops))
    if "%xmm" not in ops and "%ymm" not in ops:
        return False
    return not X86_SCALAR_FP.search(mnem)


def is_branch(arch, mnem):
    if arch == "arm64":
        return mnem in ARM_BRANCH or mnem.startswith("b.")
    return mnem.startswith("j") or mnem.startswith("call")


def parse_disasm(text, arch):
    funcs = collections.OrderedDict()  # name -> {"vec": n, "insns": n, "edges": set, "ext": set}
    cur = None
    last_branch = False
    for line in text.splitlines():
        m = FUNC_RE.match(line)
        if m:
            cur = funcs.setdefault(m.group(2), {"vec": 0, "insns": 0, "edges": set(), "ext": set(), "ops": []})
            continue
        if cur is None:
            continue
        r = RELOC_RE.match(line)
        if r:
            if last_branch:
                cur["reloc_targets"] = cur.get("reloc_targets", []) + [r.group(2)]
            continue
        m = INSN_RE.match(line)
        if not m:
            continue
        mnem, ops = m.group(2), m.group(3)
        if mnem.startswith("."):  # .word / .inst data
            continue
        cur["insns"] += 1
        if is_vector(arch, mnem, ops):
            cur["vec"] += 1
        last_branch = is_branch(arch, mnem)
        if last_branch:
            t = TARGET_RE.search(ops)
            if t:
                cur["edges"].add(t.group(1))
    for name, f in funcs.items():
        for t in f.pop("reloc_targets", []):
            f["edges"].add(t)
        f["edges"].discard(name)
        f["ext"] = {t for t in f["edges"] if t not in funcs}
        f["edges"] -= f["ext"]
    return funcs


def closure(funcs, root):
    seen, stack = set(), [root]
    while stack:
        n = stack.pop()
        if n in seen or n not in funcs:
            continue
        seen.add(n)
        stack.extend(funcs[n]["edges"])
    vec = sum(funcs[n]["vec"] for n in seen)
    insns = sum(funcs[n]["insns"] for n in seen)
    ext = set().union(*(funcs[n]["ext"] for n in seen)) if seen else set()
    return vec, insns, len(seen), ext


# ---------------------------------------------------------------------------------------------
# Harness results.

def parse_check(text):
    results, checks, absent = {}, {}, set()
    for line in (text or "").splitlines():
        f = line.split("\t")
        if f[0] == "RESULT":
            results[(f[1], f[2], f[3])] = f[4]
        elif f[0] == "CHECK":
            checks[(f[1], f[2])] = (f[3], f[4])
        elif f[0] == "ABSENT":
            absent.add(f[1])
    return results, checks, absent


arm_results, arm_checks, arm_absent = parse_check(read("check-arm64.tsv"))
x86_results, x86_checks, x86_absent = parse_check(read("check-x86.tsv"))
for arch in ("arm64", "x86"):
    rc = (read(f"check-{arch}.rc") or "missing").strip()
    if rc not in ("0", "1"):  # 1: mismatches, reported per case below; anything else: a crash
        err = (read(f"check-{arch}.err") or "").strip().splitlines()
        last = err[-1] if err else "(no output)"
        failures.append(f"harness on {arch} exited with status {rc} (crash? a read or write past a buffer "
                        f"hits an unmapped page); last case started: {last}")

kernels = []
for line in (read("harness-list.txt") or "").splitlines():
    name, state = line.split("\t")
    kernels.append((name, state == "present"))

# Coverage: every exported kernel must be in the harness table.
exported = set()
for line in (read("exports-arm64.txt") or "").splitlines():
    m = re.match(r"sl_(scalar|simd)_(\w+)$", line.strip())
    if m:
        exported.add(m.group(2))
covered = {n.split("@")[0] for n, p in kernels if p}
for k in sorted(exported - covered):
    failures.append(f"kernel {k}: exported (sl_simd_{k}/sl_scalar_{k}) but not run by scripts/arm/harness.c; "
                    "add it to the KERNELS table")
for k in sorted({n.split("@")[0] for n, _ in kernels} - exported):
    print(f"note: harness kernel {k} is not in this kernels folder (skipped)")

# ---------------------------------------------------------------------------------------------
# Per-kernel status.

arm_funcs = parse_disasm(read("kernels-arm64.dis") or "", "arm64")
x86_funcs = parse_disasm(read("kernels-x86.dis") or "", "x86")

rows = []
for name, present in kernels:
    if not present:
        continue
    base = name.split("@")[0]
    cases = [c for (k, c) in arm_checks if k == name]
    x86_cases = [c for (k, c) in x86_checks if k == name]
    bad_arm = [c for c in cases if arm_checks[(name, c)][0] != "match"]
    bad_x86 = [c for c in x86_cases if x86_checks[(name, c)][0] != "match"]
    for c in bad_arm:
        failures.append(f"{name} {c} aarch64: SIMD differs from scalar: {arm_checks[(name, c)][1]}")
    for c in bad_x86:
        failures.append(f"{name} {c} x86_64: SIMD differs from scalar: {x86_checks[(name, c)][1]}")
    host_bad = []
    for c in sorted(set(cases) | set(x86_cases)):
        for impl in ("scalar", "simd"):
            a, x = arm_results.get((name, c, impl)), x86_results.get((name, c, impl))
            if a is None or x is None:
                failures.append(f"{name} {c} {impl}: no result on {'aarch64' if a is None else 'x86_64'}")
                host_bad.append(c)
            elif a != x:
                failures.append(f"{name} {c} {impl}: aarch64 output differs from x86_64 (FNV-1a {a} vs {x})")
                host_bad.append(c)
    n = max(len(cases), len(x86_cases))
    def status(bad):
        return f"match {n}/{n}" if not bad and n else f"MISMATCH {len(set(bad))}/{n}"
    neon_simd = closure(arm_funcs, f"sl_simd_{base}")
    neon_scalar = closure(arm_funcs, f"sl_scalar_{base}")
    sse_simd = closure(x86_funcs, f"sl_simd_{base}")
    sse_scalar = closure(x86_funcs, f"sl_scalar_{base}")
    if "@" not in name:
        if neon_simd[2] == 0:
            failures.append(f"sl_simd_{base}: not found in the aarch64 disassembly")
        elif neon_simd[0] == 0:
            failures.append(f"sl_simd_{base}: no NEON instructions in the aarch64 object "
                            f"({neon_simd[1]} instructions in {neon_simd[2]} functions)")
    rows.append((name, status(bad_arm), status(bad_x86), status(host_bad),
                 f"{neon_simd[0]}/{neon_simd[1]}", f"{neon_scalar[0]}/{neon_scalar[1]}",
                 f"{sse_simd[0]}/{sse_simd[1]}", f"{sse_scalar[0]}/{sse_scalar[1]}"))


def table(header, rows):
    widths = [max(len(str(r[i])) for r in [header] + rows) for i in range(len(header))]
    fmt = lambda r: "| " + " | ".join(str(v).ljust(w) for v, w in zip(r, widths)) + " |"
    out = [fmt(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    return "\n".join(out + [fmt(r) for r in rows])


print()
print("Correctness and vector code per kernel (vector counts: vector instructions / all instructions, static,")
print("per exported function plus everything it reaches in the object):")
print()
print(table(("kernel", "SIMD=scalar aarch64", "SIMD=scalar x86_64", "aarch64=x86_64",
             "NEON simd", "NEON scalar", "SSE simd", "SSE scalar"), rows))

# ---------------------------------------------------------------------------------------------
# Instruction counts per pixel.

def bench(arch):
    lines = [l.split("\t") for l in (read(f"bench-{arch}.tsv") or "").splitlines() if l.startswith("BENCH")]
    counts = [int(c) for c in (read(f"bench-{arch}.counts") or "").split()]
    if lines and len(lines) != len(counts):
        failures.append(f"{arch} instruction counts: {len(counts)} counts for {len(lines)} benchmark calls")
        return {}
    return {(l[1], l[2], l[3]): (c, int(l[4])) for l, c in zip(lines, counts)}


b_arm, b_x86 = bench("arm64"), bench("x86")
if b_arm or b_x86:
    keys = []
    for k in list(b_arm) + list(b_x86):
        if (k[0], k[1]) not in keys:
            keys.append((k[0], k[1]))
    brow = []

    def per_px(b, k, c, impl):
        v = b.get((k, c, impl))
        return v[0] / v[1] if v else None

    def fmt(v):
        return "n/a" if v is None else f"{v:.2f}"

    def ratio(s, v):
        return "n/a" if s is None or v is None or v == 0 else f"{s / v:.2f}x"

    for k, c in keys:
        a_s, a_v = per_px(b_arm, k, c, "scalar"), per_px(b_arm, k, c, "simd")
        x_s, x_v = per_px(b_x86, k, c, "scalar"), per_px(b_x86, k, c, "simd")
        px = (b_arm.get((k, c, "simd")) or b_x86.get((k, c, "simd")))[1]
        brow.append((k, c, px, fmt(a_s), fmt(a_v), ratio(a_s, a_v), fmt(x_s), fmt(x_v), ratio(x_s, x_v)))
    print()
    print("Instructions executed per output pixel, one call (aarch64: qemu-aarch64 TB trace; x86_64: callgrind);")
    print("'scalar/simd' > 1 means the SIMD kernel executes fewer instructions:")
    print()
    print(table(("kernel", "case (src>dst, +row padding)", "pixels", "a64 scalar", "a64 simd", "a64 scalar/simd",
                 "x86 scalar", "x86 simd", "x86 scalar/simd"), brow))

if failures:
    print()
    print(f"arm-test: FAILED ({len(failures)} problem{'s' if len(failures) != 1 else ''}):")
    for f in failures[:60]:
        print("  - " + f)
    if len(failures) > 60:
        print(f"  ... and {len(failures) - 60} more")
    sys.exit(1)
print()
print("arm-test: kernels OK (every case matches SIMD=scalar on both architectures and aarch64=x86_64; "
      "every sl_simd_* kernel has NEON code)")
