// The Datasets module; see ../../README.md and ARCHITECTURE.md.
