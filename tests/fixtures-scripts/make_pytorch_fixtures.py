#!/usr/bin/python3
"""Writes the PyTorch reference fixtures that tests/RnnGen.Tests/Numerics/PyTorchFixtureTests.cs reads.

Run from the repository root:  /usr/bin/python3 tests/fixtures-scripts/make_pytorch_fixtures.py

Needs PyTorch (Debian: python3-torch; written against 1.13). The `safetensors` Python package is
not packaged for Debian, so the format is written here with struct + json (8-byte little-endian
header length, compact JSON header with "__metadata__" first and tensors in data order, header
padded with spaces to a multiple of 8, then the raw little-endian bytes).

For every configuration (see CONFIGS) the script builds the PyTorch modules -- optional
nn.Embedding, nn.RNN / nn.LSTM / nn.GRU with batch_first=True, optional nn.Linear head followed by
log_softmax -- with weights drawn from a fixed torch seed, runs a batch of 3 sequences of different
lengths through pack_padded_sequence(enforce_sorted=False) / pad_packed_sequence from random
initial states, and differentiates the scalar

    L = sum(R * y) + sum(Rh * h_n) [+ sum(Rc * c_n)]          (R, Rh, Rc fixed random tensors)

so that R, Rh and Rc are exactly the output / final-state gradients fed to RnnGen's Backward.
With a head, y = log_softmax(head(out)) is set to zero at padded steps (RnnGen's contract), so
padded steps take no part in the loss.

Each configuration becomes tests/RnnGen.Tests/Fixtures/PyTorch/<name>.safetensors holding
  state_dict      weight_ih_l0, ..., bias_hh_l1_reverse, embedding.weight, head.weight, head.bias
                  (the names RnnGen's TensorTable uses: no module prefix)
  input.x         F32 [B, T, I] dense input; padded steps hold 100.0 (must be ignored)
  input.tokens    F32 [B, T] token ids as floats (embedding configurations instead of input.x)
  input.lengths   I64 [B]
  input.h0        F32 [L*D, B, H]          input.c0 (LSTM only)
  loss.r          F32 [B, T, out]  (nonzero at padded steps too: RnnGen must ignore them)
  loss.rh         F32 [L*D, B, H]          loss.rc (LSTM only)
  output.y        F32 [B, T, out]  padded batch-first output (log-probabilities with a head)
  output.h_n      F32 [L*D, B, H]          output.c_n (LSTM only)
  grad.<param>    F32, one per state_dict entry
  grad.input.x    (dense only), grad.input.h0, grad.input.c0 (LSTM only)
and "__metadata__" describing the configuration. It also writes the matching C# declarations,
tests/RnnGen.Tests/Networks/PyTorchNetworks.cs.

The fixtures are computed in float32, which is what a PyTorch user runs. The script also runs
every configuration in float64 and prints the largest float32-vs-float64 difference, so the
noise in the reference itself is known (docs/pytorch-fixtures.md quotes it).

Optional manual check (CI cannot run Python), see docs/pytorch-fixtures.md:
  RNNGEN_EXPORT_DIR=/tmp/rnngen-export dotnet test tests/RnnGen.Tests --filter FullyQualifiedName~PyTorchWeightsSurviveLoadAndSave
  /usr/bin/python3 tests/fixtures-scripts/make_pytorch_fixtures.py --check-csharp /tmp/rnngen-export
reads every state_dict that RnnGen wrote there (SafeTensorsFile.Save), loads each into the PyTorch
modules of its configuration with load_state_dict(strict=True) and reruns the forward pass against
the fixture's output.y / output.h_n / output.c_n.
"""
import json
import os
import struct
import sys
import zlib

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

OUT_DIR = os.path.join("tests", "RnnGen.Tests", "Fixtures", "PyTorch")

