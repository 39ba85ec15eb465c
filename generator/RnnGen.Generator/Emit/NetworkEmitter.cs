using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using RnnGen.Generator.Planning;

namespace RnnGen.Generator.Emit;

/// <summary>
/// Emit stage: writes one readable C# file per network. The generated class owns the shape
/// (constants, parameter layout, workspace, time loops); the runtime's kernels do the arithmetic.
/// </summary>
internal static class NetworkEmitter
{
    public const string GeneratorVersion = "0.1.0";
    private const string K = "global::RnnGen.Kernels.";
    private const string Args = "global::RnnGen.NetworkArguments";
    private const string Span = "global::System.Span<float>";
    private const string RoSpan = "global::System.ReadOnlySpan<float>";
    private const string RoInts = "global::System.ReadOnlySpan<int>";

    private static string Inv(FormattableString text) => FormattableString.Invariant(text);

    private static string FullName(NetworkPlan plan) => GeneratedFile.FullName(plan.Spec.Namespace, plan.Spec.ContainingTypes, plan.Spec.ClassName);

    public static string HintName(NetworkPlan plan) => FullName(plan) + ".g.cs";

    public static string Emit(NetworkPlan plan)
        => GeneratedFile.Write(plan.Spec.Namespace, plan.Spec.ContainingTypes, plan.Spec.ClassName, "[RecurrentNetwork] attribute",
            w => WriteClass(w, plan, nested: false));

    /// <summary>
    /// Writes the network class itself. <paramref name="nested"/>: the class is a part of a larger
    /// generated network (the encoder of a sequence-to-sequence network), whose flat parameter array
    /// it shares through an internal constructor.
    /// </summary>
    internal static void WriteClass(IndentedWriter w, NetworkPlan plan, bool nested)
    {
        WriteRemarks(w, plan);
        w.Line(Inv($"[global::System.CodeDom.Compiler.GeneratedCode(\"RnnGen.Generator\", \"{GeneratorVersion}\")]"));
        using (w.Block((nested ? "private sealed " : "") + "partial class " + plan.Spec.ClassName + " : global::RnnGen.IRecurrentNetwork"))
        {
            WriteConstants(w, plan);
            WriteParameters(w, plan, nested);
            WriteWorkspace(w, plan);
            WriteForward(w, plan);
            foreach (LayerPlan layer in plan.RecurrentLayers) WriteLayerForward(w, plan, layer);
            if (!plan.Spec.Bidirectional) WriteStreaming(w, plan);
            WriteBackward(w, plan);
            foreach (LayerPlan layer in plan.RecurrentLayers) WriteLayerBackward(w, plan, layer);
            if (plan.HasHead) WriteLoss(w, plan);
        }
    }

    // ───────────────────────────── sequence layout ─────────────────────────────
    //
    // The one place the declared layout enters the emitted code. The [rows × …] buffers of the
    // workspace hold (sequence b, step t) pairs in the caller's own order, so neither layout is
    // transposed on the way in or out: only the index of a pair differs. Matrix products over all
    // rows (input projection, head, weight gradients) do not care about the order; the time loops
    // pick their rows through Row. Time-major is also the per-step loop's natural order: the rows
    // of one step are next to each other instead of 'steps' rows apart.

    /// <summary>The row of step <paramref name="t"/> of sequence <paramref name="b"/> (C# expressions; needs 'batch' or 'steps' in scope).</summary>
    private static string Row(NetworkPlan plan, string b, string t) => plan.IsTimeMajor ? t + " * batch + " + b : b + " * steps + " + t;

    /// <summary>A sequence tensor's shape for docs and messages: [batch, steps, …] or [steps, batch, …].</summary>
    private static string SequenceShape(NetworkPlan plan, string perStep, string batch = "batch")
        => plan.IsTimeMajor ? "[steps, " + batch + perStep + "]" : "[" + batch + ", steps" + perStep + "]";

    /// <summary>The trailing argument that tells a runtime check the layout (none for the default, batch-first).</summary>
    private static string LayoutArgument(NetworkPlan plan) => plan.IsTimeMajor ? ", global::RnnGen.SequenceLayout.TimeMajor" : "";

    /// <summary>
    /// Inside a loop over sequences b: copies the real steps of sequence b from <paramref name="source"/>
    /// to the same rows of <paramref name="destination"/>, <paramref name="width"/> values a row. They are
    /// one run when batch-first, rows 'batch' apart when time-major.
    /// </summary>
    private static void CopyRealSteps(IndentedWriter w, NetworkPlan plan, string source, string destination, string width)
    {
        if (!plan.IsTimeMajor)
        {
            w.Line(Inv($"{source}.Slice(b * steps * {width}, lengths[b] * {width}).CopyTo({destination}.Slice(b * steps * {width}));"));
            return;
        }
        using (w.Block("for (int t = 0; t < lengths[b]; t++)"))
        {
            w.Line("int row = " + Row(plan, "b", "t") + ";");
            w.Line(Inv($"{source}.Slice(row * {width}, {width}).CopyTo({destination}.Slice(row * {width}, {width}));"));
        }
    }

    private static string LayoutName(NetworkPlan plan) => plan.IsTimeMajor ? "time-major" : "batch-first";

    // ───────────────────────────── description ─────────────────────────────

    private static void WriteRemarks(IndentedWriter w, NetworkPlan plan)
    {
        var s = plan.Spec;
        w.Line("/// <remarks>");
        w.Line(Inv($"/// <para>{plan.CellName} network, {s.Layers} {(s.Layers == 1 ? "layer" : "layers")}, {(s.Bidirectional ? "bidirectional (outputs concatenated [forward; reverse])" : "forward only")}, hidden size {s.HiddenSize}.</para>"));
        w.Line("/// <list type=\"number\">");
        if (plan.HasEmbedding)
            w.Line(Inv($"/// <item>Embedding: token ids in [0, {s.VocabularySize}) → vectors of {s.InputSize}; <c>embedding.weight</c> [{s.VocabularySize}, {s.InputSize}].</item>"));
        else
            w.Line(Inv($"/// <item>Input: {s.InputSize} features per step.</item>"));
        for (int l = 0; l < s.Layers; l++)
        {
            int input = l == 0 ? s.InputSize : plan.LayerOutputSize;
            w.Line(Inv($"/// <item>Layer {l}: {plan.CellName}, {input} → {s.HiddenSize}{(s.Bidirectional ? " per direction" : "")}{(plan.Gates > 1 ? ", gates " + plan.GateNames : "")}; <c>weight_ih_l{l}</c> [{plan.GH}, {input}], <c>weight_hh_l{l}</c> [{plan.GH}, {s.HiddenSize}], <c>bias_ih_l{l}</c>, <c>bias_hh_l{l}</c> [{plan.GH}]{(s.Bidirectional ? ", and the same with suffix <c>_reverse</c>" : "")}.</item>"));
        }
        if (plan.HasHead)
            w.Line(Inv($"/// <item>Head: linear {plan.LayerOutputSize} → {s.OutputSize} and log-softmax per step; <c>head.weight</c> [{s.OutputSize}, {plan.LayerOutputSize}], <c>head.bias</c> [{s.OutputSize}].</item>"));
        w.Line("/// </list>");
        w.Line(plan.IsTimeMajor
            ? "/// <para>Sequence tensors are time-major (<see cref=\"global::RnnGen.SequenceLayout.TimeMajor\"/>): " + LayoutTensors(plan) + ". States are [StateCount, batch, HiddenSize].</para>"
            : "/// <para>Sequence tensors are batch-first (<see cref=\"global::RnnGen.SequenceLayout.BatchFirst\"/>): " + LayoutTensors(plan) + ". States are [StateCount, batch, HiddenSize].</para>");
        w.Line(Inv($"/// <para>{plan.ParameterCount:N0} parameters ({plan.ParameterCount * 4L:N0} bytes); {plan.FlopsPerStep:N0} FLOPs per time step and sequence in the forward pass (matrix products).</para>"));
        w.Line("/// </remarks>");
    }

    private static string LayoutTensors(NetworkPlan plan)
        => (plan.HasEmbedding ? "token ids " + SequenceShape(plan, "") : "inputs " + SequenceShape(plan, ", InputSize"))
            + ", outputs " + SequenceShape(plan, ", StepOutputSize") + (plan.HasHead ? ", per-step targets " + SequenceShape(plan, "") : "")
            + ", and their gradients alike";

    private static void WriteConstants(IndentedWriter w, NetworkPlan plan)
    {
        var s = plan.Spec;
        void Const(string type, string name, string value, string doc)
        {
            w.Line("/// <summary>" + doc + "</summary>");
            w.Line("public const " + type + " " + name + " = " + value + ";");
            w.Line();
        }
        string I(long v) => v.ToString(CultureInfo.InvariantCulture);
        Const("int", "InputSize", I(s.InputSize), plan.HasEmbedding ? "Width of the token embedding (features entering layer 0)." : "Features per time step entering layer 0.");
        Const("int", "HiddenSize", I(s.HiddenSize), "Hidden units per layer and direction.");
        Const("int", "Layers", I(s.Layers), "Stacked recurrent layers.");
        Const("int", "Directions", I(plan.Directions), "1 for forward-only layers, 2 for bidirectional ones.");
        Const("int", "GatesPerCell", I(plan.Gates), plan.Gates > 1 ? "Gate blocks stacked in each weight matrix (" + plan.GateNames + ")." : "Blocks in each weight matrix (an Elman cell has one).");
        if (plan.HasEmbedding) Const("int", "VocabularySize", I(s.VocabularySize), "Token ids are in [0, VocabularySize).");
        if (plan.HasHead) Const("int", "OutputSize", I(s.OutputSize), "Classes of the output head.");
        Const("int", "StepOutputSize", I(plan.StepOutputSize), plan.HasHead ? "Values per step in the output: the head's log-probabilities." : plan.Spec.Bidirectional ? "Values per step in the output: the last layer's hidden states, [forward; reverse]." : "Values per step in the output: the last layer's hidden states.");
        Const("global::RnnGen.SequenceLayout", "Layout", "global::RnnGen.SequenceLayout." + (plan.IsTimeMajor ? "TimeMajor" : "BatchFirst"),
            plan.IsTimeMajor ? "Sequence tensors are time-major: [steps, batch, …]." : "Sequence tensors are batch-first: [batch, steps, …].");
        Const("int", "StateCount", I(s.Layers * plan.Directions), "Hidden states per sequence, one per layer and direction (PyTorch's h_n order).");
        Const("int", "ParameterCount", I(plan.ParameterCount), "Total number of parameters.");
        Const("long", "FlopsPerStep", I(plan.FlopsPerStep), "Multiply-add FLOPs per time step and sequence in the forward pass.");
        Const("string", "ShapeSignature", "\"" + plan.Signature + "\"", "A one-line description of the shape; equal signatures mean identical parameter layouts.");
    }

    // ───────────────────────────── parameters ─────────────────────────────

