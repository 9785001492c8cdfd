import Testing

@testable import TinyCNN

@Test func commandHasName() {
  #expect(TinyCNNCommand.configuration.commandName == "tinycnn")
}
