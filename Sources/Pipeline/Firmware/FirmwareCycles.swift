/// The instructions of one counted region by timing class: what firmware/qemu-plugin/insncount.c
/// prints after the count ("alu=20011 mul=512 ... taken=90 regs=16"). The classes partition
/// the instructions; `pipelined` (a subset of `load`), `taken` (a subset of the control-flow
/// instructions) and `regs` (the words that `multiple` instructions move) are counts on top.
package struct InstructionMix: Codable, Equatable {
  package var alu = 0
  /// MUL, MLA, MLS, the long multiplies, the DSP multiply-accumulates (SMLAD, SMLABB, ...).
  package var mul = 0
  package var div = 0
  /// Single loads (LDR, LDRB, LDRSH, VLDR, TBB ...) and stores.
  package var load = 0
  package var store = 0
  /// LDRD and STRD.
  package var ldrd = 0
  /// LDM, STM, PUSH, POP, VLDM, VSTM, VPUSH, VPOP.
  package var multiple = 0
  /// B, B<cond>, BX, CBZ, CBNZ; `call` is BL and BLX.
  package var branch = 0
  package var call = 0
  package var fp = 0
  /// VDIV and VSQRT.
  package var fpdiv = 0
  /// Loads directly after a single load whose result is not their address (Cortex-M4: 1 cycle).
  package var pipelined = 0
  /// Control-flow instructions after which execution did not continue at the next instruction.
  package var taken = 0
  /// Words moved by the `multiple` instructions.
  package var regs = 0

  /// Every instruction: the classes' sum.
  package var instructions: Int {
    alu + mul + div + load + store + ldrd + multiple + branch + call + fp + fpdiv
  }

  /// From the plugin's `name=value` words; nil if one is missing or not a number.
  package init?(_ words: some Sequence<Substring>) {
    var values: [Substring: Int] = [:]
    for word in words {
      let parts = word.split(separator: "=")
      guard parts.count == 2, let value = Int(parts[1]) else { return nil }
      values[parts[0]] = value
    }
    for key in InstructionMix.keys where values[Substring(key)] == nil { return nil }
    let v = { (key: String) in values[Substring(key)] ?? 0 }
    (alu, mul, div, load, store, ldrd) = (
      v("alu"), v("mul"), v("div"), v("load"), v("store"), v("ldrd")
    )
    (multiple, branch, call, fp, fpdiv) = (
      v("multiple"), v("branch"), v("call"), v("fp"), v("fpdiv")
    )
    (pipelined, taken, regs) = (v("pipelined"), v("taken"), v("regs"))
  }

  package init() {}

  package static let keys = [
    "alu", "mul", "div", "load", "store", "ldrd", "multiple", "branch", "call", "fp", "fpdiv",
    "pipelined", "taken", "regs",
  ]

  /// Class by class, `self` less `other` (a region less the markers' own region).
  package func subtracting(_ other: InstructionMix) -> InstructionMix {
    var m = InstructionMix()
    (m.alu, m.mul, m.div, m.load, m.store) =
      (alu - other.alu, mul - other.mul, div - other.div, load - other.load, store - other.store)
    (m.ldrd, m.multiple, m.branch, m.call, m.fp, m.fpdiv) =
      (
        ldrd - other.ldrd, multiple - other.multiple, branch - other.branch, call - other.call,
        fp - other.fp, fpdiv - other.fpdiv
      )
    (m.pipelined, m.taken, m.regs) =
      (pipelined - other.pipelined, taken - other.taken, regs - other.regs)
    return m
  }
}

