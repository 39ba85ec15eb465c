using System;
using System.Collections.Generic;
using System.Globalization;
using RnnGen.Generator.Parsing;

namespace RnnGen.Generator.Planning;

/// <summary>How a parameter tensor is initialized (PyTorch's defaults for each module).</summary>
internal enum InitKind
{
    /// <summary>U(−1/√H, 1/√H): every RNN/LSTM/GRU weight and bias.</summary>
    UniformHidden,
    /// <summary>N(0, 1): nn.Embedding.</summary>
    Normal,
    /// <summary>U(−1/√fan_in, 1/√fan_in): nn.Linear weight and bias.</summary>
    UniformFanIn,
}

/// <summary>One parameter tensor: PyTorch key, C# property name, place and shape, and what it is.</summary>
internal sealed record TensorPlan(string Key, string Property, int Offset, EquatableArray<int> Shape, InitKind Init, int FanIn, string Description)
{
    public int Length
    {
        get
        {
            int n = 1;
            foreach (int d in Shape) n *= d;
            return n;
        }
    }

    public string ShapeText => "[" + string.Join(", ", Shape) + "]";
}

/// <summary>One recurrent layer in one direction, with the tensors it reads.</summary>
internal sealed record LayerPlan(int Layer, bool Reverse, int InputSize, TensorPlan WeightIh, TensorPlan WeightHh, TensorPlan BiasIh, TensorPlan BiasHh, TensorPlan? Peephole)
{
    /// <summary>Index into [Layers·Directions] state tensors, PyTorch's h_n order.</summary>
    public int StateIndex(int directions) => Layer * directions + (Reverse ? 1 : 0);

    /// <summary>Suffix for member names: L0, L1Reverse.</summary>
    public string Suffix => "L" + Layer.ToString(CultureInfo.InvariantCulture) + (Reverse ? "Reverse" : "");

    public string Title => "Layer " + Layer.ToString(CultureInfo.InvariantCulture) + (Reverse ? ", reverse direction" : ", forward direction");
}

/// <summary>
/// Everything the emitter needs, derived once from a spec: gate count, per-layer sizes, the
/// parameter table with offsets, the counts quoted in the remarks.
/// </summary>
internal sealed record NetworkPlan(
    NetworkSpec Spec,
    int Gates,
    int Directions,
    EquatableArray<LayerPlan> RecurrentLayers,
    TensorPlan? Embedding,
    TensorPlan? HeadWeight,
    TensorPlan? HeadBias,
    EquatableArray<TensorPlan> Tensors,
    int ParameterCount,
    long FlopsPerStep,
    string Signature)
{
    public int H => Spec.HiddenSize;
    public int GH => Gates * Spec.HiddenSize;
    public int LayerOutputSize => Directions * Spec.HiddenSize;
    public int StepOutputSize => Spec.OutputSize > 0 ? Spec.OutputSize : LayerOutputSize;
    public bool HasEmbedding => Spec.VocabularySize > 0;
    public bool HasHead => Spec.OutputSize > 0;
    public bool IsLstm => Spec.Cell == Cell.Lstm;
    public bool IsGru => Spec.Cell == Cell.Gru;
    /// <summary>GRU with r applied to h before W_hn (ONNX linear_before_reset = 0).</summary>
    public bool IsGruResetFirst => IsGru && !Spec.LinearBeforeReset;
    public bool HasPeepholes => IsLstm && Spec.Peepholes;
    /// <summary>Sequence tensors (and the workspace rows) are [steps, batch, …] instead of [batch, steps, …].</summary>
    public bool IsTimeMajor => Spec.Layout == SequenceLayout.TimeMajor;
    public string CellName => Spec.Cell switch { Cell.Lstm => Spec.Peepholes ? "LSTM with peepholes" : "LSTM", Cell.Gru => Spec.LinearBeforeReset ? "GRU" : "GRU (reset before the recurrent product)", _ => Spec.Relu ? "RNN (relu)" : "RNN (tanh)" };
    public string GateNames => Spec.Cell switch { Cell.Lstm => "i, f, g, o", Cell.Gru => "r, z, n", _ => "one gate" };
}

