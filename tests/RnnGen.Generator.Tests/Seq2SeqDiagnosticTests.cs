using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using RnnGen.Generator.Tests.Infrastructure;
using Xunit;

namespace RnnGen.Generator.Tests;

/// <summary>
/// Inconsistent [Encoder]/[Decoder] declarations: one diagnostic each, with its exact message and
/// location (marked [|…|]), and no generated source for the class.
/// </summary>
public sealed class Seq2SeqDiagnosticTests
{
    private const string Usings = "using RnnGen;\nnamespace Demo;\n";
    private const string Enc = "Encoder(CellKind.Gru, InputSize = 4, HiddenSize = 3, Direction = Direction.Bidirectional, VocabularySize = 7)";
    private const string Dec = "Decoder(CellKind.Gru, InputSize = 3, HiddenSize = 6, VocabularySize = 6, StartToken = 1, EndToken = 2)";

    [Theory]
    // RNNG0014 / RNNG0015: both halves are needed.
    [InlineData("[[|" + Dec + "|]] public partial class Net;", "RNNG0014", "Class 'Net' carries [Decoder] but no [Encoder]; a sequence-to-sequence network needs both on the same class")]
    [InlineData("[[|" + Enc + "|]] public partial class Net;", "RNNG0015", "Class 'Net' carries [Encoder] but no [Decoder]; add a [Decoder] (or use [RecurrentNetwork] for a network without one)")]
    // RNNG0016: one network per class.
    [InlineData("[" + Enc + "][" + Dec + "][RecurrentNetwork(CellKind.Lstm, InputSize = 4, HiddenSize = 8)] public partial class [|Net|];", "RNNG0016", "Class 'Net' carries both [RecurrentNetwork] and [Encoder]/[Decoder]; a class holds one network, so keep one declaration")]
    // RNNG0017: start and end tokens are target token ids.
    [InlineData("[" + Enc + "][Decoder(CellKind.Gru, InputSize = 3, HiddenSize = 6, VocabularySize = 6, [|StartToken = 6|], EndToken = 2)] public partial class Net;", "RNNG0017", "'StartToken' is 6; it must be a target token id in [0, 6)")]
    [InlineData("[" + Enc + "][Decoder(CellKind.Gru, InputSize = 3, HiddenSize = 6, VocabularySize = 6, StartToken = 1, [|EndToken = -1|])] public partial class Net;", "RNNG0017", "'EndToken' is -1; it must be a target token id in [0, 6)")]
    // RNNG0018: start and end must differ.
    [InlineData("[" + Enc + "][[|Decoder(CellKind.Gru, InputSize = 3, HiddenSize = 6, VocabularySize = 6, StartToken = 2, EndToken = 2)|]] public partial class Net;", "RNNG0018", "'StartToken' and 'EndToken' are both 2; the decoder could not tell its first input from the end of the output")]
    // RNNG0019: dot attention compares vectors of equal width.
    [InlineData("[" + Enc + "][Decoder(CellKind.Gru, InputSize = 3, HiddenSize = 8, VocabularySize = 6, [|Attention = AttentionKind.LuongDot|], StartToken = 1, EndToken = 2)] public partial class Net;", "RNNG0019", "LuongDot attention scores s·h, so the encoder output width (6: Directions × HiddenSize) must equal the decoder's HiddenSize (8); change a size or use LuongGeneral or Bahdanau")]
    // RNNG0020: the tokens are required.
    [InlineData("[" + Enc + "][[|Decoder(CellKind.Gru, InputSize = 3, HiddenSize = 6, VocabularySize = 6, StartToken = 1)|]] public partial class Net;", "RNNG0020", "The decoder on 'Net' does not set 'EndToken'; add 'EndToken = <token id in [0, VocabularySize)>' to the attribute")]
    // Sizes: missing (RNNG0003, on the attribute), not positive (RNNG0001, on the argument).
    [InlineData("[" + Enc + "][[|Decoder(CellKind.Gru, InputSize = 3, VocabularySize = 6, StartToken = 1, EndToken = 2)|]] public partial class Net;", "RNNG0003", "The network on 'Net' does not set 'HiddenSize'; add 'HiddenSize = <positive number>' to the attribute")]
    [InlineData("[[|Encoder(CellKind.Gru, InputSize = 4, HiddenSize = 3)|]][" + Dec + "] public partial class Net;", "RNNG0003", "The network on 'Net' does not set 'VocabularySize'; add 'VocabularySize = <positive number>' to the attribute")]
    [InlineData("[Encoder(CellKind.Gru, InputSize = 4, HiddenSize = 3, [|Layers = 0|], VocabularySize = 7)][" + Dec + "] public partial class Net;", "RNNG0001", "'Layers' is 0; it must be at least 1")]
    // RNNG0011: undefined enum values.
    [InlineData("[" + Enc + "][Decoder(CellKind.Gru, InputSize = 3, HiddenSize = 6, VocabularySize = 6, [|Attention = (AttentionKind)9|], StartToken = 1, EndToken = 2)] public partial class Net;", "RNNG0011", "'Attention' is 9, which is not a defined AttentionKind value")]
    // Class shape: partial, and no clash with generated members.
    [InlineData("[" + Enc + "][" + Dec + "] public class [|Net|];", "RNNG0004", "Class 'Net' carries a network attribute but is not partial; declare it 'partial class Net' so the generated half can be added")]
    [InlineData("[" + Enc + "][" + Dec + "] public partial class [|SourceEncoder|];", "RNNG0013", "Class 'SourceEncoder' would contain a generated member of the same name; rename the class (for example 'SourceEncoderNet')")]
    public void Reports_the_error_at_the_offending_syntax_and_generates_nothing(string markup, string id, string message)
    {
        Markup source = Markup.Parse(Usings + markup);
        GeneratorRun run = GeneratorHarness.Run(source.Source);

        Diagnostic diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Equal(message, diagnostic.GetMessage(CultureInfo.InvariantCulture));
        Assert.Equal(source.Marked, source.Source.Substring(diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.Length));
        Assert.Empty(run.Sources);
    }

