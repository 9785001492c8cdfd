// The Imaging module; see ../../README.md and ARCHITECTURE.md.
