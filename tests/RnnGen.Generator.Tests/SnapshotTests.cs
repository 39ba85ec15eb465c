using System.Linq;
using RnnGen.Generator.Tests.Infrastructure;
using Xunit;

namespace RnnGen.Generator.Tests;

/// <summary>
/// The generated source for representative shapes, compared with the reviewed files in Snapshots/.
/// Each output must also compile with no warning (nullable on, every warning wave, XML docs checked).
/// </summary>
public sealed class SnapshotTests
{
    [Fact]
    public void Lstm_two_layers_bidirectional_with_embedding_and_head()
        => VerifyNetwork("LstmBidirectionalEmbeddingHead", "Demo.Tagging.PosTaggerNet.g.cs", """
            using RnnGen;

            namespace Demo.Tagging;

            // Tags every token: embedding -> 2-layer bidirectional LSTM -> per-step log-softmax over 17 tags.
            [RecurrentNetwork(CellKind.Lstm, InputSize = 16, HiddenSize = 32, Layers = 2,
                              Direction = Direction.Bidirectional, VocabularySize = 1000, OutputSize = 17)]
            public partial class PosTaggerNet;
            """);

    [Fact]
    public void Gru_one_layer()
        => VerifyNetwork("GruSingleLayer", "Demo.Sensors.SensorGru.g.cs", """
            using RnnGen;

            namespace Demo.Sensors
            {
                [RecurrentNetwork(CellKind.Gru, InputSize = 8, HiddenSize = 24)]
                internal sealed partial class SensorGru;
            }
            """);

    [Fact]
    public void Rnn_relu_nested_in_a_containing_class()
        => VerifyNetwork("RnnRelu", "Demo.Models.Toy.g.cs", """
            using RnnGen;

            namespace Demo;

            public static partial class Models
            {
                [RecurrentNetwork(CellKind.Rnn, InputSize = 4, HiddenSize = 10, Layers = 2,
                                  Nonlinearity = Nonlinearity.Relu, OutputSize = 3)]
                public partial class Toy;
            }
            """);

    [Fact]
    public void Gru_time_major_bidirectional_with_head()
        => VerifyNetwork("GruTimeMajorBidirectionalHead", "Demo.Speech.FrameClassifier.g.cs", """
            using RnnGen;

            namespace Demo.Speech;

            // Classifies every frame of time-major [steps, batch, 12] features, the order ONNX (layout = 0) and PyTorch use by default.
            [RecurrentNetwork(CellKind.Gru, InputSize = 12, HiddenSize = 20, Direction = Direction.Bidirectional,
                              OutputSize = 5, Layout = SequenceLayout.TimeMajor)]
            public partial class FrameClassifier;
            """);

    [Fact]
    public void Lstm_time_major_with_embedding_streams_chunks_in_time_major_order()
    {
        GeneratorRun run = GeneratorHarness.Run("""
            using RnnGen;
            namespace Demo;
            [RecurrentNetwork(CellKind.Lstm, InputSize = 8, HiddenSize = 16, VocabularySize = 50, OutputSize = 50, Layout = SequenceLayout.TimeMajor)]
            public partial class CharNet;
            """);
        run.AssertCompilesCleanly();
        string source = run.Sources["Demo.CharNet.g.cs"];
        Assert.Contains("public const global::RnnGen.SequenceLayout Layout = global::RnnGen.SequenceLayout.TimeMajor;", source);
        Assert.Contains("/// <param name=\"tokens\">Token ids [steps, Batch] of the next chunk.</param>", source);
        Assert.Contains("/// <param name=\"targets\">Target class per step [steps, Batch].</param>", source);
        Assert.Contains("CheckChunk(tokens.Length, state.Batch, 1, nameof(tokens), global::RnnGen.SequenceLayout.TimeMajor)", source);
        Assert.Contains("CheckTokens(tokens, lengths, steps, VocabularySize, global::RnnGen.SequenceLayout.TimeMajor)", source);
        Assert.Contains("NegativeLogLikelihood(dOutput, output, targets, lengths, steps, OutputSize, kind, gradientScale, global::RnnGen.SequenceLayout.TimeMajor)", source);
        // No row is indexed batch-first.
        Assert.DoesNotContain("b * steps", source);
    }

    [Fact]
    public void Seq2seq_bidirectional_gru_encoder_with_bahdanau_attention()
        => VerifyNetwork("Seq2SeqGruBahdanau", "Demo.Dates.DateNormalizerNet.g.cs", """
            using RnnGen;

            namespace Demo.Dates;

            // Human-written dates to ISO 8601: characters in, characters out, with attention.
            [Encoder(CellKind.Gru, InputSize = 32, HiddenSize = 128, Layers = 1, Direction = Direction.Bidirectional, VocabularySize = 64)]
            [Decoder(CellKind.Gru, InputSize = 32, HiddenSize = 256, Layers = 1, VocabularySize = 16, Attention = AttentionKind.Bahdanau, StartToken = 1, EndToken = 2)]
            public partial class DateNormalizerNet;
            """);

    // Two decoder layers (the layer-dropout copy and its backward), an identity bridge with the LSTM cell state,
    // Luong general attention.
    [Fact]
    public void Seq2seq_lstm_identity_bridge_with_two_decoder_layers()
        => VerifyNetwork("Seq2SeqLstmTwoLayers", "Demo.Translate.PhraseNet.g.cs", """
            using RnnGen;

            namespace Demo.Translate;

            [Encoder(CellKind.Lstm, InputSize = 64, HiddenSize = 128, Layers = 2, VocabularySize = 1000)]
            [Decoder(CellKind.Lstm, InputSize = 64, HiddenSize = 128, Layers = 2, VocabularySize = 800, Attention = AttentionKind.LuongGeneral, StartToken = 1, EndToken = 2)]
            public partial class PhraseNet;
            """);

    private static void VerifyNetwork(string snapshot, string hintName, string source)
    {
        GeneratorRun run = GeneratorHarness.Run(source);
        run.AssertCompilesCleanly();
        Assert.Equal(new[] { hintName }, run.Sources.Keys.ToArray());
        Snapshot.Verify(snapshot, run.Sources[hintName]);
    }

    [Fact]
    public void Snapshot_diff_shows_the_first_changed_lines_with_context()
    {
        string verified = "a\nb\nc\nd\ne\nf\ng\n";
        string received = "a\nb\nc\nD\ne\nf\ng\n";
        string diff = Snapshot.Diff(verified, received);
        Assert.Equal("@@ -4,1 +4,1 @@\n  a\n  b\n  c\n- d\n+ D\n  e\n  f\n  g\n", diff);
    }

    [Fact]
    public void Snapshot_diff_shows_inserted_lines()
    {
        string diff = Snapshot.Diff("x\ny\n", "x\nnew\ny\n");
        Assert.Equal("@@ -2,0 +2,1 @@\n  x\n+ new\n  y\n  \n", diff);
    }
}