    private static void WriteParameters(IndentedWriter w, NetworkPlan plan, bool nested)
    {
        string cls = plan.Spec.ClassName;
        w.Line("// Parameter table: PyTorch state_dict keys, shapes and offsets into Parameters/Gradients.");
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
        w.Line("global::RnnGen.SequenceLayout global::RnnGen.IRecurrentNetwork.Layout => Layout;");
        w.Line();
        w.Line("/// <summary>All parameters in one contiguous array, laid out as <see cref=\"TensorTable\"/>.</summary>");
        w.Line("public float[] Parameters { get; }");
        w.Line();
        w.Line("/// <summary>Gradients, same layout as <see cref=\"Parameters\"/>; <see cref=\"Backward\"/> adds to them.</summary>");
        w.Line("public float[] Gradients { get; }");
        w.Line();
        w.Line("/// <summary>Creates the network with PyTorch's default initialization drawn from <paramref name=\"seed\"/>.</summary>");
        w.Line("/// <param name=\"seed\">Seed of the initialization; equal seeds give equal parameters.</param>");
        using (w.Block(Inv($"public {cls}(ulong seed = 0) : this(new float[ParameterCount])")))
            w.Line("ResetParameters(seed);");
        w.Line();
        if (nested) w.Line("/// <summary>An instance over <paramref name=\"sharedParameters\"/> (the enclosing network's array, this network's tensors first), with its own gradients.</summary>");
        using (w.Block(Inv($"{(nested ? "internal" : "private")} {cls}(float[] sharedParameters)")))
        {
            w.Line("Parameters = sharedParameters;");
            w.Line("Gradients = new float[ParameterCount];");
        }
        w.Line();
        w.Line("/// <summary>");
        w.Line("/// A second instance that shares <see cref=\"Parameters\"/> but has its own gradients and workspace,");
        w.Line("/// so that several threads can run forward and backward on different parts of a batch.");
        w.Line("/// </summary>");
        w.Line(Inv($"public {cls} CreateReplica() => new {cls}(Parameters);"));
        w.Line();
        w.Line("/// <summary>Re-initializes every parameter as PyTorch does: recurrent tensors U(−1/√H, 1/√H), embedding N(0, 1), head U(−1/√fan_in, 1/√fan_in).</summary>");
        w.Line("/// <param name=\"seed\">Seed of the initialization.</param>");
        using (w.Block("public void ResetParameters(ulong seed)"))
        {
            w.Line("var random = new global::RnnGen.SeededRandom(seed);");
            w.Line(Inv($"float hiddenBound = 1f / global::System.MathF.Sqrt({plan.H});"));
            foreach (TensorPlan t in plan.Tensors)
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
            if (HasBatchOnePath(plan)) w.Line("if (_frozen is not null) WeightsFrozen = true; // the kept copies hold the old weights: the next call repacks");
        }
        w.Line();
        w.Line("/// <summary>Sets every gradient to zero (call before accumulating a new batch).</summary>");
        w.Line("public void ZeroGradients() => global::System.Array.Clear(Gradients);");
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

    // When a buffer is allocated: always; for training; or for the copies of the caller's spans, which training and an
    // inference call that cannot run in place need (see Run).
    private enum Need { Always, Training, Copies }

    private sealed record Buffer(string Field, string PerRow, bool PerBatchRow, Need Need, string Doc);

    // Inference reads the caller's inputs in place (feature-fed networks) and writes the last layer's hidden states
    // into the caller's output (networks without a head).
    private static bool ReadsCallerInputs(NetworkPlan plan) => !plan.HasEmbedding;

    private static bool WritesCallerOutput(NetworkPlan plan) => !plan.HasHead;

    // Whether inference can work on the caller's spans at all, and so has copies (Need.Copies) to fall back on.
    private static bool HasCopies(NetworkPlan plan) => ReadsCallerInputs(plan) || WritesCallerOutput(plan);

    private static List<Buffer> Buffers(NetworkPlan plan)
    {
        var s = plan.Spec;
        string I(int v) => v.ToString(CultureInfo.InvariantCulture);
        var list = new List<Buffer>
        {
            new("_input", I(s.InputSize), false, ReadsCallerInputs(plan) ? Need.Copies : Need.Always, "layer-0 input [rows × InputSize] (after embedding lookup and dropout)"),
        };
        for (int l = 0; l < s.Layers; l++)
            list.Add(new Buffer("_outputL" + I(l), I(plan.LayerOutputSize), false, l == s.Layers - 1 && WritesCallerOutput(plan) ? Need.Copies : Need.Always, $"output of layer {l} [rows × {plan.LayerOutputSize}]"));
        foreach (LayerPlan layer in plan.RecurrentLayers)
        {
            string sx = layer.Suffix;
            list.Add(new Buffer("_gates" + sx, I(plan.GH), false, Need.Always, $"{layer.Title}: input projection, then gate activations, then (in Backward) their gradients [rows × {plan.GH}]"));
            list.Add(new Buffer("_hPrev" + sx, I(s.HiddenSize), false, Need.Training, $"{layer.Title}: hidden state entering each step"));
            if (plan.IsLstm)
            {
                list.Add(new Buffer("_cell" + sx, I(s.HiddenSize), false, Need.Training, $"{layer.Title}: cell state after each step"));
                list.Add(new Buffer("_cellInitial" + sx, I(s.HiddenSize), true, Need.Training, $"{layer.Title}: cell state entering the first step [batch × H] (later steps read the previous step's in _cell)"));
            }
            if (plan.IsGru) list.Add(new Buffer("_hn" + sx, I(s.HiddenSize), false, Need.Training, plan.IsGruResetFirst ? $"{layer.Title}: r⊙h of each step" : $"{layer.Title}: W_hn·h + b_hn of each step"));
        }
        list.Add(new Buffer("_inputMask", I(s.InputSize), false, Need.Training, "dropout mask of the layer-0 input"));
        for (int l = 0; l + 1 < s.Layers; l++)
            list.Add(new Buffer("_outputMaskL" + I(l), I(plan.LayerOutputSize), false, Need.Training, $"dropout mask applied to layer {l}'s output"));
        list.Add(new Buffer("_h", I(s.HiddenSize), true, Need.Always, "running hidden state [batch × H]"));
        if (plan.IsLstm) list.Add(new Buffer("_c", I(s.HiddenSize), true, Need.Always, "running cell state [batch × H]"));
        list.Add(new Buffer("_hProj", I(plan.GH), true, Need.Always, "recurrent projection of one step [batch × G·H]"));
        if (plan.IsGruResetFirst) list.Add(new Buffer("_rh", I(s.HiddenSize), true, Need.Always, "r⊙h of one step [batch × H]"));
        if (plan.HasHead) list.Add(new Buffer("_logProbs", I(s.OutputSize), false, Need.Always, "head log-probabilities [rows × OutputSize]"));
        int widestInput = Math.Max(s.InputSize, plan.LayerOutputSize);
        list.Add(new Buffer("_dOutput", I(plan.LayerOutputSize), false, Need.Training, "∂L/∂(current layer's output)"));
        list.Add(new Buffer("_dInput", I(widestInput), false, Need.Training, "∂L/∂(current layer's input)"));
        if (plan.IsGru) list.Add(new Buffer("_dHProj", I(plan.GH), false, Need.Training, "∂L/∂(recurrent projection) of every step"));
        if (plan.HasHead) list.Add(new Buffer("_dLogits", I(s.OutputSize), false, Need.Training, "∂L/∂(head logits)"));
        list.Add(new Buffer("_dh", I(s.HiddenSize), true, Need.Training, "∂L/∂h flowing back through time [batch × H]"));
        if (plan.IsLstm) list.Add(new Buffer("_dc", I(s.HiddenSize), true, Need.Training, "∂L/∂c flowing back through time [batch × H]"));
        if (plan.IsGru) list.Add(new Buffer("_dhDirect", I(s.HiddenSize), true, Need.Training, "z⊙∂L/∂h, the part of ∂L/∂h_{t−1} that bypasses W_hh"));
        list.Add(new Buffer("_dStep", I(plan.GH), true, Need.Training, "∂L/∂(recurrent projection) of one step [batch × G·H]"));
        list.Add(new Buffer("_dhPrev", I(s.HiddenSize), true, Need.Training, "∂L/∂h_{t−1} of one step [batch × H]"));
        return list;
    }

    private static void WriteWorkspace(IndentedWriter w, NetworkPlan plan)
    {
        var buffers = Buffers(plan);
        w.Line("// Workspace: each buffer grows to the largest size a call has needed, then is reused, so steady-state calls allocate nothing.");
        w.Line("// Rows of the [rows × …] buffers are (sequence b, step t) pairs in the " + LayoutName(plan) + " order of the arguments: row = " + Row(plan, "b", "t") + ".");
        foreach (Buffer b in buffers)
            w.Line("private float[] " + b.Field + " = global::System.Array.Empty<float>(); // " + b.Doc);
        w.Line("private int[] _lengths = global::System.Array.Empty<int>();");
        w.Line(Inv($"// W_hh packed once per pass for the per-step product (forward: W_hhᵀ, backward: W_hh)."));
        w.Line(Inv($"private readonly float[] _packedWeight = new float[global::System.Math.Max({K}Gemm.PackedLength({plan.GH}, {plan.H}), {K}Gemm.PackedLength({plan.H}, {plan.GH}))];"));
        if (plan.HasEmbedding) w.Line("private int[] _tokens = global::System.Array.Empty<int>();");
        w.Line("private readonly global::RnnGen.Kernels.RecurrentRunner _recurrent = new(); // batch-1 inference time loops, on one or two threads");
        if (HasBatchOnePath(plan)) w.Line("private global::RnnGen.Kernels.PackedWeights[]? _frozen; // per layer direction (state index) while WeightsFrozen: the runner's packed weights, kept between calls");
        w.Line("private int _batch, _steps;");
        w.Line("private bool _hasTrainingState, _inputDropped;");
        if (plan.Spec.Layers > 1) w.Line("private bool _layerDropped;");
        w.Line("private float _inputDropout, _layerDropout;");
        w.Line("private global::RnnGen.SeededRandom _dropoutRandom = new global::RnnGen.SeededRandom(0x5EED);");
        w.Line();
        w.Line("/// <summary>Dropout probability on the layer-0 input (the embedding output) during <see cref=\"ForwardTraining\"/>; 0 turns it off.</summary>");
        w.Line("public float InputDropout { get => _inputDropout; set => _inputDropout = " + Args + ".CheckDropout(value, nameof(InputDropout)); }");
        w.Line();
        w.Line("/// <summary>Dropout probability between stacked layers during <see cref=\"ForwardTraining\"/>; 0 turns it off.</summary>");
        w.Line("public float LayerDropout { get => _layerDropout; set => _layerDropout = " + Args + ".CheckDropout(value, nameof(LayerDropout)); }");
        w.Line();
        w.Line("/// <summary>Restarts the dropout masks' random sequence (training runs reproduce from a seed).</summary>");
        w.Line("/// <param name=\"seed\">Seed of the dropout masks.</param>");
        w.Line("public void SeedDropout(ulong seed) => _dropoutRandom = new global::RnnGen.SeededRandom(seed);");
        w.Line();
        WriteRecurrentThreads(w, plan);
        if (HasBatchOnePath(plan)) WriteWeightsFrozen(w, plan);
        bool hasCopies = HasCopies(plan);
        if (hasCopies)
        {
            // The copies an inference call makes when it cannot work on the caller's spans (see Run's inPlace).
            bool reads = ReadsCallerInputs(plan), writes = WritesCallerOutput(plan);
            string when = reads && writes ? "the inputs share memory with the output or a final state, or the output with a state"
                : reads ? "the inputs share memory with a final state" : "the output shares memory with a state";
            string extra = reads && writes ? "InputSize + StepOutputSize" : reads ? "InputSize" : "StepOutputSize";
            w.Line("/// <summary>");
            w.Line("/// Bytes of workspace a call with this batch and step count needs (inference, or training with backward). Inference");
            w.Line(Inv($"/// works on the caller's spans; a call where {when} also copies them: batch · steps · ({extra}) floats more."));
            w.Line("/// </summary>");
        }
        else w.Line("/// <summary>Bytes of workspace a call with this batch and step count needs (inference, or training with backward).</summary>");
        w.Line("/// <param name=\"batch\">Sequences in the batch.</param>");
        w.Line("/// <param name=\"steps\">Padded steps per sequence.</param>");
        w.Line("/// <param name=\"training\">Include what <see cref=\"Backward\"/> needs.</param>");
        using (w.Block("public static long WorkspaceBytes(int batch, int steps, bool training)"))
        {
            w.Line("long rows = (long)batch * steps, floats = 0;");
            foreach (Buffer b in buffers)
            {
                string line = Inv($"floats += (long){b.PerRow} * {(b.PerBatchRow ? "batch" : "rows")}; // {b.Field}");
                w.Line(b.Need == Need.Always ? line : "if (training) " + line);
            }
            w.Line("return floats * sizeof(float);");
        }
        w.Line();
        w.Line("// Each buffer the call needs grows to its size if it is smaller (Workspace.Grow): calls of sizes seen before allocate nothing.");
        if (hasCopies) w.Line("// copies: the call needs the copies of the caller's spans (training does, and inference that cannot run in place).");
        using (w.Block(hasCopies ? "private void EnsureWorkspace(int batch, int steps, bool training, bool copies)" : "private void EnsureWorkspace(int batch, int steps, bool training)"))
        {
            w.Line("long rows = (long)batch * steps;");
            foreach (Buffer b in buffers)
            {
                string grow = Inv($"global::RnnGen.Workspace.Grow(ref {b.Field}, {b.PerRow} * {(b.PerBatchRow ? "(long)batch" : "rows")});");
                w.Line(b.Need switch { Need.Training => "if (training) " + grow, Need.Copies => "if (copies) " + grow, _ => grow });
            }
            w.Line("global::RnnGen.Workspace.Grow(ref _lengths, batch);");
            if (plan.HasEmbedding) w.Line("global::RnnGen.Workspace.Grow(ref _tokens, rows);");
        }
        w.Line();
    }

    // Batch-1 inference runs each layer's input projection and time loop in the runtime's
    // RecurrentRunner (the cell fused behind the recurrent product; optionally on two cores: the
    // projection's columns and the loop's hidden units split between them).
    private static bool HasBatchOnePath(NetworkPlan plan) => !plan.IsGruResetFirst && !plan.HasPeepholes;

    private static void WriteRecurrentThreads(IndentedWriter w, NetworkPlan plan)
    {
        w.Line("/// <summary>");
        w.Line("/// Threads for inference on a single sequence (batch 1" + (plan.Spec.Bidirectional ? "" : ", also <see cref=\"Step\"/> on one stream") + "): 1 (default) or 2. With 2, each");
        w.Line("/// core owns half of the hidden units of every layer — their rows of W_hh stay in that core's cache — and the two meet once");
        w.Line("/// per step (the input projection before the loop is split between them too); a helper thread is started on first use and");
        w.Line("/// parks when idle. Results are bitwise the same as with 1." + (HasBatchOnePath(plan) ? "" : " (This cell variant always runs on one thread.)"));
        w.Line("/// Setting 1 again stops the helper thread (so does collecting the network). Batches of two or more sequences and training");
        w.Line("/// are not affected; replicas start at 1.");
        w.Line("/// </summary>");
        w.Line("/// <exception cref=\"global::System.ArgumentOutOfRangeException\">The value is not 1 or 2.</exception>");
        w.Line("public int RecurrentThreads { get => _recurrent.Threads; set => _recurrent.Threads = value; }");
        w.Line();
    }

    private static void WriteWeightsFrozen(IndentedWriter w, NetworkPlan plan)
    {
        w.Line("/// <summary>");
        w.Line("/// Inference with frozen weights, as in an inference session: while true, inference on a single sequence" + (plan.Spec.Bidirectional ? "" : " (and <see cref=\"Step\"/> on one stream)"));
        w.Line("/// packs each layer's W_hh and W_ih once, on the first call, and reuses the packed copies instead of packing them on every call.");
        w.Line("/// Changes to those weight matrices in <see cref=\"Parameters\"/> (written directly, by an optimizer or by loading a checkpoint) are not");
        w.Line("/// seen while it is true (the other parameters are read on every call; <see cref=\"ResetParameters\"/> repacks): set it again (false, or");
        w.Line("/// true, which repacks on the next call) after changing them. <see cref=\"ForwardTraining\"/> is refused while it is true.");
        w.Line("/// Results are bitwise those of unfrozen calls on sequences of five steps or more; shorter calls read the packed copies, where");
        w.Line("/// unfrozen ones read the weights in place, and round differently. Batches of two or more sequences are not affected.");
        w.Line("/// Default false; replicas start unfrozen.");
        w.Line("/// </summary>");
        using (w.Block("public bool WeightsFrozen"))
        {
            w.Line("get => _frozen is not null;");
            using (w.Block("set"))
            {
                w.Line("if (!value) _frozen = null;");
                w.Line(Inv($"else if (_frozen is null) _frozen = new global::RnnGen.Kernels.PackedWeights[] {{ {string.Join(", ", Enumerable.Repeat("new()", plan.Spec.Layers * plan.Directions))} }};"));
                w.Line("else foreach (global::RnnGen.Kernels.PackedWeights kept in _frozen) kept.Clear(); // frozen again: repack on the next call, into the same buffers");
            }
        }
        w.Line();
    }

    // ───────────────────────────── forward ─────────────────────────────

    private static string InputParam(NetworkPlan plan) => plan.HasEmbedding ? RoInts + " tokens" : RoSpan + " inputs";

    private static string InputName(NetworkPlan plan) => plan.HasEmbedding ? "tokens" : "inputs";

    private static string StateParams(NetworkPlan plan, bool declare)
    {
        if (declare)
        {
            string p = Span + " finalHidden = default, " + RoSpan + " initialHidden = default";
            if (plan.IsLstm) p += ", " + Span + " finalCell = default, " + RoSpan + " initialCell = default";
            return p;
        }
        return plan.IsLstm ? "finalHidden, initialHidden, finalCell, initialCell" : "finalHidden, initialHidden, default, default";
    }

    private static void WriteForwardDocs(IndentedWriter w, NetworkPlan plan, string summary)
    {
        w.Line("/// <summary>" + summary + "</summary>");
        if (plan.HasEmbedding)
            w.Line("/// <param name=\"tokens\">Token ids " + SequenceShape(plan, "") + ", row-major (" + LayoutName(plan) + "); values past a sequence's length are ignored.</param>");
        else
            w.Line("/// <param name=\"inputs\">Inputs " + SequenceShape(plan, ", InputSize") + ", row-major (" + LayoutName(plan) + "); values past a sequence's length are ignored.</param>");
        w.Line("/// <param name=\"lengths\">Length of each sequence, between 1 and steps; the batch size is <c>lengths.Length</c>.</param>");
        w.Line("/// <param name=\"output\">Receives " + SequenceShape(plan, ", StepOutputSize") + (plan.HasHead ? " log-probabilities" : " hidden states") + "; zeros past each length.</param>");
        w.Line("/// <param name=\"finalHidden\">Optional; receives the last hidden state of every layer and direction, [StateCount, batch, HiddenSize].</param>");
        w.Line("/// <param name=\"initialHidden\">Optional initial hidden states [StateCount, batch, HiddenSize]; zeros when empty.</param>");
        if (plan.IsLstm)
        {
            w.Line("/// <param name=\"finalCell\">Optional; receives the last cell state of every layer and direction, [StateCount, batch, HiddenSize].</param>");
            w.Line("/// <param name=\"initialCell\">Optional initial cell states [StateCount, batch, HiddenSize]; zeros when empty.</param>");
        }
        w.Line("/// <exception cref=\"global::System.ArgumentException\">A span's length does not match the batch, a length is out of range" + (plan.HasEmbedding ? " or a token id is outside the vocabulary" : "") + "; nothing is written.</exception>");
    }

    private static void WriteForward(IndentedWriter w, NetworkPlan plan)
    {
        var s = plan.Spec;
        string input = InputName(plan);
        WriteForwardDocs(w, plan, "Runs the network on a batch of variable-length sequences (inference: no dropout, nothing kept for backward).");
        w.Line(Inv($"public void Forward({InputParam(plan)}, {RoInts} lengths, {Span} output, {StateParams(plan, true)})"));
        w.Line(Inv($"    => Run({input}, lengths, output, {StateParams(plan, false)}, training: false);"));
        w.Line();
        WriteForwardDocs(w, plan, "Runs the network like <see cref=\"Forward\"/> with dropout on, and keeps what <see cref=\"Backward\"/> needs.");
        if (HasBatchOnePath(plan)) w.Line("/// <exception cref=\"global::System.InvalidOperationException\"><see cref=\"WeightsFrozen\"/> is true.</exception>");
        w.Line(Inv($"public void ForwardTraining({InputParam(plan)}, {RoInts} lengths, {Span} output, {StateParams(plan, true)})"));
        w.Line(Inv($"    => Run({input}, lengths, output, {StateParams(plan, false)}, training: true);"));
        w.Line();

        using (w.Block(Inv($"private void Run({InputParam(plan)}, {RoInts} lengths, {Span} output, {Span} finalHidden, {RoSpan} initialHidden, {Span} finalCell, {RoSpan} initialCell, bool training)")))
        {
            w.Line("// Check every argument before anything is written.");
            if (HasBatchOnePath(plan))
                w.Line("if (training && _frozen is not null) throw new global::System.InvalidOperationException(\"The weights are frozen for inference (WeightsFrozen = true); set WeightsFrozen = false to train.\");");
            w.Line(Inv($"int batch = lengths.Length;"));
            w.Line(Inv($"int steps = {Args}.CheckBatch(lengths, {input}.Length, {(plan.HasEmbedding ? "1" : "InputSize")}, \"{input}\"{LayoutArgument(plan)});"));
            if (plan.HasEmbedding) w.Line(Inv($"{Args}.CheckTokens(tokens, lengths, steps, VocabularySize{LayoutArgument(plan)});"));
            w.Line("int rows = batch * steps;");
            w.Line(Inv($"{Args}.CheckLength(output.Length, (long)rows * StepOutputSize, \"output\", \"{SequenceShape(plan, ", StepOutputSize")}\");"));
            w.Line(Inv($"long stateLength = (long)StateCount * batch * HiddenSize;"));
            w.Line(Inv($"{Args}.CheckOptional(finalHidden.Length, stateLength, \"finalHidden\", \"[StateCount, batch, HiddenSize]\");"));
            w.Line(Inv($"{Args}.CheckOptional(initialHidden.Length, stateLength, \"initialHidden\", \"[StateCount, batch, HiddenSize]\");"));
            if (plan.IsLstm)
            {
                w.Line(Inv($"{Args}.CheckOptional(finalCell.Length, stateLength, \"finalCell\", \"[StateCount, batch, HiddenSize]\");"));
                w.Line(Inv($"{Args}.CheckOptional(initialCell.Length, stateLength, \"initialCell\", \"[StateCount, batch, HiddenSize]\");"));
            }
            // Inference needs no copies of its own: padded positions of the caller's input only reach gate rows that no
            // step reads, and the last layer can write the caller's output (when the two do not share memory). Training
            // keeps zero-padded copies (backward reads them after the caller's spans are gone).
            bool readsCaller = ReadsCallerInputs(plan), writesCaller = WritesCallerOutput(plan);
            if (HasCopies(plan))
            {
                string what = readsCaller && writesCaller ? "layer 0 reads the caller's inputs, the last layer writes the caller's output"
                    : readsCaller ? "layer 0 reads the caller's inputs" : "the last layer writes the caller's output";
                // Reading the caller's inputs in place needs them untouched until the last direction of layer 0 has read
                // them (no output or final state written over them); writing the output in place needs the initial states
                // intact until the last layer has read them, and no final state written over it (with the copies, the
                // output is written last).
                string reads = readsCaller ? Inv($" && {Args}.SharesNoMemory(inputs, {(writesCaller ? "output, " : "")}finalHidden, finalCell)") : "";
                string writes = writesCaller ? Inv($" && {Args}.SharesNoMemory(output, initialHidden, initialCell) && {Args}.SharesNoMemory(output, finalHidden, finalCell)") : "";
                w.Line("bool inPlace = !training" + reads + writes + "; // " + what);
            }
            w.Line("_hasTrainingState = false; // from here on the kept activations are overwritten (also if growing the workspace fails)");
            w.Line(HasCopies(plan) ? "EnsureWorkspace(batch, steps, training, copies: !inPlace);" : "EnsureWorkspace(batch, steps, training);");
            w.Line("_batch = batch; _steps = steps;");
            w.Line("lengths.CopyTo(_lengths);");
            if (plan.HasEmbedding) w.Line("tokens.CopyTo(_tokens);");
            w.Line();
            w.Line("_inputDropped = training && _inputDropout > 0f;");
            w.Line("// Layer-0 input" + (plan.HasEmbedding ? ", zero at padded positions: embedding rows looked up by token id." : ": the caller's, or a copy that is zero at padded positions."));
            if (readsCaller) w.Line(Inv($"{RoSpan} input0;"));
            if (readsCaller) w.Line("if (inPlace) input0 = inputs.Slice(0, rows * InputSize);");
            using (readsCaller ? w.Block("else") : null)
            {
                w.Line(Inv($"{Span} x = _input.AsSpan(0, rows * InputSize);"));
                w.Line(K + "Rows.ClearPadding(x, lengths, steps, InputSize" + LayoutArgument(plan) + ");");
                using (w.Block("for (int b = 0; b < batch; b++)"))
                {
                    if (plan.HasEmbedding)
                    {
                        using (w.Block("for (int t = 0; t < lengths[b]; t++)"))
                        {
                            w.Line("int row = " + Row(plan, "b", "t") + ";");
                            w.Line(Inv($"new {RoSpan}(Parameters, {plan.Embedding!.Offset} + tokens[row] * InputSize, InputSize).CopyTo(x.Slice(row * InputSize, InputSize));"));
                        }
                    }
                    else
                    {
                        CopyRealSteps(w, plan, "inputs", "x", "InputSize");
                    }
                }
                w.Line("if (_inputDropped) " + K + "Dropout.Forward(x, _inputMask.AsSpan(0, rows * InputSize), _inputDropout, _dropoutRandom);");
                w.Line(readsCaller ? "input0 = x;" : Inv($"{RoSpan} input0 = x;"));
            }
            if (s.Layers > 1) w.Line("_layerDropped = training && _layerDropout > 0f;");
            for (int l = 0; l < s.Layers; l++)
            {
                string buffer = Inv($"_outputL{l}.AsSpan(0, rows * {plan.LayerOutputSize})");
                bool toCaller = l == s.Layers - 1 && writesCaller;
                w.Line();
                w.Line(Inv($"// Layer {l}: {(s.Bidirectional ? "both directions write their halves of" : "writes")} {(toCaller ? "the output (the caller's at inference)" : Inv($"_outputL{l}"))}; padded positions stay zero."));
                w.Line(Inv($"{Span} outputL{l} = {(toCaller ? Inv($"inPlace ? output.Slice(0, rows * {plan.LayerOutputSize}) : {buffer}") : buffer)};"));
                w.Line(Inv($"{K}Rows.ClearPadding(outputL{l}, lengths, steps, {plan.LayerOutputSize}{LayoutArgument(plan)});"));
                string layerInput = l == 0 ? "input0" : Inv($"outputL{l - 1}");
                foreach (LayerPlan layer in plan.RecurrentLayers.Where(p => p.Layer == l))
                    w.Line(Inv($"Forward{layer.Suffix}({layerInput}, outputL{l}, lengths, batch, steps, training, {StateParams(plan, false)});"));
                if (l + 1 < s.Layers)
                {
                    w.Line(Inv($"// Dropout between layer {l} and layer {l + 1} (in place: backward needs only the mask)."));
                    w.Line(Inv($"if (_layerDropped) {K}Dropout.Forward(outputL{l}, _outputMaskL{l}.AsSpan(0, rows * {plan.LayerOutputSize}), _layerDropout, _dropoutRandom);"));
                }
            }
            w.Line();
            string last = Inv($"outputL{s.Layers - 1}");
            if (plan.HasHead)
            {
                w.Line("// Output head: logits = output · head.weightᵀ + head.bias, then log-softmax on each real step.");
                w.Line(Inv($"{Span} logProbs = _logProbs.AsSpan(0, rows * OutputSize);"));
                w.Line(Inv($"{K}Gemm.ABt(logProbs, {last}, HeadWeight, rows, OutputSize, {plan.LayerOutputSize}, accumulate: false);"));
                using (w.Block("for (int b = 0; b < batch; b++)"))
                {
                    using (w.Block("for (int t = 0; t < steps; t++)"))
                    {
                        w.Line(Inv($"{Span} logits = logProbs.Slice(({Row(plan, "b", "t")}) * OutputSize, OutputSize);"));
                        w.Line("if (t >= lengths[b]) { logits.Clear(); continue; }");
                        w.Line("global::System.Numerics.Tensors.TensorPrimitives.Add(logits, HeadBias, logits);");
                        w.Line(K + "Rows.LogSoftmax(logits, logits);");
                    }
                }
                w.Line("logProbs.CopyTo(output);");
            }
            else
            {
                w.Line("// Output: the last layer's hidden states (already there when written in place).");
                w.Line("if (!inPlace) " + last + ".CopyTo(output);");
            }
            w.Line("_hasTrainingState = training;");
        }
        w.Line();
    }

    private static void WriteLayerForward(IndentedWriter w, NetworkPlan plan, LayerPlan layer)
    {
        int h = plan.H, gh = plan.GH, outW = plan.LayerOutputSize, inW = layer.InputSize;
        int outOffset = layer.Reverse ? h : 0;
        string sx = layer.Suffix;
        int state = layer.StateIndex(plan.Directions);
        w.Line(Inv($"// {layer.Title}: input [rows × {inW}] → hidden states at columns [{outOffset}, {outOffset + h}) of the layer's output [rows × {outW}]."));
        using (w.Block(Inv($"private void Forward{sx}({RoSpan} input, {Span} output, {RoInts} lengths, int batch, int steps, bool training, {Span} finalHidden, {RoSpan} initialHidden, {Span} finalCell, {RoSpan} initialCell)")))
        {
            w.Line("int rows = batch * steps;");
            w.Line(Inv($"{Span} gates = _gates{sx}.AsSpan(0, rows * {gh});"));
            w.Line(Inv($"{Span} h = _h.AsSpan(0, batch * {h});"));
            if (plan.IsLstm) w.Line(Inv($"{Span} c = _c.AsSpan(0, batch * {h});"));
            w.Line(Inv($"{Span} hProj = _hProj.AsSpan(0, batch * {gh});"));
            w.Line();
            w.Line(Inv($"// Input projection of every step at once, one GEMM: gates = input · {layer.WeightIh.Key}ᵀ{(plan.IsGruResetFirst ? " + " : " (the cell adds ")}{layer.BiasIh.Key}{(plan.IsGruResetFirst ? "" : ")")}."));
            if (HasBatchOnePath(plan))
            {
                // One sequence at inference: the runner projects on RecurrentThreads threads and adds b_ih here (its loop adds only b_hh).
                w.Line(Inv($"bool batchOne = batch == 1 && !training && {K}RecurrentRunner.IsSupported; // one sequence at inference: see the time loop"));
                w.Line(Inv($"if (batchOne) _recurrent.Project(gates, input, {layer.WeightIh.Property}, {layer.BiasIh.Property}, rows, {inW}, {h}, _frozen?[{state}]); // + {layer.BiasIh.Key}, on RecurrentThreads threads (the runner's loop adds only {layer.BiasHh.Key})"));
                w.Line(Inv($"else {K}Gemm.ABt(gates, input, {layer.WeightIh.Property}, rows, {gh}, {inW}, accumulate: false);"));
            }
            else
            {
                w.Line(Inv($"{K}Gemm.ABt(gates, input, {layer.WeightIh.Property}, rows, {gh}, {inW}, accumulate: false);"));
                if (plan.IsGruResetFirst) w.Line(Inv($"{K}Rows.AddBias(gates, {layer.BiasIh.Property}, rows);"));
            }
            w.Line();
            w.Line(Inv($"// Initial state: state index {state} of the given tensors, or zeros."));
            w.Line(Inv($"if (initialHidden.IsEmpty) h.Clear(); else initialHidden.Slice({state} * batch * {h}, batch * {h}).CopyTo(h);"));
            if (plan.IsLstm)
            {
                w.Line(Inv($"if (initialCell.IsEmpty) c.Clear(); else initialCell.Slice({state} * batch * {h}, batch * {h}).CopyTo(c);"));
                w.Line(Inv($"if (training) c.CopyTo(_cellInitial{sx}.AsSpan(0, batch * {h})); // backward's c before the first step"));
            }
            w.Line();
            if (!plan.IsGruResetFirst)
            {
                w.Line(Inv($"// The recurrent weight is read every step: pack {layer.WeightHh.Key}ᵀ once into the kernel's layout"));
                w.Line("// (a one-step call, such as streaming a token at a time, reads it once unpacked instead).");
                w.Line(HasBatchOnePath(plan) ? "bool packed = steps > 1 && !batchOne;" : "bool packed = steps > 1;");
                w.Line(Inv($"{Span} packedHh = _packedWeight.AsSpan(0, {K}Gemm.PackedLength({gh}, {h}));"));
                w.Line(Inv($"if (packed) {K}Gemm.PackBt(packedHh, {layer.WeightHh.Property}, {gh}, {h});"));
                w.Line();
            }
            w.Line(layer.Reverse
                ? "// Time loop. Step s of sequence b reads position length−1−s: each sequence starts at its own last step."
                : "// Time loop. Sequences shorter than s keep their final state untouched.");
            w.Line("// With lengths sorted longest first, the running sequences are a prefix and the rest is skipped.");
            w.Line(Inv($"bool sorted = {K}Rows.IsSortedLongestFirst(lengths);"));
            if (HasBatchOnePath(plan)) WriteBatchOneLoop(w, plan, layer);
            using (HasBatchOnePath(plan) ? w.Block("else") : null)
            using (w.Block("for (int s = 0; s < steps; s++)"))
            {
                w.Line(Inv($"int active = {K}Rows.ActiveRows(lengths, s, sorted);"));
                if (plan.IsGruResetFirst) WriteResetFirstStep(w, plan, layer);
                else
                {
                    w.Line(Inv($"// Recurrent projection of the running sequences: hProj = h · {layer.WeightHh.Key}ᵀ."));
                    w.Line(Inv($"if (packed) {K}Gemm.APackedB(hProj, h, packedHh, active, {gh}, {h}, accumulate: false);"));
                    w.Line(Inv($"else {K}Gemm.ABt(hProj, h, {layer.WeightHh.Property}, active, {gh}, {h}, accumulate: false);"));
                    w.Line();
                    w.Line(Inv($"// Fused cell, one pass per sequence: both biases ({layer.BiasIh.Key}, {layer.BiasHh.Key}), gate activations, state update"));
                    w.Line("// (the activations are kept in the gates row for backward when training; inference writes only the state).");
                    using (w.Block("for (int b = 0; b < active; b++)"))
                    {
                        w.Line("int length = lengths[b];");
                        w.Line("if (s >= length) continue;");
                        w.Line("int row = " + Row(plan, "b", layer.Reverse ? "(length - 1 - s)" : "s") + ";");
                        w.Line(Inv($"{Span} hb = h.Slice(b * {h}, {h});"));
                        w.Line(Inv($"{Span} g = gates.Slice(row * {gh}, {gh});"));
                        if (plan.IsLstm)
                        {
                            w.Line(Inv($"{Span} cb = c.Slice(b * {h}, {h});"));
                            w.Line(Inv($"if (training) hb.CopyTo(_hPrev{sx}.AsSpan(row * {h}, {h}));"));
                            w.Line(plan.HasPeepholes
                                ? Inv($"{K}LstmCell.Forward(hb, cb, training ? g : default, g, hProj.Slice(b * {gh}, {gh}), cb, {layer.BiasIh.Property}, {layer.BiasHh.Property}, {layer.Peephole!.Property});")
                                : Inv($"{K}LstmCell.Forward(hb, cb, training ? g : default, g, hProj.Slice(b * {gh}, {gh}), cb, {layer.BiasIh.Property}, {layer.BiasHh.Property});"));
                            w.Line(Inv($"if (training) cb.CopyTo(_cell{sx}.AsSpan(row * {h}, {h}));"));
                        }
                        else if (plan.IsGru)
                        {
                            w.Line(Inv($"if (training) hb.CopyTo(_hPrev{sx}.AsSpan(row * {h}, {h}));"));
                            w.Line(Inv($"{K}GruCell.Forward(hb, training ? g : default, training ? _hn{sx}.AsSpan(row * {h}, {h}) : default, g, hProj.Slice(b * {gh}, {gh}), hb, {layer.BiasIh.Property}, {layer.BiasHh.Property});"));
                        }
                        else
                        {
                            w.Line(Inv($"if (training) hb.CopyTo(_hPrev{sx}.AsSpan(row * {h}, {h}));"));
                            w.Line(Inv($"{K}RnnCell.Forward(hb, g, hProj.Slice(b * {gh}, {gh}), {(plan.Spec.Relu ? "true" : "false")}, {layer.BiasIh.Property}, {layer.BiasHh.Property});"));
                            w.Line("if (training) hb.CopyTo(g); // backward reads h from the gates row");
                        }
                        w.Line(Inv($"hb.CopyTo(output.Slice(row * {outW} + {outOffset}, {h}));"));
                    }
                }
            }
            w.Line();
            w.Line("// Final state (a sequence's state stopped changing after its last real step).");
            w.Line(Inv($"if (!finalHidden.IsEmpty) h.CopyTo(finalHidden.Slice({state} * batch * {h}, batch * {h}));"));
            if (plan.IsLstm) w.Line(Inv($"if (!finalCell.IsEmpty) c.CopyTo(finalCell.Slice({state} * batch * {h}, batch * {h}));"));
        }
        w.Line();
    }

    // One sequence at inference: the whole time loop in one runtime call (h and c are updated in place).
    private static void WriteBatchOneLoop(IndentedWriter w, NetworkPlan plan, LayerPlan layer)
    {
        int h = plan.H, gh = plan.GH, outOffset = layer.Reverse ? h : 0;
        string common = Inv($"{layer.WeightHh.Property}, {layer.BiasHh.Property}, gates.Slice(0, lengths[0] * {gh}), h");
        string rest = Inv($"{(outOffset == 0 ? "output" : Inv($"output.Slice({outOffset})"))}, {plan.LayerOutputSize}, lengths[0], reverse: {(layer.Reverse ? "true" : "false")}");
        string packed = Inv($"packed: _frozen?[{layer.StateIndex(plan.Directions)}]");
        w.Line("// One sequence at inference: the runtime runs the whole loop (cell fused behind the recurrent product; RecurrentThreads = 2 splits the units over two cores).");
        w.Line("if (batchOne)");
        w.Line("    " + (plan.IsLstm ? Inv($"_recurrent.Lstm({common}, c, {rest}, {packed});")
            : plan.IsGru ? Inv($"_recurrent.Gru({common}, {rest}, {packed});")
            : Inv($"_recurrent.Rnn({common}, {rest}, relu: {(plan.Spec.Relu ? "true" : "false")}, {packed});")));
    }

    // One forward step of the reset-first GRU: r and z need h·W_hrzᵀ, then n needs (r⊙h)·W_hnᵀ,
    // so the recurrent product is two GEMMs with the gate update between them.
    private static void WriteResetFirstStep(IndentedWriter w, NetworkPlan plan, LayerPlan layer)
    {
        int h = plan.H, gh = plan.GH, outW = plan.LayerOutputSize;
        int outOffset = layer.Reverse ? h : 0;
        string sx = layer.Suffix;
        string row = "int row = " + Row(plan, "b", layer.Reverse ? "(length - 1 - s)" : "s") + ";";
        w.Line(Inv($"{Span} hProjRz = hProj.Slice(0, batch * {2 * h}), hProjN = hProj.Slice(batch * {2 * h}, batch * {h}), rh = _rh.AsSpan(0, batch * {h});"));
        w.Line(Inv($"// Reset and update gates: hProjRz = h · W_hrzᵀ + b_hrz (rows [0, {2 * h}) of {layer.WeightHh.Key})."));
        w.Line(Inv($"{K}Rows.SetBias(hProjRz, {layer.BiasHh.Property}.Slice(0, {2 * h}), active);"));
        w.Line(Inv($"{K}Gemm.ABt(hProjRz, h, {layer.WeightHh.Property}.Slice(0, {2 * h * h}), active, {2 * h}, {h}, accumulate: true);"));
        using (w.Block("for (int b = 0; b < active; b++)"))
        {
            w.Line("int length = lengths[b];");
            w.Line("if (s >= length) continue;");
            w.Line(row);
            w.Line(Inv($"{Span} g = gates.Slice(row * {gh}, {gh});"));
            w.Line(Inv($"{K}GruResetFirstCell.ForwardGates(g, rh.Slice(b * {h}, {h}), g, hProjRz.Slice(b * {2 * h}, {2 * h}), h.Slice(b * {h}, {h}));"));
        }
        w.Line(Inv($"// Candidate: hProjN = (r⊙h) · W_hnᵀ + b_hn (rows [{2 * h}, {gh}) of {layer.WeightHh.Key}), then the state update."));
        w.Line(Inv($"{K}Rows.SetBias(hProjN, {layer.BiasHh.Property}.Slice({2 * h}, {h}), active);"));
        w.Line(Inv($"{K}Gemm.ABt(hProjN, rh, {layer.WeightHh.Property}.Slice({2 * h * h}, {h * h}), active, {h}, {h}, accumulate: true);"));
        using (w.Block("for (int b = 0; b < active; b++)"))
        {
            w.Line("int length = lengths[b];");
            w.Line("if (s >= length) continue;");
            w.Line(row);
            w.Line(Inv($"{Span} hb = h.Slice(b * {h}, {h});"));
            w.Line(Inv($"{Span} g = gates.Slice(row * {gh}, {gh});"));
            w.Line(Inv($"if (training) hb.CopyTo(_hPrev{sx}.AsSpan(row * {h}, {h}));"));
            w.Line(Inv($"if (training) rh.Slice(b * {h}, {h}).CopyTo(_hn{sx}.AsSpan(row * {h}, {h})); // backward's W_hn gradient reads r⊙h"));
            w.Line(Inv($"{K}GruResetFirstCell.ForwardCandidate(hb, g, g, hProjN.Slice(b * {h}, {h}), hb);"));
            w.Line(Inv($"hb.CopyTo(output.Slice(row * {outW} + {outOffset}, {h}));"));
        }
    }

    // One backward step of the reset-first GRU, mirroring its two forward products.
    private static void WriteResetFirstBackwardStep(IndentedWriter w, NetworkPlan plan, LayerPlan layer)
    {
        int h = plan.H, gh = plan.GH, outW = plan.LayerOutputSize;
        int outOffset = layer.Reverse ? h : 0;
        string sx = layer.Suffix;
        string row = "int row = " + Row(plan, "b", layer.Reverse ? "(length - 1 - s)" : "s") + ";";
        w.Line("// Rows of finished sequences keep stale values: their products land in dhPrev rows nobody reads.");
        w.Line(Inv($"{Span} dRzStep = dStep.Slice(0, batch * {2 * h}), dNStep = dStep.Slice(batch * {2 * h}, batch * {h});"));
        w.Line("// Candidate and update gate first: they need only ∂L/∂h.");
        using (w.Block("for (int b = 0; b < active; b++)"))
        {
            w.Line("int length = lengths[b];");
            w.Line("if (s >= length) continue;");
            w.Line(row);
            w.Line(Inv($"{Span} dhb = dh.Slice(b * {h}, {h});"));
            w.Line(Inv($"global::System.Numerics.Tensors.TensorPrimitives.Add(dhb, dOutput.Slice(row * {outW} + {outOffset}, {h}), dhb);"));
            w.Line(Inv($"{K}GruResetFirstCell.BackwardCandidate(dGates.Slice(row * {gh}, {gh}), dNStep.Slice(b * {h}, {h}), dhDirect.Slice(b * {h}, {h}), dhb, gates.Slice(row * {gh}, {gh}), _hPrev{sx}.AsSpan(row * {h}, {h}));"));
        }
        w.Line(Inv($"// ∂L/∂(r⊙h) = dN · W_hn (dhPrev holds it until the last product)."));
        w.Line(Inv($"{K}Gemm.AB(dhPrev, dNStep, {layer.WeightHh.Property}.Slice({2 * h * h}, {h * h}), active, {h}, {h}, accumulate: false);"));
        using (w.Block("for (int b = 0; b < active; b++)"))
        {
            w.Line("int length = lengths[b];");
            w.Line("if (s >= length) continue;");
            w.Line(row);
            w.Line(Inv($"{K}GruResetFirstCell.BackwardReset(dGates.Slice(row * {gh}, {gh}), dRzStep.Slice(b * {2 * h}, {2 * h}), dhDirect.Slice(b * {h}, {h}), dhPrev.Slice(b * {h}, {h}), gates.Slice(row * {gh}, {gh}), _hPrev{sx}.AsSpan(row * {h}, {h}));"));
            w.Line(Inv($"dRzStep.Slice(b * {2 * h}, {2 * h}).CopyTo(dHProj.Slice(row * {2 * h}, {2 * h}));"));
            w.Line(Inv($"dNStep.Slice(b * {h}, {h}).CopyTo(dHProj.Slice(rows * {2 * h} + row * {h}, {h}));"));
        }
        w.Line(Inv($"// Through W_hrz: ∂L/∂h_(t−1) = dRz · W_hrz + direct terms."));
        w.Line(Inv($"{K}Gemm.AB(dhPrev, dRzStep, {layer.WeightHh.Property}.Slice(0, {2 * h * h}), active, {h}, {2 * h}, accumulate: false);"));
        using (w.Block("for (int b = 0; b < active; b++)"))
        {
            w.Line("if (s >= lengths[b]) continue;");
            w.Line(Inv($"global::System.Numerics.Tensors.TensorPrimitives.Add(dhPrev.Slice(b * {h}, {h}), dhDirect.Slice(b * {h}, {h}), dh.Slice(b * {h}, {h}));"));
        }
    }

    // ───────────────────────────── streaming ─────────────────────────────

    private static void WriteStreaming(IndentedWriter w, NetworkPlan plan)
    {
        string cls = plan.Spec.ClassName;
        w.Line("/// <summary>");
        w.Line("/// The recurrent state of a batch of streams: the hidden state" + (plan.IsLstm ? " and cell state" : "") + " of every layer, carried from one");
        w.Line("/// <see cref=\"Step\"/> call to the next (language models, online tagging, truncated backpropagation).");
        w.Line("/// </summary>");
        using (w.Block("public sealed class State"))
        {
            w.Line("/// <summary>Creates a zero state for <paramref name=\"batch\"/> independent streams.</summary>");
            w.Line("/// <param name=\"batch\">Number of streams advanced together.</param>");
            using (w.Block("public State(int batch = 1)"))
            {
                w.Line("global::System.ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batch);");
                w.Line("Batch = batch;");
                w.Line("Hidden = new float[StateCount * batch * HiddenSize];");
                w.Line(plan.IsLstm ? "Cell = new float[StateCount * batch * HiddenSize];" : "Cell = global::System.Array.Empty<float>();");
                w.Line("Lengths = new int[batch];");
            }
            w.Line();
            w.Line("/// <summary>Number of streams.</summary>");
            w.Line("public int Batch { get; }");
            w.Line();
            w.Line("/// <summary>Hidden states [StateCount, Batch, HiddenSize].</summary>");
            w.Line("public float[] Hidden { get; }");
            w.Line();
            w.Line("/// <summary>Cell states [StateCount, Batch, HiddenSize] (LSTM; empty for other cells).</summary>");
            w.Line("public float[] Cell { get; }");
            w.Line();
            w.Line("internal int[] Lengths { get; }");
            w.Line();
            w.Line("/// <summary>Back to the zero state (the start of new streams).</summary>");
            using (w.Block("public void Reset()"))
            {
                w.Line("global::System.Array.Clear(Hidden);");
                w.Line("global::System.Array.Clear(Cell);");
            }
            w.Line();
            w.Line("/// <summary>Copies another state of the same batch size into this one.</summary>");
            w.Line("/// <param name=\"other\">The state to copy.</param>");
            using (w.Block("public void CopyFrom(State other)"))
            {
                w.Line("global::System.ArgumentNullException.ThrowIfNull(other);");
                w.Line("if (other.Batch != Batch) throw new global::System.ArgumentException($\"The other state holds {other.Batch} streams; this one holds {Batch}.\", nameof(other));");
                w.Line("other.Hidden.CopyTo(Hidden, 0);");
                w.Line("other.Cell.CopyTo(Cell, 0);");
            }
            w.Line();
            w.Line("/// <summary>A copy of this state.</summary>");
            using (w.Block("public State Clone()"))
            {
                w.Line("var copy = new State(Batch);");
                w.Line("copy.CopyFrom(this);");
                w.Line("return copy;");
            }
        }
        w.Line();
        string input = plan.HasEmbedding ? RoInts + " tokens" : RoSpan + " inputs";
        string name = InputName(plan);
        string perStep = plan.HasEmbedding ? "1" : "InputSize";
        string cell = plan.IsLstm ? "state.Cell, state.Cell" : "default, default";
        w.Line("/// <summary>");
        w.Line("/// Advances every stream of <paramref name=\"state\"/> by a chunk of steps (one or more) and updates the state in place.");
        w.Line("/// Step by step gives the outputs of one <see cref=\"Forward\"/> over the whole sequence, to rounding (the kernels of short and long calls round differently).");
        w.Line("/// </summary>");
        w.Line(plan.HasEmbedding
            ? "/// <param name=\"tokens\">Token ids " + SequenceShape(plan, "", "Batch") + " of the next chunk.</param>"
            : "/// <param name=\"inputs\">Inputs " + SequenceShape(plan, ", InputSize", "Batch") + " of the next chunk.</param>");
        w.Line("/// <param name=\"state\">The streams' state: read, then overwritten with the state after the chunk.</param>");
        w.Line("/// <param name=\"output\">Receives " + SequenceShape(plan, ", StepOutputSize", "Batch") + ".</param>");
        using (w.Block(Inv($"public void Step({input}, State state, {Span} output)")))
        {
            w.Line("global::System.ArgumentNullException.ThrowIfNull(state);");
            w.Line(Inv($"global::System.Array.Fill(state.Lengths, {Args}.CheckChunk({name}.Length, state.Batch, {perStep}, nameof({name}){LayoutArgument(plan)}));"));
            w.Line("// Initial and final state are the same memory: each layer reads its slice before it writes it.");
            w.Line(Inv($"Run({name}, state.Lengths, output, state.Hidden, state.Hidden, {cell}, training: false);"));
        }
        w.Line();
        if (plan.HasHead)
        {
            w.Line("/// <summary>");
            w.Line("/// Truncated backpropagation through time: one training computation on the next chunk of");
            w.Line("/// <paramref name=\"state\"/>'s streams (every stream is <c>steps</c> long). The chunk starts from the carried");
            w.Line("/// state, the gradient stops at the chunk's start, and the state moves on to the chunk's end.");
            w.Line("/// </summary>");
            w.Line(plan.HasEmbedding
                ? "/// <param name=\"tokens\">Token ids " + SequenceShape(plan, "", "Batch") + " of the chunk.</param>"
                : "/// <param name=\"inputs\">Inputs " + SequenceShape(plan, ", InputSize", "Batch") + " of the chunk.</param>");
            w.Line("/// <param name=\"targets\">Target class per step " + SequenceShape(plan, "", "Batch") + ".</param>");
            w.Line("/// <param name=\"state\">The carried state; updated to the state after the chunk.</param>");
            w.Line("/// <param name=\"gradientScale\">Scale of the gradient; NaN (the default) means 1 / (number of targets).</param>");
            w.Line("/// <returns>The summed loss and the number of targets.</returns>");
            using (w.Block(Inv($"public global::RnnGen.Training.LossSum ComputeLossAndGradients({input}, {RoInts} targets, State state, float gradientScale = float.NaN)")))
            {
                w.Line("global::System.ArgumentNullException.ThrowIfNull(state);");
                w.Line(Inv($"global::System.Array.Fill(state.Lengths, {Args}.CheckChunk({name}.Length, state.Batch, {perStep}, nameof({name}){LayoutArgument(plan)}));"));
                w.Line("return TrainChunk(" + name + ", state.Lengths, targets, global::RnnGen.Training.LossKind.PerStep, gradientScale, state.Hidden, " + (plan.IsLstm ? "state.Cell" : "default") + ");");
            }
            w.Line();
        }
    }

    // ───────────────────────────── backward ─────────────────────────────

    private static void WriteBackward(IndentedWriter w, NetworkPlan plan)
    {
        var s = plan.Spec;
        w.Line("/// <summary>");
        w.Line("/// Backpropagation through time for the batch of the last <see cref=\"ForwardTraining\"/> call: adds the");
        w.Line("/// gradient of the loss to <see cref=\"Gradients\"/>" + (plan.HasEmbedding ? " (embedding rows of the tokens used only)" : "") + ". Padded steps receive no gradient.");
        w.Line("/// </summary>");
        w.Line("/// <param name=\"outputGradient\">∂L/∂output, " + SequenceShape(plan, ", StepOutputSize") + "; values at padded steps are ignored.</param>");
        if (!plan.HasEmbedding) w.Line("/// <param name=\"inputGradient\">Optional; receives ∂L/∂inputs " + SequenceShape(plan, ", InputSize") + " (zeros at padded steps); computed only when given.</param>");
        w.Line("/// <param name=\"finalHiddenGradient\">Optional ∂L/∂finalHidden [StateCount, batch, HiddenSize].</param>");
        w.Line("/// <param name=\"initialHiddenGradient\">Optional; receives ∂L/∂initialHidden [StateCount, batch, HiddenSize].</param>");
        if (plan.IsLstm)
        {
            w.Line("/// <param name=\"finalCellGradient\">Optional ∂L/∂finalCell [StateCount, batch, HiddenSize].</param>");
            w.Line("/// <param name=\"initialCellGradient\">Optional; receives ∂L/∂initialCell [StateCount, batch, HiddenSize].</param>");
        }
        w.Line("/// <exception cref=\"global::System.InvalidOperationException\">No <see cref=\"ForwardTraining\"/> call precedes this one, or its Backward has already run (backward overwrites the kept gate activations with their gradients).</exception>");
        w.Line("/// <exception cref=\"global::System.ArgumentException\">A span's length does not match the batch of the forward call.</exception>");
        string parameters = Inv($"{RoSpan} outputGradient");
        if (!plan.HasEmbedding) parameters += ", " + Span + " inputGradient = default";
        parameters += ", " + RoSpan + " finalHiddenGradient = default, " + Span + " initialHiddenGradient = default";
        if (plan.IsLstm) parameters += ", " + RoSpan + " finalCellGradient = default, " + Span + " initialCellGradient = default";
        using (w.Block("public void Backward(" + parameters + ")"))
        {
            w.Line("if (!_hasTrainingState)");
            w.Line("    throw new global::System.InvalidOperationException(\"Backward needs the activations of a ForwardTraining call on this instance; call ForwardTraining first (Forward keeps nothing for backward, and each ForwardTraining serves one Backward).\");");
            w.Line("int batch = _batch, steps = _steps, rows = batch * steps;");
            w.Line("global::System.ReadOnlySpan<int> lengths = _lengths.AsSpan(0, batch);");
            w.Line(Inv($"{Args}.CheckLength(outputGradient.Length, (long)rows * StepOutputSize, \"outputGradient\", \"{SequenceShape(plan, ", StepOutputSize")} of the forward call\");"));
            w.Line("long stateLength = (long)StateCount * batch * HiddenSize;");
            if (!plan.HasEmbedding) w.Line(Inv($"{Args}.CheckOptional(inputGradient.Length, (long)rows * InputSize, \"inputGradient\", \"{SequenceShape(plan, ", InputSize")}\");"));
            w.Line(Inv($"{Args}.CheckOptional(finalHiddenGradient.Length, stateLength, \"finalHiddenGradient\", \"[StateCount, batch, HiddenSize]\");"));
            w.Line(Inv($"{Args}.CheckOptional(initialHiddenGradient.Length, stateLength, \"initialHiddenGradient\", \"[StateCount, batch, HiddenSize]\");"));
            if (plan.IsLstm)
            {
                w.Line(Inv($"{Args}.CheckOptional(finalCellGradient.Length, stateLength, \"finalCellGradient\", \"[StateCount, batch, HiddenSize]\");"));
                w.Line(Inv($"{Args}.CheckOptional(initialCellGradient.Length, stateLength, \"initialCellGradient\", \"[StateCount, batch, HiddenSize]\");"));
            }
            w.Line("_hasTrainingState = false; // checks passed: the gate activations are about to be overwritten by their gradients");
            w.Line();
            int ow = plan.LayerOutputSize;
            w.Line(Inv($"{Span} dOutput = _dOutput.AsSpan(0, rows * {ow});"));
            if (plan.HasHead)
            {
                w.Line("// Head: through log-softmax to the logits (real steps only), then one GEMM each for the weight gradient and ∂L/∂output.");
                w.Line(Inv($"{Span} dLogits = _dLogits.AsSpan(0, rows * OutputSize);"));
                w.Line(K + "Rows.ClearPadding(dLogits, lengths, steps, OutputSize" + LayoutArgument(plan) + ");");
                using (w.Block("for (int b = 0; b < batch; b++)"))
                {
                    using (w.Block("for (int t = 0; t < lengths[b]; t++)"))
                    {
                        w.Line("int offset = (" + Row(plan, "b", "t") + ") * OutputSize;");
                        w.Line(K + "Rows.LogSoftmaxBackward(dLogits.Slice(offset, OutputSize), outputGradient.Slice(offset, OutputSize), _logProbs.AsSpan(offset, OutputSize));");
                    }
                }
                string last = Inv($"_outputL{s.Layers - 1}.AsSpan(0, rows * {ow})");
                w.Line(Inv($"{K}Gemm.AtB(HeadWeightGradient, dLogits, {last}, OutputSize, {ow}, rows, accumulate: true);"));
                w.Line(K + "Rows.AccumulateColumnSums(HeadBiasGradient, dLogits, rows);");
                w.Line(Inv($"{K}Gemm.AB(dOutput, dLogits, HeadWeight, rows, {ow}, OutputSize, accumulate: false);"));
            }
            else
            {
                w.Line("// ∂L/∂(last layer's output): the given gradient at real steps, zero at padded ones.");
                w.Line(Inv($"{K}Rows.ClearPadding(dOutput, lengths, steps, {ow}{LayoutArgument(plan)});"));
                using (w.Block("for (int b = 0; b < batch; b++)"))
                    CopyRealSteps(w, plan, "outputGradient", "dOutput", Inv($"{ow}"));
            }
            string stateArgs = plan.IsLstm
                ? "finalHiddenGradient, initialHiddenGradient, finalCellGradient, initialCellGradient"
                : "finalHiddenGradient, initialHiddenGradient, default, default";
            for (int l = s.Layers - 1; l >= 0; l--)
            {
                int inW = l == 0 ? s.InputSize : ow;
                w.Line();
                w.Line(Inv($"// Layer {l}: ∂L/∂(its output) → parameter gradients and ∂L/∂(its input)."));
                if (l == 0 && !plan.HasEmbedding)
                {
                    // Features in: their gradient serves only the caller, so it is computed only when asked for
                    // (one GEMM of 2·rows·G·H·InputSize FLOPs, as PyTorch skips it for an input without requires_grad).
                    w.Line("// ∂L/∂input is computed only when the caller asks for it (empty: skipped).");
                    w.Line(Inv($"{Span} dInput0 = inputGradient.IsEmpty ? default : _dInput.AsSpan(0, rows * {inW});"));
                }
                else w.Line(Inv($"{Span} dInput{l} = _dInput.AsSpan(0, rows * {inW});"));
                w.Line(Inv($"dInput{l}.Clear();"));
                foreach (LayerPlan layer in plan.RecurrentLayers.Where(p => p.Layer == l))
                    w.Line(Inv($"Backward{layer.Suffix}(lengths, batch, steps, dOutput, dInput{l}, {stateArgs});"));
                if (l > 0)
                {
                    w.Line(Inv($"if (_layerDropped) {K}Dropout.Backward(dInput{l}, _outputMaskL{l - 1}.AsSpan(0, rows * {ow}));"));
                    w.Line(Inv($"dInput{l}.CopyTo(dOutput);"));
                }
                else
                {
                    w.Line(Inv($"if (_inputDropped && !dInput0.IsEmpty) {K}Dropout.Backward(dInput0, _inputMask.AsSpan(0, rows * InputSize));"));
                }
            }
            w.Line();
            if (plan.HasEmbedding)
            {
                w.Line("// Embedding: only the rows of tokens in the batch receive gradient.");
                using (w.Block("for (int b = 0; b < batch; b++)"))
                {
                    using (w.Block("for (int t = 0; t < lengths[b]; t++)"))
                    {
                        w.Line("int row = " + Row(plan, "b", "t") + ";");
                        w.Line(Inv($"{Span} dRow = new {Span}(Gradients, {plan.Embedding!.Offset} + _tokens[row] * InputSize, InputSize);"));
                        w.Line("global::System.Numerics.Tensors.TensorPrimitives.Add(dRow, dInput0.Slice(row * InputSize, InputSize), dRow);");
                    }
                }
            }
            else
            {
                w.Line("if (!inputGradient.IsEmpty) dInput0.CopyTo(inputGradient);");
            }
        }
        w.Line();
    }

    private static void WriteLayerBackward(IndentedWriter w, NetworkPlan plan, LayerPlan layer)
    {
        int h = plan.H, gh = plan.GH, outW = plan.LayerOutputSize, inW = layer.InputSize;
        int outOffset = layer.Reverse ? h : 0;
        string sx = layer.Suffix;
        string inputBuffer = layer.Layer == 0 ? "_input" : Inv($"_outputL{layer.Layer - 1}");
        int state = layer.StateIndex(plan.Directions);
        string dHProj = plan.IsGru ? "dHProj" : "dGates";
        w.Line(Inv($"// {layer.Title}, backward: walks the steps in the opposite order of the forward loop."));
        using (w.Block(Inv($"private void Backward{sx}({RoInts} lengths, int batch, int steps, {RoSpan} dOutput, {Span} dInput, {RoSpan} finalHiddenGradient, {Span} initialHiddenGradient, {RoSpan} finalCellGradient, {Span} initialCellGradient)")))
        {
            w.Line("int rows = batch * steps;");
            w.Line("// ∂L/∂gates overwrite the kept gate activations row by row: the cell that writes a row's gradients reads");
            w.Line("// its activations for the last time (the cell kernels load a unit's gates before storing its gradients).");
            w.Line(Inv($"{Span} dGates = _gates{sx}.AsSpan(0, rows * {gh});"));
            w.Line("// Every real row is written below; only the padded rows need zeros (the weight-gradient GEMMs read them).");
            w.Line(Inv($"{K}Rows.ClearPadding(dGates, lengths, steps, {gh}{LayoutArgument(plan)});"));
            if (plan.IsGru)
            {
                w.Line(Inv($"{Span} dHProj = _dHProj.AsSpan(0, rows * {gh});"));
                if (plan.IsGruResetFirst)
                {
                    w.Line(Inv($"{K}Rows.ClearPadding(dHProj.Slice(0, rows * {2 * h}), lengths, steps, {2 * h}{LayoutArgument(plan)});"));
                    w.Line(Inv($"{K}Rows.ClearPadding(dHProj.Slice(rows * {2 * h}, rows * {h}), lengths, steps, {h}{LayoutArgument(plan)});"));
                }
                else w.Line(Inv($"{K}Rows.ClearPadding(dHProj, lengths, steps, {gh}{LayoutArgument(plan)});"));
                w.Line(Inv($"{Span} dhDirect = _dhDirect.AsSpan(0, batch * {h});"));
            }
            w.Line(Inv($"{Span} dh = _dh.AsSpan(0, batch * {h});"));
            if (plan.IsLstm) w.Line(Inv($"{Span} dc = _dc.AsSpan(0, batch * {h});"));
            w.Line(Inv($"{Span} dStep = _dStep.AsSpan(0, batch * {gh});"));
            w.Line(Inv($"{Span} dhPrev = _dhPrev.AsSpan(0, batch * {h});"));
            w.Line(Inv($"{RoSpan} gates = dGates; // the activations, as read before each row's gradients replace them"));
            w.Line();
            w.Line("// Gradient arriving at the final state, or zeros.");
            w.Line(Inv($"if (finalHiddenGradient.IsEmpty) dh.Clear(); else finalHiddenGradient.Slice({state} * batch * {h}, batch * {h}).CopyTo(dh);"));
            if (plan.IsLstm) w.Line(Inv($"if (finalCellGradient.IsEmpty) dc.Clear(); else finalCellGradient.Slice({state} * batch * {h}, batch * {h}).CopyTo(dc);"));
            w.Line();
            if (!plan.IsGruResetFirst)
            {
                w.Line(Inv($"// Pack {layer.WeightHh.Key} once for the per-step product dStep · W_hh."));
                w.Line(Inv($"{Span} packedHh = _packedWeight.AsSpan(0, {K}Gemm.PackedLength({h}, {gh}));"));
                w.Line(Inv($"{K}Gemm.PackB(packedHh, {layer.WeightHh.Property}, {gh}, {h});"));
            }
            w.Line(Inv($"bool sorted = {K}Rows.IsSortedLongestFirst(lengths);"));
            using (w.Block("for (int s = steps - 1; s >= 0; s--)"))
            {
                w.Line(Inv($"int active = {K}Rows.ActiveRows(lengths, s, sorted);"));
                if (plan.IsGruResetFirst) WriteResetFirstBackwardStep(w, plan, layer);
                else
                {
                    w.Line("// dStep rows of finished sequences keep stale values: their products land in dhPrev rows nobody reads.");
                    using (w.Block("for (int b = 0; b < active; b++)"))
                    {
                        w.Line("int length = lengths[b];");
                        w.Line("if (s >= length) continue;");
                        w.Line("int row = " + Row(plan, "b", layer.Reverse ? "(length - 1 - s)" : "s") + ";");
                        w.Line("// ∂L/∂h at this step: from the layer above plus from the next step.");
                        w.Line(Inv($"{Span} dhb = dh.Slice(b * {h}, {h});"));
                        w.Line(Inv($"global::System.Numerics.Tensors.TensorPrimitives.Add(dhb, dOutput.Slice(row * {outW} + {outOffset}, {h}), dhb);"));
                        w.Line(Inv($"{Span} dg = dGates.Slice(row * {gh}, {gh});"));
                        if (plan.IsLstm)
                        {
                            string previousRow = Row(plan, "b", layer.Reverse ? "(length - s)" : "(s - 1)");
                            w.Line(Inv($"// c entering this step: the previous step's (kept in _cell{sx}), or the initial state."));
                            w.Line(Inv($"{RoSpan} cPrev = s == 0 ? _cellInitial{sx}.AsSpan(b * {h}, {h}) : _cell{sx}.AsSpan(({previousRow}) * {h}, {h});"));
                            w.Line(plan.HasPeepholes
                                ? Inv($"{K}LstmCell.BackwardPeephole(dg, dc.Slice(b * {h}, {h}), {layer.Peephole!.Property}Gradient, dhb, gates.Slice(row * {gh}, {gh}), _cell{sx}.AsSpan(row * {h}, {h}), cPrev, {layer.Peephole!.Property});")
                                : Inv($"{K}LstmCell.Backward(dg, dc.Slice(b * {h}, {h}), dhb, gates.Slice(row * {gh}, {gh}), _cell{sx}.AsSpan(row * {h}, {h}), cPrev);"));
                            w.Line(Inv($"dg.CopyTo(dStep.Slice(b * {gh}, {gh}));"));
                        }
                        else if (plan.IsGru)
                        {
                            w.Line(Inv($"{Span} dhp = dHProj.Slice(row * {gh}, {gh});"));
                            w.Line(Inv($"{K}GruCell.Backward(dg, dhp, dhDirect.Slice(b * {h}, {h}), dhb, gates.Slice(row * {gh}, {gh}), _hn{sx}.AsSpan(row * {h}, {h}), _hPrev{sx}.AsSpan(row * {h}, {h}));"));
                            w.Line(Inv($"dhp.CopyTo(dStep.Slice(b * {gh}, {gh}));"));
                        }
                        else
                        {
                            w.Line(Inv($"{K}RnnCell.Backward(dg, dhb, gates.Slice(row * {gh}, {gh}), relu: {(plan.Spec.Relu ? "true" : "false")});"));
                            w.Line(Inv($"dg.CopyTo(dStep.Slice(b * {gh}, {gh}));"));
                        }
                    }
                    w.Line(Inv($"// Through the recurrent weight: ∂L/∂h_(t−1) = dStep · {layer.WeightHh.Key}{(plan.IsGru ? " + z⊙∂L/∂h_t." : ".")}"));
                    w.Line(Inv($"{K}Gemm.APackedB(dhPrev, dStep, packedHh, active, {h}, {gh}, accumulate: false);"));
                    using (w.Block("for (int b = 0; b < active; b++)"))
                    {
                        w.Line("if (s >= lengths[b]) continue;");
                        if (plan.IsGru)
                            w.Line(Inv($"global::System.Numerics.Tensors.TensorPrimitives.Add(dhPrev.Slice(b * {h}, {h}), dhDirect.Slice(b * {h}, {h}), dh.Slice(b * {h}, {h}));"));
                        else
                            w.Line(Inv($"dhPrev.Slice(b * {h}, {h}).CopyTo(dh.Slice(b * {h}, {h}));"));
                    }
                }
            }
            w.Line();
            w.Line("// Gradients of the initial state, if wanted.");
            w.Line(Inv($"if (!initialHiddenGradient.IsEmpty) dh.CopyTo(initialHiddenGradient.Slice({state} * batch * {h}, batch * {h}));"));
            if (plan.IsLstm) w.Line(Inv($"if (!initialCellGradient.IsEmpty) dc.CopyTo(initialCellGradient.Slice({state} * batch * {h}, batch * {h}));"));
            w.Line();
            w.Line("// Weight gradients: one GEMM each over all steps (padded steps hold zero gradient).");
            w.Line(Inv($"{RoSpan} input = {inputBuffer}.AsSpan(0, rows * {inW});"));
            w.Line(Inv($"{K}Gemm.AtB({layer.WeightIh.Property}Gradient, dGates, input, {gh}, {inW}, rows, accumulate: true);"));
            if (plan.IsGruResetFirst)
            {
                w.Line(Inv($"// W_hrz meets h, W_hn meets r⊙h: two products, and dHProj holds [rows × {2 * h}] then [rows × {h}]."));
                w.Line(Inv($"{K}Gemm.AtB({layer.WeightHh.Property}Gradient.Slice(0, {2 * h * h}), dHProj.Slice(0, rows * {2 * h}), _hPrev{sx}.AsSpan(0, rows * {h}), {2 * h}, {h}, rows, accumulate: true);"));
                w.Line(Inv($"{K}Gemm.AtB({layer.WeightHh.Property}Gradient.Slice({2 * h * h}, {h * h}), dHProj.Slice(rows * {2 * h}, rows * {h}), _hn{sx}.AsSpan(0, rows * {h}), {h}, {h}, rows, accumulate: true);"));
                w.Line(Inv($"{K}Rows.AccumulateColumnSums({layer.BiasIh.Property}Gradient, dGates, rows);"));
                w.Line(Inv($"{K}Rows.AccumulateColumnSums({layer.BiasHh.Property}Gradient.Slice(0, {2 * h}), dHProj.Slice(0, rows * {2 * h}), rows);"));
                w.Line(Inv($"{K}Rows.AccumulateColumnSums({layer.BiasHh.Property}Gradient.Slice({2 * h}, {h}), dHProj.Slice(rows * {2 * h}, rows * {h}), rows);"));
            }
            else
            {
                w.Line(Inv($"{K}Gemm.AtB({layer.WeightHh.Property}Gradient, {dHProj}, _hPrev{sx}.AsSpan(0, rows * {h}), {gh}, {h}, rows, accumulate: true);"));
                if (!plan.IsGru) // LSTM and RNN: the recurrent projection's gradient is dGates itself
                {
                    w.Line("// b_ih and b_hh get the same column sums of dGates: taken once, into the step scratch (free after the loop).");
                    w.Line(Inv($"{Span} biasSums = dStep.Slice(0, {gh});"));
                    w.Line("biasSums.Clear();");
                    w.Line(Inv($"{K}Rows.AccumulateColumnSums(biasSums, dGates, rows);"));
                    w.Line(Inv($"global::System.Numerics.Tensors.TensorPrimitives.Add({layer.BiasIh.Property}Gradient, biasSums, {layer.BiasIh.Property}Gradient);"));
                    w.Line(Inv($"global::System.Numerics.Tensors.TensorPrimitives.Add({layer.BiasHh.Property}Gradient, biasSums, {layer.BiasHh.Property}Gradient);"));
                }
                else
                {
                    w.Line(Inv($"{K}Rows.AccumulateColumnSums({layer.BiasIh.Property}Gradient, dGates, rows);"));
                    w.Line(Inv($"{K}Rows.AccumulateColumnSums({layer.BiasHh.Property}Gradient, {dHProj}, rows);"));
                }
            }
            w.Line();
            w.Line(Inv($"// ∂L/∂input += dGates · {layer.WeightIh.Key} (skipped when dInput is empty: features whose gradient the caller did not ask for)."));
            w.Line(Inv($"if (!dInput.IsEmpty) {K}Gemm.AB(dInput, dGates, {layer.WeightIh.Property}, rows, {inW}, {gh}, accumulate: true);"));
        }
        w.Line();
    }

    // ───────────────────────────── loss ─────────────────────────────

    private static void WriteLoss(IndentedWriter w, NetworkPlan plan)
    {
        w.Line("/// <summary>");
        w.Line("/// One training computation: <see cref=\"ForwardTraining\"/>, negative log-likelihood of <paramref name=\"targets\"/>, and");
        w.Line("/// <see cref=\"Backward\"/>. Gradients of (summed loss × <paramref name=\"gradientScale\"/>) are added to <see cref=\"Gradients\"/>.");
        w.Line("/// </summary>");
        w.Line("/// <param name=\"" + InputName(plan) + "\">The batch's input, as for <see cref=\"Forward\"/>.</param>");
        w.Line("/// <param name=\"lengths\">Length of each sequence.</param>");
        w.Line("/// <param name=\"targets\">Class per step " + SequenceShape(plan, "") + " for <see cref=\"global::RnnGen.Training.LossKind.PerStep\"/>, or per sequence [batch] for <see cref=\"global::RnnGen.Training.LossKind.LastStep\"/>.</param>");
        w.Line("/// <param name=\"kind\">Loss on every real step (tagging) or on each sequence's last real step (classification).</param>");
        w.Line("/// <param name=\"gradientScale\">Scale of the gradient; NaN (the default) means 1 / (number of targets), the gradient of the mean loss.</param>");
        w.Line("/// <returns>The summed loss and the number of targets it covers.</returns>");
        w.Line(Inv($"public global::RnnGen.Training.LossSum ComputeLossAndGradients({InputParam(plan)}, {RoInts} lengths, {RoInts} targets, global::RnnGen.Training.LossKind kind = global::RnnGen.Training.LossKind.PerStep, float gradientScale = float.NaN)"));
        w.Line(Inv($"    => TrainChunk({InputName(plan)}, lengths, targets, kind, gradientScale, default, default);"));
        w.Line();
        w.Line("// Forward (from the given state, or zeros; the final state is written back to it), loss, backward.");
        using (w.Block(Inv($"private global::RnnGen.Training.LossSum TrainChunk({InputParam(plan)}, {RoInts} lengths, {RoInts} targets, global::RnnGen.Training.LossKind kind, float gradientScale, {Span} state, {Span} cellState)")))
        {
            w.Line(Inv($"int steps = {Args}.CheckBatch(lengths, {InputName(plan)}.Length, {(plan.HasEmbedding ? "1" : "InputSize")}, \"{InputName(plan)}\"{LayoutArgument(plan)});"));
            w.Line("int rows = lengths.Length * steps;");
            w.Line("// The targets are checked before anything changes; Run checks the rest before it sizes the workspace.");
            w.Line("global::RnnGen.Training.SequenceLoss.CheckTargets(targets, lengths, steps, OutputSize, kind" + LayoutArgument(plan) + ");");
            w.Line("global::RnnGen.Workspace.Grow(ref _lossOutput, (long)rows * OutputSize);");
            w.Line("global::RnnGen.Workspace.Grow(ref _lossGradient, (long)rows * OutputSize);");
            w.Line(Inv($"{Span} output = _lossOutput.AsSpan(0, rows * OutputSize), dOutput = _lossGradient.AsSpan(0, rows * OutputSize);"));
            w.Line(Inv($"Run({InputName(plan)}, lengths, output, state, state, {(plan.IsLstm ? "cellState, cellState" : "default, default")}, training: true);"));
            w.Line("global::RnnGen.Training.LossSum loss = global::RnnGen.Training.SequenceLoss.NegativeLogLikelihood(dOutput, output, targets, lengths, steps, OutputSize, kind, gradientScale" + LayoutArgument(plan) + ");");
            w.Line("Backward(dOutput);");
            w.Line("return loss;");
        }
        w.Line();
        w.Line("private float[] _lossOutput = global::System.Array.Empty<float>(), _lossGradient = global::System.Array.Empty<float>();");
    }
}
