#!/usr/bin/env python3
"""Cycles of a measured execution profile under a core's documented instruction timings.

  python3 cycles.py fw.dis profile.txt CORE     (standard library only)

profile.txt (from profile.c) says how often each instruction address ran and how often its
branch was taken; fw.dis (arm-none-eabi-objdump -d) says what the instruction is. The timing
rules per core, with their sources:

cortex-m4 (and cortex-m3): Arm Cortex-M4 TRM (DDI 0439 / 100166_0001_00), section 3.3.1
  "Table of processor instructions", cycles at zero wait states:
  - data processing, MOVW/MOVT, bit-field, SIMD/DSP (SXTB16, SADD16, ...): 1
  - MUL, MLA, MLS, SMULL, UMULL, SMLAL, UMLAL, SMLAD, SMLABB, SMMUL ...: 1
  - SDIV/UDIV: 2 to 12 (data dependent; 7 used)
  - LDR/LDRB/LDRH/LDRSB/LDRSH: 2; LDRD/STRD: 1 + N (N = 2); LDM/STM/PUSH/POP: 1 + N
  - STR (immediate offset): 1 ("STR Rx,[Ry,#imm] is always one cycle"), register offset 2
  - taken branch, BL, BX, POP {pc}, LDR pc: + P, P = 1 to 3 pipeline refill (2 used, the
    Cortex-M3 TRM's "If branch taken, pipeline reloads (two cycles are added)")
  - IT: folded onto the preceding 16-bit instruction (0)
  plus the TRM's pairing notes (3.3.2 "Load/store timings"): a load or store directly after a
  load is pipelined with it and costs one cycle less, unless its address uses the first load's
  result; a load or store whose address register was written by the instruction just before it
  waits one cycle (no forwarding to the address generator).
cortex-m33: no public instruction timing table. Arm's published Cortex-M33 pipeline (3 stages;
  address generation in the second stage, so a load completes in the next cycle; limited
  dual issue of 16-bit instructions) makes it at least as fast per instruction as the M4, so
  the M4 rules are used as an upper bound.
cortex-m0plus: Arm Cortex-M0+ TRM (DDI 0484C) 3.3 "Instruction set summary" table: data
  processing 1, MUL 1 (single-cycle multiplier, the RP2040's option), LDR/STR 2, LDM/STM/PUSH/
  POP 1 + N, taken branch 2 (B<cond> not taken 1), BL 3, BX/BLX 2, POP {pc} 3 + N.
cortex-m7: no public Arm table. Timing measured on an STM32H730 by quinapalus.com ("Cortex-M7
  instruction cycle counts, timings, and dual-issue combinations") and mastodawn observations:
  in-order dual issue of adjacent independent instructions, one load/store per cycle, MAC and
  SIMD/DSP only as the older of a pair, at most one shifted-operand/extend per cycle, loads
  1-cycle issue with a 1-cycle load-use penalty, taken loop branches predicted (+0) except the
  loop exit (+P, P = 5).
cortex-m55 (Helium/MVE): no public cycle table here. Assumed from Arm's description of the
  architecture's beat-wise execution (Armv8.1-M "Introduction" white paper: the M55 is a
  dual-beat implementation, 64 bits per cycle): a 128-bit vector instruction takes 2 cycles,
  1 when it overlaps the previous vector instruction of the other kind (memory vs arithmetic);
  low-overhead loop branches (LE/LETP) are free when taken, +2 on exit; scalar code takes the
  Cortex-M4 rules. An assumption, stated as one.
rv32imc (ESP32-C3 class): no public cycle table. The ESP32-C3 TRM describes an in-order
  four-stage RV32IMC pipeline; assumed here: 1 cycle per instruction, +1 when an instruction
  uses the result of the load just before it, +2 per taken branch or jump (resolved late, no
  prediction assumed), MUL 1, DIV/REM 17. An assumption, stated as one.
"""
import re, sys, collections

