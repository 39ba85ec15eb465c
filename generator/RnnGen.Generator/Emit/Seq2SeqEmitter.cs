using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using RnnGen.Generator.Parsing;
using RnnGen.Generator.Planning;

namespace RnnGen.Generator.Emit;

/// <summary>
/// Emit stage for sequence-to-sequence networks: one file with the encoder (a nested network class
/// written by <see cref="NetworkEmitter"/>, sharing the flat parameter array), the bridge, the
/// decoder step with attention, teacher-forced training with backpropagation through the decoder
/// steps, attention, bridge and encoder, greedy decoding and beam search. Every size is a constant.
/// </summary>
internal static class Seq2SeqEmitter
{
    private const string K = "global::RnnGen.Kernels.";
    private const string Args = "global::RnnGen.NetworkArguments";
    private const string TP = "global::System.Numerics.Tensors.TensorPrimitives";
    private const string Span = "global::System.Span<float>";
    private const string RoSpan = "global::System.ReadOnlySpan<float>";
    private const string Ints = "global::System.Span<int>";
    private const string RoInts = "global::System.ReadOnlySpan<int>";
    private const string Grow = "global::RnnGen.Workspace.Grow";

    private static string Inv(FormattableString text) => FormattableString.Invariant(text);

    private static string FullName(Seq2SeqPlan plan) => GeneratedFile.FullName(plan.Spec.Namespace, plan.Spec.ContainingTypes, plan.Spec.ClassName);

    public static string HintName(Seq2SeqPlan plan) => FullName(plan) + ".g.cs";

    public static string Emit(Seq2SeqPlan plan)
        => GeneratedFile.Write(plan.Spec.Namespace, plan.Spec.ContainingTypes, plan.Spec.ClassName, "[Encoder] and [Decoder] attributes",
            w => WriteClass(w, plan));

    private static void WriteClass(IndentedWriter w, Seq2SeqPlan plan)
    {
        WriteRemarks(w, plan);
        w.Line(Inv($"[global::System.CodeDom.Compiler.GeneratedCode(\"RnnGen.Generator\", \"{NetworkEmitter.GeneratorVersion}\")]"));
        using (w.Block("partial class " + plan.Spec.ClassName + " : global::RnnGen.IRecurrentNetwork"))
        {
            WriteConstants(w, plan);
            WriteParameters(w, plan);
            WriteWorkspace(w, plan);
            WriteEncode(w, plan);
            WriteBridge(w, plan);
            WriteStep(w, plan);
            WriteTeacherForced(w, plan);
            WriteBackward(w, plan);
            WritePublicTraining(w, plan);
            WriteGreedy(w, plan);
            WriteBeamSearch(w, plan);
            w.Line("// The encoder: a plain generated network (embedding and recurrent layers, no head) over the first");
            w.Line("// EncoderParameterCount elements of Parameters.");
            NetworkEmitter.WriteClass(w, plan.Encoder, nested: true);
        }
    }

    private static string I(long v) => v.ToString(CultureInfo.InvariantCulture);

    // A tensor by its named view (the property over Parameters), and its gradient view.
    private static string P(TensorPlan t) => t.Property;

    private static string G(TensorPlan t) => t.Property + "Gradient";

    // ───────────────────────────── description ─────────────────────────────

    private static void WriteRemarks(IndentedWriter w, Seq2SeqPlan plan)
    {
        var s = plan.Spec;
        var e = s.Encoder;
        int h = plan.H;
        w.Line("/// <remarks>");
        w.Line("/// <para>Sequence-to-sequence network (encoder, bridge, decoder" + (plan.HasAttention ? " with " + s.Attention + " attention" : " without attention") + ").</para>");
        w.Line("/// <list type=\"number\">");
        w.Line(Inv($"/// <item>Encoder: source ids in [0, {e.VocabularySize}) → embedding {e.InputSize} → {plan.Encoder.CellName}, {e.Layers} {(e.Layers == 1 ? "layer" : "layers")}, {(e.Bidirectional ? "bidirectional" : "forward")}, hidden {e.HiddenSize}; outputs of width {plan.E} per source position (tensors <c>encoder.*</c>, PyTorch names).</item>"));
        w.Line(plan.IdentityBridge
            ? Inv($"/// <item>Bridge: decoder layer k starts from the final state of encoder layer min(k, {e.Layers - 1}), copied (sizes match).</item>")
            : Inv($"/// <item>Bridge: decoder layer k starts from tanh(W·[final forward; final reverse] + b) of encoder layer min(k, {e.Layers - 1}); <c>bridge.weight_l{{k}}</c> [{plan.BridgeOut}, {plan.E}]{(plan.IsLstm ? " (rows: h, then c)" : "")}.</item>"));
        w.Line(Inv($"/// <item>Decoder step: input [embedding({s.DecoderInputSize}) of the previous token{(plan.HasAttention ? Inv($"; previous attentional state h̃ ({h})") : "")}] → {plan.CellName}, {s.DecoderLayers} {(s.DecoderLayers == 1 ? "layer" : "layers")}, hidden {h}.</item>"));
        if (plan.HasAttention)
        {
            string score = s.Attention switch
            {
                Attention.LuongDot => "e_i = s·h_i",
                Attention.LuongGeneral => "e_i = s·(W_a h_i)",
                _ => "e_i = v·tanh(W_q s + W_k h_i)",
            };
            w.Line(Inv($"/// <item>Attention ({s.Attention}): {score} over the real source positions (padding masked), α = softmax(e), context c = Σ α_i h_i; h̃ = tanh(W_c·[c; s] + b_c).</item>"));
        }
        w.Line(Inv($"/// <item>Output: logits = {(plan.HasAttention ? "h̃" : "s")}·Wᵀ + b over {s.TargetVocabularySize} target tokens, log-softmax; start token {s.StartToken}, end token {s.EndToken}.</item>"));
        w.Line("/// </list>");
        w.Line(Inv($"/// <para>{plan.ParameterCount:N0} parameters ({plan.ParameterCount * 4L:N0} bytes); decoder {plan.FlopsPerStep:N0} FLOPs per output step and sequence (matrix products, attention excluded).</para>"));
        w.Line("/// </remarks>");
    }

    private static void WriteConstants(IndentedWriter w, Seq2SeqPlan plan)
    {
        var s = plan.Spec;
        void Const(string type, string name, string value, string doc)
        {
            w.Line("/// <summary>" + doc + "</summary>");
            w.Line("public const " + type + " " + name + " = " + value + ";");
            w.Line();
        }
        Const("int", "SourceVocabularySize", I(s.Encoder.VocabularySize), "Source token ids are in [0, SourceVocabularySize).");
        Const("int", "TargetVocabularySize", I(s.TargetVocabularySize), "Target token ids are in [0, TargetVocabularySize).");
        Const("int", "StartToken", I(s.StartToken), "The token the decoder is fed before the first output token.");
        Const("int", "EndToken", I(s.EndToken), "The token that ends an output sequence.");
        Const("int", "SourceEmbeddingSize", I(s.Encoder.InputSize), "Width of the source token embedding.");
        Const("int", "TargetEmbeddingSize", I(s.DecoderInputSize), "Width of the target token embedding.");
        Const("int", "EncoderHiddenSize", I(s.Encoder.HiddenSize), "Hidden units per encoder layer and direction.");
        Const("int", "EncoderLayers", I(s.Encoder.Layers), "Stacked encoder layers.");
        Const("int", "EncoderDirections", I(plan.Encoder.Directions), "1 for a forward-only encoder, 2 for a bidirectional one.");
        Const("int", "EncoderOutputSize", I(plan.E), "Width of an encoder output row: EncoderDirections × EncoderHiddenSize.");
        Const("int", "DecoderHiddenSize", I(plan.H), "Hidden units per decoder layer.");
        Const("int", "DecoderLayers", I(s.DecoderLayers), "Stacked decoder layers.");
        Const("global::RnnGen.AttentionKind", "Attention", "global::RnnGen.AttentionKind." + s.Attention, "The attention between decoder and encoder outputs.");
        Const("int", "EncoderParameterCount", I(plan.Encoder.ParameterCount), "Parameters of the encoder (the first tensors of Parameters).");
        Const("int", "ParameterCount", I(plan.ParameterCount), "Total number of parameters.");
        Const("long", "FlopsPerStep", I(plan.FlopsPerStep), "Multiply-add FLOPs of the decoder per output step and sequence (matrix products, attention excluded).");
        Const("string", "ShapeSignature", "\"" + plan.Signature + "\"", "A one-line description of the shape; equal signatures mean identical parameter layouts.");
    }

    // ───────────────────────────── parameters ─────────────────────────────