# Small, odd sizes (no SIMD-width coincidences) keep every file a few KB.
INPUT_SIZE = 3
HIDDEN_SIZE = 5
VOCABULARY_SIZE = 11
OUTPUT_SIZE = 4
STEPS = 6
# One-layer fixtures use lengths sorted longest first (RnnGen's fast path over a prefix of running
# sequences); two-layer ones are unsorted and include a length-1 sequence.
SORTED_LENGTHS = [6, 4, 2]
UNSORTED_LENGTHS = [4, 6, 1]
PADDING_VALUE = 100.0

DTYPES = {torch.float32: "F32", torch.int64: "I64"}


def config(cell, nonlinearity, layers, bidirectional, embedding=False, head=False, lengths=None,
           input_size=INPUT_SIZE, hidden_size=HIDDEN_SIZE, steps=STEPS, suffix=""):
    name = cell if cell != "rnn" else f"rnn_{nonlinearity}"
    if (input_size, hidden_size) != (INPUT_SIZE, HIDDEN_SIZE):
        name += f"_i{input_size}_h{hidden_size}"
    name += f"_l{layers}_{'bi' if bidirectional else 'fw'}"
    if embedding:
        name += "_emb"
    if head:
        name += "_head"
    name += suffix
    if lengths is None:
        lengths = SORTED_LENGTHS if layers == 1 else UNSORTED_LENGTHS
    assert max(lengths) <= steps and min(lengths) >= 1
    return dict(name=name, cell=cell, nonlinearity=nonlinearity, layers=layers, bidirectional=bidirectional,
                embedding=embedding, head=head, lengths=lengths, input_size=input_size, hidden_size=hidden_size,
                steps=steps)


CONFIGS = [
    config(cell, nl, layers, bi)
    for (cell, nl) in [("rnn", "tanh"), ("rnn", "relu"), ("lstm", "tanh"), ("gru", "tanh")]
    for layers in (1, 2)
    for bi in (False, True)
] + [
    # Embedding and/or Linear + log_softmax head.
    config("lstm", "tanh", 2, True, embedding=True, head=True),           # the tagger's shape
    config("gru", "tanh", 1, False, embedding=True, head=True, lengths=[2, 6, 5]),
    config("rnn", "relu", 2, True, embedding=True, lengths=[6, 4, 2]),
    config("gru", "tanh", 2, True, head=True),
    config("lstm", "tanh", 1, False, head=True, lengths=[3, 6, 6]),
    # Batch and length edge cases: one sequence; four sequences with ties, a length-1 sequence and a
    # last step that is padding for every sequence (steps > max length), at sizes wide enough for
    # full SIMD vectors plus a tail (4H = 52 gate rows).
    config("gru", "tanh", 1, True, lengths=[6], suffix="_b1"),
    config("lstm", "tanh", 1, True, lengths=[7, 3, 7, 1], input_size=6, hidden_size=13, steps=8, suffix="_b4"),
]


# ───────────────────────────── safetensors writer ─────────────────────────────

def raw_bytes(t: torch.Tensor) -> bytes:
    return t.detach().contiguous().cpu().numpy().tobytes()  # x86: little-endian


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


def load(path: str) -> dict:
    """Reads a safetensors file of F32 / I64 tensors (enough for RnnGen's output and our fixtures)."""
    with open(path, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + n].decode("utf-8"))
    data = blob[8 + n:]
    result = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        dtype = {"F32": torch.float32, "I64": torch.int64}[e["dtype"]]
        begin, end = e["data_offsets"]
        result[name] = torch.frombuffer(bytearray(data[begin:end]), dtype=dtype).reshape(e["shape"]).clone()
    return result


# ───────────────────────────── the PyTorch model ─────────────────────────────