BRANCH = re.compile(r"^(b|bl|blx|bx|cbz|cbnz|tbb|tbh)(eq|ne|cs|hs|cc|lo|mi|pl|vs|vc|hi|ls|ge|lt|gt|le|al)?(\.n|\.w)?$")
MULS = ("mul", "mla", "mls", "smull", "umull", "smlal", "umlal", "smla", "smul", "smlad", "smlsd",
        "smmul", "smmla", "smmls", "smuad", "smusd", "umaal", "smlald", "smlsld", "smlaw", "smulw")
DSP = ("sxtb16", "uxtb16", "sadd16", "ssub16", "qadd", "qsub", "qadd16", "shadd", "uadd8", "sadd8",
       "ssat", "usat", "pkhbt", "pkhtb", "sel", "rev", "smlad", "smuad") + MULS


def base(m):
    m = m.split(".")[0]
    return m


def parse_dis(path):
    insn, func = {}, None
    for line in open(path):
        m = re.match(r"^([0-9a-f]+) <(.+)>:", line)
        if m:
            func = m.group(2)
            continue
        m = re.match(r"^\s*([0-9a-f]+):\s+(\S+)\s*([^;@]*)", line)
        if m:
            insn[int(m.group(1), 16)] = (func, m.group(2), m.group(3).strip())
    return insn


def parse_profile(path):
    regions, cur = [], None
    for line in open(path):
        f = line.split()
        if f[0] == "region":
            cur = {"insns": int(f[3]), "flash_read_bytes": int(f[5]), "flash_reads": int(f[7]), "pcs": {}}
            regions.append(cur)
        elif f[0] == "total":
            continue
        else:
            cur["pcs"][int(f[0], 16)] = (int(f[1]), int(f[2]))
    return regions


def regs(ops):
    return re.findall(r"\b(r\d+|sl|fp|ip|sp|lr|pc)\b", ops)


def dest(m, ops):
    r = regs(ops)
    if not r: return set()
    b = base(m)
    if b.startswith(("str", "push", "stm", "cmp", "cmn", "tst", "teq", "b", "cb", "it")):
        return set()
    if b.startswith(("pop", "ldm")):
        return set(r[1:]) if b.startswith("ldm") else set(r)
    if b in ("smull", "umull", "smlal", "umlal", "smlald", "umaal") or b.startswith("ldrd"):
        return set(r[:2])
    return {r[0]}


def addr_regs(ops):
    m = re.search(r"\[([^\]]*)\]", ops)
    return set(regs(m.group(1))) if m else set()


def is_load(b): return b.startswith("ldr") or b.startswith("ldm") or b == "pop"
def is_store(b): return b.startswith("str") or b.startswith("stm") or b == "push"
def is_branch(b, ops):
    return bool(BRANCH.match(b)) or (b == "pop" and "pc" in ops) or (b.startswith("ldr") and ops.startswith("pc")) \
        or (b.startswith(("mov", "add")) and ops.startswith("pc"))


