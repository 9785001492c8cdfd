// The Runtime module; see ../../README.md and ARCHITECTURE.md.
