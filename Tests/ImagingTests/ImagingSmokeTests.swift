import Testing

@testable import Imaging

@Test func imagingModuleLinks() {
  #expect(Bool(true))
}
