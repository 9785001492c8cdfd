import Datasets
import Graph
import Testing

@testable import Training

/// Three coloured shapes (circle, square, triangle) on random flat backgrounds, RGB, the kind of
/// folder a user brings: what exposed He-normal initialisation.
func shapeImages(count: Int, size: Int = 40, seed: UInt64) -> LabeledImages {
  var rng = SplitMix64(seed: seed)
  func uniform() -> Double { Double(rng.next() >> 11) / Double(1 << 53) }
  var pixels: [UInt8] = []
  var labels: [Int] = []
  for i in 0..<count {
    let label = i % 3
    var bg: [UInt8] = []
    var fg: [UInt8] = []
    repeat {
      bg = (0..<3).map { _ in UInt8(uniform() * 255) }
      fg = (0..<3).map { _ in UInt8(uniform() * 255) }
    } while zip(bg, fg).reduce(0, { $0 + abs(Int($1.0) - Int($1.1)) }) <= 150
    let r = (0.2 + 0.15 * uniform()) * Double(size)
    let cy = r + uniform() * (Double(size) - 2 * r)
    let cx = r + uniform() * (Double(size) - 2 * r)
    for yi in 0..<size {
      for xi in 0..<size {
        let (y, x) = (Double(yi) + 0.5, Double(xi) + 0.5)
        let inside: Bool
        switch label {
        case 0: inside = (y - cy) * (y - cy) + (x - cx) * (x - cx) <= r * r
        case 1: inside = abs(y - cy) <= 0.85 * r && abs(x - cx) <= 0.85 * r
        default:
          let (top, bottom) = (cy - r, cy + 0.8 * r)
          inside = y >= top && y <= bottom && abs(x - cx) <= (y - top) / (bottom - top) * r
        }
        pixels += inside ? fg : bg
      }
    }
    labels.append(label)
  }
  return LabeledImages(
    name: "shapes", width: size, height: size, channels: 3, pixels: pixels, labels: labels,
    classNames: ["circle", "square", "triangle"])
}

/// Weights start as Keras's Glorot uniform: within sqrt(6 / (fanIn + fanOut)), with the
/// uniform distribution's spread; biases at zero.
@Test func weightsStartGlorotUniform() throws {
  let graph = try ModelZoo.cnnSmall(FeatureShape(channels: 3, height: 40, width: 40), classes: 3)
  let network = try Network(graph: graph, seed: 4)
  // (name, fanIn, fanOut): conv 3x3 3 -> 32, 32 -> 64; fc 6,400 -> 128 -> 3.
  for (name, fanIn, fanOut) in [
    ("conv1", 27, 288), ("conv2", 288, 576), ("fc1", 6400, 128), ("fc2", 128, 3),
  ] {
    let w = try #require(network.parameters.first { $0.name == "\(name).weight" })
    let values = (0..<w.count).map { Double(w.value[$0]) }
    let bound = (6 / Double(fanIn + fanOut)).squareRoot()
    #expect(values.allSatisfy { abs($0) <= bound }, "\(name)")
    let deviation = (values.reduce(0) { $0 + $1 * $1 } / Double(values.count)).squareRoot()
    #expect(abs(deviation / (bound / 3.0.squareRoot()) - 1) < 0.1, "\(name): \(deviation)")
    let b = try #require(network.parameters.first { $0.name == "\(name).bias" })
    #expect((0..<b.count).allSatisfy { b.value[$0] == 0 }, "\(name)")
  }
}

/// cnn-small on 40x40 RGB shapes with the defaults (Adam 0.002, batch 64): the first epoch's
/// loss stays near ln 3 = 1.10. With He-normal weights it was 3.1-4.3 over seeds 0-2 (the
/// logits thrown out by Adam's first steps) and the net stayed near chance for epochs.
@Test(arguments: [0, 1, 2] as [UInt64])
func cnnSmallStartsCalmlyOnAnRGBFolder(seed: UInt64) throws {
  let train = shapeImages(count: 600, seed: 10 + seed)
  let graph = try ModelZoo.cnnSmall(FeatureShape(channels: 3, height: 40, width: 40), classes: 3)
  let network = try Network(graph: graph, seed: seed)
  var options = TrainingOptions()
  options.epochs = 5
  options.learningRate = 2e-3  // the train command's default for Adam
  let epoch = try Trainer(network: network, options: options).trainEpoch(train, epoch: 0)
  #expect(epoch.trainLoss < 1.4, "first-epoch loss \(epoch.trainLoss)")
}
