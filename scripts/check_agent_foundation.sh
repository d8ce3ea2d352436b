#!/usr/bin/env bash
# The agent links FoundationEssentials only, never the full Foundation with ICU (issue 3: its memory).
# Fails when an object file of a module the agent is built from uses a symbol of the full Foundation.
# MemberImportVisibility (Package.swift) already stops Foundation's extensions leaking in through a
# dependency; this catches the rest, such as a plain `import Foundation`. Run after a debug build.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(swift build --show-bin-path)
found=0
# The objects the agent is linked from (not every .o lying in the build folder).
objects=$(grep -E '/(VigilCore|VigilWire|VigilConfig|VigilAgent|vigil_agent)\.build/' "$bin/vigil-agent.product/Objects.LinkFileList" | tr -d "'\"")
for object in $objects; do
    # Mangled Swift symbols of the module Foundation start with $s10Foundation or carry 10FoundationE
    # (an extension in Foundation); FoundationEssentials is 20FoundationEssentials.
    uses=$(nm --undefined-only "$object" | awk '{print $2}' | grep -E '^\$s10Foundation|10FoundationE' || true)
    if [ -n "$uses" ]; then
        echo "FAIL: $(basename "$(dirname "$object")" .build)/$(basename "$object") uses the full Foundation:"
        echo "$uses" | swift demangle --simplified | sed 's/^/    /'
        found=1
    fi
done
[ "$found" = 0 ] && echo "ok: the agent's modules use FoundationEssentials only"
exit "$found"
