import Testing

@testable import Datasets

@Test func splitMix64MatchesPublishedSequence() {
  // First outputs for seed 0 from the reference C implementation (Vigna, splitmix64.c).
  var rng = SplitMix64(seed: 0)
  #expect(rng.next() == 0xE220_A839_7B1D_CDAF)
  #expect(rng.next() == 0x6E78_9E6A_A1B9_65F4)
  #expect(rng.next() == 0x06C4_5D18_8009_454F)
}

@Test func shuffleIsAPermutationAndDependsOnTheSeed() {
  let a = shuffledIndices(count: 1000, seed: 7)
  #expect(a.sorted() == Array(0..<1000))
  #expect(a == shuffledIndices(count: 1000, seed: 7))
  #expect(a != shuffledIndices(count: 1000, seed: 8))
}
