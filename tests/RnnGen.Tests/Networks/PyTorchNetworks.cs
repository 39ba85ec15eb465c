// Written by tests/fixtures-scripts/make_pytorch_fixtures.py. Do not edit by hand.
// The networks of the PyTorch fixtures (tests/RnnGen.Tests/Fixtures/PyTorch): one declaration per
// fixture with the shape of the script's configuration, and a table that drives each of them
// through NetworkAdapter. A test fails for a fixture file without an entry here.
using RnnGen;

namespace RnnGen.Tests.Networks;

[RecurrentNetwork(CellKind.Rnn, InputSize = 3, HiddenSize = 5, Layers = 1, Nonlinearity = Nonlinearity.Tanh)]
public partial class PtRnnTanhL1Fw;

[RecurrentNetwork(CellKind.Rnn, InputSize = 3, HiddenSize = 5, Layers = 1, Direction = Direction.Bidirectional, Nonlinearity = Nonlinearity.Tanh)]
public partial class PtRnnTanhL1Bi;

[RecurrentNetwork(CellKind.Rnn, InputSize = 3, HiddenSize = 5, Layers = 2, Nonlinearity = Nonlinearity.Tanh)]
public partial class PtRnnTanhL2Fw;

[RecurrentNetwork(CellKind.Rnn, InputSize = 3, HiddenSize = 5, Layers = 2, Direction = Direction.Bidirectional, Nonlinearity = Nonlinearity.Tanh)]
public partial class PtRnnTanhL2Bi;

[RecurrentNetwork(CellKind.Rnn, InputSize = 3, HiddenSize = 5, Layers = 1, Nonlinearity = Nonlinearity.Relu)]
public partial class PtRnnReluL1Fw;

[RecurrentNetwork(CellKind.Rnn, InputSize = 3, HiddenSize = 5, Layers = 1, Direction = Direction.Bidirectional, Nonlinearity = Nonlinearity.Relu)]
public partial class PtRnnReluL1Bi;

[RecurrentNetwork(CellKind.Rnn, InputSize = 3, HiddenSize = 5, Layers = 2, Nonlinearity = Nonlinearity.Relu)]
public partial class PtRnnReluL2Fw;

[RecurrentNetwork(CellKind.Rnn, InputSize = 3, HiddenSize = 5, Layers = 2, Direction = Direction.Bidirectional, Nonlinearity = Nonlinearity.Relu)]
public partial class PtRnnReluL2Bi;

[RecurrentNetwork(CellKind.Lstm, InputSize = 3, HiddenSize = 5, Layers = 1)]
public partial class PtLstmL1Fw;

[RecurrentNetwork(CellKind.Lstm, InputSize = 3, HiddenSize = 5, Layers = 1, Direction = Direction.Bidirectional)]
public partial class PtLstmL1Bi;

[RecurrentNetwork(CellKind.Lstm, InputSize = 3, HiddenSize = 5, Layers = 2)]
public partial class PtLstmL2Fw;

[RecurrentNetwork(CellKind.Lstm, InputSize = 3, HiddenSize = 5, Layers = 2, Direction = Direction.Bidirectional)]
public partial class PtLstmL2Bi;

[RecurrentNetwork(CellKind.Gru, InputSize = 3, HiddenSize = 5, Layers = 1)]
public partial class PtGruL1Fw;

[RecurrentNetwork(CellKind.Gru, InputSize = 3, HiddenSize = 5, Layers = 1, Direction = Direction.Bidirectional)]
public partial class PtGruL1Bi;

[RecurrentNetwork(CellKind.Gru, InputSize = 3, HiddenSize = 5, Layers = 2)]
public partial class PtGruL2Fw;

[RecurrentNetwork(CellKind.Gru, InputSize = 3, HiddenSize = 5, Layers = 2, Direction = Direction.Bidirectional)]
public partial class PtGruL2Bi;

[RecurrentNetwork(CellKind.Lstm, InputSize = 3, HiddenSize = 5, Layers = 2, Direction = Direction.Bidirectional, VocabularySize = 11, OutputSize = 4)]
public partial class PtLstmL2BiEmbHead;

[RecurrentNetwork(CellKind.Gru, InputSize = 3, HiddenSize = 5, Layers = 1, VocabularySize = 11, OutputSize = 4)]
public partial class PtGruL1FwEmbHead;

[RecurrentNetwork(CellKind.Rnn, InputSize = 3, HiddenSize = 5, Layers = 2, Direction = Direction.Bidirectional, Nonlinearity = Nonlinearity.Relu, VocabularySize = 11)]
public partial class PtRnnReluL2BiEmb;

[RecurrentNetwork(CellKind.Gru, InputSize = 3, HiddenSize = 5, Layers = 2, Direction = Direction.Bidirectional, OutputSize = 4)]
public partial class PtGruL2BiHead;

