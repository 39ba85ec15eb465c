using System;
using RnnGen.Training;

namespace RnnGen.Tests.Seq2Seq;

/// <summary>The generated sequence-to-sequence members the tests use, so one test runs on every shape.</summary>
public interface ISeq2Seq : IRecurrentNetwork
{
    LossSum ForwardBackward(ReadOnlySpan<int> source, ReadOnlySpan<int> sourceLengths, ReadOnlySpan<int> target, ReadOnlySpan<int> targetLengths, float teacherForcingRatio = 1f, ulong seed = 0);
    void Score(ReadOnlySpan<int> source, ReadOnlySpan<int> sourceLengths, ReadOnlySpan<int> target, ReadOnlySpan<int> targetLengths, Span<float> scores);
    void Greedy(ReadOnlySpan<int> source, ReadOnlySpan<int> sourceLengths, Span<int> output, Span<int> outputLengths, int maxLength, Span<float> attention = default);
    void BeamSearch(ReadOnlySpan<int> source, ReadOnlySpan<int> sourceLengths, int beamWidth, Span<int> output, Span<int> outputLengths, int maxLength, float lengthPenalty = 1f, Span<float> attention = default, Span<float> scores = default);
    void ZeroGradients();
    float EncoderInputDropout { get; set; }
    float EncoderLayerDropout { get; set; }
    float DecoderInputDropout { get; set; }
    float DecoderLayerDropout { get; set; }
    void SeedDropout(ulong seed);
}

public partial class GruNoAttentionSeq : ISeq2Seq;
public partial class GruDotSeq : ISeq2Seq;
public partial class GruGeneralSeq : ISeq2Seq;
public partial class GruBahdanauSeq : ISeq2Seq;
public partial class LstmNoAttentionSeq : ISeq2Seq;
public partial class LstmDotSeq : ISeq2Seq;
public partial class LstmGeneralSeq : ISeq2Seq;
public partial class LstmBahdanauSeq : ISeq2Seq;
public partial class LstmIdentityBridgeSeq : ISeq2Seq;
public partial class RnnGruDeepSeq : ISeq2Seq;
public partial class RnnDeepNoAttentionSeq : ISeq2Seq;
public partial class TinySeq : ISeq2Seq;
public partial class ReverseSeq : ISeq2Seq;

/// <summary>Networks by name (for theories) and a fixed padded batch of the test shapes.</summary>
public static class Seq2SeqCases
{
    public static ISeq2Seq Create(string name, ulong seed = 11) => name switch
    {
        nameof(GruNoAttentionSeq) => new GruNoAttentionSeq(seed),
        nameof(GruDotSeq) => new GruDotSeq(seed),
        nameof(GruGeneralSeq) => new GruGeneralSeq(seed),
        nameof(GruBahdanauSeq) => new GruBahdanauSeq(seed),
        nameof(LstmNoAttentionSeq) => new LstmNoAttentionSeq(seed),
        nameof(LstmDotSeq) => new LstmDotSeq(seed),
        nameof(LstmGeneralSeq) => new LstmGeneralSeq(seed),
        nameof(LstmBahdanauSeq) => new LstmBahdanauSeq(seed),
        nameof(LstmIdentityBridgeSeq) => new LstmIdentityBridgeSeq(seed),
        nameof(RnnGruDeepSeq) => new RnnGruDeepSeq(seed),
        nameof(RnnDeepNoAttentionSeq) => new RnnDeepNoAttentionSeq(seed),
        _ => throw new ArgumentException(name),
    };

    public static readonly string[] Names =
    [
        nameof(GruNoAttentionSeq), nameof(GruDotSeq), nameof(GruGeneralSeq), nameof(GruBahdanauSeq),
        nameof(LstmNoAttentionSeq), nameof(LstmDotSeq), nameof(LstmGeneralSeq), nameof(LstmBahdanauSeq),
        nameof(LstmIdentityBridgeSeq), nameof(RnnGruDeepSeq), nameof(RnnDeepNoAttentionSeq),
    ];

    // Batch of 3: sources of lengths 5, 2, 4 (source vocabulary 7; real tokens 0…5, padding 6),
    // targets of lengths 4, 1, 3 ending with the end token 2 (real tokens 0, 3, 4; padding 5).
    public static readonly int[] SourceLengths = [5, 2, 4];
    public static readonly int[] Source =
    [
        0, 3, 5, 1, 4,
        2, 5, 6, 6, 6,
        4, 4, 1, 0, 6,
    ];
    public static readonly int[] TargetLengths = [4, 1, 3];
    public static readonly int[] Target =
    [
        3, 0, 4, 2,
        2, 5, 5, 5,
        4, 3, 2, 5,
    ];

    /// <summary>Row <paramref name="b"/> of a padded batch, cut to its length, as a batch of one.</summary>
    public static (int[] Tokens, int[] Lengths) Row(int[] tokens, int[] lengths, int b)
    {
        int steps = tokens.Length / lengths.Length;
        return (tokens.AsSpan(b * steps, lengths[b]).ToArray(), [lengths[b]]);
    }
}
