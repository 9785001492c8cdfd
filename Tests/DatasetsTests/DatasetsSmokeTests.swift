import Testing

@testable import Datasets

@Test func datasetsModuleLinks() {
  #expect(Bool(true))
}
