using System;
using Microsoft.ML.OnnxRuntime;

namespace RnnGen.Benchmarks;

/// <summary>
/// ONNX Runtime in-process on the one-node model of <see cref="OnnxModel"/>: input and output
/// tensors are bound once to preallocated arrays, so a timed call is only <c>session.Run</c>.
/// </summary>
internal sealed class OrtRunner : IDisposable
{
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly OrtValue _x, _y;
    private readonly string[] _inputNames = ["X"], _outputNames = ["Y"];
    private readonly OrtValue[] _inputs, _outputs;

    /// <summary>Output Y [T, 1, B, H] as written by the last <see cref="Run"/>.</summary>
    public float[] Output { get; }

    /// <param name="model">ModelProto bytes.</param>
    /// <param name="timeMajorInput">X [T, B, I].</param>
    public OrtRunner(byte[] model, int threads, float[] timeMajorInput, int steps, int batch, int inputSize, int hiddenSize)
    {
        using var options = new SessionOptions
        {
            IntraOpNumThreads = threads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        _session = new InferenceSession(model, options);
        Output = new float[steps * batch * hiddenSize];
        _x = OrtValue.CreateTensorValueFromMemory(timeMajorInput, [steps, batch, inputSize]);
        _y = OrtValue.CreateTensorValueFromMemory(Output, [steps, 1, batch, hiddenSize]);
        _inputs = [_x];
        _outputs = [_y];
    }

    public void Run() => _session.Run(_runOptions, _inputNames, _inputs, _outputNames, _outputs);

    public void Dispose()
    {
        _x.Dispose();
        _y.Dispose();
        _runOptions.Dispose();
        _session.Dispose();
    }
}
