import Testing

@testable import Graph

@Test func graphModuleLinks() {
  #expect(Bool(true))
}
