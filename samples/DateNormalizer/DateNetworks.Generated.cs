using RnnGen;

namespace DateNormalizer;

/// <summary>
/// Characters of a written date → embedding (32) → bidirectional GRU (2 × 64) → GRU decoder (128)
/// with Bahdanau's additive attention over the encoder outputs → log-softmax over the 14 target ids.
/// </summary>
[Encoder(CellKind.Gru, InputSize = 32, HiddenSize = 64, Layers = 1, Direction = Direction.Bidirectional, VocabularySize = DateAlphabets.SourceVocabularySize)]
[Decoder(CellKind.Gru, InputSize = 32, HiddenSize = 128, Layers = 1, VocabularySize = DateAlphabets.TargetVocabularySize, Attention = AttentionKind.Bahdanau,
         StartToken = DateAlphabets.StartId, EndToken = DateAlphabets.EndId)]
public partial class DateNormalizerNet : IDateNetwork;

/// <summary>
/// The same encoder and decoder without attention: the decoder sees the date only through its
/// initial state, bridged from the encoder's final states (the baseline that shows what attention buys).
/// </summary>
[Encoder(CellKind.Gru, InputSize = 32, HiddenSize = 64, Layers = 1, Direction = Direction.Bidirectional, VocabularySize = DateAlphabets.SourceVocabularySize)]
[Decoder(CellKind.Gru, InputSize = 32, HiddenSize = 128, Layers = 1, VocabularySize = DateAlphabets.TargetVocabularySize, Attention = AttentionKind.None,
         StartToken = DateAlphabets.StartId, EndToken = DateAlphabets.EndId)]
public partial class DateNormalizerNoAttentionNet : IDateNetwork;

public static partial class DateNetworks
{
    private static IDateNetwork CreateKnown(string attention, ulong seed) => attention switch
    {
        "none" => new DateNormalizerNoAttentionNet(seed),
        _ => new DateNormalizerNet(seed),
    };
}
