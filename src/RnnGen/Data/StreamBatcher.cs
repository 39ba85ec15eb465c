using System;

namespace RnnGen.Data;

/// <summary>
/// Cuts one long token sequence (a text as character ids, a corpus as word ids) into parallel
/// streams and serves them chunk by chunk, the way a language model is trained with truncated
/// backpropagation through time: the streams advance together, each chunk continues where the
/// previous one ended, and the recurrent state is carried from one chunk to the next.
/// </summary>
/// <remarks>
/// <para>
/// With N tokens and S streams, every stream is <see cref="StreamLength"/> = ⌊(N − 1) / S⌋ steps
/// long. Stream s reads the inputs <c>tokens[s·L + t]</c> and predicts the targets
/// <c>tokens[s·L + t + 1]</c> for t in [0, L): the streams are consecutive slices of the sequence,
/// and together their targets are the tokens 1 … S·L, each once. The last (N − 1) mod S tokens
/// (<see cref="DroppedTokens"/>, fewer than S) are not predicted.
/// </para>
/// <para>
/// Chunk k covers the steps [k·<see cref="Steps"/>, min((k + 1)·Steps, L)) of every stream; all
/// chunks but the last have <see cref="Steps"/> steps, the last may be shorter. Chunk k + 1 starts
/// with the token that chunk k predicted last, so a state carried across calls lines up with the
/// text. A chunk is laid out <c>[streams, steps]</c>, row-major, the layout of a generated
/// network's <c>Step</c> and <c>ComputeLossAndGradients(tokens, targets, state)</c>, or
/// <c>[steps, streams]</c> for a network declared <see cref="SequenceLayout.TimeMajor"/>. Any range of
/// streams can be asked for on its own, so that two workers can each own half of the streams
/// (and a state for them).
/// </para>
/// </remarks>
public sealed class StreamBatcher
{
    private readonly int[] _tokens;

    /// <summary>Creates a batcher over a copy of <paramref name="tokens"/>.</summary>
    /// <param name="tokens">The token sequence; at least <paramref name="streams"/> + 1 tokens.</param>
    /// <param name="streams">Number of parallel streams (the batch size), ≥ 1.</param>
    /// <param name="steps">Steps per chunk (the truncation length of backpropagation), ≥ 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="streams"/> or <paramref name="steps"/> is below 1.</exception>
    /// <exception cref="ArgumentException">The sequence is too short to give every stream one step.</exception>
    public StreamBatcher(ReadOnlySpan<int> tokens, int streams, int steps)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(streams, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        if (tokens.Length - 1 < streams)
            throw new ArgumentException(
                $"{tokens.Length} token(s) cannot feed {streams} stream(s): every stream needs at least one input and its target, " +
                $"so the sequence needs at least {(long)streams + 1} tokens.", nameof(tokens));
        _tokens = tokens.ToArray();
        Streams = streams;
        Steps = steps;
        StreamLength = (tokens.Length - 1) / streams;
        ChunkCount = (StreamLength + steps - 1) / steps;
    }

    /// <summary>Number of parallel streams.</summary>
    public int Streams { get; }

    /// <summary>Steps of every chunk but possibly the last.</summary>
    public int Steps { get; }

    /// <summary>Steps (inputs, each with a target) of every stream.</summary>
    public int StreamLength { get; }

    /// <summary>Chunks per pass over the streams: ⌈<see cref="StreamLength"/> / <see cref="Steps"/>⌉.</summary>
    public int ChunkCount { get; }

    /// <summary>Number of tokens in the sequence.</summary>
    public int TokenCount => _tokens.Length;

    /// <summary>Targets in one pass over all chunks: <see cref="Streams"/> × <see cref="StreamLength"/>.</summary>
    public long TargetCount => (long)Streams * StreamLength;

    /// <summary>Tokens at the end of the sequence that no stream predicts (fewer than <see cref="Streams"/>).</summary>
    public int DroppedTokens => _tokens.Length - 1 - Streams * StreamLength;