    private static void WriteParameters(IndentedWriter w, Seq2SeqPlan plan)
    {
        string cls = plan.Spec.ClassName;
        w.Line("// Parameter table: PyTorch-style keys, shapes and offsets into Parameters/Gradients (encoder first).");
        w.Line("private static readonly global::RnnGen.TensorDescriptor[] s_tensors =");
        w.Line("[");
        w.Indent();
        foreach (TensorPlan t in plan.Tensors)
            w.Line(Inv($"new global::RnnGen.TensorDescriptor(\"{t.Key}\", {t.Offset}, {string.Join(", ", t.Shape)}),"));
        w.Outdent();
        w.Line("];");
        w.Line();
        w.Line("/// <summary>Names, shapes and offsets of every parameter tensor, in storage order.</summary>");
        w.Line("public static global::System.Collections.Generic.IReadOnlyList<global::RnnGen.TensorDescriptor> TensorTable => s_tensors;");
        w.Line();
        w.Line("global::System.Collections.Generic.IReadOnlyList<global::RnnGen.TensorDescriptor> global::RnnGen.IRecurrentNetwork.Tensors => s_tensors;");
        w.Line();
        w.Line("string global::RnnGen.IRecurrentNetwork.Signature => ShapeSignature;");
        w.Line();
        w.Line("/// <summary>All parameters in one contiguous array, laid out as <see cref=\"TensorTable\"/>.</summary>");
        w.Line("public float[] Parameters { get; }");
        w.Line();
        w.Line("/// <summary>Gradients, same layout as <see cref=\"Parameters\"/>; <see cref=\"ForwardBackward\"/> adds to them.</summary>");
        w.Line("public float[] Gradients { get; }");
        w.Line();
        w.Line("private readonly SourceEncoder _encoder;");
        w.Line();
        w.Line("/// <summary>Creates the network with PyTorch's default initialization drawn from <paramref name=\"seed\"/>.</summary>");
        w.Line("/// <param name=\"seed\">Seed of the initialization; equal seeds give equal parameters.</param>");
        using (w.Block(Inv($"public {cls}(ulong seed = 0)")))
        {
            w.Line("Parameters = new float[ParameterCount];");
            w.Line("Gradients = new float[ParameterCount];");
            w.Line("_encoder = new SourceEncoder(Parameters);");
            w.Line("ResetParameters(seed);");
        }
        w.Line();
        w.Line("/// <summary>");
        w.Line("/// Re-initializes every parameter as PyTorch does: recurrent tensors U(−1/√H, 1/√H), embeddings N(0, 1),");
        w.Line("/// linear layers (bridge, attention, output) U(−1/√fan_in, 1/√fan_in).");
        w.Line("/// </summary>");
        w.Line("/// <param name=\"seed\">Seed of the initialization.</param>");
        using (w.Block("public void ResetParameters(ulong seed)"))
        {
            w.Line("_encoder.ResetParameters(seed);");
            w.Line("var random = new global::RnnGen.SeededRandom(seed ^ 0x5EC25EC0DEUL);");
            w.Line(Inv($"float hiddenBound = 1f / global::System.MathF.Sqrt({plan.H});"));
            foreach (TensorPlan t in plan.Tensors.Where(t => t.Offset >= plan.Encoder.ParameterCount))
            {
                string view = Inv($"Parameters.AsSpan({t.Offset}, {t.Length})");
                switch (t.Init)
                {
                    case InitKind.Normal:
                        using (w.Block(Inv($"for (int i = {t.Offset}; i < {t.Offset + t.Length}; i++)")))
                            w.Line("Parameters[i] = random.NextGaussian();");
                        break;
                    case InitKind.UniformFanIn:
                        w.Line(Inv($"random.FillUniform({view}, -1f / global::System.MathF.Sqrt({t.FanIn}), 1f / global::System.MathF.Sqrt({t.FanIn})); // {t.Key}"));
                        break;
                    default:
                        w.Line(Inv($"random.FillUniform({view}, -hiddenBound, hiddenBound); // {t.Key}"));
                        break;
                }
            }
        }
        w.Line();
        w.Line("/// <summary>Sets every gradient to zero (call before accumulating a new batch).</summary>");
        using (w.Block("public void ZeroGradients()"))
        {
            w.Line("global::System.Array.Clear(Gradients);");
            w.Line("_encoder.ZeroGradients();");
        }
        w.Line();
        // The encoder's dropout lives in the encoder, a generated network with its own masks and their backward; the
        // decoder's masks are drawn per stored step (DecoderStep) and applied again to the gradients (Backward).
        w.Line("/// <summary>");
        w.Line("/// Dropout probability on the source embeddings (the encoder's layer-0 input) during <see cref=\"ForwardBackward\"/>;");
        w.Line("/// 0 (the default) turns it off. <see cref=\"Score\"/> and decoding never drop.");
        w.Line("/// </summary>");
        w.Line("public float EncoderInputDropout { get => _encoder.InputDropout; set => _encoder.InputDropout = " + Args + ".CheckDropout(value, nameof(EncoderInputDropout)); }");
        w.Line();
        w.Line("/// <summary>Dropout probability between the encoder's stacked layers during <see cref=\"ForwardBackward\"/>; 0 (the default) turns it off" + (plan.Spec.Encoder.Layers > 1 ? "." : " (this encoder has one layer: no effect).") + "</summary>");
        w.Line("public float EncoderLayerDropout { get => _encoder.LayerDropout; set => _encoder.LayerDropout = " + Args + ".CheckDropout(value, nameof(EncoderLayerDropout)); }");
        w.Line();
        w.Line("/// <summary>");
        w.Line("/// Dropout probability on the embeddings of the tokens fed to the decoder during <see cref=\"ForwardBackward\"/>" + (plan.HasAttention ? " (not on the fed attentional state h̃)" : "") + ";");
        w.Line("/// 0 (the default) turns it off. <see cref=\"Score\"/> and decoding never drop.");
        w.Line("/// </summary>");
        w.Line("public float DecoderInputDropout { get => _decoderInputDropout; set => _decoderInputDropout = " + Args + ".CheckDropout(value, nameof(DecoderInputDropout)); }");
        w.Line();
        w.Line("/// <summary>Dropout probability between the decoder's stacked layers during <see cref=\"ForwardBackward\"/>; 0 (the default) turns it off" + (plan.Spec.DecoderLayers > 1 ? "." : " (this decoder has one layer: no effect).") + "</summary>");
        w.Line("public float DecoderLayerDropout { get => _decoderLayerDropout; set => _decoderLayerDropout = " + Args + ".CheckDropout(value, nameof(DecoderLayerDropout)); }");
        w.Line();
        w.Line("private float _decoderInputDropout, _decoderLayerDropout;");
        w.Line("private bool _decoderInputDropped" + (plan.Spec.DecoderLayers > 1 ? ", _decoderLayersDropped" : "") + "; // masks the current training decode draws (its Backward applies them)");
        w.Line("private readonly global::RnnGen.SeededRandom _decoderDropoutRandom = new global::RnnGen.SeededRandom(DecoderDropoutSeed(0x5EED));");
        w.Line();
        w.Line("/// <summary>Restarts the random sequences of the dropout masks (encoder and decoder): equal seeds give equal masks, call after call.</summary>");
        w.Line("/// <param name=\"seed\">Seed of the masks.</param>");
        using (w.Block("public void SeedDropout(ulong seed)"))
        {
            w.Line("_encoder.SeedDropout(seed);");
            w.Line("_decoderDropoutRandom.Reset(DecoderDropoutSeed(seed));");
        }
        w.Line();
        w.Line("// The decoder's masks come from a sequence of their own: the seed is mixed so that it is not another step of the");
        w.Line("// encoder's sequence (SeededRandom advances its state by adding a constant).");
        w.Line("private static ulong DecoderDropoutSeed(ulong seed) => seed ^ 0xDEC0DE5EED0UL;");
        w.Line();
        foreach (TensorPlan t in plan.Tensors)
        {
            w.Line(Inv($"/// <summary><c>{t.Key}</c> {t.ShapeText}: {t.Description}.</summary>"));
            w.Line(Inv($"public {Span} {t.Property} => new {Span}(Parameters, {t.Offset}, {t.Length});"));
            w.Line();
            w.Line(Inv($"/// <summary>Gradient of <c>{t.Key}</c> {t.ShapeText}.</summary>"));
            w.Line(Inv($"public {Span} {t.Property}Gradient => new {Span}(Gradients, {t.Offset}, {t.Length});"));
            w.Line();
        }
    }

    // ───────────────────────────── workspace ─────────────────────────────

    // A float (or int) buffer and its length as an expression of batch, rows (decoder rows: batch ×
    // beam), slots (stored decoder steps: the target length in training, 1 when decoding),
    // sourceSteps, beamRows and maxLength.
    // When, a condition of the call: the buffer is grown only when it holds (the decoder's dropout masks, for example).
    private sealed record Buffer(string Field, string Length, string Doc, bool IsInt = false, string? When = null);

    private static List<Buffer> Buffers(Seq2SeqPlan plan)
    {
        var s = plan.Spec;
        int h = plan.H, gh = plan.GH, e = plan.E, he = s.Encoder.HiddenSize;
        int encStates = s.Encoder.Layers * plan.Encoder.Directions;
        var list = new List<Buffer>
        {
            new("_memory", Inv($"(long)batch * sourceSteps * {e}"), "encoder outputs [batch × sourceSteps × EncoderOutputSize], zeros at padding"),
            new("_finalHidden", Inv($"(long){encStates} * batch * {he}"), "encoder final hidden states [layers·directions × batch × EncoderHiddenSize]"),
            new("_sourceLengths", "batch", "source lengths of the current batch", IsInt: true),
        };
        if (plan.IdentityBridge && plan.IsLstm) list.Add(new("_finalCell", Inv($"(long){encStates} * batch * {he}"), "encoder final cell states"));
        if (plan.KeyWidth > 0) list.Add(new("_keys", Inv($"(long)batch * sourceSteps * {plan.KeyWidth}"), "attention keys (W·encoder output) [batch × sourceSteps × DecoderHiddenSize]"));
        if (!plan.IdentityBridge)
        {
            list.Add(new("_bridgeIn", Inv($"(long){s.DecoderLayers} * batch * {e}"), "bridge inputs [decoder layers × batch × EncoderOutputSize]"));
            list.Add(new("_bridgeOut", Inv($"(long){s.DecoderLayers} * batch * {plan.BridgeOut}"), "bridge outputs (after tanh) [decoder layers × batch × state rows]"));
        }
        for (int k = 0; k < s.DecoderLayers; k++)
        {
            list.Add(new("_h" + k, Inv($"(long)rows * {h}"), $"running hidden state of decoder layer {k} [rows × H]"));
            if (plan.IsLstm) list.Add(new("_c" + k, Inv($"(long)rows * {h}"), $"running cell state of decoder layer {k} [rows × H]"));
            list.Add(new("_out" + k, Inv($"(long)slots * rows * {h}"), $"hidden state of decoder layer {k} after each stored step [slots × rows × H]"));
            list.Add(new("_hPrev" + k, Inv($"(long)slots * rows * {h}"), $"hidden state of decoder layer {k} entering each stored step"));
            list.Add(new("_gates" + k, Inv($"(long)slots * rows * {gh}"), $"gate activations of decoder layer {k} [slots × rows × G·H]"));
            if (plan.IsLstm)
            {
                list.Add(new("_cell" + k, Inv($"(long)slots * rows * {h}"), $"cell state of decoder layer {k} after each stored step"));
                list.Add(new("_cellPrev" + k, Inv($"(long)slots * rows * {h}"), $"cell state of decoder layer {k} entering each stored step"));
            }
            if (plan.IsGru) list.Add(new("_hn" + k, Inv($"(long)slots * rows * {h}"), $"W_hn·h + b_hn of decoder layer {k} at each stored step"));
        }
        list.Add(new("_x0", Inv($"(long)slots * rows * {plan.Layer0Input}"), "decoder layer-0 input of each stored step [slots × rows × (embedding" + (plan.HasAttention ? "; h̃" : "") + ")]"));
        list.Add(new("_prevTokens", "(long)slots * rows", "the token fed at each stored step [slots × rows]", IsInt: true));
        list.Add(new("_xProj", Inv($"(long)rows * {gh}"), "input projection of one step [rows × G·H]"));
        list.Add(new("_hProj", Inv($"(long)rows * {gh}"), "recurrent projection of one step [rows × G·H]"));
        if (plan.HasAttention)
        {
            list.Add(new("_feed", Inv($"(long)rows * {h}"), "previous attentional state h̃ fed to the next step [rows × H]"));
            list.Add(new("_alpha", "(long)slots * rows * sourceSteps", "attention weights of each stored step [slots × rows × sourceSteps]"));
            list.Add(new("_combineIn", Inv($"(long)slots * rows * {e + h}"), "[context; top hidden state] of each stored step"));
            list.Add(new("_attnHidden", Inv($"(long)slots * rows * {h}"), "attentional state h̃ of each stored step"));
            list.Add(new("_scratch", Inv($"{2 * h} + (long)sourceSteps"), "per-row scratch of the attention kernels"));
            if (s.Attention == Attention.Bahdanau) list.Add(new("_query", Inv($"(long)slots * rows * {h}"), "Bahdanau query W_q·s of each stored step"));
        }
        list.Add(new("_logProbs", Inv($"(long)slots * rows * {plan.V}"), "log-probabilities of each stored step [slots × rows × TargetVocabularySize]"));
        return list;
    }

