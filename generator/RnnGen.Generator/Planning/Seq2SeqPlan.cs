using System.Collections.Generic;
using System.Linq;
using System.Globalization;
using RnnGen.Generator.Parsing;

namespace RnnGen.Generator.Planning;

/// <summary>
/// Everything the sequence-to-sequence emitter needs: the encoder's own plan (its tensors come
/// first in the flat parameter array, at the same offsets, so the nested encoder class reads the
/// shared array directly), and the decoder, bridge and attention tensors after it.
/// </summary>
internal sealed record Seq2SeqPlan(
    Seq2SeqSpec Spec,
    NetworkPlan Encoder,
    int Gates,
    EquatableArray<LayerPlan> DecoderLayers,
    TensorPlan Embedding,
    EquatableArray<TensorPlan> BridgeWeights,
    EquatableArray<TensorPlan> BridgeBiases,
    TensorPlan? AttentionWeight,
    TensorPlan? QueryWeight,
    TensorPlan? KeyWeight,
    TensorPlan? ScoreVector,
    TensorPlan? CombineWeight,
    TensorPlan? CombineBias,
    TensorPlan OutWeight,
    TensorPlan OutBias,
    EquatableArray<TensorPlan> Tensors,
    int ParameterCount,
    long FlopsPerStep,
    string Signature)
{
    public int H => Spec.DecoderHiddenSize;
    public int GH => Gates * H;
    /// <summary>Width of one encoder output row: Directions × encoder HiddenSize.</summary>
    public int E => Encoder.LayerOutputSize;
    public int V => Spec.TargetVocabularySize;
    public bool HasAttention => Spec.Attention != Attention.None;
    /// <summary>Width of the precomputed keys (W_a·h for Luong general, W_k·h for Bahdanau), 0 when the memory itself is the key.</summary>
    public int KeyWidth => Spec.Attention is Attention.LuongGeneral or Attention.Bahdanau ? H : 0;
    public bool IsLstm => Spec.DecoderCell == Cell.Lstm;
    public bool IsGru => Spec.DecoderCell == Cell.Gru;
    public bool EncoderIsLstm => Spec.Encoder.Cell == Cell.Lstm;
    /// <summary>Decoder state rows per layer the bridge writes: h, and c for an LSTM decoder.</summary>
    public int BridgeOut => (IsLstm ? 2 : 1) * H;
    /// <summary>
    /// True when the encoder's final state is copied as is: a forward-only encoder of the decoder's
    /// hidden size, and an LSTM decoder only after an LSTM encoder (which has a cell state to copy).
    /// </summary>
    public bool IdentityBridge => BridgeWeights.Count == 0;
    public int Layer0Input => Spec.DecoderInputSize + (HasAttention ? H : 0);
    /// <summary>The decoder layer k starts from encoder layer min(k, encoder layers − 1).</summary>
    public int EncoderLayerFor(int k) => System.Math.Min(k, Spec.Encoder.Layers - 1);
    public string CellName => Spec.DecoderCell switch { Cell.Lstm => "LSTM", Cell.Gru => "GRU", _ => "RNN (tanh)" };
}

/// <summary>Planning stage for sequence-to-sequence networks.</summary>
internal static class Seq2SeqPlanner
{
    /// <summary>True when the decoder state is the encoder's final state, copied (see <see cref="Seq2SeqPlan.IdentityBridge"/>).</summary>
    public static bool IsIdentityBridge(Seq2SeqSpec spec)
        => !spec.Encoder.Bidirectional && spec.Encoder.HiddenSize == spec.DecoderHiddenSize
           && (spec.DecoderCell != Cell.Lstm || spec.Encoder.Cell == Cell.Lstm);