/// A core's cycles per timing class: the instruction mix QEMU executed, weighted, is the cycle
/// estimate. Zero wait states (code and data in TCM or SRAM, as the QEMU boards' memories), no
/// stalls on a register a load has just written or that forms the next address (Cortex-M4 TRM
/// 3.3.2: one cycle each), no contention with instruction fetch: an estimate, not a measurement.
package struct CoreTiming: Equatable {
  /// The `--core` name and the core's.
  package var name: String
  package var core: String
  /// Where the numbers come from.
  package var source: String
  package var alu = 1.0
  package var mul = 1.0
  package var div = 7.0
  package var load = 2.0
  /// A load that follows a single load and does not take its result as its address.
  package var pipelinedLoad = 1.0
  package var store = 1.0
  package var ldrd = 3.0
  /// LDM/STM/PUSH/POP: `multipleBase + multiplePerWord * words`.
  package var multipleBase = 1.0
  package var multiplePerWord = 1.0
  package var branch = 1.0
  package var call = 1.0
  /// Added for each taken branch (the pipeline refill, or a predicted branch's bubble).
  package var takenPenalty = 2.0
  package var fp = 1.0
  package var fpdiv = 14.0
  /// 2: dual issue (see `cycles`).
  package var issueWidth = 1

  /// The estimated cycles of `m`.
  ///
  /// Single issue: the sum of each class's count times its cycles, plus the taken branches'
  /// refills; every class costs at least a cycle, so the estimate is never below the count.
  ///
  /// Dual issue (Cortex-M7): two instructions of the one-cycle classes (ALU, multiply, single
  /// load and store, branch, FP) issue per cycle, LDRD, LDM/STM and divides issue alone; but
  /// the M7 has one MAC pipe and (counted conservatively) one memory access per cycle, so the
  /// estimate is at least the multiplies and at least the loads and stores. It lies between
  /// half the instructions and the single-issue sum.
  package func cycles(_ m: InstructionMix) -> Int {
    let single =
      Double(m.div) * div + Double(m.fpdiv) * fpdiv + Double(m.ldrd) * ldrd
      + Double(m.multiple) * multipleBase + Double(m.regs) * multiplePerWord
    let unpipelined = Double(m.load - m.pipelined) * load + Double(m.pipelined) * pipelinedLoad
    let taken = Double(m.taken) * takenPenalty
    if issueWidth == 1 {
      let sum =
        Double(m.alu) * alu + Double(m.mul) * mul + unpipelined + Double(m.store) * store
        + Double(m.branch) * branch + Double(m.call) * call + Double(m.fp) * fp + single
      return Int((sum + taken).rounded())
    }
    let pairable =
      Double(m.alu) * alu + Double(m.mul) * mul + Double(m.load) * load
      + Double(m.store) * store + Double(m.branch) * branch + Double(m.call) * call
      + Double(m.fp) * fp
    let issue = pairable / Double(issueWidth) + single
    let bound = max(issue, Double(m.mul) * mul, Double(m.load + m.store))
    return Int((bound + taken).rounded())
  }

  /// The tables, one per core. An ARM TRM gives most of the M4's and M0+'s numbers; Arm
  /// publishes no cycle table for the M7 and M33, so theirs are from measurements and LLVM's
  /// scheduling models, as cited.
  package static let all: [CoreTiming] = [m4, m33, m7, m0plus, m0]

  /// Cortex-M4 Technical Reference Manual (ARM DDI 0439B, r0p1), 3.3.1 "Table of processor
  /// instructions" and 3.3.2 "Load/store timings": data processing, MUL/MLA/MLS, SMULL/SMLAL,
  /// SMLAD and the other DSP MACs 1 cycle; SDIV/UDIV 2 to 12 (early termination: 7 taken);
  /// LDR 2, 1 when it directly follows an LDR whose result is not its address ("LDR [any] are
  /// pipelined when possible"); "STR Rx,[Ry,#imm] is always one cycle"; LDRD/STRD 1+N = 3,
  /// never pipelined; LDM/STM/PUSH/POP 1+N; a taken branch 1+P, P = 1 to 3 (2 taken), so
  /// BL, BX, POP {pc} and LDR pc add P too; FPU (DDI 0439B 7.2.3): VADD/VMUL.F32 1, VDIV and
  /// VSQRT 14.
  package static let m4 = CoreTiming(
    name: "cortex-m4", core: "Cortex-M4",
    source: "Cortex-M4 TRM (ARM DDI 0439B) 3.3.1 Table 3-1, 3.3.2; FPU 7.2.3")

  /// Cortex-M33: the Cortex-M4's table where measurements differ (jnk0le, "pipeline cycle
  /// test", doc/cortex_m33.md, RP2350): LDRD 2 cycles, LDM/STM of N registers N cycles;
  /// divides 2 to 11.
  package static let m33 = CoreTiming(
    name: "cortex-m33", core: "Cortex-M33",
    source: "as the Cortex-M4 TRM, with LDRD 2 and LDM N from jnk0le's RP2350 measurements",
    div: 6, ldrd: 2, multipleBase: 0)

  /// Cortex-M7 (ARM DDI 0489 describes the dual-issue pipeline but gives no table): LLVM's
  /// ARMScheduleM7.td (issue width 2, one MAC pipe, LDRD/LDM single-issue, LDM n words in
  /// ceil(n/2) cycles) and jnk0le's doc/cortex_m7.md; a taken branch the branch predictor
  /// foresaw costs about one cycle (mispredicted 4 to 8: not modelled).
  package static let m7 = CoreTiming(
    name: "cortex-m7", core: "Cortex-M7",
    source: "LLVM ARMScheduleM7.td (dual issue, 1 MAC pipe), jnk0le doc/cortex_m7.md",
    div: 7, load: 1, pipelinedLoad: 1, ldrd: 1, multipleBase: 1, multiplePerWord: 0.5,
    takenPenalty: 1, issueWidth: 2)

  /// Cortex-M0+ Devices Generic User Guide (ARM DUI 0662B) 3.1 Table 3-1, as the Cortex-M0+
  /// TRM (DDI 0484C) 3.3 refers to it: data processing and MULS 1 (the fast multiplier; 32 with
  /// the small one), LDR/STR 2 (no pipelining), LDM/STM/PUSH/POP 1+N, B<cond> 1 not taken and
  /// 2 taken, B and BX 2, BL 3. No divide and no FPU: libgcc does both in software, counted as
  /// the instructions it runs.
  package static let m0plus = CoreTiming(
    name: "cortex-m0plus", core: "Cortex-M0+",
    source: "Cortex-M0+ Generic User Guide (ARM DUI 0662B) Table 3-1",
    pipelinedLoad: 2, store: 2, ldrd: 2, call: 2, takenPenalty: 1)

  /// Cortex-M0 Devices Generic User Guide (ARM DUI 0497A) 3.1 Table 3-1: as the M0+, but its
  /// three-stage pipeline refills in 2 cycles: B<cond> taken 3, B and BX 3, BL 4.
  package static let m0 = CoreTiming(
    name: "cortex-m0", core: "Cortex-M0",
    source: "Cortex-M0 Generic User Guide (ARM DUI 0497A) Table 3-1",
    pipelinedLoad: 2, store: 2, ldrd: 2, call: 2, takenPenalty: 2)

  package static func named(_ name: String) -> CoreTiming? { all.first { $0.name == name } }
}