    private static List<Buffer> TrainingBuffers(Seq2SeqPlan plan)
    {
        var s = plan.Spec;
        int h = plan.H, gh = plan.GH, e = plan.E, he = s.Encoder.HiddenSize;
        int encStates = s.Encoder.Layers * plan.Encoder.Directions;
        var list = new List<Buffer>
        {
            new("_dLogits", Inv($"(long)slots * rows * {plan.V}"), "∂L/∂logits of every step"),
            new("_dOutIn", Inv($"(long)slots * rows * {h}"), "∂L/∂(input of the output projection) of every step"),
            new("_dMemory", Inv($"(long)batch * sourceSteps * {e}"), "∂L/∂(encoder outputs)"),
            new("_dFinalHidden", Inv($"(long){encStates} * batch * {he}"), "∂L/∂(encoder final hidden states)"),
            new("_dTop", Inv($"(long)rows * {h}"), "∂L/∂(top decoder hidden state) of one step"),
            new("_dX", Inv($"(long)rows * {plan.Layer0Input}"), "∂L/∂(decoder layer-0 input) of one step"),
        };
        if (plan.IdentityBridge && plan.IsLstm) list.Add(new("_dFinalCell", Inv($"(long){encStates} * batch * {he}"), "∂L/∂(encoder final cell states)"));
        if (!plan.IdentityBridge)
        {
            list.Add(new("_dBridge", Inv($"(long)batch * {plan.BridgeOut}"), "∂L/∂(bridge pre-activation) of one layer"));
            list.Add(new("_dBridgeIn", Inv($"(long)batch * {e}"), "∂L/∂(bridge input) of one layer"));
        }
        for (int k = 0; k < s.DecoderLayers; k++)
        {
            list.Add(new("_dh" + k, Inv($"(long)rows * {h}"), $"∂L/∂h of decoder layer {k} flowing back through the steps"));
            if (plan.IsLstm) list.Add(new("_dc" + k, Inv($"(long)rows * {h}"), $"∂L/∂c of decoder layer {k} flowing back through the steps"));
            list.Add(new("_dGates" + k, Inv($"(long)slots * rows * {gh}"), $"∂L/∂(input projection) of decoder layer {k}, every step"));
            if (plan.IsGru) list.Add(new("_dHProj" + k, Inv($"(long)slots * rows * {gh}"), $"∂L/∂(recurrent projection) of decoder layer {k}, every step"));
        }
        if (plan.IsGru) list.Add(new("_dhDirect", Inv($"(long)rows * {h}"), "z⊙∂L/∂h, the part of ∂L/∂h_(t−1) that bypasses W_hh"));
        const string InputDropped = "_decoderInputDropout > 0f", LayersDropped = "_decoderLayerDropout > 0f";
        list.Add(new("_decoderInputMask", Inv($"(long)slots * rows * {s.DecoderInputSize}"), "dropout mask of the fed tokens' embeddings, every step", When: InputDropped));
        for (int k = 1; k < s.DecoderLayers; k++)
        {
            list.Add(new("_layerIn" + k, Inv($"(long)slots * rows * {h}"), $"input of decoder layer {k} after dropout, every step", When: LayersDropped));
            list.Add(new("_layerMask" + k, Inv($"(long)slots * rows * {h}"), $"dropout mask of decoder layer {k}'s input, every step", When: LayersDropped));
        }
        if (s.DecoderLayers > 1) list.Add(new("_dLayerIn", Inv($"(long)rows * {h}"), "∂L/∂(dropped input of a decoder layer) of one step", When: LayersDropped));
        if (plan.HasAttention)
        {
            list.Add(new("_dFeed", Inv($"(long)rows * {h}"), "∂L/∂h̃ of the previous step through input feeding"));
            list.Add(new("_dPre", Inv($"(long)slots * rows * {h}"), "∂L/∂(W_c·[c; s] + b_c) of every step"));
            list.Add(new("_dCombineIn", Inv($"(long)rows * {e + h}"), "∂L/∂[context; s] of one step"));
            if (plan.KeyWidth > 0) list.Add(new("_dKeys", Inv($"(long)batch * sourceSteps * {plan.KeyWidth}"), "∂L/∂(attention keys)"));
            if (s.Attention == Attention.Bahdanau) list.Add(new("_dQuery", Inv($"(long)slots * rows * {h}"), "∂L/∂(Bahdanau query) of every step"));
        }
        return list;
    }

    private static List<Buffer> BeamBuffers(Seq2SeqPlan plan)
    {
        var list = new List<Buffer>
        {
            new("_beamScores", "beamRows", "cumulative log-probability of each live hypothesis"),
            new("_candScores", "beamRows", "the best continuations of one batch item, best first"),
            new("_candParents", "beamRows", "hypothesis each continuation extends", IsInt: true),
            new("_candTokens", "beamRows", "token each continuation appends", IsInt: true),
            new("_beamTokens", "(long)beamRows * maxLength", "tokens of each live hypothesis", IsInt: true),
            new("_beamTokensNext", "(long)beamRows * maxLength", "tokens of each live hypothesis after reordering", IsInt: true),
            new("_bestTokens", "(long)batch * maxLength", "tokens of the best finished hypothesis per batch item", IsInt: true),
            new("_bestLengths", "batch", "length of the best finished hypothesis", IsInt: true),
            new("_finishedCounts", "batch", "hypotheses finished per batch item", IsInt: true),
            new("_bestScores", "batch", "normalized score of the best finished hypothesis"),
            new("_reorder", Inv($"(long)beamRows * {plan.H}"), "gathered decoder state rows while reordering"),
        };
        if (plan.HasAttention)
        {
            list.Add(new("_beamAttention", "(long)beamRows * maxLength * sourceSteps", "attention weights of each live hypothesis"));
            list.Add(new("_beamAttentionNext", "(long)beamRows * maxLength * sourceSteps", "attention weights after reordering"));
            list.Add(new("_bestAttention", "(long)batch * maxLength * sourceSteps", "attention weights of the best hypothesis"));
        }
        return list;
    }

    private static void WriteWorkspace(IndentedWriter w, Seq2SeqPlan plan)
    {
        w.Line("// Workspace: each buffer grows to the largest call seen and is reused, so steady-state calls allocate nothing.");
        foreach (Buffer b in Buffers(plan).Concat(TrainingBuffers(plan)).Concat(BeamBuffers(plan)))
            w.Line((b.IsInt ? "private int[] " : "private float[] ") + b.Field + (b.IsInt ? " = global::System.Array.Empty<int>(); // " : " = global::System.Array.Empty<float>(); // ") + b.Doc);
        w.Line("private readonly global::RnnGen.SeededRandom _teacherRandom = new global::RnnGen.SeededRandom(0);");
        w.Line();
        w.Line("// Grows the buffers a call needs: rows = batch × beam, slots = stored decoder steps.");
        using (w.Block("private void EnsureWorkspace(int batch, int rows, int slots, int sourceSteps, bool training, int beamRows, int maxLength)"))
        {
            foreach (Buffer b in Buffers(plan)) w.Line(Inv($"{Grow}(ref {b.Field}, {b.Length});"));
            using (w.Block("if (training)"))
                foreach (Buffer b in TrainingBuffers(plan)) w.Line(Inv($"{(b.When is null ? "" : "if (" + b.When + ") ")}{Grow}(ref {b.Field}, {b.Length});"));
            using (w.Block("if (beamRows > 0)"))
                foreach (Buffer b in BeamBuffers(plan)) w.Line(Inv($"{Grow}(ref {b.Field}, {b.Length});"));
        }
        w.Line();
    }

    // ───────────────────────────── encoder ─────────────────────────────

    private static void WriteEncode(IndentedWriter w, Seq2SeqPlan plan)
    {
        var s = plan.Spec;
        int e = plan.E;
        w.Line("// Checks a batch of source sequences and returns its padded step count.");
        using (w.Block(Inv($"private static int CheckSource({RoInts} source, {RoInts} sourceLengths)")))
        {
            w.Line(Inv($"int sourceSteps = {Args}.CheckBatch(sourceLengths, source.Length, 1, \"source\");"));
            w.Line(Inv($"{Args}.CheckTokens(source, sourceLengths, sourceSteps, SourceVocabularySize);"));
            w.Line("return sourceSteps;");
        }
        w.Line();
        w.Line("// Encoder forward (the nested network), then the attention keys of every source position at once.");
        using (w.Block(Inv($"private void Encode({RoInts} source, {RoInts} sourceLengths, int sourceSteps, bool training)")))
        {
            w.Line("int batch = sourceLengths.Length;");
            w.Line("sourceLengths.CopyTo(_sourceLengths);");
            w.Line(Inv($"{Span} memory = _memory.AsSpan(0, batch * sourceSteps * {e});"));
            w.Line(Inv($"{Span} finalHidden = _finalHidden.AsSpan(0, {s.Encoder.Layers * plan.Encoder.Directions} * batch * {s.Encoder.HiddenSize});"));
            string cell = plan.IdentityBridge && plan.IsLstm ? Inv($", finalCell: _finalCell.AsSpan(0, {s.Encoder.Layers * plan.Encoder.Directions} * batch * {s.Encoder.HiddenSize})") : "";
            w.Line("if (training) _encoder.ForwardTraining(source, sourceLengths, memory, finalHidden: finalHidden" + cell + ");");
            w.Line("else _encoder.Forward(source, sourceLengths, memory, finalHidden: finalHidden" + cell + ");");
            if (plan.KeyWidth > 0)
            {
                TensorPlan wk = s.Attention == Attention.LuongGeneral ? plan.AttentionWeight! : plan.KeyWeight!;
                w.Line(Inv($"// Keys: {wk.Key} · h_i for every source position (padded rows are zero and stay masked)."));
                w.Line(Inv($"{K}Gemm.ABt(_keys.AsSpan(0, batch * sourceSteps * {plan.KeyWidth}), memory, {P(wk)}, batch * sourceSteps, {plan.KeyWidth}, {e}, accumulate: false);"));
            }
        }
        w.Line();
    }

    private static void WriteBridge(IndentedWriter w, Seq2SeqPlan plan)
    {
        var s = plan.Spec;
        int h = plan.H, e = plan.E, he = s.Encoder.HiddenSize, dirs = plan.Encoder.Directions;
        w.Line("// Decoder initial state of every row (row r belongs to batch item r / beam) from the encoder's final states.");
        using (w.Block("private void InitializeDecoder(int batch, int beam)"))
        {
            w.Line("int rows = batch * beam;");
            for (int k = 0; k < s.DecoderLayers; k++)
            {
                int j = plan.EncoderLayerFor(k);
                if (plan.IdentityBridge)
                {
                    w.Line(Inv($"// Layer {k}: copy of encoder layer {j}'s final state."));
                    using (w.Block("for (int r = 0; r < rows; r++)"))
                    {
                        w.Line(Inv($"_finalHidden.AsSpan(({j} * batch + r / beam) * {he}, {h}).CopyTo(_h{k}.AsSpan(r * {h}, {h}));"));
                        if (plan.IsLstm) w.Line(Inv($"_finalCell.AsSpan(({j} * batch + r / beam) * {he}, {h}).CopyTo(_c{k}.AsSpan(r * {h}, {h}));"));
                    }
                }
                else
                {
                    int bo = plan.BridgeOut;
                    w.Line(Inv($"// Layer {k}: tanh({plan.BridgeWeights[k].Key} · [final states of encoder layer {j}] + {plan.BridgeBiases[k].Key})."));
                    w.Line(Inv($"{Span} bridgeIn{k} = _bridgeIn.AsSpan({k} * batch * {e}, batch * {e});"));
                    w.Line(Inv($"{Span} bridgeOut{k} = _bridgeOut.AsSpan({k} * batch * {bo}, batch * {bo});"));
                    using (w.Block("for (int b = 0; b < batch; b++)"))
                    {
                        for (int d = 0; d < dirs; d++)
                            w.Line(Inv($"_finalHidden.AsSpan(({j * dirs + d} * batch + b) * {he}, {he}).CopyTo(bridgeIn{k}.Slice(b * {e} + {d * he}, {he}));"));
                    }
                    w.Line(Inv($"{K}Rows.SetBias(bridgeOut{k}, {P(plan.BridgeBiases[k])}, batch);"));
                    w.Line(Inv($"{K}Gemm.ABt(bridgeOut{k}, bridgeIn{k}, {P(plan.BridgeWeights[k])}, batch, {bo}, {e}, accumulate: true);"));
                    w.Line(Inv($"{TP}.Tanh(bridgeOut{k}, bridgeOut{k});"));
                    using (w.Block("for (int r = 0; r < rows; r++)"))
                    {
                        w.Line(Inv($"bridgeOut{k}.Slice((r / beam) * {bo}, {h}).CopyTo(_h{k}.AsSpan(r * {h}, {h}));"));
                        if (plan.IsLstm) w.Line(Inv($"bridgeOut{k}.Slice((r / beam) * {bo} + {h}, {h}).CopyTo(_c{k}.AsSpan(r * {h}, {h}));"));
                    }
                }
            }
            if (plan.HasAttention) w.Line(Inv($"_feed.AsSpan(0, rows * {h}).Clear(); // h̃ before the first step"));
        }
        w.Line();
    }