    public static Seq2SeqPlan Plan(Seq2SeqSpec spec)
    {
        NetworkPlan encoder = NetworkPlanner.Plan(spec.Encoder);
        // The encoder's tensors come first, at the offsets its nested class reads them at.
        var table = new TensorTable(
            encoder.Tensors.Select(t => t with { Key = "encoder." + t.Key, Property = "Encoder" + t.Property }), encoder.ParameterCount);

        int gates = TensorTable.GatesOf(spec.DecoderCell);
        int h = spec.DecoderHiddenSize, gh = gates * h, e = encoder.LayerOutputSize, v = spec.TargetVocabularySize;
        bool attention = spec.Attention != Attention.None;
        long flops = 0;

        var bridgeW = new List<TensorPlan>();
        var bridgeB = new List<TensorPlan>();
        if (!IsIdentityBridge(spec))
        {
            int rows = (spec.DecoderCell == Cell.Lstm ? 2 : 1) * h;
            for (int k = 0; k < spec.DecoderLayers; k++)
            {
                string l = k.ToString(CultureInfo.InvariantCulture);
                bridgeW.Add(table.Add("bridge.weight_l" + l, "BridgeWeightL" + l, InitKind.UniformFanIn, e,
                    $"bridge to decoder layer {k} from the final state of encoder layer {System.Math.Min(k, spec.Encoder.Layers - 1)}" + (spec.DecoderCell == Cell.Lstm ? " (rows: h, then c)" : ""), rows, e));
                bridgeB.Add(table.Add("bridge.bias_l" + l, "BridgeBiasL" + l, InitKind.UniformFanIn, e, $"bridge bias of decoder layer {k}", rows));
            }
        }

        TensorPlan embedding = table.Add("decoder.embedding.weight", "DecoderEmbeddingWeight", InitKind.Normal, 0, "target token embedding, one row per token id", v, spec.DecoderInputSize);
        var layers = new List<LayerPlan>();
        for (int k = 0; k < spec.DecoderLayers; k++)
        {
            int input = k == 0 ? spec.DecoderInputSize + (attention ? h : 0) : h;
            string key = k.ToString(CultureInfo.InvariantCulture);
            string where = $"decoder layer {k}";
            var wih = table.Add("decoder.weight_ih_l" + key, "DecoderWeightIhL" + key, InitKind.UniformHidden, h, $"input-to-hidden weights of {where}" + (k == 0 && attention ? ", columns [embedding; previous attentional state]" : ""), gh, input);
            var whh = table.Add("decoder.weight_hh_l" + key, "DecoderWeightHhL" + key, InitKind.UniformHidden, h, $"hidden-to-hidden weights of {where}", gh, h);
            var bih = table.Add("decoder.bias_ih_l" + key, "DecoderBiasIhL" + key, InitKind.UniformHidden, h, $"input-to-hidden bias of {where}", gh);
            var bhh = table.Add("decoder.bias_hh_l" + key, "DecoderBiasHhL" + key, InitKind.UniformHidden, h, $"hidden-to-hidden bias of {where}", gh);
            layers.Add(new LayerPlan(k, false, input, wih, whh, bih, bhh, null));
            flops += 2L * gh * (input + h);
        }

        TensorPlan? general = null, wq = null, wk = null, sv = null, cw = null, cb = null;
        switch (spec.Attention)
        {
            case Attention.LuongGeneral:
                general = table.Add("decoder.attention.weight", "AttentionWeight", InitKind.UniformFanIn, e, "Luong general score matrix W_a (keys = W_a·encoder output)", h, e);
                break;
            case Attention.Bahdanau:
                wq = table.Add("decoder.attention.w_q", "AttentionQueryWeight", InitKind.UniformFanIn, h, "Bahdanau query projection W_q", h, h);
                wk = table.Add("decoder.attention.w_k", "AttentionKeyWeight", InitKind.UniformFanIn, e, "Bahdanau key projection W_k", h, e);
                sv = table.Add("decoder.attention.v", "AttentionScoreVector", InitKind.UniformFanIn, h, "Bahdanau score vector v", h);
                flops += 2L * h * h;
                break;
        }
        if (attention)
        {
            cw = table.Add("decoder.attention.combine.weight", "AttentionCombineWeight", InitKind.UniformFanIn, e + h, "attentional state W_c: h̃ = tanh(W_c·[context; s] + b_c)", h, e + h);
            cb = table.Add("decoder.attention.combine.bias", "AttentionCombineBias", InitKind.UniformFanIn, e + h, "attentional state bias b_c", h);
            flops += 2L * h * (e + h);
        }
        TensorPlan outW = table.Add("decoder.out.weight", "OutWeight", InitKind.UniformFanIn, h, "output projection (logits = h̃·Wᵀ + b)", v, h);
        TensorPlan outB = table.Add("decoder.out.bias", "OutBias", InitKind.UniformFanIn, h, "output projection bias", v);
        flops += 2L * v * h;

        static string CellText(Cell c) => c switch { Cell.Lstm => "Lstm", Cell.Gru => "Gru", _ => "Rnn" };
        string signature = string.Format(CultureInfo.InvariantCulture,
            "Seq2Seq encoder({0} I={1} H={2} L={3} {4} V={5}) decoder({6} I={7} H={8} L={9} V={10} {11} start={12} end={13})",
            CellText(spec.Encoder.Cell), spec.Encoder.InputSize, spec.Encoder.HiddenSize, spec.Encoder.Layers, spec.Encoder.Bidirectional ? "bidirectional" : "forward",
            spec.Encoder.VocabularySize, CellText(spec.DecoderCell), spec.DecoderInputSize, h, spec.DecoderLayers, v, spec.Attention, spec.StartToken, spec.EndToken);
        return new Seq2SeqPlan(spec, encoder, gates, layers.ToEquatableArray(), embedding, bridgeW.ToEquatableArray(), bridgeB.ToEquatableArray(),
            general, wq, wk, sv, cw, cb, outW, outB, table.ToArray(), table.Offset, flops, signature);
    }

    /// <summary>Parameters of a valid shape, counted in 64 bits (validation refuses more than fit in one array).</summary>
    public static long CountParameters(Seq2SeqSpec spec)
    {
        var enc = spec.Encoder;
        long egh = TensorTable.GatesOf(enc.Cell) * (long)enc.HiddenSize;
        int dirs = enc.Bidirectional ? 2 : 1;
        long total = (long)enc.VocabularySize * enc.InputSize;
        for (int l = 0; l < enc.Layers; l++) total += dirs * egh * ((l == 0 ? enc.InputSize : dirs * (long)enc.HiddenSize) + enc.HiddenSize + 2);
        long h = spec.DecoderHiddenSize, e = dirs * (long)enc.HiddenSize, v = spec.TargetVocabularySize;
        long gh = TensorTable.GatesOf(spec.DecoderCell) * h;
        bool attention = spec.Attention != Attention.None;
        if (!IsIdentityBridge(spec)) total += spec.DecoderLayers * (spec.DecoderCell == Cell.Lstm ? 2 : 1) * h * (e + 1);
        total += v * spec.DecoderInputSize;
        for (int k = 0; k < spec.DecoderLayers; k++) total += gh * ((k == 0 ? spec.DecoderInputSize + (attention ? h : 0) : h) + h + 2);
        if (spec.Attention == Attention.LuongGeneral) total += h * e;
        if (spec.Attention == Attention.Bahdanau) total += h * h + h * e + h;
        if (attention) total += h * (e + h) + h;
        return total + v * (h + 1);
    }
}