[RecurrentNetwork(CellKind.Lstm, InputSize = 3, HiddenSize = 5, Layers = 1, OutputSize = 4)]
public partial class PtLstmL1FwHead;

[RecurrentNetwork(CellKind.Gru, InputSize = 3, HiddenSize = 5, Layers = 1, Direction = Direction.Bidirectional)]
public partial class PtGruL1BiB1;

[RecurrentNetwork(CellKind.Lstm, InputSize = 6, HiddenSize = 13, Layers = 1, Direction = Direction.Bidirectional)]
public partial class PtLstmI6H13L1BiB4;

/// <summary>The fixture networks by fixture name (the file name without .safetensors).</summary>
public static class PyTorchNetworks
{
    public static readonly NetworkCase[] All =
    [
        new("rnn_tanh_l1_fw", new NetworkConfig(CellKind.Rnn, 3, 5, 1, false, false, 0, 0), seed =>
        {
            var n = new PtRnnTanhL1Fw(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(inputs, lengths, output, fh, ih); else n.Forward(inputs, lengths, output, fh, ih); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dInputs, dFinalHidden, dInitialHidden),
                n.CreateReplica);
        }),
        new("rnn_tanh_l1_bi", new NetworkConfig(CellKind.Rnn, 3, 5, 1, true, false, 0, 0), seed =>
        {
            var n = new PtRnnTanhL1Bi(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(inputs, lengths, output, fh, ih); else n.Forward(inputs, lengths, output, fh, ih); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dInputs, dFinalHidden, dInitialHidden),
                n.CreateReplica);
        }),
        new("rnn_tanh_l2_fw", new NetworkConfig(CellKind.Rnn, 3, 5, 2, false, false, 0, 0), seed =>
        {
            var n = new PtRnnTanhL2Fw(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(inputs, lengths, output, fh, ih); else n.Forward(inputs, lengths, output, fh, ih); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dInputs, dFinalHidden, dInitialHidden),
                n.CreateReplica);
        }),
        new("rnn_tanh_l2_bi", new NetworkConfig(CellKind.Rnn, 3, 5, 2, true, false, 0, 0), seed =>
        {
            var n = new PtRnnTanhL2Bi(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(inputs, lengths, output, fh, ih); else n.Forward(inputs, lengths, output, fh, ih); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dInputs, dFinalHidden, dInitialHidden),
                n.CreateReplica);
        }),
        new("rnn_relu_l1_fw", new NetworkConfig(CellKind.Rnn, 3, 5, 1, false, true, 0, 0), seed =>
        {
            var n = new PtRnnReluL1Fw(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(inputs, lengths, output, fh, ih); else n.Forward(inputs, lengths, output, fh, ih); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dInputs, dFinalHidden, dInitialHidden),
                n.CreateReplica);
        }),
        new("rnn_relu_l1_bi", new NetworkConfig(CellKind.Rnn, 3, 5, 1, true, true, 0, 0), seed =>
        {
            var n = new PtRnnReluL1Bi(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(inputs, lengths, output, fh, ih); else n.Forward(inputs, lengths, output, fh, ih); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dInputs, dFinalHidden, dInitialHidden),
                n.CreateReplica);
        }),
        new("rnn_relu_l2_fw", new NetworkConfig(CellKind.Rnn, 3, 5, 2, false, true, 0, 0), seed =>
        {
            var n = new PtRnnReluL2Fw(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(inputs, lengths, output, fh, ih); else n.Forward(inputs, lengths, output, fh, ih); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dInputs, dFinalHidden, dInitialHidden),
                n.CreateReplica);
        }),
        new("rnn_relu_l2_bi", new NetworkConfig(CellKind.Rnn, 3, 5, 2, true, true, 0, 0), seed =>
        {
            var n = new PtRnnReluL2Bi(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(inputs, lengths, output, fh, ih); else n.Forward(inputs, lengths, output, fh, ih); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dInputs, dFinalHidden, dInitialHidden),
                n.CreateReplica);
        }),
        new("lstm_l1_fw", new NetworkConfig(CellKind.Lstm, 3, 5, 1, false, false, 0, 0), seed =>
        {
            var n = new PtLstmL1Fw(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(inputs, lengths, output, fh, ih, fc, ic); else n.Forward(inputs, lengths, output, fh, ih, fc, ic); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell),
                n.CreateReplica);
        }),
        new("lstm_l1_bi", new NetworkConfig(CellKind.Lstm, 3, 5, 1, true, false, 0, 0), seed =>
        {
            var n = new PtLstmL1Bi(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(inputs, lengths, output, fh, ih, fc, ic); else n.Forward(inputs, lengths, output, fh, ih, fc, ic); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell),
                n.CreateReplica);
        }),
        new("lstm_l2_fw", new NetworkConfig(CellKind.Lstm, 3, 5, 2, false, false, 0, 0), seed =>
        {
            var n = new PtLstmL2Fw(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(inputs, lengths, output, fh, ih, fc, ic); else n.Forward(inputs, lengths, output, fh, ih, fc, ic); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell),
                n.CreateReplica);
        }),
        new("lstm_l2_bi", new NetworkConfig(CellKind.Lstm, 3, 5, 2, true, false, 0, 0), seed =>
        {
            var n = new PtLstmL2Bi(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(inputs, lengths, output, fh, ih, fc, ic); else n.Forward(inputs, lengths, output, fh, ih, fc, ic); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell),
                n.CreateReplica);
        }),
        new("gru_l1_fw", new NetworkConfig(CellKind.Gru, 3, 5, 1, false, false, 0, 0), seed =>
        {
            var n = new PtGruL1Fw(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(inputs, lengths, output, fh, ih); else n.Forward(inputs, lengths, output, fh, ih); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dInputs, dFinalHidden, dInitialHidden),
                n.CreateReplica);
        }),
        new("gru_l1_bi", new NetworkConfig(CellKind.Gru, 3, 5, 1, true, false, 0, 0), seed =>
        {
            var n = new PtGruL1Bi(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(inputs, lengths, output, fh, ih); else n.Forward(inputs, lengths, output, fh, ih); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dInputs, dFinalHidden, dInitialHidden),
                n.CreateReplica);
        }),
        new("gru_l2_fw", new NetworkConfig(CellKind.Gru, 3, 5, 2, false, false, 0, 0), seed =>
        {
            var n = new PtGruL2Fw(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(inputs, lengths, output, fh, ih); else n.Forward(inputs, lengths, output, fh, ih); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dInputs, dFinalHidden, dInitialHidden),
                n.CreateReplica);
        }),
        new("gru_l2_bi", new NetworkConfig(CellKind.Gru, 3, 5, 2, true, false, 0, 0), seed =>
        {
            var n = new PtGruL2Bi(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(inputs, lengths, output, fh, ih); else n.Forward(inputs, lengths, output, fh, ih); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dInputs, dFinalHidden, dInitialHidden),
                n.CreateReplica);
        }),
        new("lstm_l2_bi_emb_head", new NetworkConfig(CellKind.Lstm, 3, 5, 2, true, false, 11, 4), seed =>
        {
            var n = new PtLstmL2BiEmbHead(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(tokens, lengths, output, fh, ih, fc, ic); else n.Forward(tokens, lengths, output, fh, ih, fc, ic); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell),
                n.CreateReplica);
        }),
        new("gru_l1_fw_emb_head", new NetworkConfig(CellKind.Gru, 3, 5, 1, false, false, 11, 4), seed =>
        {
            var n = new PtGruL1FwEmbHead(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(tokens, lengths, output, fh, ih); else n.Forward(tokens, lengths, output, fh, ih); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dFinalHidden, dInitialHidden),
                n.CreateReplica);
        }),
        new("rnn_relu_l2_bi_emb", new NetworkConfig(CellKind.Rnn, 3, 5, 2, true, true, 11, 0), seed =>
        {
            var n = new PtRnnReluL2BiEmb(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(tokens, lengths, output, fh, ih); else n.Forward(tokens, lengths, output, fh, ih); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dFinalHidden, dInitialHidden),
                n.CreateReplica);
        }),
        new("gru_l2_bi_head", new NetworkConfig(CellKind.Gru, 3, 5, 2, true, false, 0, 4), seed =>
        {
            var n = new PtGruL2BiHead(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(inputs, lengths, output, fh, ih); else n.Forward(inputs, lengths, output, fh, ih); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dInputs, dFinalHidden, dInitialHidden),
                n.CreateReplica);
        }),
        new("lstm_l1_fw_head", new NetworkConfig(CellKind.Lstm, 3, 5, 1, false, false, 0, 4), seed =>
        {
            var n = new PtLstmL1FwHead(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(inputs, lengths, output, fh, ih, fc, ic); else n.Forward(inputs, lengths, output, fh, ih, fc, ic); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell),
                n.CreateReplica);
        }),
        new("gru_l1_bi_b1", new NetworkConfig(CellKind.Gru, 3, 5, 1, true, false, 0, 0), seed =>
        {
            var n = new PtGruL1BiB1(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(inputs, lengths, output, fh, ih); else n.Forward(inputs, lengths, output, fh, ih); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dInputs, dFinalHidden, dInitialHidden),
                n.CreateReplica);
        }),
        new("lstm_i6_h13_l1_bi_b4", new NetworkConfig(CellKind.Lstm, 6, 13, 1, true, false, 0, 0), seed =>
        {
            var n = new PtLstmI6H13L1BiB4(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(inputs, lengths, output, fh, ih, fc, ic); else n.Forward(inputs, lengths, output, fh, ih, fc, ic); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell),
                n.CreateReplica);
        }),
    ];
}
