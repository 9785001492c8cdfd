#!/usr/bin/env bash
# The style gate of CI (.ci/run runs it before the tests); exit 1 on any finding.
#   1. swift-format lint with the project's .swift-format over every Swift file of Sources/,
#      Tests/, Fuzz/, firmware/, bench/ and Package.swift (docs/STYLE.md §9).
#   2. No file of the repository (tracked, or new and not ignored) cites a path outside the repository: a `../` chain that climbs above the
#      root from the citing file's folder, the sibling `shared/` tree the project started from,
#      or an absolute path on a developer's machine. A newcomer's clone has none of them; bring
#      the text into docs/ and cite that (docs/STYLE.md §10).
# Usage: scripts/lint.sh   (from anywhere; fix formatting with
#        swift-format format -i --configuration .swift-format FILES)
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd -P)
findings=0

if command -v swift-format >/dev/null; then
  format=(swift-format)
else
  format=(swift format)
fi
mapfile -t swift_files < <(git ls-files -- 'Package.swift' 'Sources/*.swift' 'Tests/*.swift' \
  'Fuzz/*.swift' 'firmware/*.swift' 'bench/*.swift')
# Files that are not in git yet but will be committed count too.
mapfile -t -O "${#swift_files[@]}" swift_files < <(git ls-files --others --exclude-standard -- \
  'Package.swift' 'Sources/*.swift' 'Tests/*.swift' 'Fuzz/*.swift' 'firmware/*.swift' \
  'bench/*.swift')
if ! "${format[@]}" lint --strict --configuration .swift-format "${swift_files[@]}"; then
  echo "lint: swift-format findings above (swift-format format -i --configuration .swift-format FILE)" >&2
  findings=1
fi

# `path:line:match` for every `../` chain; keep those that leave the repository.
while IFS= read -r hit; do
  file=${hit%%:*}
  rest=${hit#*:}
  line=${rest%%:*}
  cited=${rest#*:}
  resolved=$(realpath -m "$(dirname "$file")/$cited")
  case "$resolved/" in
  "$root"/*) ;;
  *)
    echo "$file:$line: cites $cited, outside the repository" >&2
    findings=1
    ;;
  esac
done < <(git grep --untracked -nIoE '(\.\./)+[A-Za-z0-9_.][A-Za-z0-9_./-]*' -- . ':!scripts/lint.sh')

if git grep --untracked -nIE '(^|[^A-Za-z0-9_./-])(\.\./)*shared/(STYLE|ARCHITECTURE|recipes|embedded|hooks)|(/work/|/home/[a-z]|/Users/[A-Za-z])' \
  -- . ':!scripts/lint.sh' >&2; then
  echo "lint: the lines above cite files outside the repository; cite docs/ or the upstream project" >&2
  findings=1
fi

if [ "$findings" -ne 0 ]; then
  echo "lint: FAILED" >&2
  exit 1
fi
echo "lint: clean (${#swift_files[@]} Swift files, no citation outside the repository)"
