namespace RnnGen.Generator.Parsing;

/// <summary>Attention kinds, numbered as RnnGen.AttentionKind in the runtime.</summary>
internal enum Attention { None = 0, LuongDot = 1, LuongGeneral = 2, Bahdanau = 3 }

/// <summary>
/// A validated sequence-to-sequence declaration ([Encoder] + [Decoder] on one class). The encoder is
/// a plain <see cref="NetworkSpec"/> (embedding, stacked layers, no head) so that its forward and
/// backward are emitted by the same code as every other network, as a nested class.
/// </summary>
internal sealed record Seq2SeqSpec(
    string Namespace,
    string ClassName,
    EquatableArray<string> ContainingTypes,
    NetworkSpec Encoder,
    Cell DecoderCell,
    int DecoderInputSize,
    int DecoderHiddenSize,
    int DecoderLayers,
    int TargetVocabularySize,
    Attention Attention,
    int StartToken,
    int EndToken);

/// <summary>What the parsing stage yields per class carrying [Encoder] or [Decoder]: a valid spec or diagnostics.</summary>
internal sealed record Seq2SeqDeclaration(Seq2SeqSpec? Spec, EquatableArray<Validation.DiagnosticInfo> Diagnostics);