    // ───────────────────────────── decoder step ─────────────────────────────

    private static void WriteStep(IndentedWriter w, Seq2SeqPlan plan)
    {
        var s = plan.Spec;
        int h = plan.H, gh = plan.GH, e = plan.E, v = plan.V, in0 = plan.Layer0Input, ie = s.DecoderInputSize;
        w.Line("/// <summary>");
        w.Line("/// One decoder step for <paramref name=\"rows\"/> rows (row r attends to batch item r / beam): reads the fed tokens");
        w.Line("/// at _prevTokens[slot], advances the running state, and stores inputs, states, attention and log-probabilities in");
        w.Line("/// slot <paramref name=\"slot\"/> (backward reads them). With <paramref name=\"training\"/>, the decoder's dropout");
        w.Line("/// masks of the step are drawn and kept in that slot too.");
        w.Line("/// </summary>");
        using (w.Block("private void DecoderStep(int slot, int rows, int beam, int sourceSteps, bool training)"))
        {
            w.Line("bool dropInput = training && _decoderInputDropped;");
            if (s.DecoderLayers > 1) w.Line("bool dropLayers = training && _decoderLayersDropped;");
            w.Line(Inv($"{RoInts} fed = _prevTokens.AsSpan(slot * rows, rows);"));
            w.Line(Inv($"{Span} x0 = _x0.AsSpan(slot * rows * {in0}, rows * {in0});"));
            w.Line("// Layer-0 input: embedding of the fed token" + (plan.HasAttention ? ", then the previous attentional state (input feeding)." : "."));
            using (w.Block("for (int r = 0; r < rows; r++)"))
            {
                w.Line(Inv($"new {RoSpan}(Parameters, {plan.Embedding.Offset} + fed[r] * {ie}, {ie}).CopyTo(x0.Slice(r * {in0}, {ie}));"));
                w.Line(Inv($"if (dropInput) {K}Dropout.Forward(x0.Slice(r * {in0}, {ie}), _decoderInputMask.AsSpan((slot * rows + r) * {ie}, {ie}), _decoderInputDropout, _decoderDropoutRandom);"));
                if (plan.HasAttention) w.Line(Inv($"_feed.AsSpan(r * {h}, {h}).CopyTo(x0.Slice(r * {in0} + {ie}, {h}));"));
            }
            w.Line(Inv($"{Span} xProj = _xProj.AsSpan(0, rows * {gh}), hProj = _hProj.AsSpan(0, rows * {gh});"));
            foreach (LayerPlan layer in plan.DecoderLayers)
            {
                int k = layer.Layer, inW = layer.InputSize;
                string input = k == 0 ? "x0" : "in" + I(k);
                w.Line();
                w.Line(Inv($"// Decoder layer {k}: projections of input and state, then the fused {plan.CellName} update per row."));
                if (k > 0)
                {
                    w.Line(Inv($"{RoSpan} in{k} = _out{k - 1}.AsSpan(slot * rows * {h}, rows * {h});"));
                    using (w.Block("if (dropLayers)"))
                    {
                        w.Line(Inv($"// A dropped copy, for every cell: layer {k - 1}'s own output stays as it is (an Elman cell's backward reads it)."));
                        w.Line(Inv($"{Span} dropped = _layerIn{k}.AsSpan(slot * rows * {h}, rows * {h});"));
                        w.Line(Inv($"in{k}.CopyTo(dropped);"));
                        w.Line(Inv($"{K}Dropout.Forward(dropped, _layerMask{k}.AsSpan(slot * rows * {h}, rows * {h}), _decoderLayerDropout, _decoderDropoutRandom);"));
                        w.Line(Inv($"in{k} = dropped;"));
                    }
                }
                w.Line(Inv($"{K}Gemm.ABt(xProj, {input}, {P(layer.WeightIh)}, rows, {gh}, {inW}, accumulate: false);"));
                w.Line(Inv($"{K}Rows.AddBias(xProj, {P(layer.BiasIh)}, rows);"));
                w.Line(Inv($"{Span} h{k} = _h{k}.AsSpan(0, rows * {h});"));
                w.Line(Inv($"{K}Rows.SetBias(hProj, {P(layer.BiasHh)}, rows);"));
                w.Line(Inv($"{K}Gemm.ABt(hProj, h{k}, {P(layer.WeightHh)}, rows, {gh}, {h}, accumulate: true);"));
                w.Line(Inv($"h{k}.CopyTo(_hPrev{k}.AsSpan(slot * rows * {h}, rows * {h}));"));
                if (plan.IsLstm)
                {
                    w.Line(Inv($"{Span} c{k} = _c{k}.AsSpan(0, rows * {h});"));
                    w.Line(Inv($"c{k}.CopyTo(_cellPrev{k}.AsSpan(slot * rows * {h}, rows * {h}));"));
                }
                w.Line(Inv($"{Span} gates{k} = _gates{k}.AsSpan(slot * rows * {gh}, rows * {gh});"));
                using (w.Block("for (int r = 0; r < rows; r++)"))
                {
                    w.Line(Inv($"{Span} hr = h{k}.Slice(r * {h}, {h});"));
                    if (plan.IsLstm)
                    {
                        w.Line(Inv($"{Span} cr = c{k}.Slice(r * {h}, {h});"));
                        w.Line(Inv($"{K}LstmCell.Forward(hr, cr, gates{k}.Slice(r * {gh}, {gh}), xProj.Slice(r * {gh}, {gh}), hProj.Slice(r * {gh}, {gh}), cr);"));
                    }
                    else if (plan.IsGru)
                        w.Line(Inv($"{K}GruCell.Forward(hr, gates{k}.Slice(r * {gh}, {gh}), _hn{k}.AsSpan((slot * rows + r) * {h}, {h}), xProj.Slice(r * {gh}, {gh}), hProj.Slice(r * {gh}, {gh}), hr);"));
                    else
                        w.Line(Inv($"{K}RnnCell.Forward(hr, xProj.Slice(r * {gh}, {gh}), hProj.Slice(r * {gh}, {gh}), relu: false);"));
                }
                if (plan.IsLstm) w.Line(Inv($"c{k}.CopyTo(_cell{k}.AsSpan(slot * rows * {h}, rows * {h}));"));
                w.Line(Inv($"h{k}.CopyTo(_out{k}.AsSpan(slot * rows * {h}, rows * {h}));"));
            }
            int top = s.DecoderLayers - 1;
            w.Line();
            w.Line(Inv($"{RoSpan} top = _out{top}.AsSpan(slot * rows * {h}, rows * {h});"));
            string outIn = "top";
            if (plan.HasAttention)
            {
                w.Line("// Attention over the real source positions of each row's batch item; padded positions get weight 0.");
                if (s.Attention == Attention.Bahdanau)
                {
                    w.Line(Inv($"{Span} query = _query.AsSpan(slot * rows * {h}, rows * {h});"));
                    w.Line(Inv($"{K}Gemm.ABt(query, top, {P(plan.QueryWeight!)}, rows, {h}, {h}, accumulate: false);"));
                }
                w.Line(Inv($"{Span} combineIn = _combineIn.AsSpan(slot * rows * {e + h}, rows * {e + h});"));
                using (w.Block("for (int r = 0; r < rows; r++)"))
                {
                    w.Line("int b = r / beam, length = _sourceLengths[b];");
                    w.Line(Inv($"{Span} alpha = _alpha.AsSpan((slot * rows + r) * sourceSteps, sourceSteps);"));
                    w.Line(Inv($"{RoSpan} memory = _memory.AsSpan(b * sourceSteps * {e}, sourceSteps * {e});"));
                    w.Line(s.Attention switch
                    {
                        Attention.LuongDot => Inv($"{K}Attention.DotScores(alpha, top.Slice(r * {h}, {h}), memory, length);"),
                        Attention.LuongGeneral => Inv($"{K}Attention.DotScores(alpha, top.Slice(r * {h}, {h}), _keys.AsSpan(b * sourceSteps * {h}, sourceSteps * {h}), length);"),
                        _ => Inv($"{K}Attention.AdditiveScores(alpha, _scratch.AsSpan(0, {h}), query.Slice(r * {h}, {h}), _keys.AsSpan(b * sourceSteps * {h}, sourceSteps * {h}), {P(plan.ScoreVector!)}, length);"),
                    });
                    w.Line(Inv($"{K}Attention.MaskedSoftmax(alpha, length);"));
                    w.Line(Inv($"{K}Attention.Context(combineIn.Slice(r * {e + h}, {e}), alpha, memory, length);"));
                    w.Line(Inv($"top.Slice(r * {h}, {h}).CopyTo(combineIn.Slice(r * {e + h} + {e}, {h}));"));
                }
                w.Line("// Attentional state h̃ = tanh(W_c·[context; s] + b_c), also fed to the next step.");
                w.Line(Inv($"{Span} attnHidden = _attnHidden.AsSpan(slot * rows * {h}, rows * {h});"));
                w.Line(Inv($"{K}Rows.SetBias(attnHidden, {P(plan.CombineBias!)}, rows);"));
                w.Line(Inv($"{K}Gemm.ABt(attnHidden, combineIn, {P(plan.CombineWeight!)}, rows, {h}, {e + h}, accumulate: true);"));
                w.Line(Inv($"{TP}.Tanh(attnHidden, attnHidden);"));
                w.Line(Inv($"attnHidden.CopyTo(_feed);"));
                outIn = "attnHidden";
            }
            w.Line("// Output projection and log-softmax per row.");
            w.Line(Inv($"{Span} logProbs = _logProbs.AsSpan(slot * rows * {v}, rows * {v});"));
            w.Line(Inv($"{K}Rows.SetBias(logProbs, {P(plan.OutBias)}, rows);"));
            w.Line(Inv($"{K}Gemm.ABt(logProbs, {outIn}, {P(plan.OutWeight)}, rows, {v}, {h}, accumulate: true);"));
            using (w.Block("for (int r = 0; r < rows; r++)"))
                w.Line(Inv($"{K}Rows.LogSoftmax(logProbs.Slice(r * {v}, {v}), logProbs.Slice(r * {v}, {v}));"));
        }
        w.Line();
    }

