using System;
using System.Collections.Generic;
using System.Linq;
using RnnGen.Training;
using Xunit;

namespace RnnGen.Tests.Seq2Seq;

/// <summary>Greedy decoding, beam search (against greedy and against exhaustive search), attention output, teacher forcing, allocation.</summary>
public sealed class Seq2SeqDecodingTests
{
    public static TheoryData<string> Networks() => Seq2SeqGradientTests.Networks();

    private const int MaxLength = 6;

    private static float Normalized(float logProbability, int length, float lengthPenalty)
        => lengthPenalty == 0f ? logProbability : (float)(logProbability / Math.Pow(length, lengthPenalty));

    [Theory]
    [MemberData(nameof(Networks))]
    public void Beam_search_of_width_one_equals_greedy_in_tokens_attention_and_score(string name)
    {
        ISeq2Seq net = Seq2SeqCases.Create(name, seed: 3);
        int batch = Seq2SeqCases.SourceLengths.Length, sourceSteps = Seq2SeqCases.Source.Length / batch;
        var greedy = new int[batch * MaxLength];
        var greedyLengths = new int[batch];
        var greedyAttention = new float[batch * MaxLength * sourceSteps];
        net.Greedy(Seq2SeqCases.Source, Seq2SeqCases.SourceLengths, greedy, greedyLengths, MaxLength, greedyAttention);
        foreach (float lengthPenalty in new[] { 0f, 1f, 0.6f })
        {
            var beam = new int[batch * MaxLength];
            var beamLengths = new int[batch];
            var beamAttention = new float[batch * MaxLength * sourceSteps];
            var scores = new float[batch];
            net.BeamSearch(Seq2SeqCases.Source, Seq2SeqCases.SourceLengths, 1, beam, beamLengths, MaxLength, lengthPenalty, beamAttention, scores);
            Assert.Equal(greedy, beam);
            Assert.Equal(greedyLengths, beamLengths);
            Assert.Equal(greedyAttention, beamAttention);

            // The score is the model's own teacher-forced log-probability of the sequence, normalized.
            var teacherScores = new float[batch];
            net.Score(Seq2SeqCases.Source, Seq2SeqCases.SourceLengths, greedy, greedyLengths, teacherScores);
            for (int b = 0; b < batch; b++)
                Assert.Equal(Normalized(teacherScores[b], greedyLengths[b], lengthPenalty), scores[b], 4);
        }
    }

    [Theory]
    [MemberData(nameof(Networks))]
    public void Attention_weights_are_a_distribution_over_the_real_source_positions(string name)
    {
        ISeq2Seq net = Seq2SeqCases.Create(name, seed: 3);
        int batch = Seq2SeqCases.SourceLengths.Length, sourceSteps = Seq2SeqCases.Source.Length / batch;
        var output = new int[batch * MaxLength];
        var lengths = new int[batch];
        var attention = new float[batch * MaxLength * sourceSteps];
        attention.AsSpan().Fill(float.NaN);
        net.Greedy(Seq2SeqCases.Source, Seq2SeqCases.SourceLengths, output, lengths, MaxLength, attention);
        bool hasAttention = !name.Contains("NoAttention", StringComparison.Ordinal);
        for (int b = 0; b < batch; b++)
        {
            for (int t = 0; t < MaxLength; t++)
            {
                ReadOnlySpan<float> row = attention.AsSpan((b * MaxLength + t) * sourceSteps, sourceSteps);
                double sum = 0;
                for (int i = 0; i < sourceSteps; i++)
                {
                    if (i >= Seq2SeqCases.SourceLengths[b] || t >= lengths[b] || !hasAttention) Assert.Equal(0f, row[i]);
                    else Assert.True(row[i] > 0f);
                    sum += row[i];
                }
                Assert.Equal(t < lengths[b] && hasAttention ? 1.0 : 0.0, sum, 5);
            }
            // Tokens past each length are 0.
            for (int t = lengths[b]; t < MaxLength; t++) Assert.Equal(0, output[b * MaxLength + t]);
        }
    }

