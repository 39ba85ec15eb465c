// Written by make_matrix.py: the configuration matrix of the numerical tests. Do not edit by hand.
using System;
using RnnGen;

namespace RnnGen.Tests.Networks;

[RecurrentNetwork(CellKind.Rnn, InputSize = 5, HiddenSize = 7, Layers = 1)]
public partial class RnnI5H7L1FwDense;

[RecurrentNetwork(CellKind.Rnn, InputSize = 5, HiddenSize = 7, Layers = 1, OutputSize = 6)]
public partial class RnnI5H7L1FwDenseHead;

[RecurrentNetwork(CellKind.Rnn, InputSize = 5, HiddenSize = 7, Layers = 1, VocabularySize = 13)]
public partial class RnnI5H7L1FwEmb;

[RecurrentNetwork(CellKind.Rnn, InputSize = 5, HiddenSize = 7, Layers = 1, VocabularySize = 13, OutputSize = 6)]
public partial class RnnI5H7L1FwEmbHead;

[RecurrentNetwork(CellKind.Rnn, InputSize = 5, HiddenSize = 7, Layers = 1, Direction = Direction.Bidirectional)]
public partial class RnnI5H7L1BiDense;

[RecurrentNetwork(CellKind.Rnn, InputSize = 5, HiddenSize = 7, Layers = 1, Direction = Direction.Bidirectional, OutputSize = 6)]
public partial class RnnI5H7L1BiDenseHead;

[RecurrentNetwork(CellKind.Rnn, InputSize = 5, HiddenSize = 7, Layers = 1, Direction = Direction.Bidirectional, VocabularySize = 13)]
public partial class RnnI5H7L1BiEmb;

[RecurrentNetwork(CellKind.Rnn, InputSize = 5, HiddenSize = 7, Layers = 1, Direction = Direction.Bidirectional, VocabularySize = 13, OutputSize = 6)]
public partial class RnnI5H7L1BiEmbHead;

[RecurrentNetwork(CellKind.Rnn, InputSize = 5, HiddenSize = 7, Layers = 2, Nonlinearity = Nonlinearity.Relu)]
public partial class RnnI5H7L2FwDenseRelu;

[RecurrentNetwork(CellKind.Rnn, InputSize = 5, HiddenSize = 7, Layers = 2, OutputSize = 6, Nonlinearity = Nonlinearity.Relu)]
public partial class RnnI5H7L2FwDenseHeadRelu;

[RecurrentNetwork(CellKind.Rnn, InputSize = 5, HiddenSize = 7, Layers = 2, VocabularySize = 13, Nonlinearity = Nonlinearity.Relu)]
public partial class RnnI5H7L2FwEmbRelu;

[RecurrentNetwork(CellKind.Rnn, InputSize = 5, HiddenSize = 7, Layers = 2, VocabularySize = 13, OutputSize = 6, Nonlinearity = Nonlinearity.Relu)]
public partial class RnnI5H7L2FwEmbHeadRelu;

[RecurrentNetwork(CellKind.Rnn, InputSize = 5, HiddenSize = 7, Layers = 2, Direction = Direction.Bidirectional, Nonlinearity = Nonlinearity.Relu)]
public partial class RnnI5H7L2BiDenseRelu;

[RecurrentNetwork(CellKind.Rnn, InputSize = 5, HiddenSize = 7, Layers = 2, Direction = Direction.Bidirectional, OutputSize = 6, Nonlinearity = Nonlinearity.Relu)]
public partial class RnnI5H7L2BiDenseHeadRelu;

[RecurrentNetwork(CellKind.Rnn, InputSize = 5, HiddenSize = 7, Layers = 2, Direction = Direction.Bidirectional, VocabularySize = 13, Nonlinearity = Nonlinearity.Relu)]
public partial class RnnI5H7L2BiEmbRelu;

[RecurrentNetwork(CellKind.Rnn, InputSize = 5, HiddenSize = 7, Layers = 2, Direction = Direction.Bidirectional, VocabularySize = 13, OutputSize = 6, Nonlinearity = Nonlinearity.Relu)]
public partial class RnnI5H7L2BiEmbHeadRelu;

[RecurrentNetwork(CellKind.Rnn, InputSize = 5, HiddenSize = 7, Layers = 3)]
public partial class RnnI5H7L3FwDense;

[RecurrentNetwork(CellKind.Rnn, InputSize = 5, HiddenSize = 7, Layers = 3, OutputSize = 6)]
public partial class RnnI5H7L3FwDenseHead;

[RecurrentNetwork(CellKind.Rnn, InputSize = 5, HiddenSize = 7, Layers = 3, VocabularySize = 13)]
public partial class RnnI5H7L3FwEmb;

[RecurrentNetwork(CellKind.Rnn, InputSize = 5, HiddenSize = 7, Layers = 3, VocabularySize = 13, OutputSize = 6)]
public partial class RnnI5H7L3FwEmbHead;

[RecurrentNetwork(CellKind.Rnn, InputSize = 5, HiddenSize = 7, Layers = 3, Direction = Direction.Bidirectional)]
public partial class RnnI5H7L3BiDense;

[RecurrentNetwork(CellKind.Rnn, InputSize = 5, HiddenSize = 7, Layers = 3, Direction = Direction.Bidirectional, OutputSize = 6)]
public partial class RnnI5H7L3BiDenseHead;

[RecurrentNetwork(CellKind.Rnn, InputSize = 5, HiddenSize = 7, Layers = 3, Direction = Direction.Bidirectional, VocabularySize = 13)]
public partial class RnnI5H7L3BiEmb;

[RecurrentNetwork(CellKind.Rnn, InputSize = 5, HiddenSize = 7, Layers = 3, Direction = Direction.Bidirectional, VocabularySize = 13, OutputSize = 6)]
public partial class RnnI5H7L3BiEmbHead;

[RecurrentNetwork(CellKind.Lstm, InputSize = 5, HiddenSize = 7, Layers = 1)]
public partial class LstmI5H7L1FwDense;

[RecurrentNetwork(CellKind.Lstm, InputSize = 5, HiddenSize = 7, Layers = 1, OutputSize = 6)]
public partial class LstmI5H7L1FwDenseHead;

[RecurrentNetwork(CellKind.Lstm, InputSize = 5, HiddenSize = 7, Layers = 1, VocabularySize = 13)]
public partial class LstmI5H7L1FwEmb;

[RecurrentNetwork(CellKind.Lstm, InputSize = 5, HiddenSize = 7, Layers = 1, VocabularySize = 13, OutputSize = 6)]
public partial class LstmI5H7L1FwEmbHead;

[RecurrentNetwork(CellKind.Lstm, InputSize = 5, HiddenSize = 7, Layers = 1, Direction = Direction.Bidirectional)]
public partial class LstmI5H7L1BiDense;

[RecurrentNetwork(CellKind.Lstm, InputSize = 5, HiddenSize = 7, Layers = 1, Direction = Direction.Bidirectional, OutputSize = 6)]
public partial class LstmI5H7L1BiDenseHead;

[RecurrentNetwork(CellKind.Lstm, InputSize = 5, HiddenSize = 7, Layers = 1, Direction = Direction.Bidirectional, VocabularySize = 13)]
public partial class LstmI5H7L1BiEmb;

[RecurrentNetwork(CellKind.Lstm, InputSize = 5, HiddenSize = 7, Layers = 1, Direction = Direction.Bidirectional, VocabularySize = 13, OutputSize = 6)]
public partial class LstmI5H7L1BiEmbHead;

