using System;

namespace RnnGen;

/// <summary>The recurrent cell a layer is made of.</summary>
public enum CellKind
{
    /// <summary>Elman RNN: h' = act(W_ih x + b_ih + W_hh h + b_hh), act chosen by <see cref="Nonlinearity"/>.</summary>
    Rnn = 0,
    /// <summary>Long short-term memory, gates i, f, g, o in PyTorch's order.</summary>
    Lstm = 1,
    /// <summary>Gated recurrent unit, gates r, z, n in PyTorch's order.</summary>
    Gru = 2,
}

/// <summary>The activation of an Elman RNN cell.</summary>
public enum Nonlinearity
{
    /// <summary>Hyperbolic tangent (PyTorch's default).</summary>
    Tanh = 0,
    /// <summary>Rectified linear unit.</summary>
    Relu = 1,
}

/// <summary>Which directions each layer reads its input in.</summary>
public enum Direction
{
    /// <summary>Left to right only.</summary>
    Forward = 0,
    /// <summary>Left to right and right to left; the two outputs are concatenated [forward; reverse].</summary>
    Bidirectional = 1,
}

/// <summary>How the sequences of a batch are laid out in the tensors a network reads and writes.</summary>
/// <remarks>
/// The layout applies to every sequence tensor of the generated members: inputs or token ids,
/// outputs (hidden states or log-probabilities), per-step targets and the gradients of inputs and
/// outputs. State tensors are [StateCount, batch, HiddenSize] in both layouts.
/// </remarks>
public enum SequenceLayout
{
    /// <summary>[batch, steps, features]: each sequence is contiguous (PyTorch's <c>batch_first=True</c>, ONNX <c>layout = 1</c>).</summary>
    BatchFirst = 0,
    /// <summary>[steps, batch, features]: each time step of the batch is contiguous (PyTorch's default, ONNX's default <c>layout = 0</c>).</summary>
    TimeMajor = 1,
}

/// <summary>
/// Declares a recurrent network on a <c>partial class</c>. At build time the RnnGen source generator
/// writes the forward pass, backpropagation through time and the parameter layout for exactly this
/// shape into the class. Every size is a compile-time constant; an invalid combination is a
/// compiler diagnostic (RNNG0001 and following).
/// </summary>
/// <example>
/// <code>
/// [RecurrentNetwork(CellKind.Lstm, InputSize = 100, HiddenSize = 128, Layers = 2,
///                   Direction = Direction.Bidirectional, VocabularySize = 20_000, OutputSize = 17)]
/// public partial class PosTaggerNet;
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class RecurrentNetworkAttribute : Attribute
{
    /// <summary>Declares a network made of <paramref name="cell"/> layers.</summary>
    /// <param name="cell">The recurrent cell of every layer.</param>
    public RecurrentNetworkAttribute(CellKind cell) => Cell = cell;

    /// <summary>The recurrent cell of every layer.</summary>
    public CellKind Cell { get; }

    /// <summary>Features per time step entering the first layer (the embedding width when <see cref="VocabularySize"/> is set). Required.</summary>
    public int InputSize { get; set; }

    /// <summary>Hidden units per layer and direction. Required.</summary>
    public int HiddenSize { get; set; }

    /// <summary>Stacked recurrent layers (1 or more); layer k &gt; 0 reads layer k − 1's output.</summary>
    public int Layers { get; set; } = 1;

    /// <summary>Forward only, or bidirectional with concatenated outputs.</summary>
    public Direction Direction { get; set; } = Direction.Forward;

    /// <summary>Activation of an <see cref="CellKind.Rnn"/> cell; not allowed on other cells.</summary>
    public Nonlinearity Nonlinearity { get; set; } = Nonlinearity.Tanh;

    /// <summary>
    /// GRU only. True (the default, PyTorch's GRU and ONNX <c>linear_before_reset = 1</c>): n = tanh(W_in x + b_in + r⊙(W_hn h + b_hn)).
    /// False (ONNX's default GRU): n = tanh(W_in x + b_in + W_hn (r⊙h) + b_hn).
    /// </summary>
    public bool LinearBeforeReset { get; set; } = true;

    /// <summary>
    /// LSTM only: peephole connections from the cell state to the gates (ONNX's <c>P</c>):
    /// i and f also see p_i⊙c_{t−1} and p_f⊙c_{t−1}, o sees p_o⊙c_t. Adds a tensor
    /// <c>weight_peephole_l{k}</c> [3·H] per layer and direction, blocks in the order i, f, o.
    /// </summary>
    public bool Peepholes { get; set; }

    /// <summary>
    /// The layout of the sequence tensors of the generated members: <see cref="SequenceLayout.BatchFirst"/>
    /// (the default) [batch, steps, …] or <see cref="SequenceLayout.TimeMajor"/> [steps, batch, …].
    /// The parameters and the state tensors are the same in both.
    /// </summary>
    public SequenceLayout Layout { get; set; } = SequenceLayout.BatchFirst;

    /// <summary>When set, the input is token ids in [0, VocabularySize) looked up in an embedding of width <see cref="InputSize"/>.</summary>
    public int VocabularySize { get; set; }

    /// <summary>When set, a linear head maps each step's output to this many classes followed by log-softmax.</summary>
    public int OutputSize { get; set; }
}