    // With the end token made far likelier than the others, the one-token sequence [end] finishes at the
    // first step with log p ≈ 0, and every live hypothesis already has log p ≈ −10: none can end above it
    // at any length up to 40, so the search stops after one decoder step, where the rule "beam hypotheses
    // finished" alone would run on. Exactness of the stop is checked by the exhaustive search below.
    [Theory]
    [InlineData(0f)]
    [InlineData(1f)]
    public void Beam_search_stops_as_soon_as_no_live_hypothesis_can_win(float lengthPenalty)
    {
        var net = new TinySeq(21);
        TensorDescriptor outputBias = ((IRecurrentNetwork)net).Tensors.Single(d => d.Name == "decoder.out.bias");
        net.Parameters[outputBias.Offset + TinySeq.EndToken] += 10f;
        int[] source = [0, 4, 2, 1, 3, 2, 0, 0, 0, 0];
        int[] sourceLengths = [5, 2];
        const int maxLength = 40;
        var output = new int[2 * maxLength];
        var lengths = new int[2];
        var scores = new float[2];
        net.BeamSearch(source, sourceLengths, 3, output, lengths, maxLength, lengthPenalty, scores: scores);
        Assert.Equal(1, net.LastSearchSteps);
        Assert.Equal([1, 1], lengths);
        Assert.Equal(TinySeq.EndToken, output[0]);
        Assert.Equal(TinySeq.EndToken, output[maxLength]);
        Assert.All(scores, s => Assert.InRange(s, -0.01f, 0f));

        // Without the bias the same search runs longer (the stop is not always immediate).
        net.Parameters[outputBias.Offset + TinySeq.EndToken] -= 10f;
        net.BeamSearch(source, sourceLengths, 3, output, lengths, maxLength, lengthPenalty, scores: scores);
        Assert.True(net.LastSearchSteps > 1, $"{net.LastSearchSteps} steps");
    }

    // Target vocabulary 4 (start 1, end 3), maximum length 4: 40 sequences that end, 81 that reach the
    // limit. A beam of 81 prunes nothing, so it must return the best of all 121 by the model's own
    // teacher-forced scores; a narrow beam can only do as well or worse.
    [Theory]
    [InlineData(1f)]
    [InlineData(0f)]
    [InlineData(0.5f)]
    public void A_wide_beam_finds_the_best_sequence_of_exhaustive_search(float lengthPenalty)
    {
        var net = new TinySeq(21);
        for (int i = 0; i < net.Parameters.Length; i++) net.Parameters[i] *= 2.5f; // peakier distributions
        int[] source = [0, 4, 2, 1, 3, 2, 0, 0, 0, 0];
        int[] sourceLengths = [5, 2];
        int batch = sourceLengths.Length, sourceSteps = source.Length / batch;
        const int maxLength = 4;

        // Every candidate sequence: tokens other than the end token, then the end token or nothing at the limit.
        var sequences = new List<int[]>();
        void Grow(List<int> prefix)
        {
            if (prefix.Count > 0 && (prefix[^1] == TinySeq.EndToken || prefix.Count == maxLength)) { sequences.Add(prefix.ToArray()); return; }
            for (int token = 0; token < TinySeq.TargetVocabularySize; token++) Grow([.. prefix, token]);
        }
        Grow([]);
        Assert.Equal(121, sequences.Count);

        var target = new int[maxLength];
        var scores = new float[1];
        var output = new int[batch * maxLength];
        var outputLengths = new int[batch];
        var beamScores = new float[batch];
        net.BeamSearch(source, sourceLengths, 81, output, outputLengths, maxLength, lengthPenalty, scores: beamScores);
        // A beam of 81 never has 81 finished hypotheses here: with α = 0 and 0.5 the search ends by the
        // early stop, so this exhaustive check covers it (with α = 1 longer endings stay reachable).
        if (lengthPenalty < 1f) Assert.True(net.LastSearchSteps < maxLength, $"the early stop did not happen ({net.LastSearchSteps} steps)");
        var narrow = new int[batch * maxLength];
        var narrowLengths = new int[batch];
        var narrowScores = new float[batch];
        net.BeamSearch(source, sourceLengths, 2, narrow, narrowLengths, maxLength, lengthPenalty, scores: narrowScores);
        for (int b = 0; b < batch; b++)
        {
            var (rowSource, rowLengths) = Seq2SeqCases.Row(source, sourceLengths, b);
            float best = float.NegativeInfinity, second = float.NegativeInfinity;
            int[]? bestSequence = null;
            foreach (int[] sequence in sequences)
            {
                Array.Clear(target);
                sequence.CopyTo(target, 0);
                net.Score(rowSource, rowLengths, target.AsSpan(0, sequence.Length), [sequence.Length], scores);
                float normalized = Normalized(scores[0], sequence.Length, lengthPenalty);
                if (normalized > best) { second = best; best = normalized; bestSequence = sequence; }
                else if (normalized > second) second = normalized;
            }
            Assert.True(best - second > 1e-4f, "the best sequence should be unique for this test to mean something");
            Assert.Equal(bestSequence!, output.AsSpan(b * maxLength, outputLengths[b]).ToArray());
            Assert.Equal(best, beamScores[b], 4);
            Assert.True(narrowScores[b] <= beamScores[b] + 1e-5f);
        }
    }