    // ───────────────────────────── training ─────────────────────────────

    private static void WriteTeacherForced(IndentedWriter w, Seq2SeqPlan plan)
    {
        int v = plan.V;
        w.Line("/// <summary>");
        w.Line("/// Runs the decoder over every target step of a batch (rows = batch), feeding StartToken first and then");
        w.Line("/// the previous target token, or with probability 1 − teacherForcingRatio the model's own previous argmax.");
        w.Line("/// Writes each row's summed log-probability of its target to <paramref name=\"rowScores\"/> when given and");
        w.Line("/// ∂(summed NLL)/∂logits to _dLogits when <paramref name=\"gradient\"/>.");
        w.Line("/// </summary>");
        using (w.Block(Inv($"private global::RnnGen.Training.LossSum DecodeTeacherForced({RoInts} target, {RoInts} targetLengths, int targetSteps, int sourceSteps, float teacherForcingRatio, ulong seed, bool gradient, {Span} rowScores)")))
        {
            w.Line("int batch = targetLengths.Length;");
            w.Line("InitializeDecoder(batch, 1);");
            w.Line("// Training draws the decoder's dropout masks (the workspace grew their buffers for these settings).");
            w.Line("_decoderInputDropped = gradient && _decoderInputDropout > 0f;");
            if (plan.Spec.DecoderLayers > 1) w.Line("_decoderLayersDropped = gradient && _decoderLayerDropout > 0f;");
            w.Line("bool sample = teacherForcingRatio < 1f;");
            w.Line("if (sample) _teacherRandom.Reset(seed);");
            using (w.Block("for (int t = 0; t < targetSteps; t++)"))
            {
                w.Line(Inv($"{Ints} fed = _prevTokens.AsSpan(t * batch, batch);"));
                using (w.Block("for (int b = 0; b < batch; b++)"))
                {
                    w.Line("if (t == 0) { fed[b] = StartToken; continue; }");
                    w.Line("bool teacher = !sample || _teacherRandom.NextSingle() < teacherForcingRatio;");
                    w.Line("if (teacher) fed[b] = t - 1 < targetLengths[b] ? target[b * targetSteps + t - 1] : EndToken;");
                    w.Line(Inv($"else fed[b] = {TP}.IndexOfMax(_logProbs.AsSpan(((t - 1) * batch + b) * {v}, {v}));"));
                }
                w.Line("DecoderStep(t, batch, 1, sourceSteps, training: gradient);");
            }
            w.Line();
            w.Line("// Loss over the target tokens up to each row's length (its end token included); nothing after.");
            w.Line("double sum = 0;");
            w.Line("int count = 0;");
            w.Line(Inv($"if (gradient) _dLogits.AsSpan(0, targetSteps * batch * {v}).Clear();"));
            using (w.Block("for (int b = 0; b < batch; b++)"))
            {
                w.Line("double row = 0;");
                using (w.Block("for (int t = 0; t < targetLengths[b]; t++)"))
                {
                    w.Line(Inv($"int offset = (t * batch + b) * {v}, y = target[b * targetSteps + t];"));
                    w.Line("row += _logProbs[offset + y];");
                    using (w.Block("if (gradient)"))
                    {
                        w.Line(Inv($"// ∂(−log p_y)/∂logits = softmax − onehot(y)."));
                        w.Line(Inv($"{Span} d = _dLogits.AsSpan(offset, {v});"));
                        w.Line(Inv($"{TP}.Exp(_logProbs.AsSpan(offset, {v}), d);"));
                        w.Line("d[y] -= 1f;");
                    }
                }
                w.Line("if (!rowScores.IsEmpty) rowScores[b] = (float)row;");
                w.Line("sum -= row;");
                w.Line("count += targetLengths[b];");
            }
            w.Line("return new global::RnnGen.Training.LossSum(sum, count);");
        }
        w.Line();
    }

