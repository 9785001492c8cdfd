import Testing

@testable import Training

@Test func trainingModuleLinks() {
  #expect(Bool(true))
}
