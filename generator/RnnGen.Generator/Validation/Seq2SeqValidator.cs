using System.Collections.Generic;
using RnnGen.Generator.Parsing;

namespace RnnGen.Generator.Validation;

/// <summary>
/// Turns the [Encoder] and [Decoder] of one class into a valid <see cref="Seq2SeqSpec"/> or into
/// diagnostics placed on the argument, attribute or class at fault.
/// </summary>
internal static class Seq2SeqValidator
{
    /// <summary>The nested class the encoder is generated as (a plain network without head).</summary>
    public const string EncoderClassName = "SourceEncoder";

    /// <param name="encoder">The class with the [Encoder] arguments.</param>
    /// <param name="decoder">The same class with the [Decoder] arguments, or null when there is no [Decoder].</param>
    /// <param name="alsoRecurrentNetwork">The class also carries [RecurrentNetwork].</param>
    public static Seq2SeqDeclaration Validate(RawDeclaration encoder, RawDeclaration? decoder, bool alsoRecurrentNetwork)
    {
        var diagnostics = new List<DiagnosticInfo>();
        string name = encoder.ClassName;
        SpecValidator.CheckClass(encoder, diagnostics);
        if (decoder is not null && decoder.AttributeCount > 1)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.DuplicateAttribute, decoder.AttributeLocation, name));
        if (alsoRecurrentNetwork)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.Seq2SeqWithRecurrentNetwork, encoder.ClassLocation, name));
        if (ClashesWithGeneratedMember(name.TrimStart('@')))
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NameClashesWithGeneratedMember, encoder.ClassLocation, name));

        // Encoder: like a [RecurrentNetwork] with a required vocabulary and no head.
        int encCell = SpecValidator.EnumArgument(encoder, DeclarationParser.CellArgument, "CellKind", 2, 0, diagnostics);
        int direction = SpecValidator.EnumArgument(encoder, "Direction", "Direction", 1, 0, diagnostics);
        int encInput = SpecValidator.Size(encoder, "InputSize", required: true, SpecValidator.MaxSize, diagnostics);
        int encHidden = SpecValidator.Size(encoder, "HiddenSize", required: true, SpecValidator.MaxSize, diagnostics);
        int encLayers = SpecValidator.Size(encoder, "Layers", required: false, SpecValidator.MaxLayers, diagnostics, defaultValue: 1);
        int sourceVocabulary = SpecValidator.Size(encoder, "VocabularySize", required: true, 16_777_216, diagnostics);

        if (decoder is null)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.EncoderWithoutDecoder, encoder.AttributeLocation, name));
            return new Seq2SeqDeclaration(null, diagnostics.ToEquatableArray());
        }

        int decCell = SpecValidator.EnumArgument(decoder, DeclarationParser.CellArgument, "CellKind", 2, 0, diagnostics);
        int attention = SpecValidator.EnumArgument(decoder, "Attention", "AttentionKind", 3, 0, diagnostics);
        int decInput = SpecValidator.Size(decoder, "InputSize", required: true, SpecValidator.MaxSize, diagnostics);
        int decHidden = SpecValidator.Size(decoder, "HiddenSize", required: true, SpecValidator.MaxSize, diagnostics);
        int decLayers = SpecValidator.Size(decoder, "Layers", required: false, SpecValidator.MaxLayers, diagnostics, defaultValue: 1);
        int targetVocabulary = SpecValidator.Size(decoder, "VocabularySize", required: true, 16_777_216, diagnostics);
        int start = Token(decoder, "StartToken", targetVocabulary, diagnostics);
        int end = Token(decoder, "EndToken", targetVocabulary, diagnostics);
        if (start >= 0 && start == end)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.StartEqualsEnd, decoder.AttributeLocation, SpecValidator.Text(start)));

        int directions = direction == 1 ? 2 : 1;
        if (attention == (int)Attention.LuongDot && encHidden > 0 && decHidden > 0 && directions * encHidden != decHidden)
        {
            LocationInfo? where = decoder.Arguments.TryGetValue("Attention", out RawArgument? a) ? a.Location : decoder.AttributeLocation;
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.AttentionSizeMismatch, where ?? decoder.AttributeLocation,
                SpecValidator.Text((long)directions * encHidden), SpecValidator.Text(decHidden)));
        }

        if (diagnostics.Count > 0) return new Seq2SeqDeclaration(null, diagnostics.ToEquatableArray());

        var encoderSpec = new NetworkSpec("", EncoderClassName, EquatableArray<string>.Empty, (Cell)encCell,
            encInput, encHidden, encLayers, direction == 1, false, sourceVocabulary, 0);
        var spec = new Seq2SeqSpec(encoder.Namespace, encoder.ClassIdentifier, encoder.ContainingTypeDeclarations.ToEquatableArray(), encoderSpec,
            (Cell)decCell, decInput, decHidden, decLayers, targetVocabulary, (Attention)attention, start, end);
        long parameters = Planning.Seq2SeqPlanner.CountParameters(spec);
        if (parameters > SpecValidator.MaxParameters)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NetworkTooLarge, encoder.AttributeLocation, name,
                SpecValidator.Text(parameters), SpecValidator.Text(SpecValidator.MaxParameters)));
            return new Seq2SeqDeclaration(null, diagnostics.ToEquatableArray());
        }
        return new Seq2SeqDeclaration(spec, EquatableArray<DiagnosticInfo>.Empty);
    }

    /// <summary>A [Decoder] without an [Encoder] on its class.</summary>
    public static Seq2SeqDeclaration DecoderAlone(RawDeclaration decoder)
        => new(null, new[] { DiagnosticInfo.Create(DiagnosticDescriptors.DecoderWithoutEncoder, decoder.AttributeLocation, decoder.ClassName) }.ToEquatableArray());

    private static int Token(RawDeclaration decoder, string argument, int vocabulary, List<DiagnosticInfo> diagnostics)
    {
        if (!decoder.Arguments.TryGetValue(argument, out RawArgument? arg) || arg.Value is not int value)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MissingToken, decoder.AttributeLocation, decoder.ClassName, argument));
            return -1;
        }
        if (value < 0 || (vocabulary > 0 && value >= vocabulary))
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.TokenOutsideVocabulary, arg.Location ?? decoder.AttributeLocation,
                argument, SpecValidator.Text(value), SpecValidator.Text(vocabulary)));
            return -1;
        }
        return value;
    }

    // Members of the generated sequence-to-sequence class (a member may not share its class's name).
    private static readonly HashSet<string> s_generatedMembers = new(System.StringComparer.Ordinal)
    {
        EncoderClassName, "SourceVocabularySize", "TargetVocabularySize", "StartToken", "EndToken", "ParameterCount", "ShapeSignature",
        "TensorTable", "Parameters", "Gradients", "ResetParameters", "ZeroGradients", "ForwardBackward", "Greedy", "BeamSearch", "Score",
        "EncoderHiddenSize", "EncoderLayers", "EncoderDirections", "EncoderOutputSize", "DecoderHiddenSize", "DecoderLayers",
        "SourceEmbeddingSize", "TargetEmbeddingSize", "Attention", "EncoderParameterCount", "FlopsPerStep",
        "CheckSource", "Encode", "InitializeDecoder", "DecoderStep", "DecodeTeacherForced", "Backward", "Finish", "EnsureWorkspace",
    };

    // Tensor views and their gradients: EncoderWeightIhL0, BridgeWeightL0, DecoderEmbeddingWeight, AttentionQueryWeight, OutBias, …
    private static readonly string[] s_tensorPrefixes =
    {
        "EncoderWeight", "EncoderBias", "EncoderEmbedding", "DecoderWeight", "DecoderBias", "DecoderEmbedding",
        "BridgeWeight", "BridgeBias", "AttentionWeight", "AttentionQuery", "AttentionKey", "AttentionScore", "AttentionCombine", "OutWeight", "OutBias",
    };

    private static bool ClashesWithGeneratedMember(string name)
    {
        if (s_generatedMembers.Contains(name)) return true;
        foreach (string prefix in s_tensorPrefixes)
            if (name.StartsWith(prefix, System.StringComparison.Ordinal)) return true;
        return false;
    }
}