/// <summary>Planning stage: lays out parameters in PyTorch's order and counts FLOPs.</summary>
internal static class NetworkPlanner
{
    public static NetworkPlan Plan(NetworkSpec spec)
    {
        int gates = TensorTable.GatesOf(spec.Cell);
        int directions = spec.Bidirectional ? 2 : 1;
        int h = spec.HiddenSize, gh = gates * h;
        var table = new TensorTable();

        TensorPlan? embedding = spec.VocabularySize > 0
            ? table.Add("embedding.weight", "EmbeddingWeight", InitKind.Normal, 0, "token embedding, one row per token id", spec.VocabularySize, spec.InputSize)
            : null;

        var layers = new List<LayerPlan>();
        long flops = 0;
        for (int l = 0; l < spec.Layers; l++)
        {
            int input = l == 0 ? spec.InputSize : directions * h;
            for (int d = 0; d < directions; d++)
            {
                string key = l.ToString(CultureInfo.InvariantCulture) + (d == 1 ? "_reverse" : "");
                string prop = "L" + l.ToString(CultureInfo.InvariantCulture) + (d == 1 ? "Reverse" : "");
                string where = $"layer {l}{(d == 1 ? " (reverse)" : "")}";
                var wih = table.Add("weight_ih_l" + key, "WeightIh" + prop, InitKind.UniformHidden, h, $"input-to-hidden weights of {where}, gates {GateList(spec.Cell)} stacked", gh, input);
                var whh = table.Add("weight_hh_l" + key, "WeightHh" + prop, InitKind.UniformHidden, h, $"hidden-to-hidden weights of {where}", gh, h);
                var bih = table.Add("bias_ih_l" + key, "BiasIh" + prop, InitKind.UniformHidden, h, $"input-to-hidden bias of {where}", gh);
                var bhh = table.Add("bias_hh_l" + key, "BiasHh" + prop, InitKind.UniformHidden, h, $"hidden-to-hidden bias of {where}", gh);
                TensorPlan? peephole = spec.Peepholes
                    ? table.Add("weight_peephole_l" + key, "WeightPeephole" + prop, InitKind.UniformHidden, h, $"peephole weights of {where}, blocks i, f, o", 3 * h)
                    : null;
                layers.Add(new LayerPlan(l, d == 1, input, wih, whh, bih, bhh, peephole));
                flops += 2L * gh * (input + h);
            }
        }

        TensorPlan? headWeight = null, headBias = null;
        if (spec.OutputSize > 0)
        {
            int fanIn = directions * h;
            headWeight = table.Add("head.weight", "HeadWeight", InitKind.UniformFanIn, fanIn, "output head weights (logits = output · Wᵀ + b)", spec.OutputSize, fanIn);
            headBias = table.Add("head.bias", "HeadBias", InitKind.UniformFanIn, fanIn, "output head bias", spec.OutputSize);
            flops += 2L * spec.OutputSize * fanIn;
        }

        string cell = spec.Cell switch { Cell.Lstm => "Lstm", Cell.Gru => "Gru", _ => spec.Relu ? "Rnn(relu)" : "Rnn(tanh)" };
        string signature = string.Format(CultureInfo.InvariantCulture, "{0} I={1} H={2} L={3} {4} V={5} O={6}",
            cell, spec.InputSize, h, spec.Layers, spec.Bidirectional ? "bidirectional" : "forward", spec.VocabularySize, spec.OutputSize)
            + (spec.Cell == Cell.Gru && !spec.LinearBeforeReset ? " reset-before-linear" : "")
            + (spec.Peepholes ? " peepholes" : "");

        return new NetworkPlan(spec, gates, directions, layers.ToEquatableArray(), embedding, headWeight, headBias,
            table.ToArray(), table.Offset, flops, signature);
    }

    private static string GateList(Cell cell) => cell switch { Cell.Lstm => "i, f, g, o", Cell.Gru => "r, z, n", _ => "(one gate)" };
}
