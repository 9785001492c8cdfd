import Pipeline

/// `tinycnn firmware`'s table: footprint, each input's top class on the host and the firmware,
/// and (with --count) the instructions and estimated cycles per operator.
extension FirmwareReport {
  var text: String {
    var lines: [String] = []
    let m = footprint
    lines.append("firmware  \(elf)  (\(machine), \(cpu), \(optimization), \(kernels) kernels)")
    lines.append(
      "flash     \(Format.grouped(m.flash)) B of \(Format.bytes(m.boardFlash)): code "
        + "\(Format.bytes(m.codeBytes)), model \(Format.bytes(m.modelBytes)), "
        + "prepared constants \(Format.bytes(m.constantBytes)), "
        + "\(images.count) inputs with their outputs \(Format.bytes(m.embeddedDataBytes))")
    var ram =
      "RAM       \(Format.grouped(m.ram)) B of \(Format.bytes(m.boardRAM)): arena "
      + "\(Format.grouped(m.arenaBytes)) B"
    if let used = m.arenaUsed { ram += " (the firmware's plan uses \(Format.grouped(used)))" }
    if let stack = m.stackBytes, let used = m.stackUsed {
      ram += ", stack \(Format.grouped(stack)) B (\(Format.grouped(used)) used)"
    }
    lines.append(ram)
    lines.append("")

    var table = TextTable([.left("input"), .right("host top"), .right("firmware top"), .left("")])
    for r in images {
      let verdict: String
      switch r.identical {
      case nil: verdict = "not run"
      case true?: verdict = "identical"
      case false?:
        verdict =
          r.firmware == nil
          ? "no output"
          : "differs: "
            + r.differences.map { "[\($0.index)] \($0.firmware) vs \($0.host)" }.joined(
              separator: ", ")
      }
      table.add([r.image, String(r.hostTop), r.firmwareTop.map(String.init) ?? "-", verdict])
    }
    lines.append(table.rendered())
    if let identical {
      lines.append(
        identical
          ? "identical: the firmware's int8 outputs equal the host interpreter's on "
            + (images.count == 1 ? "the input" : "all \(images.count) inputs") + ", byte for byte"
          : "DIFFERENT: the firmware's int8 outputs are not the host interpreter's")
    }
    if let problem { lines.append("problem: \(problem)") }

    if let operators, let invoke = invokeInstructions {
      lines.append("")
      let cycles = invokeCycles?.first
      var columns: [TextTable.Column] = [
        .right("op"), .left("operator"), .right("MACs"), .right("instructions"),
        .right("per MAC"),
      ]
      if cycles != nil { columns += [.right("est. cycles"), .right("per MAC")] }
      var ops = TextTable(columns)
      let fixed = { (v: Double?) in v.map { Format.fixed($0, 1) } ?? "-" }
      for o in operators {
        var row = [
          String(o.index), o.op, o.macs.map(Format.grouped) ?? "-",
          Format.grouped(o.instructions) + (o.sameForEveryImage ? "" : "*"),
          fixed(o.instructionsPerMAC),
        ]
        if cycles != nil { row += [o.cycles.map(Format.grouped) ?? "-", fixed(o.cyclesPerMAC)] }
        ops.add(row)
      }
      ops.addSeparator()
      let macs = operators.compactMap(\.macs).reduce(0, +)
      let first = invoke.first ?? 0
      let perMAC = { (n: Int) in macs > 0 ? Format.fixed(Double(n) / Double(macs), 1) : "-" }
      var total = ["", "invoke", Format.grouped(macs), Format.grouped(first), perMAC(first)]
      if let cycles { total += [Format.grouped(cycles), perMAC(cycles)] }
      ops.add(total)
      lines.append(ops.rendered())
      if let model = cycleModel, let source = cycleModelSource {
        lines.append(
          "est. cycles: \(model), from the executed instruction mix weighted with \(source); "
            + "zero wait states, no load-use stalls: an estimate, not a measurement")
      }
      if operators.contains(where: { !$0.sameForEveryImage }) {
        lines.append("* differs between inputs; the first input's count is shown")
      }
      if let lo = invoke.min(), let hi = invoke.max(), lo != hi {
        lines.append(
          "invoke: \(Format.grouped(lo)) to \(Format.grouped(hi)) instructions over the inputs")
      }
    }
    return lines.joined(separator: "\n")
  }
}