/// <summary>How a sequence-to-sequence decoder looks at the encoder's outputs.</summary>
public enum AttentionKind
{
    /// <summary>No attention: the decoder sees the source only through its initial state.</summary>
    None = 0,
    /// <summary>Luong's dot score e_i = s·h_i; needs the encoder output width (Directions × HiddenSize) to equal the decoder's HiddenSize.</summary>
    LuongDot = 1,
    /// <summary>Luong's general score e_i = s·(W_a h_i), W_a <c>decoder.attention.weight</c> [decoder H, encoder output width].</summary>
    LuongGeneral = 2,
    /// <summary>Bahdanau's additive score e_i = v·tanh(W_q s + W_k h_i), attention width = the decoder's HiddenSize.</summary>
    Bahdanau = 3,
}

/// <summary>
/// Declares the encoder of a sequence-to-sequence network: source token ids → embedding → stacked,
/// optionally bidirectional recurrent layers. Goes with a <see cref="DecoderAttribute"/> on the same
/// <c>partial class</c>; the generator then writes training (teacher forcing), greedy decoding and
/// beam search for exactly that shape.
/// </summary>
/// <example>
/// <code>
/// [Encoder(CellKind.Gru, InputSize = 32, HiddenSize = 128, Direction = Direction.Bidirectional, VocabularySize = 64)]
/// [Decoder(CellKind.Gru, InputSize = 32, HiddenSize = 256, VocabularySize = 16, Attention = AttentionKind.Bahdanau, StartToken = 1, EndToken = 2)]
/// public partial class DateNormalizerNet;
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class EncoderAttribute : Attribute
{
    /// <summary>Declares an encoder made of <paramref name="cell"/> layers.</summary>
    /// <param name="cell">The recurrent cell of every encoder layer.</param>
    public EncoderAttribute(CellKind cell) => Cell = cell;

    /// <summary>The recurrent cell of every encoder layer (an <see cref="CellKind.Rnn"/> cell uses tanh).</summary>
    public CellKind Cell { get; }

    /// <summary>Width of the source token embedding. Required.</summary>
    public int InputSize { get; set; }

    /// <summary>Hidden units per layer and direction. Required.</summary>
    public int HiddenSize { get; set; }

    /// <summary>Stacked recurrent layers (1 or more).</summary>
    public int Layers { get; set; } = 1;

    /// <summary>Forward only, or bidirectional with outputs concatenated [forward; reverse].</summary>
    public Direction Direction { get; set; } = Direction.Forward;

    /// <summary>Source token ids are in [0, VocabularySize). Required.</summary>
    public int VocabularySize { get; set; }
}

/// <summary>
/// Declares the decoder of a sequence-to-sequence network: previous target token → embedding (and,
/// with attention, the previous attentional state: input feeding) → stacked recurrent layers →
/// attention over the encoder outputs → linear → log-softmax over the target vocabulary.
/// Needs an <see cref="EncoderAttribute"/> on the same class.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class DecoderAttribute : Attribute
{
    /// <summary>Declares a decoder made of <paramref name="cell"/> layers.</summary>
    /// <param name="cell">The recurrent cell of every decoder layer.</param>
    public DecoderAttribute(CellKind cell) => Cell = cell;

    /// <summary>The recurrent cell of every decoder layer (an <see cref="CellKind.Rnn"/> cell uses tanh).</summary>
    public CellKind Cell { get; }

    /// <summary>Width of the target token embedding. Required.</summary>
    public int InputSize { get; set; }

    /// <summary>Hidden units per layer. Required.</summary>
    public int HiddenSize { get; set; }

    /// <summary>Stacked recurrent layers (1 or more); decoder layer k starts from encoder layer min(k, encoder layers − 1).</summary>
    public int Layers { get; set; } = 1;

    /// <summary>Target token ids are in [0, VocabularySize). Required.</summary>
    public int VocabularySize { get; set; }

    /// <summary>The attention between decoder and encoder outputs.</summary>
    public AttentionKind Attention { get; set; } = AttentionKind.None;

    /// <summary>The token fed to the decoder before the first output token. Required; in [0, VocabularySize).</summary>
    public int StartToken { get; set; } = -1;

    /// <summary>The token that ends an output sequence. Required; in [0, VocabularySize), different from <see cref="StartToken"/>.</summary>
    public int EndToken { get; set; } = -1;
}