class Model(nn.Module):
    """Embedding (optional) -> RNN/LSTM/GRU -> Linear + log_softmax (optional), parameter names as RnnGen's."""

    def __init__(self, c):
        super().__init__()
        self.c = c
        directions = 2 if c["bidirectional"] else 1
        if c["embedding"]:
            self.embedding = nn.Embedding(VOCABULARY_SIZE, c["input_size"])
        kwargs = dict(input_size=c["input_size"], hidden_size=c["hidden_size"], num_layers=c["layers"],
                      batch_first=True, bidirectional=c["bidirectional"])
        if c["cell"] == "rnn":
            self.rnn = nn.RNN(nonlinearity=c["nonlinearity"], **kwargs)
        elif c["cell"] == "lstm":
            self.rnn = nn.LSTM(**kwargs)
        else:
            self.rnn = nn.GRU(**kwargs)
        if c["head"]:
            self.head = nn.Linear(directions * c["hidden_size"], OUTPUT_SIZE)

    def state(self) -> dict:
        """The state_dict under RnnGen's names: the recurrent module's keys lose their 'rnn.' prefix."""
        return {(k[4:] if k.startswith("rnn.") else k): v for k, v in self.named_parameters()}

    def forward(self, inputs, lengths, h0, c0):
        x = self.embedding(inputs) if self.c["embedding"] else inputs
        packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
        if self.c["cell"] == "lstm":
            out, (h_n, c_n) = self.rnn(packed, (h0, c0))
        else:
            out, h_n = self.rnn(packed, h0)
            c_n = None
        y, _ = pad_packed_sequence(out, batch_first=True, total_length=inputs.shape[1])
        if self.c["head"]:
            mask = (torch.arange(inputs.shape[1])[None, :] < lengths[:, None]).to(y.dtype)
            y = torch.log_softmax(self.head(y), dim=-1) * mask[:, :, None]
        return y, h_n, c_n


def seed_of(name: str) -> int:
    return zlib.crc32(name.encode("utf-8"))


def build(c, dtype):
    """Model, inputs, initial states and loss weights of a configuration, all from its fixed seed."""
    torch.manual_seed(seed_of(c["name"]))
    model = Model(c)
    lstm = c["cell"] == "lstm"
    directions = 2 if c["bidirectional"] else 1
    batch = len(c["lengths"])
    lengths = torch.tensor(c["lengths"], dtype=torch.int64)
    steps = c["steps"]
    real = torch.arange(steps)[None, :] < lengths[:, None]  # [B, T]
    if c["embedding"]:
        inputs = torch.randint(0, VOCABULARY_SIZE, (batch, steps), dtype=torch.int64)
    else:
        inputs = torch.randn(batch, steps, c["input_size"])
        inputs[~real] = PADDING_VALUE  # padded steps: must be ignored
    state_shape = (c["layers"] * directions, batch, c["hidden_size"])
    h0 = 0.5 * torch.randn(state_shape)
    c0 = 0.5 * torch.randn(state_shape) if lstm else None
    out_width = OUTPUT_SIZE if c["head"] else directions * c["hidden_size"]
    r = torch.randn(batch, steps, out_width)
    rh = torch.randn(state_shape)
    rc = torch.randn(state_shape) if lstm else None

    model = model.to(dtype)
    conv = lambda t: None if t is None else (t.to(dtype) if t.is_floating_point() else t)
    return model, conv(inputs), lengths, conv(h0), conv(c0), conv(r), conv(rh), conv(rc)


def run(c, dtype):
    """Forward + backward of L in the given precision; returns every tensor a fixture holds."""
    model, inputs, lengths, h0, c0, r, rh, rc = build(c, dtype)
    lstm = c["cell"] == "lstm"
    if not c["embedding"]:
        inputs.requires_grad_(True)
    h0.requires_grad_(True)
    if lstm:
        c0.requires_grad_(True)
    y, h_n, c_n = model(inputs, lengths, h0, c0)
    loss = (r * y).sum() + (rh * h_n).sum()
    if lstm:
        loss = loss + (rc * c_n).sum()
    loss.backward()

    f = {}
    for k, v in model.state().items():
        f[k] = v.detach()
    if c["embedding"]:
        f["input.tokens"] = inputs.to(dtype)  # ids as floats (SafeTensor converts only float dtypes)
    else:
        f["input.x"] = inputs.detach()
    f["input.lengths"] = lengths
    f["input.h0"] = h0.detach()
    if lstm:
        f["input.c0"] = c0.detach()
    f["loss.r"] = r
    f["loss.rh"] = rh
    if lstm:
        f["loss.rc"] = rc
    f["output.y"] = y.detach()
    f["output.h_n"] = h_n.detach()
    if lstm:
        f["output.c_n"] = c_n.detach()
    for k, v in model.state().items():
        f["grad." + k] = v.grad.detach()
    if not c["embedding"]:
        f["grad.input.x"] = inputs.grad.detach()
    f["grad.input.h0"] = h0.grad.detach()
    if lstm:
        f["grad.input.c0"] = c0.grad.detach()
    return f, loss.item()