    private static void WriteBackward(IndentedWriter w, Seq2SeqPlan plan)
    {
        var s = plan.Spec;
        int h = plan.H, gh = plan.GH, e = plan.E, v = plan.V, in0 = plan.Layer0Input, ie = s.DecoderInputSize, he = s.Encoder.HiddenSize;
        int top = s.DecoderLayers - 1, dirs = plan.Encoder.Directions;
        int encStates = s.Encoder.Layers * dirs;
        w.Line("/// <summary>");
        w.Line("/// Backpropagation from _dLogits through the decoder steps (in reverse), attention, bridge and encoder;");
        w.Line("/// adds every parameter's gradient to Gradients.");
        w.Line("/// </summary>");
        using (w.Block("private void Backward(int batch, int targetSteps, int sourceSteps)"))
        {
            w.Line("int rows = batch, n = targetSteps * batch;");
            w.Line("// The masks the training decode before this drew.");
            w.Line("bool dropInput = _decoderInputDropped;");
            if (s.DecoderLayers > 1) w.Line("bool dropLayers = _decoderLayersDropped;");
            string outIn = plan.HasAttention ? Inv($"_attnHidden.AsSpan(0, n * {h})") : Inv($"_out{top}.AsSpan(0, n * {h})");
            w.Line("// Output projection for all steps at once: ∂L/∂input = dLogits · W, weight gradient dLogitsᵀ · input.");
            w.Line(Inv($"{RoSpan} dLogits = _dLogits.AsSpan(0, n * {v});"));
            w.Line(Inv($"{Span} dOutIn = _dOutIn.AsSpan(0, n * {h});"));
            w.Line(Inv($"{K}Gemm.AB(dOutIn, dLogits, {P(plan.OutWeight)}, n, {h}, {v}, accumulate: false);"));
            w.Line(Inv($"{K}Gemm.AtB({G(plan.OutWeight)}, dLogits, {outIn}, {v}, {h}, n, accumulate: true);"));
            w.Line(Inv($"{K}Rows.AccumulateColumnSums({G(plan.OutBias)}, dLogits, n);"));
            w.Line();
            w.Line("// Gradients flowing back through the steps start at zero after the last step.");
            for (int k = 0; k < s.DecoderLayers; k++)
            {
                w.Line(Inv($"_dh{k}.AsSpan(0, rows * {h}).Clear();"));
                if (plan.IsLstm) w.Line(Inv($"_dc{k}.AsSpan(0, rows * {h}).Clear();"));
            }
            w.Line(Inv($"{Span} dMemory = _dMemory.AsSpan(0, batch * sourceSteps * {e});"));
            w.Line("dMemory.Clear();");
            if (plan.HasAttention)
            {
                w.Line(Inv($"_dFeed.AsSpan(0, rows * {h}).Clear();"));
                if (plan.KeyWidth > 0) w.Line(Inv($"_dKeys.AsSpan(0, batch * sourceSteps * {h}).Clear();"));
                if (s.Attention == Attention.Bahdanau) w.Line(Inv($"_dQuery.AsSpan(0, n * {h}).Clear();"));
            }
            w.Line(Inv($"{Span} dTop = _dTop.AsSpan(0, rows * {h});"));
            using (w.Block("for (int t = targetSteps - 1; t >= 0; t--)"))
            {
                if (plan.HasAttention)
                {
                    w.Line("// Attentional state: dPre = (∂L/∂h̃ from the output + from the next step's input) ⊙ (1 − h̃²).");
                    w.Line(Inv($"{Span} dPre = _dPre.AsSpan(t * rows * {h}, rows * {h});"));
                    w.Line(Inv($"{RoSpan} attnHidden = _attnHidden.AsSpan(t * rows * {h}, rows * {h});"));
                    w.Line(Inv($"{TP}.Add(dOutIn.Slice(t * rows * {h}, rows * {h}), _dFeed.AsSpan(0, rows * {h}), dPre);"));
                    w.Line(Inv($"for (int i = 0; i < dPre.Length; i++) dPre[i] *= 1f - attnHidden[i] * attnHidden[i];"));
                    w.Line(Inv($"{Span} dCombine = _dCombineIn.AsSpan(0, rows * {e + h});"));
                    w.Line(Inv($"{K}Gemm.AB(dCombine, dPre, {P(plan.CombineWeight!)}, rows, {e + h}, {h}, accumulate: false);"));
                    w.Line(Inv($"{RoSpan} top = _out{top}.AsSpan(t * rows * {h}, rows * {h});"));
                    if (s.Attention == Attention.Bahdanau)
                    {
                        w.Line(Inv($"{Span} dQuery = _dQuery.AsSpan(t * rows * {h}, rows * {h});"));
                        w.Line(Inv($"{RoSpan} query = _query.AsSpan(t * rows * {h}, rows * {h});"));
                    }
                    w.Line("// Through context, softmax and score to the decoder state, the memory and the keys.");
                    using (w.Block("for (int r = 0; r < rows; r++)"))
                    {
                        w.Line("int b = r, length = _sourceLengths[b];");
                        w.Line(Inv($"{RoSpan} alpha = _alpha.AsSpan((t * rows + r) * sourceSteps, sourceSteps);"));
                        w.Line(Inv($"{RoSpan} memory = _memory.AsSpan(b * sourceSteps * {e}, sourceSteps * {e});"));
                        w.Line(Inv($"{Span} dMem = dMemory.Slice(b * sourceSteps * {e}, sourceSteps * {e});"));
                        w.Line(Inv($"{Span} dScores = _scratch.AsSpan({2 * h}, sourceSteps);"));
                        w.Line(Inv($"{Span} dTopRow = dTop.Slice(r * {h}, {h});"));
                        w.Line(Inv($"dCombine.Slice(r * {e + h} + {e}, {h}).CopyTo(dTopRow);"));
                        w.Line(Inv($"{K}Attention.ContextBackward(dScores, dMem, dCombine.Slice(r * {e + h}, {e}), alpha, memory, length);"));
                        w.Line(Inv($"{K}Attention.MaskedSoftmaxBackward(dScores, dScores, alpha, length);"));
                        w.Line(s.Attention switch
                        {
                            Attention.LuongDot => Inv($"{K}Attention.DotScoresBackward(dTopRow, dMem, dScores, top.Slice(r * {h}, {h}), memory, length);"),
                            Attention.LuongGeneral => Inv($"{K}Attention.DotScoresBackward(dTopRow, _dKeys.AsSpan(b * sourceSteps * {h}, sourceSteps * {h}), dScores, top.Slice(r * {h}, {h}), _keys.AsSpan(b * sourceSteps * {h}, sourceSteps * {h}), length);"),
                            _ => Inv($"{K}Attention.AdditiveScoresBackward(dQuery.Slice(r * {h}, {h}), _dKeys.AsSpan(b * sourceSteps * {h}, sourceSteps * {h}), {G(plan.ScoreVector!)}, _scratch.AsSpan(0, {2 * h}), dScores, query.Slice(r * {h}, {h}), _keys.AsSpan(b * sourceSteps * {h}, sourceSteps * {h}), {P(plan.ScoreVector!)}, length);"),
                        });
                    }
                    if (s.Attention == Attention.Bahdanau)
                        w.Line(Inv($"{K}Gemm.AB(dTop, dQuery, {P(plan.QueryWeight!)}, rows, {h}, {h}, accumulate: true);"));
                }
                else
                {
                    w.Line(Inv($"dOutIn.Slice(t * rows * {h}, rows * {h}).CopyTo(dTop);"));
                }
                w.Line(Inv($"{TP}.Add(_dh{top}.AsSpan(0, rows * {h}), dTop, _dh{top}.AsSpan(0, rows * {h}));"));
                for (int k = top; k >= 0; k--)
                {
                    LayerPlan layer = plan.DecoderLayers[k];
                    string dHP = plan.IsGru ? Inv($"_dHProj{k}.AsSpan(t * rows * {gh}, rows * {gh})") : "dGates" + I(k);
                    w.Line();
                    w.Line(Inv($"// Decoder layer {k} at step t: through the cell, then to the previous step's state and to this step's input."));
                    w.Line(Inv($"{Span} dGates{k} = _dGates{k}.AsSpan(t * rows * {gh}, rows * {gh});"));
                    w.Line(Inv($"{Span} dh{k} = _dh{k}.AsSpan(0, rows * {h});"));
                    using (w.Block("for (int r = 0; r < rows; r++)"))
                    {
                        w.Line(Inv($"int at = (t * rows + r) * {h};"));
                        if (plan.IsLstm)
                            w.Line(Inv($"{K}LstmCell.Backward(dGates{k}.Slice(r * {gh}, {gh}), _dc{k}.AsSpan(r * {h}, {h}), dh{k}.Slice(r * {h}, {h}), _gates{k}.AsSpan((t * rows + r) * {gh}, {gh}), _cell{k}.AsSpan(at, {h}), _cellPrev{k}.AsSpan(at, {h}));"));
                        else if (plan.IsGru)
                            w.Line(Inv($"{K}GruCell.Backward(dGates{k}.Slice(r * {gh}, {gh}), _dHProj{k}.AsSpan((t * rows + r) * {gh}, {gh}), _dhDirect.AsSpan(r * {h}, {h}), dh{k}.Slice(r * {h}, {h}), _gates{k}.AsSpan((t * rows + r) * {gh}, {gh}), _hn{k}.AsSpan(at, {h}), _hPrev{k}.AsSpan(at, {h}));"));
                        else
                            w.Line(Inv($"{K}RnnCell.Backward(dGates{k}.Slice(r * {gh}, {gh}), dh{k}.Slice(r * {h}, {h}), _out{k}.AsSpan(at, {h}), relu: false);"));
                    }
                    w.Line(Inv($"{K}Gemm.AB(dh{k}, {dHP}, {P(layer.WeightHh)}, rows, {h}, {gh}, accumulate: false);"));
                    if (plan.IsGru) w.Line(Inv($"{TP}.Add(dh{k}, _dhDirect.AsSpan(0, rows * {h}), dh{k});"));
                    if (k > 0)
                    {
                        w.Line(Inv($"// To layer {k - 1}'s output, through the dropout mask of this layer's input when it was drawn."));
                        using (w.Block("if (dropLayers)"))
                        {
                            w.Line(Inv($"{Span} dIn = _dLayerIn.AsSpan(0, rows * {h});"));
                            w.Line(Inv($"{K}Gemm.AB(dIn, dGates{k}, {P(layer.WeightIh)}, rows, {h}, {gh}, accumulate: false);"));
                            w.Line(Inv($"{K}Dropout.Backward(dIn, _layerMask{k}.AsSpan(t * rows * {h}, rows * {h}));"));
                            w.Line(Inv($"{TP}.Add(_dh{k - 1}.AsSpan(0, rows * {h}), dIn, _dh{k - 1}.AsSpan(0, rows * {h}));"));
                        }
                        w.Line(Inv($"else {K}Gemm.AB(_dh{k - 1}.AsSpan(0, rows * {h}), dGates{k}, {P(layer.WeightIh)}, rows, {h}, {gh}, accumulate: true);"));
                    }
                    else
                    {
                        w.Line(Inv($"{Span} dX = _dX.AsSpan(0, rows * {in0});"));
                        w.Line(Inv($"{K}Gemm.AB(dX, dGates0, {P(layer.WeightIh)}, rows, {in0}, {gh}, accumulate: false);"));
                        w.Line("// Embedding rows of the fed tokens" + (plan.HasAttention ? "; the h̃ part goes to the previous step." : "."));
                        using (w.Block("for (int r = 0; r < rows; r++)"))
                        {
                            w.Line(Inv($"if (dropInput) {K}Dropout.Backward(dX.Slice(r * {in0}, {ie}), _decoderInputMask.AsSpan((t * rows + r) * {ie}, {ie}));"));
                            w.Line(Inv($"{Span} dEmbedding = new {Span}(Gradients, {plan.Embedding.Offset} + _prevTokens[t * rows + r] * {ie}, {ie});"));
                            w.Line(Inv($"{TP}.Add(dEmbedding, dX.Slice(r * {in0}, {ie}), dEmbedding);"));
                            if (plan.HasAttention) w.Line(Inv($"dX.Slice(r * {in0} + {ie}, {h}).CopyTo(_dFeed.AsSpan(r * {h}, {h}));"));
                        }
                    }
                }
            }
            w.Line();
            w.Line("// Weight gradients of every decoder layer, one GEMM each over all steps.");
            foreach (LayerPlan layer in plan.DecoderLayers)
            {
                int k = layer.Layer;
                // Layer 0's stored input is the dropped one; a deeper layer's is its dropped copy when dropout acted.
                string x = k == 0 ? Inv($"_x0.AsSpan(0, n * {in0})") : Inv($"(dropLayers ? _layerIn{k} : _out{k - 1}).AsSpan(0, n * {h})");
                string dg = Inv($"_dGates{k}.AsSpan(0, n * {gh})");
                string dhp = plan.IsGru ? Inv($"_dHProj{k}.AsSpan(0, n * {gh})") : dg;
                w.Line(Inv($"{K}Gemm.AtB({G(layer.WeightIh)}, {dg}, {x}, {gh}, {layer.InputSize}, n, accumulate: true);"));
                w.Line(Inv($"{K}Rows.AccumulateColumnSums({G(layer.BiasIh)}, {dg}, n);"));
                w.Line(Inv($"{K}Gemm.AtB({G(layer.WeightHh)}, {dhp}, _hPrev{k}.AsSpan(0, n * {h}), {gh}, {h}, n, accumulate: true);"));
                w.Line(Inv($"{K}Rows.AccumulateColumnSums({G(layer.BiasHh)}, {dhp}, n);"));
            }
            if (plan.HasAttention)
            {
                w.Line("// Attention weights.");
                w.Line(Inv($"{K}Gemm.AtB({G(plan.CombineWeight!)}, _dPre.AsSpan(0, n * {h}), _combineIn.AsSpan(0, n * {e + h}), {h}, {e + h}, n, accumulate: true);"));
                w.Line(Inv($"{K}Rows.AccumulateColumnSums({G(plan.CombineBias!)}, _dPre.AsSpan(0, n * {h}), n);"));
                if (s.Attention == Attention.Bahdanau)
                    w.Line(Inv($"{K}Gemm.AtB({G(plan.QueryWeight!)}, _dQuery.AsSpan(0, n * {h}), _out{top}.AsSpan(0, n * {h}), {h}, {h}, n, accumulate: true);"));
                if (plan.KeyWidth > 0)
                {
                    TensorPlan wk = s.Attention == Attention.LuongGeneral ? plan.AttentionWeight! : plan.KeyWeight!;
                    w.Line(Inv($"{RoSpan} dKeys = _dKeys.AsSpan(0, batch * sourceSteps * {h});"));
                    w.Line(Inv($"{K}Gemm.AtB({G(wk)}, dKeys, _memory.AsSpan(0, batch * sourceSteps * {e}), {h}, {e}, batch * sourceSteps, accumulate: true);"));
                    w.Line(Inv($"{K}Gemm.AB(dMemory, dKeys, {P(wk)}, batch * sourceSteps, {e}, {h}, accumulate: true);"));
                }
            }
            w.Line();
            w.Line("// _dh and _dc now hold ∂L/∂(decoder initial state): back through the bridge to the encoder's final states.");
            w.Line(Inv($"{Span} dFinalHidden = _dFinalHidden.AsSpan(0, {encStates} * batch * {he});"));
            w.Line("dFinalHidden.Clear();");
            if (plan.IdentityBridge && plan.IsLstm)
            {
                w.Line(Inv($"{Span} dFinalCell = _dFinalCell.AsSpan(0, {encStates} * batch * {he});"));
                w.Line("dFinalCell.Clear();");
            }
            for (int k = 0; k < s.DecoderLayers; k++)
            {
                int j = plan.EncoderLayerFor(k);
                if (plan.IdentityBridge)
                {
                    w.Line(Inv($"{TP}.Add(dFinalHidden.Slice({j} * batch * {he}, batch * {he}), _dh{k}.AsSpan(0, batch * {h}), dFinalHidden.Slice({j} * batch * {he}, batch * {he}));"));
                    if (plan.IsLstm)
                        w.Line(Inv($"{TP}.Add(dFinalCell.Slice({j} * batch * {he}, batch * {he}), _dc{k}.AsSpan(0, batch * {h}), dFinalCell.Slice({j} * batch * {he}, batch * {he}));"));
                }
                else
                {
                    int bo = plan.BridgeOut;
                    w.Line(Inv($"{Span} dBridge{k} = _dBridge.AsSpan(0, batch * {bo});"));
                    w.Line(Inv($"{RoSpan} bridgeOut{k} = _bridgeOut.AsSpan({k} * batch * {bo}, batch * {bo});"));
                    using (w.Block("for (int b = 0; b < batch; b++)"))
                    {
                        w.Line(Inv($"_dh{k}.AsSpan(b * {h}, {h}).CopyTo(dBridge{k}.Slice(b * {bo}, {h}));"));
                        if (plan.IsLstm) w.Line(Inv($"_dc{k}.AsSpan(b * {h}, {h}).CopyTo(dBridge{k}.Slice(b * {bo} + {h}, {h}));"));
                    }
                    w.Line(Inv($"for (int i = 0; i < dBridge{k}.Length; i++) dBridge{k}[i] *= 1f - bridgeOut{k}[i] * bridgeOut{k}[i];"));
                    w.Line(Inv($"{K}Gemm.AtB({G(plan.BridgeWeights[k])}, dBridge{k}, _bridgeIn.AsSpan({k} * batch * {e}, batch * {e}), {bo}, {e}, batch, accumulate: true);"));
                    w.Line(Inv($"{K}Rows.AccumulateColumnSums({G(plan.BridgeBiases[k])}, dBridge{k}, batch);"));
                    w.Line(Inv($"{Span} dBridgeIn{k} = _dBridgeIn.AsSpan(0, batch * {e});"));
                    w.Line(Inv($"{K}Gemm.AB(dBridgeIn{k}, dBridge{k}, {P(plan.BridgeWeights[k])}, batch, {e}, {bo}, accumulate: false);"));
                    using (w.Block("for (int b = 0; b < batch; b++)"))
                    {
                        for (int d = 0; d < dirs; d++)
                        {
                            w.Line(Inv($"{Span} dState{d} = dFinalHidden.Slice(({j * dirs + d} * batch + b) * {he}, {he});"));
                            w.Line(Inv($"{TP}.Add(dState{d}, dBridgeIn{k}.Slice(b * {e} + {d * he}, {he}), dState{d});"));
                        }
                    }
                }
            }
            w.Line();
            w.Line("// Encoder: backward through time from ∂L/∂outputs and ∂L/∂final states; its gradients join ours.");
            string cell = plan.IdentityBridge && plan.IsLstm ? ", finalCellGradient: dFinalCell" : "";
            w.Line("_encoder.Backward(dMemory, finalHiddenGradient: dFinalHidden" + cell + ");");
            w.Line(Inv($"{Span} encoderGradients = Gradients.AsSpan(0, EncoderParameterCount);"));
            w.Line(Inv($"{TP}.Add(encoderGradients, _encoder.Gradients, encoderGradients);"));
            w.Line("_encoder.ZeroGradients();");
        }
        w.Line();
    }