[RecurrentNetwork(CellKind.Lstm, InputSize = 5, HiddenSize = 7, Layers = 2)]
public partial class LstmI5H7L2FwDense;

[RecurrentNetwork(CellKind.Lstm, InputSize = 5, HiddenSize = 7, Layers = 2, OutputSize = 6)]
public partial class LstmI5H7L2FwDenseHead;

[RecurrentNetwork(CellKind.Lstm, InputSize = 5, HiddenSize = 7, Layers = 2, VocabularySize = 13)]
public partial class LstmI5H7L2FwEmb;

[RecurrentNetwork(CellKind.Lstm, InputSize = 5, HiddenSize = 7, Layers = 2, VocabularySize = 13, OutputSize = 6)]
public partial class LstmI5H7L2FwEmbHead;

[RecurrentNetwork(CellKind.Lstm, InputSize = 5, HiddenSize = 7, Layers = 2, Direction = Direction.Bidirectional)]
public partial class LstmI5H7L2BiDense;

[RecurrentNetwork(CellKind.Lstm, InputSize = 5, HiddenSize = 7, Layers = 2, Direction = Direction.Bidirectional, OutputSize = 6)]
public partial class LstmI5H7L2BiDenseHead;

[RecurrentNetwork(CellKind.Lstm, InputSize = 5, HiddenSize = 7, Layers = 2, Direction = Direction.Bidirectional, VocabularySize = 13)]
public partial class LstmI5H7L2BiEmb;

[RecurrentNetwork(CellKind.Lstm, InputSize = 5, HiddenSize = 7, Layers = 2, Direction = Direction.Bidirectional, VocabularySize = 13, OutputSize = 6)]
public partial class LstmI5H7L2BiEmbHead;

[RecurrentNetwork(CellKind.Lstm, InputSize = 5, HiddenSize = 7, Layers = 3)]
public partial class LstmI5H7L3FwDense;

[RecurrentNetwork(CellKind.Lstm, InputSize = 5, HiddenSize = 7, Layers = 3, OutputSize = 6)]
public partial class LstmI5H7L3FwDenseHead;

[RecurrentNetwork(CellKind.Lstm, InputSize = 5, HiddenSize = 7, Layers = 3, VocabularySize = 13)]
public partial class LstmI5H7L3FwEmb;

[RecurrentNetwork(CellKind.Lstm, InputSize = 5, HiddenSize = 7, Layers = 3, VocabularySize = 13, OutputSize = 6)]
public partial class LstmI5H7L3FwEmbHead;

[RecurrentNetwork(CellKind.Lstm, InputSize = 5, HiddenSize = 7, Layers = 3, Direction = Direction.Bidirectional)]
public partial class LstmI5H7L3BiDense;

[RecurrentNetwork(CellKind.Lstm, InputSize = 5, HiddenSize = 7, Layers = 3, Direction = Direction.Bidirectional, OutputSize = 6)]
public partial class LstmI5H7L3BiDenseHead;

[RecurrentNetwork(CellKind.Lstm, InputSize = 5, HiddenSize = 7, Layers = 3, Direction = Direction.Bidirectional, VocabularySize = 13)]
public partial class LstmI5H7L3BiEmb;

[RecurrentNetwork(CellKind.Lstm, InputSize = 5, HiddenSize = 7, Layers = 3, Direction = Direction.Bidirectional, VocabularySize = 13, OutputSize = 6)]
public partial class LstmI5H7L3BiEmbHead;

[RecurrentNetwork(CellKind.Gru, InputSize = 5, HiddenSize = 7, Layers = 1)]
public partial class GruI5H7L1FwDense;

[RecurrentNetwork(CellKind.Gru, InputSize = 5, HiddenSize = 7, Layers = 1, OutputSize = 6)]
public partial class GruI5H7L1FwDenseHead;

[RecurrentNetwork(CellKind.Gru, InputSize = 5, HiddenSize = 7, Layers = 1, VocabularySize = 13)]
public partial class GruI5H7L1FwEmb;

[RecurrentNetwork(CellKind.Gru, InputSize = 5, HiddenSize = 7, Layers = 1, VocabularySize = 13, OutputSize = 6)]
public partial class GruI5H7L1FwEmbHead;

[RecurrentNetwork(CellKind.Gru, InputSize = 5, HiddenSize = 7, Layers = 1, Direction = Direction.Bidirectional)]
public partial class GruI5H7L1BiDense;

[RecurrentNetwork(CellKind.Gru, InputSize = 5, HiddenSize = 7, Layers = 1, Direction = Direction.Bidirectional, OutputSize = 6)]
public partial class GruI5H7L1BiDenseHead;

[RecurrentNetwork(CellKind.Gru, InputSize = 5, HiddenSize = 7, Layers = 1, Direction = Direction.Bidirectional, VocabularySize = 13)]
public partial class GruI5H7L1BiEmb;

[RecurrentNetwork(CellKind.Gru, InputSize = 5, HiddenSize = 7, Layers = 1, Direction = Direction.Bidirectional, VocabularySize = 13, OutputSize = 6)]
public partial class GruI5H7L1BiEmbHead;

[RecurrentNetwork(CellKind.Gru, InputSize = 5, HiddenSize = 7, Layers = 2)]
public partial class GruI5H7L2FwDense;

[RecurrentNetwork(CellKind.Gru, InputSize = 5, HiddenSize = 7, Layers = 2, OutputSize = 6)]
public partial class GruI5H7L2FwDenseHead;

[RecurrentNetwork(CellKind.Gru, InputSize = 5, HiddenSize = 7, Layers = 2, VocabularySize = 13)]
public partial class GruI5H7L2FwEmb;

[RecurrentNetwork(CellKind.Gru, InputSize = 5, HiddenSize = 7, Layers = 2, VocabularySize = 13, OutputSize = 6)]
public partial class GruI5H7L2FwEmbHead;

[RecurrentNetwork(CellKind.Gru, InputSize = 5, HiddenSize = 7, Layers = 2, Direction = Direction.Bidirectional)]
public partial class GruI5H7L2BiDense;

[RecurrentNetwork(CellKind.Gru, InputSize = 5, HiddenSize = 7, Layers = 2, Direction = Direction.Bidirectional, OutputSize = 6)]
public partial class GruI5H7L2BiDenseHead;

[RecurrentNetwork(CellKind.Gru, InputSize = 5, HiddenSize = 7, Layers = 2, Direction = Direction.Bidirectional, VocabularySize = 13)]
public partial class GruI5H7L2BiEmb;

[RecurrentNetwork(CellKind.Gru, InputSize = 5, HiddenSize = 7, Layers = 2, Direction = Direction.Bidirectional, VocabularySize = 13, OutputSize = 6)]
public partial class GruI5H7L2BiEmbHead;

[RecurrentNetwork(CellKind.Gru, InputSize = 5, HiddenSize = 7, Layers = 3)]
public partial class GruI5H7L3FwDense;

[RecurrentNetwork(CellKind.Gru, InputSize = 5, HiddenSize = 7, Layers = 3, OutputSize = 6)]
public partial class GruI5H7L3FwDenseHead;

[RecurrentNetwork(CellKind.Gru, InputSize = 5, HiddenSize = 7, Layers = 3, VocabularySize = 13)]
public partial class GruI5H7L3FwEmb;

