// The Estimator module: per-layer cycles, latency, flash and SRAM of an int8 model on a chosen
// microcontroller. See ../../ARCHITECTURE.md.
