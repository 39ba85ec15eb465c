using RnnGen;

namespace RnnGen.Benchmarks;

// The networks of the side-by-side comparison (docs/performance.md); one class per shape.

/// <summary>Inference, LSTM I=64 H=128.</summary>
[RecurrentNetwork(CellKind.Lstm, InputSize = 64, HiddenSize = 128)]
public partial class LstmI64H128;

/// <summary>Inference, LSTM I=256 H=256 (batch 1 and batch 64).</summary>
[RecurrentNetwork(CellKind.Lstm, InputSize = 256, HiddenSize = 256)]
public partial class LstmI256H256;

/// <summary>Inference, GRU I=256 H=256.</summary>
[RecurrentNetwork(CellKind.Gru, InputSize = 256, HiddenSize = 256)]
public partial class GruI256H256;

/// <summary>Training step, LSTM I=128 H=256.</summary>
[RecurrentNetwork(CellKind.Lstm, InputSize = 128, HiddenSize = 256)]
public partial class LstmI128H256;

/// <summary>Training step, GRU I=128 H=256.</summary>
[RecurrentNetwork(CellKind.Gru, InputSize = 128, HiddenSize = 256)]
public partial class GruI128H256;