[RecurrentNetwork(CellKind.Gru, InputSize = 5, HiddenSize = 7, Layers = 3, VocabularySize = 13, OutputSize = 6)]
public partial class GruI5H7L3FwEmbHead;

[RecurrentNetwork(CellKind.Gru, InputSize = 5, HiddenSize = 7, Layers = 3, Direction = Direction.Bidirectional)]
public partial class GruI5H7L3BiDense;

[RecurrentNetwork(CellKind.Gru, InputSize = 5, HiddenSize = 7, Layers = 3, Direction = Direction.Bidirectional, OutputSize = 6)]
public partial class GruI5H7L3BiDenseHead;

[RecurrentNetwork(CellKind.Gru, InputSize = 5, HiddenSize = 7, Layers = 3, Direction = Direction.Bidirectional, VocabularySize = 13)]
public partial class GruI5H7L3BiEmb;

[RecurrentNetwork(CellKind.Gru, InputSize = 5, HiddenSize = 7, Layers = 3, Direction = Direction.Bidirectional, VocabularySize = 13, OutputSize = 6)]
public partial class GruI5H7L3BiEmbHead;

[RecurrentNetwork(CellKind.Lstm, InputSize = 16, HiddenSize = 33, Layers = 1, Direction = Direction.Bidirectional, OutputSize = 6)]
public partial class LstmI16H33L1BiDenseHead;

[RecurrentNetwork(CellKind.Gru, InputSize = 16, HiddenSize = 33, Layers = 2, VocabularySize = 13)]
public partial class GruI16H33L2FwEmb;

[RecurrentNetwork(CellKind.Rnn, InputSize = 16, HiddenSize = 33, Layers = 1)]
public partial class RnnI16H33L1FwDense;

[RecurrentNetwork(CellKind.Lstm, InputSize = 64, HiddenSize = 128, Layers = 1)]
public partial class LstmI64H128L1FwDense;

[RecurrentNetwork(CellKind.Gru, InputSize = 64, HiddenSize = 128, Layers = 1, Direction = Direction.Bidirectional)]
public partial class GruI64H128L1BiDense;

[RecurrentNetwork(CellKind.Lstm, InputSize = 32, HiddenSize = 256, Layers = 1, VocabularySize = 13, OutputSize = 6)]
public partial class LstmI32H256L1FwEmbHead;

[RecurrentNetwork(CellKind.Gru, InputSize = 5, HiddenSize = 7, Layers = 1, LinearBeforeReset = false)]
public partial class GruI5H7L1FwDenseResetFirst;

[RecurrentNetwork(CellKind.Gru, InputSize = 5, HiddenSize = 7, Layers = 2, Direction = Direction.Bidirectional, VocabularySize = 13, OutputSize = 6, LinearBeforeReset = false)]
public partial class GruI5H7L2BiEmbHeadResetFirst;

[RecurrentNetwork(CellKind.Gru, InputSize = 5, HiddenSize = 33, Layers = 1, Direction = Direction.Bidirectional, LinearBeforeReset = false)]
public partial class GruI5H33L1BiDenseResetFirst;

[RecurrentNetwork(CellKind.Lstm, InputSize = 5, HiddenSize = 7, Layers = 1, Peepholes = true)]
public partial class LstmI5H7L1FwDensePeepholes;

[RecurrentNetwork(CellKind.Lstm, InputSize = 5, HiddenSize = 7, Layers = 2, Direction = Direction.Bidirectional, OutputSize = 6, Peepholes = true)]
public partial class LstmI5H7L2BiDenseHeadPeepholes;

[RecurrentNetwork(CellKind.Lstm, InputSize = 5, HiddenSize = 33, Layers = 1, VocabularySize = 13, Peepholes = true)]
public partial class LstmI5H33L1FwEmbPeepholes;

[RecurrentNetwork(CellKind.Rnn, InputSize = 5, HiddenSize = 7, Layers = 2, Direction = Direction.Bidirectional, VocabularySize = 13, OutputSize = 6, Nonlinearity = Nonlinearity.Relu, Layout = SequenceLayout.TimeMajor)]
public partial class RnnI5H7L2BiEmbHeadReluTimeMajor;

[RecurrentNetwork(CellKind.Lstm, InputSize = 5, HiddenSize = 7, Layers = 2, Direction = Direction.Bidirectional, OutputSize = 6, Layout = SequenceLayout.TimeMajor)]
public partial class LstmI5H7L2BiDenseHeadTimeMajor;

[RecurrentNetwork(CellKind.Gru, InputSize = 5, HiddenSize = 7, Layers = 2, Direction = Direction.Bidirectional, VocabularySize = 13, OutputSize = 6, Layout = SequenceLayout.TimeMajor)]
public partial class GruI5H7L2BiEmbHeadTimeMajor;

[RecurrentNetwork(CellKind.Lstm, InputSize = 5, HiddenSize = 7, Layers = 1, VocabularySize = 13, OutputSize = 6, Layout = SequenceLayout.TimeMajor)]
public partial class LstmI5H7L1FwEmbHeadTimeMajor;

[RecurrentNetwork(CellKind.Gru, InputSize = 5, HiddenSize = 7, Layers = 1, Layout = SequenceLayout.TimeMajor)]
public partial class GruI5H7L1FwDenseTimeMajor;

[RecurrentNetwork(CellKind.Gru, InputSize = 5, HiddenSize = 7, Layers = 1, LinearBeforeReset = false, Layout = SequenceLayout.TimeMajor)]
public partial class GruI5H7L1FwDenseResetFirstTimeMajor;

[RecurrentNetwork(CellKind.Lstm, InputSize = 5, HiddenSize = 7, Layers = 2, Direction = Direction.Bidirectional, OutputSize = 6, Peepholes = true, Layout = SequenceLayout.TimeMajor)]
public partial class LstmI5H7L2BiDenseHeadPeepholesTimeMajor;