    private static void CheckTargetLines(IndentedWriter w)
    {
        w.Line(Inv($"if (targetLengths.Length != batch) throw new global::System.ArgumentException($\"'targetLengths' holds {{targetLengths.Length}} lengths; the source batch has {{batch}}.\", \"targetLengths\");"));
        w.Line(Inv($"int targetSteps = {Args}.CheckBatch(targetLengths, target.Length, 1, \"target\");"));
        w.Line(Inv($"{Args}.CheckTokens(target, targetLengths, targetSteps, TargetVocabularySize);"));
    }

    private static void WritePublicTraining(IndentedWriter w, Seq2SeqPlan plan)
    {
        w.Line("/// <summary>");
        w.Line("/// One training computation on a batch: encoder forward, decoder over the target steps (teacher forcing),");
        w.Line("/// summed negative log-likelihood of the target tokens, and backpropagation through decoder, attention,");
        w.Line("/// bridge and encoder. Adds ∂(summed NLL)/∂parameters to <see cref=\"Gradients\"/> (divide the learning rate");
        w.Line("/// or scale the gradients by 1 / Count for the mean).");
        w.Line("/// </summary>");
        w.Line("/// <param name=\"source\">Source token ids [batch, maxSourceLength], batch-first, padded; padding is ignored.</param>");
        w.Line("/// <param name=\"sourceLengths\">Real length of each source row (1 … maxSourceLength); the batch size is its length.</param>");
        w.Line("/// <param name=\"target\">Target token ids [batch, maxTargetLength]: each row's output tokens ending with EndToken (no StartToken), padded.</param>");
        w.Line("/// <param name=\"targetLengths\">Real length of each target row, its end token included.</param>");
        w.Line("/// <param name=\"teacherForcingRatio\">Probability that a step is fed the previous target token; otherwise, drawn per row and step, it is fed the model's own argmax of the previous step. 1 (the default) is plain teacher forcing and draws nothing.</param>");
        w.Line("/// <param name=\"seed\">Seed of those draws: equal seeds give equal runs.</param>");
        w.Line("/// <returns>The summed loss over the real target tokens and their number.</returns>");
        w.Line("/// <exception cref=\"global::System.ArgumentException\">A span does not match the batch, a length is out of range or a token id is outside its vocabulary; nothing is written.</exception>");
        using (w.Block(Inv($"public global::RnnGen.Training.LossSum ForwardBackward({RoInts} source, {RoInts} sourceLengths, {RoInts} target, {RoInts} targetLengths, float teacherForcingRatio = 1f, ulong seed = 0)")))
        {
            w.Line("int sourceSteps = CheckSource(source, sourceLengths);");
            w.Line("int batch = sourceLengths.Length;");
            CheckTargetLines(w);
            w.Line("if (!(teacherForcingRatio >= 0f && teacherForcingRatio <= 1f)) throw new global::System.ArgumentOutOfRangeException(nameof(teacherForcingRatio), teacherForcingRatio, \"The teacher forcing ratio must be in [0, 1].\");");
            w.Line("EnsureWorkspace(batch, batch, targetSteps, sourceSteps, training: true, 0, 0);");
            w.Line("Encode(source, sourceLengths, sourceSteps, training: true);");
            w.Line("var loss = DecodeTeacherForced(target, targetLengths, targetSteps, sourceSteps, teacherForcingRatio, seed, gradient: true, default);");
            w.Line("Backward(batch, targetSteps, sourceSteps);");
            w.Line("return loss;");
        }
        w.Line();
        w.Line("/// <summary>");
        w.Line("/// The log-probability the model gives each target sequence (teacher forcing: the sum over the row's tokens of");
        w.Line("/// log p(token | source, previous tokens)). Changes no gradient.");
        w.Line("/// </summary>");
        w.Line("/// <param name=\"source\">Source token ids [batch, maxSourceLength], padded.</param>");
        w.Line("/// <param name=\"sourceLengths\">Real length of each source row.</param>");
        w.Line("/// <param name=\"target\">Target token ids [batch, maxTargetLength], padded (a row need not end with EndToken).</param>");
        w.Line("/// <param name=\"targetLengths\">Real length of each target row.</param>");
        w.Line("/// <param name=\"scores\">Receives the log-probability of each row [batch].</param>");
        using (w.Block(Inv($"public void Score({RoInts} source, {RoInts} sourceLengths, {RoInts} target, {RoInts} targetLengths, {Span} scores)")))
        {
            w.Line("int sourceSteps = CheckSource(source, sourceLengths);");
            w.Line("int batch = sourceLengths.Length;");
            CheckTargetLines(w);
            w.Line(Inv($"{Args}.CheckLength(scores.Length, batch, \"scores\", \"[batch]\");"));
            w.Line("EnsureWorkspace(batch, batch, targetSteps, sourceSteps, training: false, 0, 0);");
            w.Line("Encode(source, sourceLengths, sourceSteps, training: false);");
            w.Line("DecodeTeacherForced(target, targetLengths, targetSteps, sourceSteps, 1f, 0, gradient: false, scores);");
        }
        w.Line();
    }

    private static void CheckDecodeLines(IndentedWriter w)
    {
        w.Line("int sourceSteps = CheckSource(source, sourceLengths);");
        w.Line("int batch = sourceLengths.Length;");
        w.Line("global::System.ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxLength);");
        w.Line(Inv($"{Args}.CheckLength(output.Length, (long)batch * maxLength, \"output\", \"[batch, maxLength]\");"));
        w.Line(Inv($"{Args}.CheckLength(outputLengths.Length, batch, \"outputLengths\", \"[batch]\");"));
        w.Line(Inv($"{Args}.CheckOptional(attention.Length, (long)batch * maxLength * sourceSteps, \"attention\", \"[batch, maxLength, maxSourceLength]\");"));
    }

    private static void WriteDecodeParamDocs(IndentedWriter w)
    {
        w.Line("/// <param name=\"source\">Source token ids [batch, maxSourceLength], batch-first, padded; padding is ignored.</param>");
        w.Line("/// <param name=\"sourceLengths\">Real length of each source row; the batch size is its length.</param>");
    }

    private static void WriteGreedy(IndentedWriter w, Seq2SeqPlan plan)
    {
        int v = plan.V;
        w.Line("/// <summary>");
        w.Line("/// Greedy decoding of a batch: each step feeds the previous step's most likely token, until EndToken or");
        w.Line("/// <paramref name=\"maxLength\"/> tokens. Allocates nothing once the workspace has grown to the batch.");
        w.Line("/// </summary>");
        WriteDecodeParamDocs(w);
        w.Line("/// <param name=\"output\">Receives the tokens [batch, maxLength] (the end token included when produced); 0 past each length.</param>");
        w.Line("/// <param name=\"outputLengths\">Receives the number of tokens of each row [batch].</param>");
        w.Line("/// <param name=\"maxLength\">Most tokens per output row.</param>");
        w.Line("/// <param name=\"attention\">Optional: receives the attention weights [batch, maxLength, maxSourceLength] of each produced token (zeros elsewhere, and everywhere without attention).</param>");
        using (w.Block(Inv($"public void Greedy({RoInts} source, {RoInts} sourceLengths, {Ints} output, {Ints} outputLengths, int maxLength, {Span} attention = default)")))
        {
            CheckDecodeLines(w);
            w.Line("EnsureWorkspace(batch, batch, 1, sourceSteps, training: false, 0, 0);");
            w.Line("Encode(source, sourceLengths, sourceSteps, training: false);");
            w.Line("InitializeDecoder(batch, 1);");
            w.Line("output.Clear();");
            w.Line("outputLengths.Clear();");
            w.Line("attention.Clear();");
            w.Line(Inv($"{Ints} fed = _prevTokens.AsSpan(0, batch);"));
            w.Line("fed.Fill(StartToken);");
            w.Line("int running = batch;");
            using (w.Block("for (int t = 0; t < maxLength && running > 0; t++)"))
            {
                w.Line("DecoderStep(0, batch, 1, sourceSteps, training: false);");
                using (w.Block("for (int b = 0; b < batch; b++)"))
                {
                    w.Line("if (outputLengths[b] != t || (t > 0 && output[b * maxLength + t - 1] == EndToken)) continue; // finished earlier");
                    w.Line(Inv($"int token = {TP}.IndexOfMax(_logProbs.AsSpan(b * {v}, {v}));"));
                    w.Line("output[b * maxLength + t] = token;");
                    w.Line("outputLengths[b] = t + 1;");
                    if (plan.HasAttention)
                        w.Line("if (!attention.IsEmpty) _alpha.AsSpan(b * sourceSteps, sourceSteps).CopyTo(attention.Slice((b * maxLength + t) * sourceSteps, sourceSteps));");
                    w.Line("if (token == EndToken) running--;");
                    w.Line("fed[b] = token;");
                }
            }
        }
        w.Line();
    }