def metadata(c, loss):
    return {
        "format": "pt",
        "producer": "tests/fixtures-scripts/make_pytorch_fixtures.py",
        "torch": torch.__version__,
        "seed": str(seed_of(c["name"])),
        "cell": c["cell"],
        "nonlinearity": c["nonlinearity"],
        "layers": str(c["layers"]),
        "bidirectional": str(c["bidirectional"]).lower(),
        "input_size": str(c["input_size"]),
        "hidden_size": str(c["hidden_size"]),
        "vocabulary_size": str(VOCABULARY_SIZE if c["embedding"] else 0),
        "output_size": str(OUTPUT_SIZE if c["head"] else 0),
        "loss": repr(loss),
    }


def rel_err(a: torch.Tensor, b: torch.Tensor) -> float:
    """max |a - b| / max(1, |b|): the measure the C# tests use."""
    a = a.double()
    b = b.double()
    return ((a - b).abs() / b.abs().clamp(min=1.0)).max().item() if a.numel() else 0.0


# ───────────────────────────── the matching C# declarations ─────────────────────────────

NETWORKS_FILE = os.path.join("tests", "RnnGen.Tests", "Networks", "PyTorchNetworks.cs")


def class_name(name: str) -> str:
    return "Pt" + "".join(p.capitalize() for p in name.split("_"))


def write_networks() -> None:
    """Writes PyTorchNetworks.cs: one [RecurrentNetwork] declaration per fixture and an adapter table."""
    out = ["// Written by tests/fixtures-scripts/make_pytorch_fixtures.py. Do not edit by hand.",
           "// The networks of the PyTorch fixtures (tests/RnnGen.Tests/Fixtures/PyTorch): one declaration per",
           "// fixture with the shape of the script's configuration, and a table that drives each of them",
           "// through NetworkAdapter. A test fails for a fixture file without an entry here.",
           "using RnnGen;", "", "namespace RnnGen.Tests.Networks;", ""]
    entries = []
    for c in CONFIGS:
        cls = class_name(c["name"])
        cell = {"rnn": "Rnn", "lstm": "Lstm", "gru": "Gru"}[c["cell"]]
        relu = c["cell"] == "rnn" and c["nonlinearity"] == "relu"
        args = [f"CellKind.{cell}", f"InputSize = {c['input_size']}", f"HiddenSize = {c['hidden_size']}", f"Layers = {c['layers']}"]
        if c["bidirectional"]:
            args.append("Direction = Direction.Bidirectional")
        if c["cell"] == "rnn":
            args.append(f"Nonlinearity = Nonlinearity.{'Relu' if relu else 'Tanh'}")
        if c["embedding"]:
            args.append(f"VocabularySize = {VOCABULARY_SIZE}")
        if c["head"]:
            args.append(f"OutputSize = {OUTPUT_SIZE}")
        out += [f"[RecurrentNetwork({', '.join(args)})]", f"public partial class {cls};", ""]
        lstm, emb = c["cell"] == "lstm", c["embedding"]
        inp = "tokens" if emb else "inputs"
        cell_f = ", fc, ic" if lstm else ""
        cell_b = ", dFinalCell, dInitialCell" if lstm else ""
        d_in = "" if emb else "dInputs, "
        entries.append(
            f'        new("{c["name"]}", new NetworkConfig(CellKind.{cell}, {c["input_size"]}, {c["hidden_size"]}, {c["layers"]}, '
            f'{str(c["bidirectional"]).lower()}, {str(relu).lower()}, {VOCABULARY_SIZE if emb else 0}, {OUTPUT_SIZE if c["head"] else 0}), seed =>\n'
            f'        {{\n'
            f'            var n = new {cls}(seed);\n'
            f'            return new NetworkAdapter(n,\n'
            f'                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => {{ if (training) n.ForwardTraining({inp}, lengths, output, fh, ih{cell_f}); '
            f'else n.Forward({inp}, lengths, output, fh, ih{cell_f}); }},\n'
            f'                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, {d_in}dFinalHidden, dInitialHidden{cell_b}),\n'
            f'                n.CreateReplica);\n'
            f'        }}),')
    out += ["/// <summary>The fixture networks by fixture name (the file name without .safetensors).</summary>",
            "public static class PyTorchNetworks", "{", "    public static readonly NetworkCase[] All =", "    ["]
    out += entries
    out += ["    ];", "}"]
    with open(NETWORKS_FILE, "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")
    print(f"wrote {NETWORKS_FILE}: {len(CONFIGS)} networks")