def static_cost_m4(prev, cur, m0plus=False):
    """(cycles if not taken, extra if taken) of `cur` after `prev` in program order."""
    _, m, ops = cur
    b = base(m)
    nregs = len(regs(ops.split("{")[1])) if "{" in ops else 0
    if b.startswith("it"):
        return 0.0 if not m0plus else 1.0, 0.0
    if is_branch(b, ops):
        if m0plus:
            if b.startswith("pop"): return 3 + nregs, 0.0
            if b in ("bl",): return 3.0, 0.0
            if b in ("bx", "blx"): return 2.0, 0.0
            if b == "b": return 2.0, 0.0
            return 1.0, 1.0
        if b.startswith("pop"): return 1 + nregs + 2, 0.0
        if b.startswith("ldr"): return 2 + 2, 0.0
        if b in ("b", "bl", "bx", "blx") or b.startswith(("b.", "bl.")): return 1 + 2, 0.0
        return 1.0, 2.0  # conditional branch / CBZ: +P when taken
    if is_load(b) or is_store(b):
        if b.startswith(("ldm", "stm", "pop", "push")):
            c = 1 + nregs
        elif b in ("ldrd", "strd"):
            c = 3
        elif is_load(b):
            c = 2
        else:
            c = 1 if (m0plus is False and "," in ops and "#" in ops.split("[")[-1] or ops.count(",") == 1) else 2
            if m0plus: c = 2
        if not m0plus and prev is not None:
            pb, pops = base(prev[1]), prev[2]
            if is_load(pb) and not pb.startswith(("ldm", "pop")) and c > 1 and not (dest(pb, pops) & addr_regs(ops)):
                c -= 1  # pipelined behind the previous load
            elif not (is_load(pb) or is_store(pb)) and dest(pb, pops) & addr_regs(ops):
                c += 1  # address from the previous instruction: no forwarding path
        return float(c), 0.0
    if b in ("sdiv", "udiv"):
        return (7.0 if not m0plus else 1.0), 0.0
    return 1.0, 0.0


def cycles_m4(insn, pcs, m0plus=False):
    total = 0.0
    by_func = collections.Counter()
    addrs = sorted(insn)
    prev_of = {a: insn[addrs[i - 1]] if i else None for i, a in enumerate(addrs)}
    for pc, (count, taken) in pcs.items():
        cur = insn.get(pc)
        if cur is None: continue
        c, t = static_cost_m4(prev_of[pc], cur, m0plus)
        cyc = c * count + t * taken
        total += cyc
        by_func[cur[0]] += cyc
    return total, by_func


def cycles_m7(insn, pcs):
    # In-order dual issue over the static instruction stream: instruction i pairs with i-1
    # when the rules allow; a paired instruction costs 0 cycles.
    addrs = sorted(insn)
    idx = {a: i for i, a in enumerate(addrs)}
    total = 0.0
    by_func = collections.Counter()
    for pc, (count, taken) in pcs.items():
        cur = insn.get(pc)
        if cur is None: continue
        i = idx[pc]
        prev = insn[addrs[i - 1]] if i else None
        _, m, ops = cur
        b = base(m)
        cost = 1.0
        if b.startswith("it"): cost = 0.0
        elif b.startswith(("ldm", "stm", "pop", "push")):
            cost = max(1.0, len(regs(ops.split("{")[1])) / 2) if "{" in ops else 1.0
        elif b in ("sdiv", "udiv"): cost = 7.0
        extra = 0.0
        if prev is not None and cost == 1.0:
            pb, pops = base(prev[1]), prev[2]
            pmem = is_load(pb) or is_store(pb)
            cmem = is_load(b) or is_store(b)
            dep = dest(pb, pops) & set(regs(ops))
            shifted = lambda bb, oo: bb in ("sxtb16", "uxtb16", "sxtb", "sxth", "uxtb", "uxth", "ubfx", "sbfx", "bfi") or "lsl" in oo or "lsr" in oo or "asr" in oo or "ror" in oo
            if is_load(pb) and dep:
                extra = 1.0  # load-use
            elif not dep and not (pmem and cmem) and not (b in DSP or b.startswith(MULS)) \
                    and not (shifted(pb, pops) and shifted(b, ops)) and not is_branch(pb, pops):
                cost = 0.0  # dual-issued with the previous instruction
        cyc = (cost + extra) * count
        if is_branch(b, ops):
            cond = not (b in ("b", "bl", "bx", "blx") or b.startswith(("b.", "bl.", "pop", "ldr")))
            # predicted loop branch: only the exit (fall-through) mispredicts; calls/returns +2
            cyc += 5.0 * (count - taken) if cond and taken else (2.0 * count if not cond else 0.0)
        total += cyc
        by_func[cur[0]] += cyc
    return total, by_func


def is_vector(m, ops):
    return m.startswith("v") and bool(re.search(r"\bq[0-7]\b", ops))