    [Fact]
    public void Every_problem_of_both_attributes_is_reported_at_once()
    {
        GeneratorRun run = GeneratorHarness.Run(Usings + """
            [Encoder(CellKind.Gru, InputSize = 0, HiddenSize = 3, VocabularySize = 7)]
            [Decoder(CellKind.Lstm, HiddenSize = 5, VocabularySize = 4, Attention = AttentionKind.LuongDot, StartToken = 3, EndToken = 3)]
            public partial class Net;
            """);
        Assert.Equal(new[] { "RNNG0001", "RNNG0003", "RNNG0018", "RNNG0019" },
            run.GeneratorDiagnostics.Select(d => d.Id).OrderBy(id => id, System.StringComparer.Ordinal).ToArray());
        Assert.Empty(run.Sources);
    }

    [Theory]
    [InlineData("CellKind.Rnn", "CellKind.Lstm", "AttentionKind.None", "Direction.Forward", 6)] // bridge: LSTM decoder after an RNN encoder
    [InlineData("CellKind.Lstm", "CellKind.Lstm", "AttentionKind.LuongDot", "Direction.Forward", 6)] // identity bridge with cell state
    [InlineData("CellKind.Gru", "CellKind.Rnn", "AttentionKind.Bahdanau", "Direction.Bidirectional", 5)]
    [InlineData("CellKind.Lstm", "CellKind.Gru", "AttentionKind.LuongGeneral", "Direction.Bidirectional", 7)]
    public void Valid_combinations_generate_code_that_compiles_cleanly(string encoderCell, string decoderCell, string attention, string direction, int decoderHidden)
    {
        GeneratorRun run = GeneratorHarness.Run(Usings + $$"""
            [Encoder({{encoderCell}}, InputSize = 4, HiddenSize = 6, Layers = 2, Direction = {{direction}}, VocabularySize = 7)]
            [Decoder({{decoderCell}}, InputSize = 3, HiddenSize = {{decoderHidden}}, Layers = 3, VocabularySize = 6, Attention = {{attention}}, StartToken = 0, EndToken = 5)]
            public sealed partial class Net;
            """.Replace("HiddenSize = 6, Layers = 2, Direction = Direction.Bidirectional", "HiddenSize = 3, Layers = 2, Direction = Direction.Bidirectional"));
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Single(run.Sources);
        run.AssertCompilesCleanly();
    }
}
