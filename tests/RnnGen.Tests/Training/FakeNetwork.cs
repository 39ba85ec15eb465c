using System.Collections.Generic;
using RnnGen;

namespace RnnGen.Tests.Training;

/// <summary>A stand-in for a generated network: named tensors laid out back to back in one flat array.</summary>
internal sealed class FakeNetwork : IRecurrentNetwork
{
    private readonly List<TensorDescriptor> _tensors = new();

    public FakeNetwork(string signature, params (string Name, int[] Shape)[] tensors)
    {
        Signature = signature;
        int offset = 0;
        foreach ((string name, int[] shape) in tensors)
        {
            var t = new TensorDescriptor(name, offset, shape);
            _tensors.Add(t);
            offset += t.Length;
        }
        Parameters = new float[offset];
        Gradients = new float[offset];
    }

    /// <summary>A tiny RNN: weight_ih [3, 2], weight_hh [3, 3], bias_ih [3], bias_hh [3] = 21 parameters.</summary>
    public static FakeNetwork SmallRnn(ulong seed = 1, int hidden = 3)
    {
        var net = new FakeNetwork($"Rnn(Tanh) I=2 H={hidden} L=1",
            ("weight_ih_l0", new[] { hidden, 2 }), ("weight_hh_l0", new[] { hidden, hidden }),
            ("bias_ih_l0", new[] { hidden }), ("bias_hh_l0", new[] { hidden }));
        new SeededRandom(seed).FillUniform(net.Parameters, -0.5f, 0.5f);
        return net;
    }

    public string Signature { get; }
    public float[] Parameters { get; }
    public float[] Gradients { get; }
    public IReadOnlyList<TensorDescriptor> Tensors => _tensors;

    /// <summary>Fills the gradients with reproducible values, as a backward pass would.</summary>
    public void FakeBackward(SeededRandom random, float scale = 1f)
    {
        for (int i = 0; i < Gradients.Length; i++) Gradients[i] = scale * (2 * random.NextSingle() - 1);
    }
}
