#!/usr/bin/env python3
"""Writes MatrixNetworks.g.cs: one declared network per configuration of the test matrix,
plus an adapter per network so tests can drive them all through one interface.
Run from this folder: python3 make_matrix.py"""
import itertools

cells = {"Rnn": "Rnn", "Lstm": "Lstm", "Gru": "Gru"}
cases = []
for cell, layers, bi, emb, head in itertools.product(["Rnn", "Lstm", "Gru"], [1, 2, 3], [False, True], [False, True], [False, True]):
    cases.append((cell, 5, 7, layers, bi, emb, head, cell == "Rnn" and layers == 2))
# ONNX variants: GRU with the reset before the recurrent product, LSTM with peepholes.
variants = [("Gru", 5, 7, 1, False, False, False, False, "ResetFirst"), ("Gru", 5, 7, 2, True, True, True, False, "ResetFirst"),
            ("Gru", 5, 33, 1, True, False, False, False, "ResetFirst"),
            ("Lstm", 5, 7, 1, False, False, False, False, "Peepholes"), ("Lstm", 5, 7, 2, True, False, True, False, "Peepholes"),
            ("Lstm", 5, 33, 1, False, True, False, False, "Peepholes")]
# typical and odd sizes
cases += [("Lstm", 16, 33, 1, True, False, True, False), ("Gru", 16, 33, 2, False, True, False, False),
          ("Rnn", 16, 33, 1, False, False, False, False),
          ("Lstm", 64, 128, 1, False, False, False, False), ("Gru", 64, 128, 1, True, False, False, False),
          ("Lstm", 32, 256, 1, False, True, True, False)]

cases = [c + ("",) for c in cases] + variants
# Time-major twins of networks above (same shape, Layout = SequenceLayout.TimeMajor): each cell,
# bidirectional, embedding input, head, two layers, streaming (forward only) and both ONNX variants.
# Their adapters take and return batch-first tensors like every other entry (transposing in the
# test), so the reference, finite-difference and ONNX Runtime tests run over them unchanged.
time_major = ["RnnI5H7L2BiEmbHeadRelu", "LstmI5H7L2BiDenseHead", "GruI5H7L2BiEmbHead", "LstmI5H7L1FwEmbHead",
              "GruI5H7L1FwDense", "GruI5H7L1FwDenseResetFirst", "LstmI5H7L2BiDenseHeadPeepholes"]
out = ["// Written by make_matrix.py: the configuration matrix of the numerical tests. Do not edit by hand.",
       "using System;", "using RnnGen;", "", "namespace RnnGen.Tests.Networks;", ""]
entries = []
def name_of(cell, i, h, layers, bi, emb, head, relu, variant):
    if variant: relu = False
    return f"{cell}I{i}H{h}L{layers}{'Bi' if bi else 'Fw'}{'Emb' if emb else 'Dense'}{'Head' if head else ''}{'Relu' if relu else ''}{variant}"
by_name = {name_of(*c): c for c in cases}
cases = [c + (False,) for c in cases] + [by_name[n] + (True,) for n in time_major]
for (cell, i, h, layers, bi, emb, head, relu, variant, tm) in cases:
    if variant: relu = False
    name = name_of(cell, i, h, layers, bi, emb, head, relu, variant) + ("TimeMajor" if tm else "")
    args = [f"CellKind.{cell}", f"InputSize = {i}", f"HiddenSize = {h}", f"Layers = {layers}"]
    if bi: args.append("Direction = Direction.Bidirectional")
    if emb: args.append("VocabularySize = 13")
    if head: args.append("OutputSize = 6")
    if relu: args.append("Nonlinearity = Nonlinearity.Relu")
    if variant == "ResetFirst": args.append("LinearBeforeReset = false")
    if variant == "Peepholes": args.append("Peepholes = true")
    if tm: args.append("Layout = SequenceLayout.TimeMajor")
    out.append(f"[RecurrentNetwork({', '.join(args)})]")
    out.append(f"public partial class {name};")
    out.append("")
    lstm = cell == "Lstm"
    inp = "tokens" if emb else "inputs"
    cellf = ", fc, ic" if lstm else ""
    cellb = ", dFinalCell, dInitialCell" if lstm else ""
    dIn = "" if emb else "dInputs, "
    entries.append(f'''        new("{name}", new NetworkConfig(CellKind.{cell}, {i}, {h}, {layers}, {str(bi).lower()}, {str(relu).lower()}, {13 if emb else 0}, {6 if head else 0}, {"false" if variant == "ResetFirst" else "true"}, {"true" if variant == "Peepholes" else "false"}{", SequenceLayout.TimeMajor" if tm else ""}), seed =>
        {{
            var n = new {name}(seed);
            return {"NetworkAdapter.TimeMajor(" if tm else ""}new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => {{ if (training) n.ForwardTraining({inp}, lengths, output, fh, ih{cellf}); else n.Forward({inp}, lengths, output, fh, ih{cellf}); }},
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, {dIn}dFinalHidden, dInitialHidden{cellb}),
                n.CreateReplica){", stepOutputSize: " + ("6" if head else str(h * (2 if bi else 1))) + ", inputSize: " + str(i) + ")" if tm else ""};
        }}),''')

out.append("public static partial class NetworkMatrix")
out.append("{")
out.append("    public static readonly NetworkCase[] All =")
out.append("    [")
out += entries
out.append("    ];")
out.append("}")
open("MatrixNetworks.g.cs", "w").write("\n".join(out) + "\n")
print(len(entries), "networks")
