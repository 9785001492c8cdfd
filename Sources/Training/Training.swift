// The Training module; see ../../README.md and ARCHITECTURE.md.
