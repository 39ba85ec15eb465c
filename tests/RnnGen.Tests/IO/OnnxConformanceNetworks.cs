using RnnGen;

namespace RnnGen.Tests.IO;

// One network per ONNX backend node case, shaped like the case's node: InputSize from
// W [1, G·H, I], HiddenSize from the node's hidden_size, one layer, direction forward, the cell's
// default activations, and the case's layout: Layout = SequenceLayout.TimeMajor for layout 0
// (X [T, B, I], Y [T, 1, B, H]), BatchFirst for the three *_batchwise cases (layout 1), so that
// the case's tensors go in and come out as stored. The case table is in
// OnnxConformanceTests.Attributes and in docs/onnx.md (Conformance).
//
// The five cases that need LinearBeforeReset = false or Peepholes = true have their networks in
// OnnxConformanceVariantTests.cs.

/// <summary><c>test_simple_rnn_defaults</c>: RNN, hidden_size 4, X [1, 3, 2]; inputs X, W, R.</summary>
[RecurrentNetwork(CellKind.Rnn, InputSize = 2, HiddenSize = 4, Layout = SequenceLayout.TimeMajor)]
public partial class OnnxSimpleRnnDefaults;

/// <summary><c>test_simple_rnn_with_initial_bias</c>: RNN, hidden_size 5, X [1, 3, 3]; inputs X, W, R, B.</summary>
[RecurrentNetwork(CellKind.Rnn, InputSize = 3, HiddenSize = 5, Layout = SequenceLayout.TimeMajor)]
public partial class OnnxSimpleRnnWithInitialBias;

/// <summary><c>test_simple_rnn_batchwise</c>: RNN, hidden_size 4, layout 1, X [3, 1, 2]; inputs X, W, R.</summary>
[RecurrentNetwork(CellKind.Rnn, InputSize = 2, HiddenSize = 4, Layout = SequenceLayout.BatchFirst)]
public partial class OnnxSimpleRnnBatchwise;

/// <summary><c>test_rnn_seq_length</c>: RNN, hidden_size 5, X [2, 3, 3] (two steps); inputs X, W, R, B.</summary>
[RecurrentNetwork(CellKind.Rnn, InputSize = 3, HiddenSize = 5, Layout = SequenceLayout.TimeMajor)]
public partial class OnnxRnnSeqLength;

/// <summary><c>test_lstm_defaults</c>: LSTM, hidden_size 3, X [1, 3, 2]; inputs X, W, R.</summary>
[RecurrentNetwork(CellKind.Lstm, InputSize = 2, HiddenSize = 3, Layout = SequenceLayout.TimeMajor)]
public partial class OnnxLstmDefaults;

/// <summary><c>test_lstm_with_initial_bias</c>: LSTM, hidden_size 4, X [1, 3, 3]; inputs X, W, R, B.</summary>
[RecurrentNetwork(CellKind.Lstm, InputSize = 3, HiddenSize = 4, Layout = SequenceLayout.TimeMajor)]
public partial class OnnxLstmWithInitialBias;

/// <summary><c>test_lstm_batchwise</c>: LSTM, hidden_size 7, layout 1, X [3, 1, 2]; inputs X, W, R.</summary>
[RecurrentNetwork(CellKind.Lstm, InputSize = 2, HiddenSize = 7, Layout = SequenceLayout.BatchFirst)]
public partial class OnnxLstmBatchwise;