def main() -> None:
    os.makedirs(OUT_DIR, exist_ok=True)
    torch.set_num_threads(1)  # deterministic reductions
    worst_out = worst_grad = 0.0
    for c in CONFIGS:
        f32, loss = run(c, torch.float32)
        f64, _ = run(c, torch.float64)
        d_out = max(rel_err(f32[k], f64[k]) for k in f32 if k.startswith("output."))
        d_grad = max(rel_err(f32[k], f64[k]) for k in f32 if k.startswith("grad."))
        worst_out, worst_grad = max(worst_out, d_out), max(worst_grad, d_grad)
        path = os.path.join(OUT_DIR, c["name"] + ".safetensors")
        save(path, f32, metadata(c, loss))
        print(f"{c['name']:<22} {os.path.getsize(path):6d} bytes, {len(f32):3d} tensors, lengths {c['lengths']}, "
              f"L = {loss:+.6f}; float32 vs float64: outputs {d_out:.2e}, gradients {d_grad:.2e}")
    print(f"{len(CONFIGS)} fixtures in {OUT_DIR}; worst float32-vs-float64 relative difference: "
          f"outputs {worst_out:.2e}, gradients {worst_grad:.2e}")
    write_networks()


def check_csharp(directory: str) -> None:
    """Loads each state_dict RnnGen wrote into PyTorch (strict) and reruns the fixture's forward pass."""
    checked = 0
    worst = 0.0
    for c in CONFIGS:
        path = os.path.join(directory, c["name"] + ".safetensors")
        if not os.path.exists(path):
            continue
        written = load(path)
        model, inputs, lengths, h0, c0, *_ = build(c, torch.float32)
        # The module here holds the recurrent layers as self.rnn; RnnGen's keys carry no module prefix.
        state = {(k if k.startswith(("embedding.", "head.")) else "rnn." + k): v for k, v in written.items()}
        model.load_state_dict(state, strict=True)
        fixture = load(os.path.join(OUT_DIR, c["name"] + ".safetensors"))
        with torch.no_grad():
            y, h_n, c_n = model(inputs, lengths, h0, c0)
        d_weights = max((v - fixture[k]).abs().max().item() for k, v in model.state().items())
        d_out = max((y - fixture["output.y"]).abs().max().item(), (h_n - fixture["output.h_n"]).abs().max().item(),
                    (c_n - fixture["output.c_n"]).abs().max().item() if c_n is not None else 0.0)
        worst = max(worst, d_weights, d_out)
        checked += 1
        print(f"{c['name']:<22} {len(written):2d} tensors, load_state_dict(strict=True) ok; "
              f"max |weights - fixture| = {d_weights:.1e}, max |outputs - fixture| = {d_out:.1e}")
    print(f"{checked} files written by RnnGen loaded into PyTorch {torch.__version__}; largest difference {worst:.1e}")
    if checked == 0:
        sys.exit(f"no <fixture>.safetensors files in {directory}")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--check-csharp":
        check_csharp(sys.argv[2])
    else:
        main()
