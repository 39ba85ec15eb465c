using System.Collections.Generic;
using Microsoft.CodeAnalysis;

namespace RnnGen.Generator.Validation;

/// <summary>
/// Every diagnostic the generator reports, in one place. IDs are never reused; each is listed in
/// AnalyzerReleases.*.md and documented with a wrong and a fixed example in docs/diagnostics.md.
/// </summary>
internal static class DiagnosticDescriptors
{
    private const string Category = "RnnGen";
    private const string HelpBase = "https://github.com/rnngen/rnngen/blob/main/docs/diagnostics.md#";

    private static DiagnosticDescriptor Error(string id, string title, string message) =>
        new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpBase + id.ToLowerInvariant());

    public static readonly DiagnosticDescriptor SizeNotPositive = Error("RNNG0001",
        "Size must be positive",
        "'{0}' is {1}; it must be at least 1");

    public static readonly DiagnosticDescriptor SizeTooLarge = Error("RNNG0002",
        "Size is too large",
        "'{0}' is {1}; the largest supported value is {2}");

    public static readonly DiagnosticDescriptor RequiredSizeMissing = Error("RNNG0003",
        "Required size is missing",
        "The network on '{0}' does not set '{1}'; add '{1} = <positive number>' to the attribute");

    public static readonly DiagnosticDescriptor ClassNotPartial = Error("RNNG0004",
        "Network class must be partial",
        "Class '{0}' carries a network attribute but is not partial; declare it 'partial class {0}' so the generated half can be added");

    public static readonly DiagnosticDescriptor ContainingTypeNotPartial = Error("RNNG0005",
        "Containing type must be partial",
        "Type '{0}' contains network class '{1}' but is not partial; declare it partial so the generated code can be nested in it");

    public static readonly DiagnosticDescriptor GenericNotSupported = Error("RNNG0006",
        "Generic network classes are not supported",
        "'{0}' is generic or nested in a generic type; declare the network on a non-generic class");

    public static readonly DiagnosticDescriptor OptionNotForCell = Error("RNNG0007",
        "Option does not apply to this cell",
        "'{0}' applies only to {1} cells, but this network uses {2} cells; remove the argument or change the cell");

    public static readonly DiagnosticDescriptor DuplicateAttribute = Error("RNNG0008",
        "Network declared more than once",
        "Class '{0}' carries more than one network attribute; keep exactly one");

    public static readonly DiagnosticDescriptor EmbeddingWithoutVocabulary = Error("RNNG0009",
        "Embedding needs a vocabulary",
        "'VocabularySize' is {0}; a token-id input needs a vocabulary of at least 1 token (omit the argument for a dense input)");

    public static readonly DiagnosticDescriptor UnsupportedTypeKind = Error("RNNG0010",
        "Network must be a plain class",
        "'{0}' is {1}; declare the network on a plain class (not static, abstract, file-local or a record, and without a primary constructor)");

    public static readonly DiagnosticDescriptor UndefinedEnumValue = Error("RNNG0011",
        "Undefined enum value",
        "'{0}' is {1}, which is not a defined {2} value");

    public static readonly DiagnosticDescriptor NetworkTooLarge = Error("RNNG0012",
        "Network is too large",
        "The network on '{0}' has {1} parameters; at most {2} fit in its parameter array");

    public static readonly DiagnosticDescriptor NameClashesWithGeneratedMember = Error("RNNG0013",
        "Class name clashes with a generated member",
        "Class '{0}' would contain a generated member of the same name; rename the class (for example '{0}Net')");

    public static readonly DiagnosticDescriptor DecoderWithoutEncoder = Error("RNNG0014",
        "Decoder needs an encoder",
        "Class '{0}' carries [Decoder] but no [Encoder]; a sequence-to-sequence network needs both on the same class");

    public static readonly DiagnosticDescriptor EncoderWithoutDecoder = Error("RNNG0015",
        "Encoder needs a decoder",
        "Class '{0}' carries [Encoder] but no [Decoder]; add a [Decoder] (or use [RecurrentNetwork] for a network without one)");

    public static readonly DiagnosticDescriptor Seq2SeqWithRecurrentNetwork = Error("RNNG0016",
        "RecurrentNetwork combined with Encoder/Decoder",
        "Class '{0}' carries both [RecurrentNetwork] and [Encoder]/[Decoder]; a class holds one network, so keep one declaration");

    public static readonly DiagnosticDescriptor TokenOutsideVocabulary = Error("RNNG0017",
        "Token outside the target vocabulary",
        "'{0}' is {1}; it must be a target token id in [0, {2})");

    public static readonly DiagnosticDescriptor StartEqualsEnd = Error("RNNG0018",
        "Start and end tokens are the same",
        "'StartToken' and 'EndToken' are both {0}; the decoder could not tell its first input from the end of the output");

    public static readonly DiagnosticDescriptor AttentionSizeMismatch = Error("RNNG0019",
        "Dot attention needs equal sizes",
        "LuongDot attention scores s·h, so the encoder output width ({0}: Directions × HiddenSize) must equal the decoder's HiddenSize ({1}); change a size or use LuongGeneral or Bahdanau");

    public static readonly DiagnosticDescriptor MissingToken = Error("RNNG0020",
        "Start or end token is missing",
        "The decoder on '{0}' does not set '{1}'; add '{1} = <token id in [0, VocabularySize)>' to the attribute");

    public static readonly DiagnosticDescriptor InternalError = Error("RNNG0099",
        "RnnGen generator failed",
        "The RnnGen generator could not process '{0}': {1}. Please report this.");

    private static readonly Dictionary<string, DiagnosticDescriptor> s_byId = new()
    {
        [SizeNotPositive.Id] = SizeNotPositive,
        [SizeTooLarge.Id] = SizeTooLarge,
        [RequiredSizeMissing.Id] = RequiredSizeMissing,
        [ClassNotPartial.Id] = ClassNotPartial,
        [ContainingTypeNotPartial.Id] = ContainingTypeNotPartial,
        [GenericNotSupported.Id] = GenericNotSupported,
        [OptionNotForCell.Id] = OptionNotForCell,
        [DuplicateAttribute.Id] = DuplicateAttribute,
        [EmbeddingWithoutVocabulary.Id] = EmbeddingWithoutVocabulary,
        [UnsupportedTypeKind.Id] = UnsupportedTypeKind,
        [UndefinedEnumValue.Id] = UndefinedEnumValue,
        [NetworkTooLarge.Id] = NetworkTooLarge,
        [NameClashesWithGeneratedMember.Id] = NameClashesWithGeneratedMember,
        [DecoderWithoutEncoder.Id] = DecoderWithoutEncoder,
        [EncoderWithoutDecoder.Id] = EncoderWithoutDecoder,
        [Seq2SeqWithRecurrentNetwork.Id] = Seq2SeqWithRecurrentNetwork,
        [TokenOutsideVocabulary.Id] = TokenOutsideVocabulary,
        [StartEqualsEnd.Id] = StartEqualsEnd,
        [AttentionSizeMismatch.Id] = AttentionSizeMismatch,
        [MissingToken.Id] = MissingToken,
        [InternalError.Id] = InternalError,
    };

    public static DiagnosticDescriptor ById(string id) => s_byId[id];
}
