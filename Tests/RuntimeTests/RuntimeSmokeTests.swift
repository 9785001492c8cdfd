import Testing

@testable import Runtime

@Test func runtimeModuleLinks() {
  #expect(Bool(true))
}