    /// <summary>Index in the sequence of the first input of stream <paramref name="stream"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="stream"/> is not in [0, <see cref="Streams"/>).</exception>
    public int StreamStart(int stream)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(stream);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(stream, Streams);
        return stream * StreamLength;
    }

    /// <summary>Steps in chunk <paramref name="chunk"/>: <see cref="Steps"/>, or fewer for the last chunk.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="chunk"/> is not in [0, <see cref="ChunkCount"/>).</exception>
    public int ChunkSteps(int chunk)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(chunk);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(chunk, ChunkCount);
        return Math.Min(Steps, StreamLength - chunk * Steps);
    }

    /// <summary>Writes chunk <paramref name="chunk"/> of every stream; see <see cref="GetChunk(int, int, int, Span{int}, Span{int}, SequenceLayout)"/>.</summary>
    /// <returns>The number of steps of the chunk.</returns>
    public int GetChunk(int chunk, Span<int> inputs, Span<int> targets, SequenceLayout layout = SequenceLayout.BatchFirst) =>
        GetChunk(chunk, 0, Streams, inputs, targets, layout);

    /// <summary>
    /// Writes chunk <paramref name="chunk"/> of the streams [<paramref name="firstStream"/>,
    /// <paramref name="firstStream"/> + <paramref name="streamCount"/>) as [streamCount, steps]
    /// inputs and targets (or [steps, streamCount] time-major), into the first streamCount × steps
    /// values of each span.
    /// </summary>
    /// <param name="chunk">The chunk, in [0, <see cref="ChunkCount"/>).</param>
    /// <param name="firstStream">The first stream wanted.</param>
    /// <param name="streamCount">How many consecutive streams, ≥ 1.</param>
    /// <param name="inputs">Receives the input tokens; at least streamCount × <see cref="ChunkSteps"/> long.</param>
    /// <param name="targets">Receives the tokens that follow the inputs; as long as needed for the inputs.</param>
    /// <param name="layout">The layout of both spans: the network's <c>Layout</c>.</param>
    /// <returns>The number of steps of the chunk (<see cref="ChunkSteps"/>).</returns>
    /// <exception cref="ArgumentOutOfRangeException">The chunk, the stream range or the layout is out of range.</exception>
    /// <exception cref="ArgumentException">A span is too short.</exception>
    public int GetChunk(int chunk, int firstStream, int streamCount, Span<int> inputs, Span<int> targets, SequenceLayout layout = SequenceLayout.BatchFirst)
    {
        if (layout is not (SequenceLayout.BatchFirst or SequenceLayout.TimeMajor))
            throw new ArgumentOutOfRangeException(nameof(layout), layout, "The layout must be BatchFirst or TimeMajor.");
        int steps = ChunkSteps(chunk);
        ArgumentOutOfRangeException.ThrowIfNegative(firstStream);
        ArgumentOutOfRangeException.ThrowIfLessThan(streamCount, 1);
        if ((long)firstStream + streamCount > Streams)
            throw new ArgumentOutOfRangeException(nameof(streamCount), streamCount,
                $"Streams [{firstStream}, {(long)firstStream + streamCount}) go past the {Streams} stream(s) of this batcher.");
        int needed = streamCount * steps;
        if (inputs.Length < needed)
            throw new ArgumentException($"'inputs' holds {inputs.Length} values; chunk {chunk} of {streamCount} stream(s) needs {needed}.", nameof(inputs));
        if (targets.Length < needed)
            throw new ArgumentException($"'targets' holds {targets.Length} values; chunk {chunk} of {streamCount} stream(s) needs {needed}.", nameof(targets));
        for (int s = 0; s < streamCount; s++)
        {
            int start = (firstStream + s) * StreamLength + chunk * Steps;
            if (layout == SequenceLayout.BatchFirst)
            {
                _tokens.AsSpan(start, steps).CopyTo(inputs.Slice(s * steps, steps));
                _tokens.AsSpan(start + 1, steps).CopyTo(targets.Slice(s * steps, steps));
            }
            else
            {
                for (int t = 0; t < steps; t++)
                {
                    inputs[t * streamCount + s] = _tokens[start + t];
                    targets[t * streamCount + s] = _tokens[start + t + 1];
                }
            }
        }
        return steps;
    }
}