def cycles_m55(insn, pcs):
    addrs = sorted(insn)
    prev_of = {a: insn[addrs[i - 1]] if i else None for i, a in enumerate(addrs)}
    total = 0.0
    by_func = collections.Counter()
    for pc, (count, taken) in pcs.items():
        cur = insn.get(pc)
        if cur is None: continue
        _, m, ops = cur
        prev = prev_of[pc]
        if m.startswith(("le", "letp")) and not m.startswith(("ldr", "lsl", "lsr")):
            cyc = 2.0 * (count - taken)  # the loop's exit; taken loop ends are free
        elif m.startswith(("wls", "dls")):
            cyc = 1.0 * count
        elif is_vector(m, ops):
            mem = m.startswith(("vld", "vst"))
            overlap = prev is not None and is_vector(prev[1], prev[2]) and \
                prev[1].startswith(("vld", "vst")) != mem
            cyc = (1.0 if overlap else 2.0) * count
        else:
            c, t = static_cost_m4(prev, cur)
            cyc = c * count + t * taken
        total += cyc
        by_func[cur[0]] += cyc
    return total, by_func


RV_BRANCH = re.compile(r"^(beq|bne|blt|bge|bltu|bgeu|beqz|bnez|blez|bgez|bltz|bgtz|bgt|ble|bgtu|bleu)$")
RV_JUMP = ("j", "jal", "jalr", "jr", "ret", "call", "tail")


def cycles_rv32(insn, pcs):
    addrs = sorted(insn)
    nxt = {a: insn[addrs[i + 1]] if i + 1 < len(addrs) else None for i, a in enumerate(addrs)}
    total = 0.0
    by_func = collections.Counter()
    for pc, (count, taken) in pcs.items():
        cur = insn.get(pc)
        if cur is None: continue
        _, m, ops = cur
        m = m.replace("c.", "")
        cost = 1.0
        if m in ("div", "divu", "rem", "remu"): cost = 17.0
        if m in ("lb", "lbu", "lh", "lhu", "lw"):
            dst = ops.split(",")[0].strip()
            n = nxt[pc]
            if n is not None and re.search(r"\b%s\b" % re.escape(dst), n[2].split(",", 1)[-1] if not n[1].startswith(("s", "b")) else n[2]):
                cost += 1.0  # load-use
        cyc = cost * count
        if RV_BRANCH.match(m): cyc += 2.0 * taken
        elif m in RV_JUMP: cyc += 2.0 * count
        total += cyc
        by_func[cur[0]] += cyc
    return total, by_func


def region_cycles(insn, region, core):
    if core in ("cortex-m4", "cortex-m33", "cortex-m3"):
        return cycles_m4(insn, region["pcs"])
    if core in ("cortex-m0plus", "cortex-m0"):
        return cycles_m4(insn, region["pcs"], m0plus=True)
    if core == "cortex-m7":
        return cycles_m7(insn, region["pcs"])
    if core == "rv32imc":
        return cycles_rv32(insn, region["pcs"])
    if core == "cortex-m55":
        return cycles_m55(insn, region["pcs"])
    raise SystemExit(f"no timing rules for {core}")


if __name__ == "__main__":
    insn = parse_dis(sys.argv[1])
    regions = parse_profile(sys.argv[2])
    core = sys.argv[3]
    tot_i = tot_c = 0
    for i, r in enumerate(regions):
        c, f = region_cycles(insn, r, core)
        tot_i += r["insns"]; tot_c += c
        top = ", ".join(f"{k} {v / c:.0%}" for k, v in f.most_common(3)) if c else ""
        print(f"{i:3d} insns {r['insns']:10d} cycles {c:12.0f} CPI {c / max(1, r['insns']):.2f} flashB {r['flash_read_bytes']:9d}  {top}")
    print(f"total insns {tot_i} cycles {tot_c:.0f} CPI {tot_c / tot_i:.3f}")
