#!/usr/bin/python3
"""Writes the safetensors fixtures that tests/RnnGen.Tests/IO/SafeTensorsTests.cs reads.

Run from the repository root:  /usr/bin/python3 tests/fixtures-scripts/make_safetensors_fixtures.py

Needs PyTorch (Debian: python3-torch). The `safetensors` Python package is not packaged for
Debian bookworm, so this script writes the format itself with struct + json, the way the
reference writer does: 8-byte little-endian header length, compact JSON header with
"__metadata__" first and tensors in data order, header padded with spaces to a multiple of 8,
then the raw little-endian bytes. Tensor values and their F16/BF16 roundings come from PyTorch,
independently of the C# code under test.

Outputs (committed; CI does not need Python):
  tests/RnnGen.Tests/IO/Fixtures/python_written.safetensors
      "f32"  F32  [2, 3]  exact values
      "f16"  F16  [7]     torch's float16 of 1, -2, 0.5, 65504, 2**-24 (smallest subnormal), inf, 0.1
      "bf16" BF16 [2, 3]  torch's bfloat16 of 1, -3, 2**-133 (subnormal), -inf, 0.1, 3.0e38
      "step" I64  []      a scalar, like BatchNorm's num_batches_tracked
  tests/RnnGen.Tests/IO/Fixtures/python_lstm.safetensors
      the state_dict of a model with lstm = nn.LSTM(3, 2, bidirectional=True) and fc = nn.Linear(4, 5),
      so keys are "lstm.weight_ih_l0", ..., "lstm.bias_hh_l0_reverse", "fc.weight", "fc.bias".
"""
import json
import os
import struct

import torch

DTYPES = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16", torch.int64: "I64"}


def raw_bytes(t: torch.Tensor) -> bytes:
    """Little-endian bytes of a contiguous tensor (x86 is little-endian; bf16 has no numpy dtype)."""
    t = t.contiguous()
    if t.dtype in (torch.float16, torch.bfloat16):
        return t.view(torch.int16).numpy().tobytes()
    return t.numpy().tobytes()


def save(path: str, tensors: dict, metadata: dict) -> None:
    header = {"__metadata__": metadata}
    blobs = []
    offset = 0
    for name, t in tensors.items():
        data = raw_bytes(t)
        header[name] = {"dtype": DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)
    print(f"wrote {path}: {os.path.getsize(path)} bytes, header {text.decode().strip()}")


def main() -> None:
    out = os.path.join("tests", "RnnGen.Tests", "IO", "Fixtures")
    os.makedirs(out, exist_ok=True)

    inf = float("inf")
    save(os.path.join(out, "python_written.safetensors"), {
        "f32": torch.tensor([[0.0, 1.0, -2.5], [3.25, 1e-40, -inf]], dtype=torch.float32),
        "f16": torch.tensor([1.0, -2.0, 0.5, 65504.0, 2.0 ** -24, inf, 0.1], dtype=torch.float16),
        "bf16": torch.tensor([[1.0, -3.0, 2.0 ** -133], [-inf, 0.1, 3.0e38]], dtype=torch.bfloat16),
        "step": torch.tensor(7, dtype=torch.int64),
    }, {"format": "pt", "producer": "make_safetensors_fixtures.py"})

    torch.manual_seed(1234)
    model = torch.nn.Module()
    model.lstm = torch.nn.LSTM(input_size=3, hidden_size=2, num_layers=1, bidirectional=True)
    model.fc = torch.nn.Linear(4, 5)
    state = {k: v.detach().clone() for k, v in model.state_dict().items()}
    save(os.path.join(out, "python_lstm.safetensors"), state, {"format": "pt"})
    for k, v in state.items():
        print(k, list(v.shape), v.flatten()[:3].tolist())


if __name__ == "__main__":
    main()
