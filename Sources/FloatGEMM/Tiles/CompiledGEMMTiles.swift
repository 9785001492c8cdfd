/// This module's compilation of the tiles as a `GEMMTiles` table. The same file is compiled
/// into FloatGEMM (the baseline) and FloatGEMMFMA (`-target-cpu haswell -D FMA`), so each
/// module's table calls its own copies.
func compiledGEMMTiles(name: String) -> GEMMTiles {
  GEMMTiles(
    name: name,
    tile6x16: {
      GEMMKernel.tile(depth: $0, a: $1, b: $2, bRowStride: $3, c: $4, rowStride: $5, accumulate: $6)
    },
    dot4x3: { GEMMDotTile.tile4x3(depth: $0, $1, $2, $3, $4, $5, $6, $7, out: $8) })
}
