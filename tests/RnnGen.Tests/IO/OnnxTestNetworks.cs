using System;
using RnnGen;
using RnnGen.Tests.Networks;

namespace RnnGen.Tests.IO;

// Networks the ONNX tests need beyond the numerical matrix (which has relu RNNs only with two
// layers and tanh RNNs only with one or three): relu with one layer, tanh with two.

[RecurrentNetwork(CellKind.Rnn, InputSize = 5, HiddenSize = 7, Layers = 1, Nonlinearity = Nonlinearity.Relu)]
public partial class OnnxRnnReluL1FwDense;

[RecurrentNetwork(CellKind.Rnn, InputSize = 5, HiddenSize = 7, Layers = 1, Direction = Direction.Bidirectional, Nonlinearity = Nonlinearity.Relu)]
public partial class OnnxRnnReluL1BiDense;

[RecurrentNetwork(CellKind.Rnn, InputSize = 5, HiddenSize = 7, Layers = 1, VocabularySize = 13, OutputSize = 6, Nonlinearity = Nonlinearity.Relu)]
public partial class OnnxRnnReluL1FwEmbHead;

[RecurrentNetwork(CellKind.Rnn, InputSize = 5, HiddenSize = 7, Layers = 1, Direction = Direction.Bidirectional, VocabularySize = 13, OutputSize = 6, Nonlinearity = Nonlinearity.Relu)]
public partial class OnnxRnnReluL1BiEmbHead;

[RecurrentNetwork(CellKind.Rnn, InputSize = 5, HiddenSize = 7, Layers = 2)]
public partial class OnnxRnnTanhL2FwDense;

[RecurrentNetwork(CellKind.Rnn, InputSize = 5, HiddenSize = 7, Layers = 2, Direction = Direction.Bidirectional, OutputSize = 6)]
public partial class OnnxRnnTanhL2BiDenseHead;

[RecurrentNetwork(CellKind.Rnn, InputSize = 5, HiddenSize = 7, Layers = 2, VocabularySize = 13)]
public partial class OnnxRnnTanhL2FwEmb;

[RecurrentNetwork(CellKind.Rnn, InputSize = 5, HiddenSize = 7, Layers = 2, Direction = Direction.Bidirectional, VocabularySize = 13, OutputSize = 6)]
public partial class OnnxRnnTanhL2BiEmbHead;

public static class OnnxTestNetworks
{
    /// <summary>Forward-only adapters of the extra networks (they are RNNs: no cell state).</summary>
    public static readonly NetworkCase[] All =
    [
        Case("OnnxRnnReluL1FwDense", new NetworkConfig(CellKind.Rnn, 5, 7, 1, false, true, 0, 0), s => new OnnxRnnReluL1FwDense(s),
            (n, x, t, l, o, fh, ih) => n.Forward(x, l, o, fh, ih)),
        Case("OnnxRnnReluL1BiDense", new NetworkConfig(CellKind.Rnn, 5, 7, 1, true, true, 0, 0), s => new OnnxRnnReluL1BiDense(s),
            (n, x, t, l, o, fh, ih) => n.Forward(x, l, o, fh, ih)),
        Case("OnnxRnnReluL1FwEmbHead", new NetworkConfig(CellKind.Rnn, 5, 7, 1, false, true, 13, 6), s => new OnnxRnnReluL1FwEmbHead(s),
            (n, x, t, l, o, fh, ih) => n.Forward(t, l, o, fh, ih)),
        Case("OnnxRnnReluL1BiEmbHead", new NetworkConfig(CellKind.Rnn, 5, 7, 1, true, true, 13, 6), s => new OnnxRnnReluL1BiEmbHead(s),
            (n, x, t, l, o, fh, ih) => n.Forward(t, l, o, fh, ih)),
        Case("OnnxRnnTanhL2FwDense", new NetworkConfig(CellKind.Rnn, 5, 7, 2, false, false, 0, 0), s => new OnnxRnnTanhL2FwDense(s),
            (n, x, t, l, o, fh, ih) => n.Forward(x, l, o, fh, ih)),
        Case("OnnxRnnTanhL2BiDenseHead", new NetworkConfig(CellKind.Rnn, 5, 7, 2, true, false, 0, 6), s => new OnnxRnnTanhL2BiDenseHead(s),
            (n, x, t, l, o, fh, ih) => n.Forward(x, l, o, fh, ih)),
        Case("OnnxRnnTanhL2FwEmb", new NetworkConfig(CellKind.Rnn, 5, 7, 2, false, false, 13, 0), s => new OnnxRnnTanhL2FwEmb(s),
            (n, x, t, l, o, fh, ih) => n.Forward(t, l, o, fh, ih)),
        Case("OnnxRnnTanhL2BiEmbHead", new NetworkConfig(CellKind.Rnn, 5, 7, 2, true, false, 13, 6), s => new OnnxRnnTanhL2BiEmbHead(s),
            (n, x, t, l, o, fh, ih) => n.Forward(t, l, o, fh, ih)),
    ];

    private delegate void RnnForward<T>(T network, ReadOnlySpan<float> inputs, ReadOnlySpan<int> tokens, ReadOnlySpan<int> lengths,
        Span<float> output, Span<float> finalHidden, ReadOnlySpan<float> initialHidden);

    private static NetworkCase Case<T>(string name, NetworkConfig cfg, Func<ulong, T> create, RnnForward<T> forward) where T : IRecurrentNetwork =>
        new(name, cfg, seed =>
        {
            T n = create(seed);
            return new NetworkAdapter(n,
                (inputs, tokens, lengths, output, fh, ih, fc, ic, training) =>
                {
                    if (training) throw new NotSupportedException("These adapters run inference only.");
                    forward(n, inputs, tokens, lengths, output, fh, ih);
                },
                (_, _, _, _, _, _) => throw new NotSupportedException("These adapters run inference only."),
                () => throw new NotSupportedException("These adapters run inference only."));
        });
}
