using RnnGen;

namespace DateNormalizer;

/// <summary>
/// Characters of a written date → embedding (32) → bidirectional GRU (2 × 64) → GRU decoder (128)
/// with Bahdanau's additive attention over the encoder outputs → log-softmax over the 14 target ids.
/// </summary>
[Encoder(CellKind.Gru, InputSize = DateNetworks.Embedding, HiddenSize = DateNetworks.EncoderHidden, Layers = 1, Direction = Direction.Bidirectional, VocabularySize = DateAlphabets.SourceVocabularySize)]
[Decoder(CellKind.Gru, InputSize = DateNetworks.Embedding, HiddenSize = DateNetworks.DecoderHidden, Layers = 1, VocabularySize = DateAlphabets.TargetVocabularySize, Attention = AttentionKind.Bahdanau,
         StartToken = DateAlphabets.StartId, EndToken = DateAlphabets.EndId)]
public partial class DateNormalizerNet : IDateNetwork;

/// <summary>
/// The same encoder and decoder without attention: the decoder sees the date only through its
/// initial state, bridged from the encoder's final states (the baseline that shows what attention buys).
/// </summary>
[Encoder(CellKind.Gru, InputSize = DateNetworks.Embedding, HiddenSize = DateNetworks.EncoderHidden, Layers = 1, Direction = Direction.Bidirectional, VocabularySize = DateAlphabets.SourceVocabularySize)]
[Decoder(CellKind.Gru, InputSize = DateNetworks.Embedding, HiddenSize = DateNetworks.DecoderHidden, Layers = 1, VocabularySize = DateAlphabets.TargetVocabularySize, Attention = AttentionKind.None,
         StartToken = DateAlphabets.StartId, EndToken = DateAlphabets.EndId)]
public partial class DateNormalizerNoAttentionNet : IDateNetwork;

/// <summary>The same encoder and decoder with Luong's multiplicative "general" score s·(W_a h_i).</summary>
[Encoder(CellKind.Gru, InputSize = DateNetworks.Embedding, HiddenSize = DateNetworks.EncoderHidden, Layers = 1, Direction = Direction.Bidirectional, VocabularySize = DateAlphabets.SourceVocabularySize)]
[Decoder(CellKind.Gru, InputSize = DateNetworks.Embedding, HiddenSize = DateNetworks.DecoderHidden, Layers = 1, VocabularySize = DateAlphabets.TargetVocabularySize, Attention = AttentionKind.LuongGeneral,
         StartToken = DateAlphabets.StartId, EndToken = DateAlphabets.EndId)]
public partial class DateNormalizerLuongGeneralNet : IDateNetwork;

/// <summary>
/// The same encoder and decoder with Luong's dot score s·h_i (no attention weights of its own: the
/// encoder's output width, 2 × 64, equals the decoder's hidden size, 128).
/// </summary>
[Encoder(CellKind.Gru, InputSize = DateNetworks.Embedding, HiddenSize = DateNetworks.EncoderHidden, Layers = 1, Direction = Direction.Bidirectional, VocabularySize = DateAlphabets.SourceVocabularySize)]
[Decoder(CellKind.Gru, InputSize = DateNetworks.Embedding, HiddenSize = DateNetworks.DecoderHidden, Layers = 1, VocabularySize = DateAlphabets.TargetVocabularySize, Attention = AttentionKind.LuongDot,
         StartToken = DateAlphabets.StartId, EndToken = DateAlphabets.EndId)]
public partial class DateNormalizerLuongDotNet : IDateNetwork;

public static partial class DateNetworks
{
    /// <summary>Width of the source and target character embeddings of every network.</summary>
    public const int Embedding = 32;

    /// <summary>Hidden units of each direction of the encoder (its outputs are twice as wide).</summary>
    public const int EncoderHidden = 64;

    /// <summary>Hidden units of the decoder (equal to the encoder's output width, as Luong's dot score needs).</summary>
    public const int DecoderHidden = 2 * EncoderHidden;

    private static IDateNetwork CreateKnown(string attention, ulong seed) => attention switch
    {
        "none" => new DateNormalizerNoAttentionNet(seed),
        "luong-dot" => new DateNormalizerLuongDotNet(seed),
        "luong-general" => new DateNormalizerLuongGeneralNet(seed),
        _ => new DateNormalizerNet(seed),
    };
}