    [Theory]
    [MemberData(nameof(Networks))]
    public void Batched_beam_search_equals_each_item_alone(string name)
    {
        ISeq2Seq net = Seq2SeqCases.Create(name, seed: 4);
        int batch = Seq2SeqCases.SourceLengths.Length, sourceSteps = Seq2SeqCases.Source.Length / batch;
        var output = new int[batch * MaxLength];
        var lengths = new int[batch];
        var attention = new float[batch * MaxLength * sourceSteps];
        var scores = new float[batch];
        net.BeamSearch(Seq2SeqCases.Source, Seq2SeqCases.SourceLengths, 3, output, lengths, MaxLength, 0.7f, attention, scores);
        for (int b = 0; b < batch; b++)
        {
            var (source, sourceLengths) = Seq2SeqCases.Row(Seq2SeqCases.Source, Seq2SeqCases.SourceLengths, b);
            var one = new int[MaxLength];
            var oneLength = new int[1];
            var oneAttention = new float[MaxLength * sourceLengths[0]];
            var oneScore = new float[1];
            net.BeamSearch(source, sourceLengths, 3, one, oneLength, MaxLength, 0.7f, oneAttention, oneScore);
            Assert.Equal(oneLength[0], lengths[b]);
            Assert.Equal(one, output.AsSpan(b * MaxLength, MaxLength).ToArray());
            Assert.Equal(oneScore[0], scores[b], 4);
            for (int t = 0; t < MaxLength; t++)
                for (int i = 0; i < sourceLengths[0]; i++)
                    Assert.Equal(oneAttention[t * sourceLengths[0] + i], attention[(b * MaxLength + t) * sourceSteps + i], 5);
        }
    }

    [Fact]
    public void Teacher_forcing_ratio_one_is_deterministic_and_a_seed_reproduces_sampled_runs()
    {
        var net = new GruBahdanauSeq(8);
        LossSum Run(float ratio, ulong seed, out float[] gradients)
        {
            net.ZeroGradients();
            LossSum loss = net.ForwardBackward(Seq2SeqCases.Source, Seq2SeqCases.SourceLengths, Seq2SeqCases.Target, Seq2SeqCases.TargetLengths, ratio, seed);
            gradients = (float[])net.Gradients.Clone();
            return loss;
        }
        LossSum a = Run(1f, 1, out float[] ga), b = Run(1f, 999, out float[] gb);
        Assert.Equal(a, b);
        Assert.Equal(ga, gb);
        LossSum c = Run(0.3f, 42, out float[] gc), d = Run(0.3f, 42, out float[] gd);
        Assert.Equal(c, d);
        Assert.Equal(gc, gd);
        // Ratio 0 feeds the model's own argmax at every step: a different run than teacher forcing here.
        LossSum free = Run(0f, 7, out _);
        Assert.NotEqual(a.Sum, free.Sum);
        Assert.Equal(a.Count, free.Count);
    }

    [Theory]
    [MemberData(nameof(Networks))]
    public void Feeding_the_models_own_argmax_equals_teacher_forcing_on_its_greedy_output(string name)
    {
        ISeq2Seq net = Seq2SeqCases.Create(name, seed: 6);
        int batch = Seq2SeqCases.SourceLengths.Length;
        var output = new int[batch * MaxLength];
        var lengths = new int[batch];
        net.Greedy(Seq2SeqCases.Source, Seq2SeqCases.SourceLengths, output, lengths, MaxLength);
        net.ZeroGradients();
        LossSum teacher = net.ForwardBackward(Seq2SeqCases.Source, Seq2SeqCases.SourceLengths, output, lengths, 1f);
        float[] teacherGradients = (float[])net.Gradients.Clone();
        net.ZeroGradients();
        LossSum free = net.ForwardBackward(Seq2SeqCases.Source, Seq2SeqCases.SourceLengths, output, lengths, 0f, 5);
        Assert.Equal(teacher, free);
        Assert.Equal(teacherGradients, net.Gradients);
    }

    [Fact]
    public void Training_greedy_and_beam_search_allocate_nothing_in_steady_state()
    {
        // Dropout on, so its masks and their buffers are part of the steady state too.
        var net = new RnnGruDeepSeq(2) { EncoderInputDropout = 0.2f, DecoderInputDropout = 0.2f, DecoderLayerDropout = 0.2f };
        int batch = Seq2SeqCases.SourceLengths.Length, sourceSteps = Seq2SeqCases.Source.Length / batch;
        var output = new int[batch * MaxLength];
        var lengths = new int[batch];
        var attention = new float[batch * MaxLength * sourceSteps];
        var scores = new float[batch];
        void All()
        {
            net.ForwardBackward(Seq2SeqCases.Source, Seq2SeqCases.SourceLengths, Seq2SeqCases.Target, Seq2SeqCases.TargetLengths, 0.5f, 3);
            net.Greedy(Seq2SeqCases.Source, Seq2SeqCases.SourceLengths, output, lengths, MaxLength, attention);
            net.BeamSearch(Seq2SeqCases.Source, Seq2SeqCases.SourceLengths, 4, output, lengths, MaxLength, 1f, attention, scores);
        }
        All();
        Assert.Equal(0, SteadyState.Allocated(() => { All(); All(); }));
    }
}
