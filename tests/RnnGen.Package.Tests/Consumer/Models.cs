using RnnGen;

namespace PackageConsumer.Models;

/// <summary>Networks nested in a class, so the generated code must reopen the containing type.</summary>
public static partial class Zoo
{
    /// <summary>Token tagger: embedding, two bidirectional GRU layers, log-softmax over 5 tags.</summary>
    [RecurrentNetwork(CellKind.Gru, InputSize = 4, HiddenSize = 8, Layers = 2, Direction = Direction.Bidirectional,
                      VocabularySize = 20, OutputSize = 5)]
    public sealed partial class Tagger;

    /// <summary>Encoder without a head: an Elman RNN with ReLU whose output is its hidden states.</summary>
    [RecurrentNetwork(CellKind.Rnn, InputSize = 3, HiddenSize = 5, Nonlinearity = Nonlinearity.Relu)]
    internal sealed partial class Encoder;
}
