using RnnGen;

namespace RnnGen.Tests.Networks;

[RecurrentNetwork(CellKind.Lstm, InputSize = 6, HiddenSize = 7, Layers = 2, Direction = Direction.Bidirectional, VocabularySize = 11, OutputSize = 5)]
public partial class LstmBiEmbHead;

[RecurrentNetwork(CellKind.Gru, InputSize = 5, HiddenSize = 7)]
public partial class GruSmall;

[RecurrentNetwork(CellKind.Rnn, InputSize = 4, HiddenSize = 7, Nonlinearity = Nonlinearity.Relu, Layers = 3)]
public partial class RnnRelu;