public static partial class NetworkMatrix
{
    public static readonly NetworkCase[] All =
    [
        new("RnnI5H7L1FwDense", new NetworkConfig(CellKind.Rnn, 5, 7, 1, false, false, 0, 0, true, false), seed =>
        {
            var n = new RnnI5H7L1FwDense(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(inputs, lengths, output, fh, ih); else n.Forward(inputs, lengths, output, fh, ih); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dInputs, dFinalHidden, dInitialHidden),
                n.CreateReplica);
        }),
        new("RnnI5H7L1FwDenseHead", new NetworkConfig(CellKind.Rnn, 5, 7, 1, false, false, 0, 6, true, false), seed =>
        {
            var n = new RnnI5H7L1FwDenseHead(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(inputs, lengths, output, fh, ih); else n.Forward(inputs, lengths, output, fh, ih); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dInputs, dFinalHidden, dInitialHidden),
                n.CreateReplica);
        }),
        new("RnnI5H7L1FwEmb", new NetworkConfig(CellKind.Rnn, 5, 7, 1, false, false, 13, 0, true, false), seed =>
        {
            var n = new RnnI5H7L1FwEmb(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(tokens, lengths, output, fh, ih); else n.Forward(tokens, lengths, output, fh, ih); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dFinalHidden, dInitialHidden),
                n.CreateReplica);
        }),
        new("RnnI5H7L1FwEmbHead", new NetworkConfig(CellKind.Rnn, 5, 7, 1, false, false, 13, 6, true, false), seed =>
        {
            var n = new RnnI5H7L1FwEmbHead(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(tokens, lengths, output, fh, ih); else n.Forward(tokens, lengths, output, fh, ih); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dFinalHidden, dInitialHidden),
                n.CreateReplica);
        }),
        new("RnnI5H7L1BiDense", new NetworkConfig(CellKind.Rnn, 5, 7, 1, true, false, 0, 0, true, false), seed =>
        {
            var n = new RnnI5H7L1BiDense(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(inputs, lengths, output, fh, ih); else n.Forward(inputs, lengths, output, fh, ih); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dInputs, dFinalHidden, dInitialHidden),
                n.CreateReplica);
        }),
        new("RnnI5H7L1BiDenseHead", new NetworkConfig(CellKind.Rnn, 5, 7, 1, true, false, 0, 6, true, false), seed =>
        {
            var n = new RnnI5H7L1BiDenseHead(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(inputs, lengths, output, fh, ih); else n.Forward(inputs, lengths, output, fh, ih); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dInputs, dFinalHidden, dInitialHidden),
                n.CreateReplica);
        }),
        new("RnnI5H7L1BiEmb", new NetworkConfig(CellKind.Rnn, 5, 7, 1, true, false, 13, 0, true, false), seed =>
        {
            var n = new RnnI5H7L1BiEmb(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(tokens, lengths, output, fh, ih); else n.Forward(tokens, lengths, output, fh, ih); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dFinalHidden, dInitialHidden),
                n.CreateReplica);
        }),
        new("RnnI5H7L1BiEmbHead", new NetworkConfig(CellKind.Rnn, 5, 7, 1, true, false, 13, 6, true, false), seed =>
        {
            var n = new RnnI5H7L1BiEmbHead(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(tokens, lengths, output, fh, ih); else n.Forward(tokens, lengths, output, fh, ih); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dFinalHidden, dInitialHidden),
                n.CreateReplica);
        }),
        new("RnnI5H7L2FwDenseRelu", new NetworkConfig(CellKind.Rnn, 5, 7, 2, false, true, 0, 0, true, false), seed =>
        {
            var n = new RnnI5H7L2FwDenseRelu(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(inputs, lengths, output, fh, ih); else n.Forward(inputs, lengths, output, fh, ih); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dInputs, dFinalHidden, dInitialHidden),
                n.CreateReplica);
        }),
        new("RnnI5H7L2FwDenseHeadRelu", new NetworkConfig(CellKind.Rnn, 5, 7, 2, false, true, 0, 6, true, false), seed =>
        {
            var n = new RnnI5H7L2FwDenseHeadRelu(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(inputs, lengths, output, fh, ih); else n.Forward(inputs, lengths, output, fh, ih); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dInputs, dFinalHidden, dInitialHidden),
                n.CreateReplica);
        }),
        new("RnnI5H7L2FwEmbRelu", new NetworkConfig(CellKind.Rnn, 5, 7, 2, false, true, 13, 0, true, false), seed =>
        {
            var n = new RnnI5H7L2FwEmbRelu(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(tokens, lengths, output, fh, ih); else n.Forward(tokens, lengths, output, fh, ih); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dFinalHidden, dInitialHidden),
                n.CreateReplica);
        }),
        new("RnnI5H7L2FwEmbHeadRelu", new NetworkConfig(CellKind.Rnn, 5, 7, 2, false, true, 13, 6, true, false), seed =>
        {
            var n = new RnnI5H7L2FwEmbHeadRelu(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(tokens, lengths, output, fh, ih); else n.Forward(tokens, lengths, output, fh, ih); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dFinalHidden, dInitialHidden),
                n.CreateReplica);
        }),
        new("RnnI5H7L2BiDenseRelu", new NetworkConfig(CellKind.Rnn, 5, 7, 2, true, true, 0, 0, true, false), seed =>
        {
            var n = new RnnI5H7L2BiDenseRelu(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(inputs, lengths, output, fh, ih); else n.Forward(inputs, lengths, output, fh, ih); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dInputs, dFinalHidden, dInitialHidden),
                n.CreateReplica);
        }),
        new("RnnI5H7L2BiDenseHeadRelu", new NetworkConfig(CellKind.Rnn, 5, 7, 2, true, true, 0, 6, true, false), seed =>
        {
            var n = new RnnI5H7L2BiDenseHeadRelu(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(inputs, lengths, output, fh, ih); else n.Forward(inputs, lengths, output, fh, ih); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dInputs, dFinalHidden, dInitialHidden),
                n.CreateReplica);
        }),
        new("RnnI5H7L2BiEmbRelu", new NetworkConfig(CellKind.Rnn, 5, 7, 2, true, true, 13, 0, true, false), seed =>
        {
            var n = new RnnI5H7L2BiEmbRelu(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(tokens, lengths, output, fh, ih); else n.Forward(tokens, lengths, output, fh, ih); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dFinalHidden, dInitialHidden),
                n.CreateReplica);
        }),
        new("RnnI5H7L2BiEmbHeadRelu", new NetworkConfig(CellKind.Rnn, 5, 7, 2, true, true, 13, 6, true, false), seed =>
        {
            var n = new RnnI5H7L2BiEmbHeadRelu(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(tokens, lengths, output, fh, ih); else n.Forward(tokens, lengths, output, fh, ih); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dFinalHidden, dInitialHidden),
                n.CreateReplica);
        }),
        new("RnnI5H7L3FwDense", new NetworkConfig(CellKind.Rnn, 5, 7, 3, false, false, 0, 0, true, false), seed =>
        {
            var n = new RnnI5H7L3FwDense(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(inputs, lengths, output, fh, ih); else n.Forward(inputs, lengths, output, fh, ih); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dInputs, dFinalHidden, dInitialHidden),
                n.CreateReplica);
        }),
        new("RnnI5H7L3FwDenseHead", new NetworkConfig(CellKind.Rnn, 5, 7, 3, false, false, 0, 6, true, false), seed =>
        {
            var n = new RnnI5H7L3FwDenseHead(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(inputs, lengths, output, fh, ih); else n.Forward(inputs, lengths, output, fh, ih); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dInputs, dFinalHidden, dInitialHidden),
                n.CreateReplica);
        }),
        new("RnnI5H7L3FwEmb", new NetworkConfig(CellKind.Rnn, 5, 7, 3, false, false, 13, 0, true, false), seed =>
        {
            var n = new RnnI5H7L3FwEmb(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(tokens, lengths, output, fh, ih); else n.Forward(tokens, lengths, output, fh, ih); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dFinalHidden, dInitialHidden),
                n.CreateReplica);
        }),
        new("RnnI5H7L3FwEmbHead", new NetworkConfig(CellKind.Rnn, 5, 7, 3, false, false, 13, 6, true, false), seed =>
        {
            var n = new RnnI5H7L3FwEmbHead(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(tokens, lengths, output, fh, ih); else n.Forward(tokens, lengths, output, fh, ih); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dFinalHidden, dInitialHidden),
                n.CreateReplica);
        }),
        new("RnnI5H7L3BiDense", new NetworkConfig(CellKind.Rnn, 5, 7, 3, true, false, 0, 0, true, false), seed =>
        {
            var n = new RnnI5H7L3BiDense(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(inputs, lengths, output, fh, ih); else n.Forward(inputs, lengths, output, fh, ih); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dInputs, dFinalHidden, dInitialHidden),
                n.CreateReplica);
        }),
        new("RnnI5H7L3BiDenseHead", new NetworkConfig(CellKind.Rnn, 5, 7, 3, true, false, 0, 6, true, false), seed =>
        {
            var n = new RnnI5H7L3BiDenseHead(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(inputs, lengths, output, fh, ih); else n.Forward(inputs, lengths, output, fh, ih); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dInputs, dFinalHidden, dInitialHidden),
                n.CreateReplica);
        }),
        new("RnnI5H7L3BiEmb", new NetworkConfig(CellKind.Rnn, 5, 7, 3, true, false, 13, 0, true, false), seed =>
        {
            var n = new RnnI5H7L3BiEmb(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(tokens, lengths, output, fh, ih); else n.Forward(tokens, lengths, output, fh, ih); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dFinalHidden, dInitialHidden),
                n.CreateReplica);
        }),
        new("RnnI5H7L3BiEmbHead", new NetworkConfig(CellKind.Rnn, 5, 7, 3, true, false, 13, 6, true, false), seed =>
        {
            var n = new RnnI5H7L3BiEmbHead(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(tokens, lengths, output, fh, ih); else n.Forward(tokens, lengths, output, fh, ih); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dFinalHidden, dInitialHidden),
                n.CreateReplica);
        }),
        new("LstmI5H7L1FwDense", new NetworkConfig(CellKind.Lstm, 5, 7, 1, false, false, 0, 0, true, false), seed =>
        {
            var n = new LstmI5H7L1FwDense(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(inputs, lengths, output, fh, ih, fc, ic); else n.Forward(inputs, lengths, output, fh, ih, fc, ic); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell),
                n.CreateReplica);
        }),
        new("LstmI5H7L1FwDenseHead", new NetworkConfig(CellKind.Lstm, 5, 7, 1, false, false, 0, 6, true, false), seed =>
        {
            var n = new LstmI5H7L1FwDenseHead(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(inputs, lengths, output, fh, ih, fc, ic); else n.Forward(inputs, lengths, output, fh, ih, fc, ic); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell),
                n.CreateReplica);
        }),
        new("LstmI5H7L1FwEmb", new NetworkConfig(CellKind.Lstm, 5, 7, 1, false, false, 13, 0, true, false), seed =>
        {
            var n = new LstmI5H7L1FwEmb(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(tokens, lengths, output, fh, ih, fc, ic); else n.Forward(tokens, lengths, output, fh, ih, fc, ic); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell),
                n.CreateReplica);
        }),
        new("LstmI5H7L1FwEmbHead", new NetworkConfig(CellKind.Lstm, 5, 7, 1, false, false, 13, 6, true, false), seed =>
        {
            var n = new LstmI5H7L1FwEmbHead(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(tokens, lengths, output, fh, ih, fc, ic); else n.Forward(tokens, lengths, output, fh, ih, fc, ic); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell),
                n.CreateReplica);
        }),
        new("LstmI5H7L1BiDense", new NetworkConfig(CellKind.Lstm, 5, 7, 1, true, false, 0, 0, true, false), seed =>
        {
            var n = new LstmI5H7L1BiDense(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(inputs, lengths, output, fh, ih, fc, ic); else n.Forward(inputs, lengths, output, fh, ih, fc, ic); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell),
                n.CreateReplica);
        }),
        new("LstmI5H7L1BiDenseHead", new NetworkConfig(CellKind.Lstm, 5, 7, 1, true, false, 0, 6, true, false), seed =>
        {
            var n = new LstmI5H7L1BiDenseHead(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(inputs, lengths, output, fh, ih, fc, ic); else n.Forward(inputs, lengths, output, fh, ih, fc, ic); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell),
                n.CreateReplica);
        }),
        new("LstmI5H7L1BiEmb", new NetworkConfig(CellKind.Lstm, 5, 7, 1, true, false, 13, 0, true, false), seed =>
        {
            var n = new LstmI5H7L1BiEmb(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(tokens, lengths, output, fh, ih, fc, ic); else n.Forward(tokens, lengths, output, fh, ih, fc, ic); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell),
                n.CreateReplica);
        }),
        new("LstmI5H7L1BiEmbHead", new NetworkConfig(CellKind.Lstm, 5, 7, 1, true, false, 13, 6, true, false), seed =>
        {
            var n = new LstmI5H7L1BiEmbHead(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(tokens, lengths, output, fh, ih, fc, ic); else n.Forward(tokens, lengths, output, fh, ih, fc, ic); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell),
                n.CreateReplica);
        }),
        new("LstmI5H7L2FwDense", new NetworkConfig(CellKind.Lstm, 5, 7, 2, false, false, 0, 0, true, false), seed =>
        {
            var n = new LstmI5H7L2FwDense(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(inputs, lengths, output, fh, ih, fc, ic); else n.Forward(inputs, lengths, output, fh, ih, fc, ic); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell),
                n.CreateReplica);
        }),
        new("LstmI5H7L2FwDenseHead", new NetworkConfig(CellKind.Lstm, 5, 7, 2, false, false, 0, 6, true, false), seed =>
        {
            var n = new LstmI5H7L2FwDenseHead(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(inputs, lengths, output, fh, ih, fc, ic); else n.Forward(inputs, lengths, output, fh, ih, fc, ic); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell),
                n.CreateReplica);
        }),
        new("LstmI5H7L2FwEmb", new NetworkConfig(CellKind.Lstm, 5, 7, 2, false, false, 13, 0, true, false), seed =>
        {
            var n = new LstmI5H7L2FwEmb(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(tokens, lengths, output, fh, ih, fc, ic); else n.Forward(tokens, lengths, output, fh, ih, fc, ic); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell),
                n.CreateReplica);
        }),
        new("LstmI5H7L2FwEmbHead", new NetworkConfig(CellKind.Lstm, 5, 7, 2, false, false, 13, 6, true, false), seed =>
        {
            var n = new LstmI5H7L2FwEmbHead(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(tokens, lengths, output, fh, ih, fc, ic); else n.Forward(tokens, lengths, output, fh, ih, fc, ic); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell),
                n.CreateReplica);
        }),
        new("LstmI5H7L2BiDense", new NetworkConfig(CellKind.Lstm, 5, 7, 2, true, false, 0, 0, true, false), seed =>
        {
            var n = new LstmI5H7L2BiDense(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(inputs, lengths, output, fh, ih, fc, ic); else n.Forward(inputs, lengths, output, fh, ih, fc, ic); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell),
                n.CreateReplica);
        }),
        new("LstmI5H7L2BiDenseHead", new NetworkConfig(CellKind.Lstm, 5, 7, 2, true, false, 0, 6, true, false), seed =>
        {
            var n = new LstmI5H7L2BiDenseHead(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(inputs, lengths, output, fh, ih, fc, ic); else n.Forward(inputs, lengths, output, fh, ih, fc, ic); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell),
                n.CreateReplica);
        }),
        new("LstmI5H7L2BiEmb", new NetworkConfig(CellKind.Lstm, 5, 7, 2, true, false, 13, 0, true, false), seed =>
        {
            var n = new LstmI5H7L2BiEmb(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(tokens, lengths, output, fh, ih, fc, ic); else n.Forward(tokens, lengths, output, fh, ih, fc, ic); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell),
                n.CreateReplica);
        }),
        new("LstmI5H7L2BiEmbHead", new NetworkConfig(CellKind.Lstm, 5, 7, 2, true, false, 13, 6, true, false), seed =>
        {
            var n = new LstmI5H7L2BiEmbHead(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(tokens, lengths, output, fh, ih, fc, ic); else n.Forward(tokens, lengths, output, fh, ih, fc, ic); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell),
                n.CreateReplica);
        }),
        new("LstmI5H7L3FwDense", new NetworkConfig(CellKind.Lstm, 5, 7, 3, false, false, 0, 0, true, false), seed =>
        {
            var n = new LstmI5H7L3FwDense(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(inputs, lengths, output, fh, ih, fc, ic); else n.Forward(inputs, lengths, output, fh, ih, fc, ic); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell),
                n.CreateReplica);
        }),
        new("LstmI5H7L3FwDenseHead", new NetworkConfig(CellKind.Lstm, 5, 7, 3, false, false, 0, 6, true, false), seed =>
        {
            var n = new LstmI5H7L3FwDenseHead(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(inputs, lengths, output, fh, ih, fc, ic); else n.Forward(inputs, lengths, output, fh, ih, fc, ic); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell),
                n.CreateReplica);
        }),
        new("LstmI5H7L3FwEmb", new NetworkConfig(CellKind.Lstm, 5, 7, 3, false, false, 13, 0, true, false), seed =>
        {
            var n = new LstmI5H7L3FwEmb(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(tokens, lengths, output, fh, ih, fc, ic); else n.Forward(tokens, lengths, output, fh, ih, fc, ic); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell),
                n.CreateReplica);
        }),
        new("LstmI5H7L3FwEmbHead", new NetworkConfig(CellKind.Lstm, 5, 7, 3, false, false, 13, 6, true, false), seed =>
        {
            var n = new LstmI5H7L3FwEmbHead(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(tokens, lengths, output, fh, ih, fc, ic); else n.Forward(tokens, lengths, output, fh, ih, fc, ic); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell),
                n.CreateReplica);
        }),
        new("LstmI5H7L3BiDense", new NetworkConfig(CellKind.Lstm, 5, 7, 3, true, false, 0, 0, true, false), seed =>
        {
            var n = new LstmI5H7L3BiDense(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(inputs, lengths, output, fh, ih, fc, ic); else n.Forward(inputs, lengths, output, fh, ih, fc, ic); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell),
                n.CreateReplica);
        }),
        new("LstmI5H7L3BiDenseHead", new NetworkConfig(CellKind.Lstm, 5, 7, 3, true, false, 0, 6, true, false), seed =>
        {
            var n = new LstmI5H7L3BiDenseHead(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(inputs, lengths, output, fh, ih, fc, ic); else n.Forward(inputs, lengths, output, fh, ih, fc, ic); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell),
                n.CreateReplica);
        }),
        new("LstmI5H7L3BiEmb", new NetworkConfig(CellKind.Lstm, 5, 7, 3, true, false, 13, 0, true, false), seed =>
        {
            var n = new LstmI5H7L3BiEmb(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(tokens, lengths, output, fh, ih, fc, ic); else n.Forward(tokens, lengths, output, fh, ih, fc, ic); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell),
                n.CreateReplica);
        }),
        new("LstmI5H7L3BiEmbHead", new NetworkConfig(CellKind.Lstm, 5, 7, 3, true, false, 13, 6, true, false), seed =>
        {
            var n = new LstmI5H7L3BiEmbHead(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(tokens, lengths, output, fh, ih, fc, ic); else n.Forward(tokens, lengths, output, fh, ih, fc, ic); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell),
                n.CreateReplica);
        }),
        new("GruI5H7L1FwDense", new NetworkConfig(CellKind.Gru, 5, 7, 1, false, false, 0, 0, true, false), seed =>
        {
            var n = new GruI5H7L1FwDense(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(inputs, lengths, output, fh, ih); else n.Forward(inputs, lengths, output, fh, ih); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dInputs, dFinalHidden, dInitialHidden),
                n.CreateReplica);
        }),
        new("GruI5H7L1FwDenseHead", new NetworkConfig(CellKind.Gru, 5, 7, 1, false, false, 0, 6, true, false), seed =>
        {
            var n = new GruI5H7L1FwDenseHead(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(inputs, lengths, output, fh, ih); else n.Forward(inputs, lengths, output, fh, ih); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dInputs, dFinalHidden, dInitialHidden),
                n.CreateReplica);
        }),
        new("GruI5H7L1FwEmb", new NetworkConfig(CellKind.Gru, 5, 7, 1, false, false, 13, 0, true, false), seed =>
        {
            var n = new GruI5H7L1FwEmb(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(tokens, lengths, output, fh, ih); else n.Forward(tokens, lengths, output, fh, ih); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dFinalHidden, dInitialHidden),
                n.CreateReplica);
        }),
        new("GruI5H7L1FwEmbHead", new NetworkConfig(CellKind.Gru, 5, 7, 1, false, false, 13, 6, true, false), seed =>
        {
            var n = new GruI5H7L1FwEmbHead(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(tokens, lengths, output, fh, ih); else n.Forward(tokens, lengths, output, fh, ih); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dFinalHidden, dInitialHidden),
                n.CreateReplica);
        }),
        new("GruI5H7L1BiDense", new NetworkConfig(CellKind.Gru, 5, 7, 1, true, false, 0, 0, true, false), seed =>
        {
            var n = new GruI5H7L1BiDense(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(inputs, lengths, output, fh, ih); else n.Forward(inputs, lengths, output, fh, ih); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dInputs, dFinalHidden, dInitialHidden),
                n.CreateReplica);
        }),
        new("GruI5H7L1BiDenseHead", new NetworkConfig(CellKind.Gru, 5, 7, 1, true, false, 0, 6, true, false), seed =>
        {
            var n = new GruI5H7L1BiDenseHead(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(inputs, lengths, output, fh, ih); else n.Forward(inputs, lengths, output, fh, ih); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dInputs, dFinalHidden, dInitialHidden),
                n.CreateReplica);
        }),
        new("GruI5H7L1BiEmb", new NetworkConfig(CellKind.Gru, 5, 7, 1, true, false, 13, 0, true, false), seed =>
        {
            var n = new GruI5H7L1BiEmb(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(tokens, lengths, output, fh, ih); else n.Forward(tokens, lengths, output, fh, ih); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dFinalHidden, dInitialHidden),
                n.CreateReplica);
        }),
        new("GruI5H7L1BiEmbHead", new NetworkConfig(CellKind.Gru, 5, 7, 1, true, false, 13, 6, true, false), seed =>
        {
            var n = new GruI5H7L1BiEmbHead(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(tokens, lengths, output, fh, ih); else n.Forward(tokens, lengths, output, fh, ih); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dFinalHidden, dInitialHidden),
                n.CreateReplica);
        }),
        new("GruI5H7L2FwDense", new NetworkConfig(CellKind.Gru, 5, 7, 2, false, false, 0, 0, true, false), seed =>
        {
            var n = new GruI5H7L2FwDense(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(inputs, lengths, output, fh, ih); else n.Forward(inputs, lengths, output, fh, ih); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dInputs, dFinalHidden, dInitialHidden),
                n.CreateReplica);
        }),
        new("GruI5H7L2FwDenseHead", new NetworkConfig(CellKind.Gru, 5, 7, 2, false, false, 0, 6, true, false), seed =>
        {
            var n = new GruI5H7L2FwDenseHead(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(inputs, lengths, output, fh, ih); else n.Forward(inputs, lengths, output, fh, ih); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dInputs, dFinalHidden, dInitialHidden),
                n.CreateReplica);
        }),
        new("GruI5H7L2FwEmb", new NetworkConfig(CellKind.Gru, 5, 7, 2, false, false, 13, 0, true, false), seed =>
        {
            var n = new GruI5H7L2FwEmb(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(tokens, lengths, output, fh, ih); else n.Forward(tokens, lengths, output, fh, ih); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dFinalHidden, dInitialHidden),
                n.CreateReplica);
        }),
        new("GruI5H7L2FwEmbHead", new NetworkConfig(CellKind.Gru, 5, 7, 2, false, false, 13, 6, true, false), seed =>
        {
            var n = new GruI5H7L2FwEmbHead(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(tokens, lengths, output, fh, ih); else n.Forward(tokens, lengths, output, fh, ih); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dFinalHidden, dInitialHidden),
                n.CreateReplica);
        }),
        new("GruI5H7L2BiDense", new NetworkConfig(CellKind.Gru, 5, 7, 2, true, false, 0, 0, true, false), seed =>
        {
            var n = new GruI5H7L2BiDense(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(inputs, lengths, output, fh, ih); else n.Forward(inputs, lengths, output, fh, ih); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dInputs, dFinalHidden, dInitialHidden),
                n.CreateReplica);
        }),
        new("GruI5H7L2BiDenseHead", new NetworkConfig(CellKind.Gru, 5, 7, 2, true, false, 0, 6, true, false), seed =>
        {
            var n = new GruI5H7L2BiDenseHead(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(inputs, lengths, output, fh, ih); else n.Forward(inputs, lengths, output, fh, ih); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dInputs, dFinalHidden, dInitialHidden),
                n.CreateReplica);
        }),
        new("GruI5H7L2BiEmb", new NetworkConfig(CellKind.Gru, 5, 7, 2, true, false, 13, 0, true, false), seed =>
        {
            var n = new GruI5H7L2BiEmb(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(tokens, lengths, output, fh, ih); else n.Forward(tokens, lengths, output, fh, ih); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dFinalHidden, dInitialHidden),
                n.CreateReplica);
        }),
        new("GruI5H7L2BiEmbHead", new NetworkConfig(CellKind.Gru, 5, 7, 2, true, false, 13, 6, true, false), seed =>
        {
            var n = new GruI5H7L2BiEmbHead(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(tokens, lengths, output, fh, ih); else n.Forward(tokens, lengths, output, fh, ih); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dFinalHidden, dInitialHidden),
                n.CreateReplica);
        }),
        new("GruI5H7L3FwDense", new NetworkConfig(CellKind.Gru, 5, 7, 3, false, false, 0, 0, true, false), seed =>
        {
            var n = new GruI5H7L3FwDense(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(inputs, lengths, output, fh, ih); else n.Forward(inputs, lengths, output, fh, ih); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dInputs, dFinalHidden, dInitialHidden),
                n.CreateReplica);
        }),
        new("GruI5H7L3FwDenseHead", new NetworkConfig(CellKind.Gru, 5, 7, 3, false, false, 0, 6, true, false), seed =>
        {
            var n = new GruI5H7L3FwDenseHead(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(inputs, lengths, output, fh, ih); else n.Forward(inputs, lengths, output, fh, ih); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dInputs, dFinalHidden, dInitialHidden),
                n.CreateReplica);
        }),
        new("GruI5H7L3FwEmb", new NetworkConfig(CellKind.Gru, 5, 7, 3, false, false, 13, 0, true, false), seed =>
        {
            var n = new GruI5H7L3FwEmb(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(tokens, lengths, output, fh, ih); else n.Forward(tokens, lengths, output, fh, ih); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dFinalHidden, dInitialHidden),
                n.CreateReplica);
        }),
        new("GruI5H7L3FwEmbHead", new NetworkConfig(CellKind.Gru, 5, 7, 3, false, false, 13, 6, true, false), seed =>
        {
            var n = new GruI5H7L3FwEmbHead(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(tokens, lengths, output, fh, ih); else n.Forward(tokens, lengths, output, fh, ih); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dFinalHidden, dInitialHidden),
                n.CreateReplica);
        }),
        new("GruI5H7L3BiDense", new NetworkConfig(CellKind.Gru, 5, 7, 3, true, false, 0, 0, true, false), seed =>
        {
            var n = new GruI5H7L3BiDense(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(inputs, lengths, output, fh, ih); else n.Forward(inputs, lengths, output, fh, ih); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dInputs, dFinalHidden, dInitialHidden),
                n.CreateReplica);
        }),
        new("GruI5H7L3BiDenseHead", new NetworkConfig(CellKind.Gru, 5, 7, 3, true, false, 0, 6, true, false), seed =>
        {
            var n = new GruI5H7L3BiDenseHead(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(inputs, lengths, output, fh, ih); else n.Forward(inputs, lengths, output, fh, ih); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dInputs, dFinalHidden, dInitialHidden),
                n.CreateReplica);
        }),
        new("GruI5H7L3BiEmb", new NetworkConfig(CellKind.Gru, 5, 7, 3, true, false, 13, 0, true, false), seed =>
        {
            var n = new GruI5H7L3BiEmb(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(tokens, lengths, output, fh, ih); else n.Forward(tokens, lengths, output, fh, ih); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dFinalHidden, dInitialHidden),
                n.CreateReplica);
        }),
        new("GruI5H7L3BiEmbHead", new NetworkConfig(CellKind.Gru, 5, 7, 3, true, false, 13, 6, true, false), seed =>
        {
            var n = new GruI5H7L3BiEmbHead(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(tokens, lengths, output, fh, ih); else n.Forward(tokens, lengths, output, fh, ih); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dFinalHidden, dInitialHidden),
                n.CreateReplica);
        }),
        new("LstmI16H33L1BiDenseHead", new NetworkConfig(CellKind.Lstm, 16, 33, 1, true, false, 0, 6, true, false), seed =>
        {
            var n = new LstmI16H33L1BiDenseHead(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(inputs, lengths, output, fh, ih, fc, ic); else n.Forward(inputs, lengths, output, fh, ih, fc, ic); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell),
                n.CreateReplica);
        }),
        new("GruI16H33L2FwEmb", new NetworkConfig(CellKind.Gru, 16, 33, 2, false, false, 13, 0, true, false), seed =>
        {
            var n = new GruI16H33L2FwEmb(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(tokens, lengths, output, fh, ih); else n.Forward(tokens, lengths, output, fh, ih); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dFinalHidden, dInitialHidden),
                n.CreateReplica);
        }),
        new("RnnI16H33L1FwDense", new NetworkConfig(CellKind.Rnn, 16, 33, 1, false, false, 0, 0, true, false), seed =>
        {
            var n = new RnnI16H33L1FwDense(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(inputs, lengths, output, fh, ih); else n.Forward(inputs, lengths, output, fh, ih); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dInputs, dFinalHidden, dInitialHidden),
                n.CreateReplica);
        }),
        new("LstmI64H128L1FwDense", new NetworkConfig(CellKind.Lstm, 64, 128, 1, false, false, 0, 0, true, false), seed =>
        {
            var n = new LstmI64H128L1FwDense(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(inputs, lengths, output, fh, ih, fc, ic); else n.Forward(inputs, lengths, output, fh, ih, fc, ic); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell),
                n.CreateReplica);
        }),
        new("GruI64H128L1BiDense", new NetworkConfig(CellKind.Gru, 64, 128, 1, true, false, 0, 0, true, false), seed =>
        {
            var n = new GruI64H128L1BiDense(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(inputs, lengths, output, fh, ih); else n.Forward(inputs, lengths, output, fh, ih); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dInputs, dFinalHidden, dInitialHidden),
                n.CreateReplica);
        }),
        new("LstmI32H256L1FwEmbHead", new NetworkConfig(CellKind.Lstm, 32, 256, 1, false, false, 13, 6, true, false), seed =>
        {
            var n = new LstmI32H256L1FwEmbHead(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(tokens, lengths, output, fh, ih, fc, ic); else n.Forward(tokens, lengths, output, fh, ih, fc, ic); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell),
                n.CreateReplica);
        }),
        new("GruI5H7L1FwDenseResetFirst", new NetworkConfig(CellKind.Gru, 5, 7, 1, false, false, 0, 0, false, false), seed =>
        {
            var n = new GruI5H7L1FwDenseResetFirst(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(inputs, lengths, output, fh, ih); else n.Forward(inputs, lengths, output, fh, ih); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dInputs, dFinalHidden, dInitialHidden),
                n.CreateReplica);
        }),
        new("GruI5H7L2BiEmbHeadResetFirst", new NetworkConfig(CellKind.Gru, 5, 7, 2, true, false, 13, 6, false, false), seed =>
        {
            var n = new GruI5H7L2BiEmbHeadResetFirst(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(tokens, lengths, output, fh, ih); else n.Forward(tokens, lengths, output, fh, ih); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dFinalHidden, dInitialHidden),
                n.CreateReplica);
        }),
        new("GruI5H33L1BiDenseResetFirst", new NetworkConfig(CellKind.Gru, 5, 33, 1, true, false, 0, 0, false, false), seed =>
        {
            var n = new GruI5H33L1BiDenseResetFirst(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(inputs, lengths, output, fh, ih); else n.Forward(inputs, lengths, output, fh, ih); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dInputs, dFinalHidden, dInitialHidden),
                n.CreateReplica);
        }),
        new("LstmI5H7L1FwDensePeepholes", new NetworkConfig(CellKind.Lstm, 5, 7, 1, false, false, 0, 0, true, true), seed =>
        {
            var n = new LstmI5H7L1FwDensePeepholes(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(inputs, lengths, output, fh, ih, fc, ic); else n.Forward(inputs, lengths, output, fh, ih, fc, ic); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell),
                n.CreateReplica);
        }),
        new("LstmI5H7L2BiDenseHeadPeepholes", new NetworkConfig(CellKind.Lstm, 5, 7, 2, true, false, 0, 6, true, true), seed =>
        {
            var n = new LstmI5H7L2BiDenseHeadPeepholes(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(inputs, lengths, output, fh, ih, fc, ic); else n.Forward(inputs, lengths, output, fh, ih, fc, ic); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell),
                n.CreateReplica);
        }),
        new("LstmI5H33L1FwEmbPeepholes", new NetworkConfig(CellKind.Lstm, 5, 33, 1, false, false, 13, 0, true, true), seed =>
        {
            var n = new LstmI5H33L1FwEmbPeepholes(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(tokens, lengths, output, fh, ih, fc, ic); else n.Forward(tokens, lengths, output, fh, ih, fc, ic); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell),
                n.CreateReplica);
        }),
        new("RnnI5H7L2BiEmbHeadReluTimeMajor", new NetworkConfig(CellKind.Rnn, 5, 7, 2, true, true, 13, 6, true, false, SequenceLayout.TimeMajor), seed =>
        {
            var n = new RnnI5H7L2BiEmbHeadReluTimeMajor(seed);
            return NetworkAdapter.TimeMajor(new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(tokens, lengths, output, fh, ih); else n.Forward(tokens, lengths, output, fh, ih); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dFinalHidden, dInitialHidden),
                n.CreateReplica), stepOutputSize: 6, inputSize: 5);
        }),
        new("LstmI5H7L2BiDenseHeadTimeMajor", new NetworkConfig(CellKind.Lstm, 5, 7, 2, true, false, 0, 6, true, false, SequenceLayout.TimeMajor), seed =>
        {
            var n = new LstmI5H7L2BiDenseHeadTimeMajor(seed);
            return NetworkAdapter.TimeMajor(new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(inputs, lengths, output, fh, ih, fc, ic); else n.Forward(inputs, lengths, output, fh, ih, fc, ic); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell),
                n.CreateReplica), stepOutputSize: 6, inputSize: 5);
        }),
        new("GruI5H7L2BiEmbHeadTimeMajor", new NetworkConfig(CellKind.Gru, 5, 7, 2, true, false, 13, 6, true, false, SequenceLayout.TimeMajor), seed =>
        {
            var n = new GruI5H7L2BiEmbHeadTimeMajor(seed);
            return NetworkAdapter.TimeMajor(new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(tokens, lengths, output, fh, ih); else n.Forward(tokens, lengths, output, fh, ih); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dFinalHidden, dInitialHidden),
                n.CreateReplica), stepOutputSize: 6, inputSize: 5);
        }),
        new("LstmI5H7L1FwEmbHeadTimeMajor", new NetworkConfig(CellKind.Lstm, 5, 7, 1, false, false, 13, 6, true, false, SequenceLayout.TimeMajor), seed =>
        {
            var n = new LstmI5H7L1FwEmbHeadTimeMajor(seed);
            return NetworkAdapter.TimeMajor(new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(tokens, lengths, output, fh, ih, fc, ic); else n.Forward(tokens, lengths, output, fh, ih, fc, ic); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell),
                n.CreateReplica), stepOutputSize: 6, inputSize: 5);
        }),
        new("GruI5H7L1FwDenseTimeMajor", new NetworkConfig(CellKind.Gru, 5, 7, 1, false, false, 0, 0, true, false, SequenceLayout.TimeMajor), seed =>
        {
            var n = new GruI5H7L1FwDenseTimeMajor(seed);
            return NetworkAdapter.TimeMajor(new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(inputs, lengths, output, fh, ih); else n.Forward(inputs, lengths, output, fh, ih); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dInputs, dFinalHidden, dInitialHidden),
                n.CreateReplica), stepOutputSize: 7, inputSize: 5);
        }),
        new("GruI5H7L1FwDenseResetFirstTimeMajor", new NetworkConfig(CellKind.Gru, 5, 7, 1, false, false, 0, 0, false, false, SequenceLayout.TimeMajor), seed =>
        {
            var n = new GruI5H7L1FwDenseResetFirstTimeMajor(seed);
            return NetworkAdapter.TimeMajor(new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(inputs, lengths, output, fh, ih); else n.Forward(inputs, lengths, output, fh, ih); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dInputs, dFinalHidden, dInitialHidden),
                n.CreateReplica), stepOutputSize: 7, inputSize: 5);
        }),
        new("LstmI5H7L2BiDenseHeadPeepholesTimeMajor", new NetworkConfig(CellKind.Lstm, 5, 7, 2, true, false, 0, 6, true, true, SequenceLayout.TimeMajor), seed =>
        {
            var n = new LstmI5H7L2BiDenseHeadPeepholesTimeMajor(seed);
            return NetworkAdapter.TimeMajor(new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) => { if (training) n.ForwardTraining(inputs, lengths, output, fh, ih, fc, ic); else n.Forward(inputs, lengths, output, fh, ih, fc, ic); },
                (dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell) => n.Backward(dOutput, dInputs, dFinalHidden, dInitialHidden, dFinalCell, dInitialCell),
                n.CreateReplica), stepOutputSize: 6, inputSize: 5);
        }),
    ];
}