    private static void WriteBeamSearch(IndentedWriter w, Seq2SeqPlan plan)
    {
        var s = plan.Spec;
        int v = plan.V, h = plan.H;
        w.Line("/// <summary>Decoder steps the last <see cref=\"BeamSearch\"/> ran (fewer than its maxLength when every item stopped early).</summary>");
        w.Line("public int LastSearchSteps { get; private set; }");
        w.Line();
        w.Line("/// <summary>");
        w.Line("/// Beam search over a batch: every batch item keeps <paramref name=\"beamWidth\"/> live hypotheses. Each step extends");
        w.Line("/// them by every token; the best <paramref name=\"beamWidth\"/> continuations that do not end stay live, and a");
        w.Line("/// continuation by EndToken that scores at least as well as the last of them finishes. A batch item stops when");
        w.Line("/// <paramref name=\"beamWidth\"/> hypotheses have finished, or earlier when no live hypothesis can end with a better");
        w.Line("/// normalized score than the best finished one (exact: log p only falls as tokens are added, and a hypothesis's best");
        w.Line("/// possible normalized score is at the shortest or the longest length it can still reach); at <paramref name=\"maxLength\"/>");
        w.Line("/// the live ones count as finished too. The result is the finished hypothesis with the best normalized score");
        w.Line("/// log p(y | x) / length^lengthPenalty (length counts the tokens, end token included; 0 ranks by log p alone).");
        w.Line("/// Allocates nothing once the workspace has grown to the batch, beam and lengths.");
        w.Line("/// </summary>");
        WriteDecodeParamDocs(w);
        w.Line("/// <param name=\"beamWidth\">Live hypotheses per batch item (1 is greedy decoding).</param>");
        w.Line("/// <param name=\"output\">Receives the tokens [batch, maxLength] (the end token included when produced); 0 past each length.</param>");
        w.Line("/// <param name=\"outputLengths\">Receives the number of tokens of each row [batch].</param>");
        w.Line("/// <param name=\"maxLength\">Most tokens per output row.</param>");
        w.Line("/// <param name=\"lengthPenalty\">Exponent α of the length normalization score / length^α.</param>");
        w.Line("/// <param name=\"attention\">Optional: receives the attention weights [batch, maxLength, maxSourceLength] of the returned sequences (zeros elsewhere, and everywhere without attention).</param>");
        w.Line("/// <param name=\"scores\">Optional: receives the normalized score of each returned sequence [batch].</param>");
        using (w.Block(Inv($"public void BeamSearch({RoInts} source, {RoInts} sourceLengths, int beamWidth, {Ints} output, {Ints} outputLengths, int maxLength, float lengthPenalty = 1f, {Span} attention = default, {Span} scores = default)")))
        {
            CheckDecodeLines(w);
            w.Line("global::System.ArgumentOutOfRangeException.ThrowIfNegativeOrZero(beamWidth);");
            w.Line(Inv($"{Args}.CheckOptional(scores.Length, batch, \"scores\", \"[batch]\");"));
            w.Line("int beam = beamWidth, rows = batch * beam;");
            w.Line("EnsureWorkspace(batch, rows, 1, sourceSteps, training: false, rows, maxLength);");
            w.Line("Encode(source, sourceLengths, sourceSteps, training: false);");
            w.Line("InitializeDecoder(batch, beam);");
            w.Line(plan.HasAttention ? "bool keepAttention = !attention.IsEmpty;" : "const bool keepAttention = false;");
            w.Line(Inv($"{Span} cumulative = _beamScores.AsSpan(0, rows);"));
            w.Line("// Only the first hypothesis of each item is live at the start (the others are copies of it).");
            w.Line("for (int r = 0; r < rows; r++) cumulative[r] = r % beam == 0 ? 0f : float.NegativeInfinity;");
            w.Line(Inv($"{Ints} fed = _prevTokens.AsSpan(0, rows);"));
            w.Line("fed.Fill(StartToken);");
            w.Line("_bestScores.AsSpan(0, batch).Fill(float.NegativeInfinity);");
            w.Line("_bestLengths.AsSpan(0, batch).Clear();");
            w.Line("_finishedCounts.AsSpan(0, batch).Clear();");
            w.Line("int running = batch;");
            w.Line("LastSearchSteps = 0;");
            using (w.Block("for (int t = 0; t < maxLength && running > 0; t++)"))
            {
                w.Line("DecoderStep(0, rows, beam, sourceSteps, training: false);");
                w.Line("LastSearchSteps = t + 1;");
                w.Line(Inv($"{RoSpan} logProbs = _logProbs.AsSpan(0, rows * {v});"));
                w.Line("bool last = t == maxLength - 1;");
                using (w.Block("for (int b = 0; b < batch; b++)"))
                {
                    w.Line(Inv($"{Span} candScores = _candScores.AsSpan(b * beam, beam);"));
                    w.Line(Inv($"{Ints} candParents = _candParents.AsSpan(b * beam, beam), candTokens = _candTokens.AsSpan(b * beam, beam);"));
                    w.Line("int count = 0;");
                    using (w.Block("if (_finishedCounts[b] < beam)"))
                    {
                        w.Line("// The best `beam` continuations that do not end, kept sorted best first.");
                        using (w.Block("for (int p = 0; p < beam; p++)"))
                        {
                            w.Line("float baseScore = cumulative[b * beam + p];");
                            w.Line("if (float.IsNegativeInfinity(baseScore)) continue;");
                            w.Line(Inv($"{RoSpan} row = logProbs.Slice((b * beam + p) * {v}, {v});"));
                            using (w.Block(Inv($"for (int token = 0; token < {v}; token++)")))
                            {
                                w.Line("if (token == EndToken) continue;");
                                w.Line("float score = baseScore + row[token];");
                                w.Line("if (count == beam && !(score > candScores[count - 1])) continue;");
                                w.Line("int at = count < beam ? count++ : beam - 1;");
                                w.Line("while (at > 0 && candScores[at - 1] < score) { candScores[at] = candScores[at - 1]; candParents[at] = candParents[at - 1]; candTokens[at] = candTokens[at - 1]; at--; }");
                                w.Line("candScores[at] = score; candParents[at] = p; candTokens[at] = token;");
                            }
                        }
                        w.Line("// Continuations by the end token that rank among them finish.");
                        w.Line("float threshold = count == beam ? candScores[beam - 1] : float.NegativeInfinity;");
                        using (w.Block("for (int p = 0; p < beam; p++)"))
                        {
                            w.Line("float baseScore = cumulative[b * beam + p];");
                            w.Line("if (float.IsNegativeInfinity(baseScore)) continue;");
                            w.Line(Inv($"float score = baseScore + logProbs[(b * beam + p) * {v} + EndToken];"));
                            w.Line("if (score < threshold) continue;");
                            w.Line("_finishedCounts[b]++;");
                            w.Line("Finish(b, b * beam + p, EndToken, score, t, maxLength, sourceSteps, lengthPenalty, keepAttention);");
                        }
                        w.Line("// At the length limit the live hypotheses finish as they are.");
                        w.Line("if (last) for (int i = 0; i < count; i++) Finish(b, b * beam + candParents[i], candTokens[i], candScores[i], t, maxLength, sourceSteps, lengthPenalty, keepAttention);");
                        w.Line("// Early stop: the best live hypothesis (candScores[0]) can only end at t + 2 … maxLength tokens, with log p ≤ its own.");
                        w.Line("if (!last && count > 0 && _bestScores[b] >= BestReachable(candScores[0], t + 2, maxLength, lengthPenalty)) _finishedCounts[b] = beam;");
                        w.Line("if (count == 0) _finishedCounts[b] = beam; // nothing left to extend");
                        w.Line("if (_finishedCounts[b] >= beam) running--;");
                    }
                    w.Line("for (int i = count; i < beam; i++) { candScores[i] = float.NegativeInfinity; candParents[i] = 0; candTokens[i] = EndToken; }");
                    w.Line("if (_finishedCounts[b] >= beam) candScores.Fill(float.NegativeInfinity);");
                }
                w.Line("if (last || running == 0) break;");
                w.Line();
                w.Line("// Reorder: live hypothesis i of item b continues its parent's state, tokens and attention.");
                using (w.Block("for (int r = 0; r < rows; r++)"))
                {
                    w.Line("int parent = (r / beam) * beam + _candParents[r];");
                    w.Line("_beamTokens.AsSpan(parent * maxLength, t).CopyTo(_beamTokensNext.AsSpan(r * maxLength, t));");
                    w.Line("_beamTokensNext[r * maxLength + t] = _candTokens[r];");
                    if (plan.HasAttention)
                    {
                        using (w.Block("if (keepAttention)"))
                        {
                            w.Line("_beamAttention.AsSpan(parent * maxLength * sourceSteps, t * sourceSteps).CopyTo(_beamAttentionNext.AsSpan(r * maxLength * sourceSteps, t * sourceSteps));");
                            w.Line("_alpha.AsSpan(parent * sourceSteps, sourceSteps).CopyTo(_beamAttentionNext.AsSpan((r * maxLength + t) * sourceSteps, sourceSteps));");
                        }
                    }
                    w.Line("cumulative[r] = _candScores[r];");
                    w.Line("fed[r] = _candTokens[r];");
                }
                w.Line("(_beamTokens, _beamTokensNext) = (_beamTokensNext, _beamTokens);");
                if (plan.HasAttention) w.Line("if (keepAttention) (_beamAttention, _beamAttentionNext) = (_beamAttentionNext, _beamAttention);");
                var states = new List<string>();
                for (int k = 0; k < s.DecoderLayers; k++)
                {
                    states.Add("_h" + k);
                    if (plan.IsLstm) states.Add("_c" + k);
                }
                if (plan.HasAttention) states.Add("_feed");
                foreach (string state in states)
                {
                    w.Line(Inv($"for (int r = 0; r < rows; r++) {state}.AsSpan(((r / beam) * beam + _candParents[r]) * {h}, {h}).CopyTo(_reorder.AsSpan(r * {h}, {h}));"));
                    w.Line(Inv($"_reorder.AsSpan(0, rows * {h}).CopyTo({state});"));
                }
            }
            w.Line();
            w.Line("// The best finished hypothesis of each item.");
            w.Line("output.Clear();");
            w.Line("attention.Clear();");
            using (w.Block("for (int b = 0; b < batch; b++)"))
            {
                w.Line("int length = _bestLengths[b];");
                w.Line("outputLengths[b] = length;");
                w.Line("_bestTokens.AsSpan(b * maxLength, length).CopyTo(output.Slice(b * maxLength, length));");
                w.Line("if (!scores.IsEmpty) scores[b] = _bestScores[b];");
                if (plan.HasAttention)
                    w.Line("if (keepAttention) _bestAttention.AsSpan(b * maxLength * sourceSteps, length * sourceSteps).CopyTo(attention.Slice(b * maxLength * sourceSteps, length * sourceSteps));");
            }
        }
        w.Line();
        w.Line("// A hypothesis of item b finishes: the live row's tokens before step t, then `token` at step t, with log-probability");
        w.Line("// `score`. It replaces the item's best when its normalized score score / length^lengthPenalty is higher.");
        w.Line("// The best normalized score a hypothesis with log p = score can still end with, at shortest … longest tokens:");
        w.Line("// score / length^α with score ≤ 0 is monotone in the length, so the best is at one of the two ends (computed as Finish does).");
        using (w.Block("private static float BestReachable(float score, int shortest, int longest, float lengthPenalty)"))
        {
            w.Line("if (lengthPenalty == 0f) return score;");
            w.Line("return global::System.Math.Max((float)(score / global::System.Math.Pow(shortest, lengthPenalty)), (float)(score / global::System.Math.Pow(longest, lengthPenalty)));");
        }
        w.Line();
        using (w.Block("private void Finish(int b, int row, int token, float score, int t, int maxLength, int sourceSteps, float lengthPenalty, bool keepAttention)"))
        {
            w.Line("int length = t + 1;");
            w.Line("float normalized = lengthPenalty == 0f ? score : (float)(score / global::System.Math.Pow(length, lengthPenalty));");
            w.Line("if (!(normalized > _bestScores[b])) return;");
            w.Line("_bestScores[b] = normalized;");
            w.Line("_bestLengths[b] = length;");
            w.Line("_beamTokens.AsSpan(row * maxLength, t).CopyTo(_bestTokens.AsSpan(b * maxLength, t));");
            w.Line("_bestTokens[b * maxLength + t] = token;");
            if (plan.HasAttention)
            {
                using (w.Block("if (keepAttention)"))
                {
                    w.Line("_beamAttention.AsSpan(row * maxLength * sourceSteps, t * sourceSteps).CopyTo(_bestAttention.AsSpan(b * maxLength * sourceSteps, t * sourceSteps));");
                    w.Line("_alpha.AsSpan(row * sourceSteps, sourceSteps).CopyTo(_bestAttention.AsSpan((b * maxLength + t) * sourceSteps, sourceSteps));");
                }
            }
            else
            {
                w.Line("_ = sourceSteps; _ = keepAttention;");
            }
        }
        w.Line();
    }
}
