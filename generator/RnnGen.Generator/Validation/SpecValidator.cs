using System.Collections.Generic;
using System.Globalization;
using RnnGen.Generator.Parsing;

namespace RnnGen.Generator.Validation;

/// <summary>
/// Turns a raw declaration into a valid <see cref="NetworkSpec"/> or into diagnostics, each placed
/// on the argument (or class) at fault and saying how to fix it.
/// </summary>
internal static class SpecValidator
{
    /// <summary>Sizes above this are almost certainly typos and would not fit in memory anyway.</summary>
    public const int MaxSize = 65_536;
    public const int MaxLayers = 64;

    /// <summary>All parameters live in one float[]: at most Array.MaxLength elements.</summary>
    public const long MaxParameters = 0x7FFFFFC7;

    public static NetworkDeclaration Validate(RawDeclaration raw)
    {
        var diagnostics = new List<DiagnosticInfo>();
        string name = raw.ClassName;
        CheckClass(raw, diagnostics);
        if (ClashesWithGeneratedMember(name.TrimStart('@')))
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NameClashesWithGeneratedMember, raw.ClassLocation, name));

        int cell = EnumArgument(raw, DeclarationParser.CellArgument, "CellKind", 2, 0, diagnostics);
        int direction = EnumArgument(raw, "Direction", "Direction", 1, 0, diagnostics);
        int nonlinearity = EnumArgument(raw, "Nonlinearity", "Nonlinearity", 1, 0, diagnostics);
        // Any cell, direction, input or head can be laid out either way: an undefined value is the only error.
        int layout = EnumArgument(raw, "Layout", "SequenceLayout", 1, 0, diagnostics);
        if (raw.Arguments.TryGetValue("Nonlinearity", out RawArgument? nl) && cell != (int)Cell.Rnn)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.OptionNotForCell, nl.Location ?? raw.AttributeLocation, "Nonlinearity", "Rnn", ((Cell)cell).ToString()));

        bool linearBeforeReset = Flag(raw, "LinearBeforeReset", true, cell, (int)Cell.Gru, "Gru", diagnostics);
        bool peepholes = Flag(raw, "Peepholes", false, cell, (int)Cell.Lstm, "Lstm", diagnostics);

        int input = Size(raw, "InputSize", required: true, MaxSize, diagnostics);
        int hidden = Size(raw, "HiddenSize", required: true, MaxSize, diagnostics);
        int layers = Size(raw, "Layers", required: false, MaxLayers, diagnostics, defaultValue: 1);
        int output = Size(raw, "OutputSize", required: false, MaxSize * 16, diagnostics);
        int vocabulary = 0;
        if (raw.Arguments.TryGetValue("VocabularySize", out RawArgument? vocab) && vocab.Value is int v)
        {
            if (v <= 0)
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.EmbeddingWithoutVocabulary, vocab.Location ?? raw.AttributeLocation, Text(v)));
            else if (v > 16_777_216)
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SizeTooLarge, vocab.Location ?? raw.AttributeLocation, "VocabularySize", Text(v), Text(16_777_216)));
            else vocabulary = v;
        }

        if (diagnostics.Count == 0)
        {
            long parameters = ParameterCount((Cell)cell, input, hidden, layers, direction == 1 ? 2 : 1, vocabulary, output);
            if (parameters > MaxParameters)
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NetworkTooLarge, raw.AttributeLocation, name, Text(parameters), Text(MaxParameters)));
        }

        if (diagnostics.Count > 0) return new NetworkDeclaration(null, diagnostics.ToEquatableArray());

        var spec = new NetworkSpec(raw.Namespace, raw.ClassIdentifier, raw.ContainingTypeDeclarations.ToEquatableArray(), (Cell)cell,
            input, hidden, layers, direction == 1, nonlinearity == 1, vocabulary, output, linearBeforeReset, peepholes, (SequenceLayout)layout);
        return new NetworkDeclaration(spec, EquatableArray<DiagnosticInfo>.Empty);
    }

    /// <summary>Checks of the class itself, shared by every kind of declaration: partial, plain, not generic, declared once.</summary>
    internal static void CheckClass(RawDeclaration raw, List<DiagnosticInfo> diagnostics)
    {
        string name = raw.ClassName;
        if (raw.AttributeCount > 1)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.DuplicateAttribute, raw.AttributeLocation, name));
        if (raw.TypeKindProblem is not null)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedTypeKind, raw.ClassLocation, name, raw.TypeKindProblem));
        if (!raw.IsPartial)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ClassNotPartial, raw.ClassLocation, name));
        if (raw.IsGeneric)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.GenericNotSupported, raw.ClassLocation, name));
        foreach (var (outerName, isPartial, location) in raw.ContainingTypes)
        {
            if (!isPartial)
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ContainingTypeNotPartial, location ?? raw.ClassLocation, outerName, name));
        }
    }

    // Members every generated class has (a member may not share its class's name, CS0542).
    private static readonly HashSet<string> s_generatedMembers = new(System.StringComparer.Ordinal)
    {
        "InputSize", "HiddenSize", "Layers", "Directions", "GatesPerCell", "VocabularySize", "OutputSize", "StepOutputSize",
        "StateCount", "ParameterCount", "FlopsPerStep", "ShapeSignature", "TensorTable", "Parameters", "Gradients",
        "CreateReplica", "ResetParameters", "ZeroGradients", "InputDropout", "LayerDropout", "SeedDropout", "WorkspaceBytes",
        "Forward", "ForwardTraining", "Backward", "Step", "State", "ComputeLossAndGradients", "Run", "TrainChunk", "EnsureWorkspace",
        "Layout", "EmbeddingWeight", "HeadWeight", "HeadBias", "EmbeddingWeightGradient", "HeadWeightGradient", "HeadBiasGradient",
    };

    internal static bool ClashesWithGeneratedMember(string name)
    {
        if (s_generatedMembers.Contains(name)) return true;
        // Tensor views: WeightIhL0, BiasHhL2Reverse, WeightIhL1Gradient, and the per-layer methods ForwardL0, BackwardL1Reverse.
        foreach (string prefix in new[] { "WeightIhL", "WeightHhL", "BiasIhL", "BiasHhL", "WeightPeepholeL", "ForwardL", "BackwardL" })
        {
            if (name.StartsWith(prefix, System.StringComparison.Ordinal) && name.Length > prefix.Length && char.IsDigit(name[prefix.Length])) return true;
        }
        return false;
    }

    // A bool option that only one cell kind understands: RNNG0007 when written on another cell.
    private static bool Flag(RawDeclaration raw, string argument, bool defaultValue, int cell, int onlyCell, string cellName, List<DiagnosticInfo> diagnostics)
    {
        if (!raw.Arguments.TryGetValue(argument, out RawArgument? arg) || arg.Value is not bool value) return defaultValue;
        if (cell != onlyCell)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.OptionNotForCell, arg.Location ?? raw.AttributeLocation, argument, cellName, ((Cell)cell).ToString()));
            return defaultValue;
        }
        return value;
    }

    internal static int Size(RawDeclaration raw, string argument, bool required, int max, List<DiagnosticInfo> diagnostics, int defaultValue = 0)
    {
        if (!raw.Arguments.TryGetValue(argument, out RawArgument? arg) || arg.Value is not int value)
        {
            if (required)
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.RequiredSizeMissing, raw.AttributeLocation, raw.ClassName, argument));
            return defaultValue;
        }
        if (value <= 0)
        {
            // An explicit OutputSize = 0 is the same as leaving the head out.
            if (argument == "OutputSize" && value == 0) return 0;
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SizeNotPositive, arg.Location ?? raw.AttributeLocation, argument, Text(value)));
        }
        else if (value > max)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SizeTooLarge, arg.Location ?? raw.AttributeLocation, argument, Text(value), Text(max)));
        return value;
    }

    internal static int EnumArgument(RawDeclaration raw, string argument, string enumName, int maxDefined, int defaultValue, List<DiagnosticInfo> diagnostics)
    {
        if (!raw.Arguments.TryGetValue(argument, out RawArgument? arg) || arg.Value is not int value) return defaultValue;
        if (value < 0 || value > maxDefined)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UndefinedEnumValue, arg.Location ?? raw.AttributeLocation, argument, Text(value), enumName));
            return defaultValue;
        }
        return value;
    }

    /// <summary>
    /// Parameters of a valid shape, counted in 64 bits (the planner lays them out in 32-bit offsets):
    /// embedding V·I, per layer and direction G·H·(in + H) + 2·G·H, head O·(D·H) + O.
    /// </summary>
    private static long ParameterCount(Cell cell, long input, long hidden, int layers, int directions, long vocabulary, long output)
    {
        long gh = Planning.TensorTable.GatesOf(cell) * hidden;
        long total = vocabulary * input;
        for (int l = 0; l < layers; l++)
            total += directions * gh * ((l == 0 ? input : directions * hidden) + hidden + 2);
        return total + output * (directions * hidden + 1);
    }

    internal static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}
