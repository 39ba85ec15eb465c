using RnnGen;

namespace PosTagger;

/// <summary>
/// Reads the characters of one word in both directions; the two final hidden states (2 × 48)
/// summarize its spelling: suffixes, capitals, digits, hyphens. This is what lets the tagger
/// handle words it never saw in training.
/// </summary>
[RecurrentNetwork(CellKind.Lstm, InputSize = 32, HiddenSize = 48, Direction = Direction.Bidirectional, VocabularySize = CharacterCapacity)]
public partial class CharacterEncoderNet
{
    /// <summary>Character ids: 0 padding, 1 unknown, then the most frequent training characters.</summary>
    public const int CharacterCapacity = 200;
}

/// <summary>
/// Reads a sentence: per word [word embedding (100); spelling summary (96)] into a
/// bidirectional LSTM, and a softmax over the 17 universal POS tags at every word.
/// </summary>
[RecurrentNetwork(CellKind.Lstm, InputSize = WordWidth + SpellingWidth, HiddenSize = 160,
                  Direction = Direction.Bidirectional, OutputSize = 17)]
public partial class WordTaggerNet
{
    /// <summary>Width of the word embedding part of each input vector.</summary>
    public const int WordWidth = 100;

    /// <summary>Width of the spelling part: both final states of <see cref="CharacterEncoderNet"/>.</summary>
    public const int SpellingWidth = 96;
}
