using RnnGen;

namespace RnnGen.Tests.Seq2Seq;

// Small sequence-to-sequence shapes under test. Bidirectional encoders of hidden size 3 give an
// encoder output width of 6, the decoder's hidden size, so LuongDot is valid and the bridge is a
// generated linear layer (directions differ). Source vocabulary 7, target vocabulary 6.

[Encoder(CellKind.Gru, InputSize = 4, HiddenSize = 3, Direction = Direction.Bidirectional, VocabularySize = 7)]
[Decoder(CellKind.Gru, InputSize = 3, HiddenSize = 6, VocabularySize = 6, Attention = AttentionKind.None, StartToken = 1, EndToken = 2)]
public partial class GruNoAttentionSeq;

[Encoder(CellKind.Gru, InputSize = 4, HiddenSize = 3, Direction = Direction.Bidirectional, VocabularySize = 7)]
[Decoder(CellKind.Gru, InputSize = 3, HiddenSize = 6, VocabularySize = 6, Attention = AttentionKind.LuongDot, StartToken = 1, EndToken = 2)]
public partial class GruDotSeq;

[Encoder(CellKind.Gru, InputSize = 4, HiddenSize = 3, Direction = Direction.Bidirectional, VocabularySize = 7)]
[Decoder(CellKind.Gru, InputSize = 3, HiddenSize = 6, VocabularySize = 6, Attention = AttentionKind.LuongGeneral, StartToken = 1, EndToken = 2)]
public partial class GruGeneralSeq;

[Encoder(CellKind.Gru, InputSize = 4, HiddenSize = 3, Direction = Direction.Bidirectional, VocabularySize = 7)]
[Decoder(CellKind.Gru, InputSize = 3, HiddenSize = 6, VocabularySize = 6, Attention = AttentionKind.Bahdanau, StartToken = 1, EndToken = 2)]
public partial class GruBahdanauSeq;

[Encoder(CellKind.Lstm, InputSize = 4, HiddenSize = 3, Direction = Direction.Bidirectional, VocabularySize = 7)]
[Decoder(CellKind.Lstm, InputSize = 3, HiddenSize = 6, VocabularySize = 6, Attention = AttentionKind.None, StartToken = 1, EndToken = 2)]
public partial class LstmNoAttentionSeq;

[Encoder(CellKind.Lstm, InputSize = 4, HiddenSize = 3, Direction = Direction.Bidirectional, VocabularySize = 7)]
[Decoder(CellKind.Lstm, InputSize = 3, HiddenSize = 6, VocabularySize = 6, Attention = AttentionKind.LuongDot, StartToken = 1, EndToken = 2)]
public partial class LstmDotSeq;

[Encoder(CellKind.Lstm, InputSize = 4, HiddenSize = 3, Direction = Direction.Bidirectional, VocabularySize = 7)]
[Decoder(CellKind.Lstm, InputSize = 3, HiddenSize = 6, VocabularySize = 6, Attention = AttentionKind.LuongGeneral, StartToken = 1, EndToken = 2)]
public partial class LstmGeneralSeq;

[Encoder(CellKind.Lstm, InputSize = 4, HiddenSize = 3, Direction = Direction.Bidirectional, VocabularySize = 7)]
[Decoder(CellKind.Lstm, InputSize = 3, HiddenSize = 6, VocabularySize = 6, Attention = AttentionKind.Bahdanau, StartToken = 1, EndToken = 2)]
public partial class LstmBahdanauSeq;

// Identity bridge (forward LSTM encoder of the decoder's size, state copied with its cell), two
// decoder layers over one encoder layer (both start from encoder layer 0).
[Encoder(CellKind.Lstm, InputSize = 4, HiddenSize = 5, VocabularySize = 7)]
[Decoder(CellKind.Lstm, InputSize = 3, HiddenSize = 5, Layers = 2, VocabularySize = 6, Attention = AttentionKind.LuongGeneral, StartToken = 1, EndToken = 2)]
public partial class LstmIdentityBridgeSeq;

// Mixed cells and depths: two bidirectional Elman encoder layers, two GRU decoder layers.
[Encoder(CellKind.Rnn, InputSize = 4, HiddenSize = 3, Layers = 2, Direction = Direction.Bidirectional, VocabularySize = 7)]
[Decoder(CellKind.Gru, InputSize = 3, HiddenSize = 4, Layers = 2, VocabularySize = 6, Attention = AttentionKind.Bahdanau, StartToken = 1, EndToken = 2)]
public partial class RnnGruDeepSeq;

// Two Elman decoder layers without attention: the layer-0 input is the embedding alone, and the Elman
// cell's backward reads its own output, which the layer above must not change (decoder dropout copies it).
[Encoder(CellKind.Gru, InputSize = 4, HiddenSize = 3, Direction = Direction.Bidirectional, VocabularySize = 7)]
[Decoder(CellKind.Rnn, InputSize = 3, HiddenSize = 4, Layers = 2, VocabularySize = 6, Attention = AttentionKind.None, StartToken = 1, EndToken = 2)]
public partial class RnnDeepNoAttentionSeq;

// Target vocabulary 4 for exhaustive search (start 1, end 3).
[Encoder(CellKind.Gru, InputSize = 3, HiddenSize = 4, VocabularySize = 5)]
[Decoder(CellKind.Gru, InputSize = 3, HiddenSize = 4, VocabularySize = 4, Attention = AttentionKind.LuongDot, StartToken = 1, EndToken = 3)]
public partial class TinySeq;

// The learning test: reverse a sequence of tokens 3…9 (0 padding, 1 start, 2 end in the target).
[Encoder(CellKind.Gru, InputSize = 8, HiddenSize = 16, Direction = Direction.Bidirectional, VocabularySize = 10)]
[Decoder(CellKind.Gru, InputSize = 8, HiddenSize = 32, VocabularySize = 10, Attention = AttentionKind.LuongGeneral, StartToken = 1, EndToken = 2)]
public partial class ReverseSeq;
