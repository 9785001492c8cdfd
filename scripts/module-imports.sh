#!/usr/bin/env bash
# Prints which of the package's modules each module imports, from the `import` lines of its
# sources (Sources/<module>/**.swift), for ARCHITECTURE.md's module diagram and to check that
# Package.swift's dependency lists say the same. System modules (Foundation, Dispatch, Glibc,
# Darwin, Swift) are left out; ArgumentParser is the one package from outside.
#   scripts/module-imports.sh
set -euo pipefail
cd "$(dirname "$0")/.."
modules=$(ls Sources)
for m in $modules; do
  imports=$(grep -rhoE '^ *(@testable |@_exported )?import [A-Za-z0-9_]+' "Sources/$m" --include='*.swift' |
    awk '{print $NF}' | sort -u |
    grep -xE "$(echo "$modules" ArgumentParser | tr ' \n' '||' | sed 's/|*$//')" |
    grep -vx "$m" | tr '\n' ' ' || true)
  printf '%-14s -> %s\n' "$m" "${imports:-(none of ours)}"
done
