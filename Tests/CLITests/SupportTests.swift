import Testing

@testable import TinyCNN

@Test func groupedNumbers() {
  #expect(Format.grouped(0) == "0")
  #expect(Format.grouped(999) == "999")
  #expect(Format.grouped(1000) == "1,000")
  #expect(Format.grouped(416_520) == "416,520")
  #expect(Format.grouped(-1_234_567) == "-1,234,567")
}

@Test func fixedDecimals() {
  #expect(Format.fixed(3.14159, 2) == "3.14")
  #expect(Format.fixed(2.005, 1) == "2.0")
  #expect(Format.fixed(-0.25, 1) == "-0.3")
  #expect(Format.fixed(7, 0) == "7")
  #expect(Format.fixed(0.05, 3) == "0.050")
  #expect(Format.fixed(.infinity, 2) == "inf")
}

@Test func byteSizesUseDatasheetUnits() {
  #expect(Format.bytes(812) == "812 B")
  #expect(Format.bytes(63_386) == "61.9 KB")
  #expect(Format.bytes(2 * 1024 * 1024) == "2.0 MB")
}

@Test func clockDurations() {
  #expect(Format.clock(65) == "1:05")
  #expect(Format.clock(7390) == "2:03:10")
  #expect(Format.clock(.infinity) == "--:--")
}

@Test func tableAlignsColumns() {
  var table = TextTable([.left("layer"), .left("op"), .right("MACs")])
  table.add(["conv1", "CONV_2D", "117,600"])
  table.add(["fc3", "FULLY_CONNECTED", "840"])
  table.addSeparator()
  table.add(["total", "", "118,440"])
  let expected = """
    layer  op                  MACs
    -------------------------------
    conv1  CONV_2D          117,600
    fc3    FULLY_CONNECTED      840
    -------------------------------
    total                   118,440
    """
  #expect(table.rendered() == expected)
}
