#!/usr/bin/env bash
# Regenerates Sources/ParetoDeploy/Generated/onnx-ml.pb.swift from the committed
# onnx-ml.proto beside it (ONNX 1.23.2's, as the PyPI package onnx ships it;
# Apache-2.0, SPDX header kept). The build never runs this: the generated Swift is
# committed, and only the SwiftProtobuf runtime is linked.
#
# Needs: protoc-gen-swift from swift-protobuf 1.39.0 (the version Package.swift
# pins) and protoc from PyPI's grpcio-tools. Both are built or installed
# outside the repository:
#   PROTOC_GEN_SWIFT=/path/to/protoc-gen-swift  (default: built into
#     ${SCRATCH:-/tmp/pareto-protoc}/swift-protobuf from the package mirror)
#   a venv at ${SCRATCH:-/tmp/pareto-protoc}/venv with grpcio-tools.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
scratch="${SCRATCH:-/tmp/pareto-protoc}"
out="$root/Sources/ParetoDeploy/Generated"
mkdir -p "$scratch"

plugin="${PROTOC_GEN_SWIFT:-}"
if [[ -z "$plugin" ]]; then
    if [[ ! -d "$scratch/swift-protobuf" ]]; then
        git clone -q https://github.com/apple/swift-protobuf "$scratch/swift-protobuf"
        git -C "$scratch/swift-protobuf" checkout -q 1.39.0
    fi
    (cd "$scratch/swift-protobuf" && swift build -c release --product protoc-gen-swift)
    plugin="$scratch/swift-protobuf/.build/release/protoc-gen-swift"
fi

if [[ ! -x "$scratch/venv/bin/python" ]]; then
    python3 -m venv "$scratch/venv"
    "$scratch/venv/bin/pip" install -q grpcio-tools
fi

# Public types: ParetoDeploy's tests and callers decode exported bytes with them.
"$scratch/venv/bin/python" -m grpc_tools.protoc \
    --plugin=protoc-gen-swift="$plugin" \
    --proto_path="$out" \
    --swift_opt=Visibility=Public \
    --swift_out="$out" \
    "$out/onnx-ml.proto"
echo "wrote $out/onnx-ml.pb.swift"
