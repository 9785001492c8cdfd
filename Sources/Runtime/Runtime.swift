// The Runtime module; see ../../README.md and ARCHITECTURE.md. Which vector kernels run is a
// run-time choice (`KernelSet`, Interpreter/KernelSet.swift), not a build setting.
