using RnnGen;

namespace CharLm;

/// <summary>
/// Reads text one character at a time and predicts the next one: character embedding (64) →
/// 2-layer LSTM (256) → log-softmax over the character set, at every step.
/// </summary>
/// <remarks>
/// The character set is fixed at compile time at <see cref="CharacterCapacity"/> ids: 0 (padding,
/// never used) and 1 (unknown character) are reserved, the training text's characters take ids 2, 3,
/// … by frequency (Tiny Shakespeare has 65), and the rest stay unused — training pushes their
/// probabilities toward zero and the sampler masks them out.
/// </remarks>
[RecurrentNetwork(CellKind.Lstm, InputSize = 64, HiddenSize = 256, Layers = 2,
                  VocabularySize = CharacterCapacity, OutputSize = CharacterCapacity)]
public partial class CharLmNet
{
    /// <summary>Character ids the embedding and the head hold (a multiple of 16 for the SIMD kernels).</summary>
    public const int CharacterCapacity = 80;
}
