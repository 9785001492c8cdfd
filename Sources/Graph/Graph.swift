// The Graph module; see ../../README.md and ARCHITECTURE.md.
