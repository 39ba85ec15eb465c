using System;
using System.Linq;
using System.Numerics.Tensors;
using System.Threading.Tasks;
using RnnGen.Training;

namespace RnnGen.Benchmarks;

/// <summary>
/// One generated network, seen through what the benchmark does with it: inference on one or two
/// threads, a training step (forward, MSE loss, backward, Adam) on one or two threads, workspace
/// sizes. The generated classes share no interface for Forward/Backward, so each is wrapped with
/// lambdas that call its own methods (see <see cref="NetworkModel.Create"/>).
/// </summary>
internal abstract class NetworkModel
{
    public abstract IRecurrentNetwork Network { get; }

    /// <summary>A PyTorch-named parameter tensor (weight_ih_l0, …).</summary>
    public ReadOnlySpan<float> Tensor(string name)
    {
        TensorDescriptor t = Network.Tensors.Single(d => d.Name == name);
        return Network.Parameters.AsSpan(t.Offset, t.Length);
    }

    /// <summary>Inference on [batch, steps, I] → [batch, steps, H]; with 2 threads the batch is cut in two halves, one replica each.
    /// A batch of one runs on a replica with frozen weights (<c>WeightsFrozen</c>: packed once, as an ONNX Runtime session's are) and
    /// <c>RecurrentThreads</c> = the thread count (with 2, each core owns half of the hidden units).</summary>
    public abstract void Infer(float[] inputs, int[] lengths, float[] output, int threads);

    /// <summary>One training step on the whole batch: zero gradients, forward, MSE loss against <paramref name="target"/>, backward, Adam.</summary>
    public abstract double TrainStep(float[] inputs, int[] lengths, float[] target, float[] output, float[] outputGradient, int threads);

    public abstract long WorkspaceBytes(int batch, int steps, bool training);

    /// <summary>One streaming <c>Step</c> of one step on a stream of its own (a fresh replica), with frozen weights or not, on 1 or 2 threads.</summary>
    public abstract Action StreamStep(bool frozen, int threads);

    /// <summary>Bytes allocated by the first training forward + backward of a fresh replica (its workspace).</summary>
    public abstract long MeasureTrainingAllocation(int batch, int steps);

    public static NetworkModel Create<TNet>(TNet primary, Func<TNet, TNet> replica, Forward<TNet> forward, Forward<TNet> forwardTraining,
                                            Backward<TNet> backward, Func<int, int, bool, long> workspaceBytes, Action<TNet, int, bool> configure,
                                            Func<TNet, Action> streamStep)
        where TNet : class, IRecurrentNetwork =>
        new Typed<TNet>(primary, replica, forward, forwardTraining, backward, workspaceBytes, configure, streamStep);

    public delegate void Forward<TNet>(TNet net, ReadOnlySpan<float> inputs, ReadOnlySpan<int> lengths, Span<float> output);

    public delegate void Backward<TNet>(TNet net, ReadOnlySpan<float> outputGradient);

    // MSE loss mean((y − target)²) over `count` rows of the batch starting at `start`, scaled by 1/total
    // elements, and its gradient 2(y − target)/total.
    private static double MseGradient(ReadOnlySpan<float> y, ReadOnlySpan<float> target, Span<float> dy, int totalElements)
    {
        TensorPrimitives.Subtract(y, target, dy);
        double loss = TensorPrimitives.Dot(dy, dy) / totalElements;
        TensorPrimitives.Multiply(dy, 2f / totalElements, dy);
        return loss;
    }

    private sealed class Typed<TNet> : NetworkModel where TNet : class, IRecurrentNetwork
    {
        private readonly TNet _primary;
        private readonly TNet[] _halves;
        private readonly Func<TNet, TNet> _replica;
        private readonly Forward<TNet> _forward, _forwardTraining;
        private readonly Backward<TNet> _backward;
        private readonly Func<int, int, bool, long> _workspaceBytes;
        private readonly Adam _adam1 = new(), _adam2 = new();
        private DataParallel<TNet>? _parallel;
        private readonly int _hidden;
        // Batch-1 inference replicas on one and two cores, frozen. configure(replica, threads, frozen) sets RecurrentThreads and
        // WeightsFrozen (the generated classes share no interface for them); streamStep(replica) makes one-step Step calls on a stream.
        private readonly TNet _batchOneOneCore, _batchOneTwoCores;
        private readonly Action<TNet, int, bool> _configure;
        private readonly Func<TNet, Action> _streamStep;
        private bool _batchOneStale; // a training step changed the shared parameters since the replicas froze theirs

        public Typed(TNet primary, Func<TNet, TNet> replica, Forward<TNet> forward, Forward<TNet> forwardTraining,
                     Backward<TNet> backward, Func<int, int, bool, long> workspaceBytes, Action<TNet, int, bool> configure,
                     Func<TNet, Action> streamStep)
        {
            _configure = configure;
            _streamStep = streamStep;
            _primary = primary;
            _replica = replica;
            _halves = [replica(primary), replica(primary)];
            _forward = forward;
            _forwardTraining = forwardTraining;
            _backward = backward;
            _workspaceBytes = workspaceBytes;
            _hidden = primary.Tensors.Single(d => d.Name == "weight_hh_l0").Shape[1];
            _batchOneOneCore = replica(primary);
            _batchOneTwoCores = replica(primary);
            PrepareBatchOne();
        }

        // Freezing again after the shared parameters changed (a training step) repacks them on the next call.
        private void PrepareBatchOne()
        {
            _configure(_batchOneOneCore, 1, true);
            _configure(_batchOneTwoCores, 2, true);
        }

        public override IRecurrentNetwork Network => _primary;

        public override void Infer(float[] inputs, int[] lengths, float[] output, int threads)
        {
            int batch = lengths.Length;
            if (batch == 1)
            {
                if (_batchOneStale) PrepareBatchOne();
                _batchOneStale = false;
                _forward(threads == 1 ? _batchOneOneCore : _batchOneTwoCores, inputs, lengths, output);
                return;
            }
            if (threads == 1)
            {
                _forward(_primary, inputs, lengths, output);
                return;
            }
            int inPerRow = inputs.Length / batch, outPerRow = output.Length / batch, half = batch / 2;
            Parallel.Invoke(
                () => _forward(_halves[0], inputs.AsSpan(0, half * inPerRow), lengths.AsSpan(0, half), output.AsSpan(0, half * outPerRow)),
                () => _forward(_halves[1], inputs.AsSpan(half * inPerRow), lengths.AsSpan(half), output.AsSpan(half * outPerRow)));
        }

        public override double TrainStep(float[] inputs, int[] lengths, float[] target, float[] output, float[] outputGradient, int threads)
        {
            int batch = lengths.Length, total = output.Length;
            _primary.Gradients.AsSpan().Clear();
            if (threads == 1)
            {
                _forwardTraining(_primary, inputs, lengths, output);
                double loss = MseGradient(output, target, outputGradient, total);
                _backward(_primary, outputGradient);
                _adam1.Step(_primary);
                _batchOneStale = true;
                return loss;
            }
            _parallel ??= new DataParallel<TNet>(_primary, _replica, threads, shardCount: threads);
            int inPerRow = inputs.Length / batch, outPerRow = output.Length / batch;
            LossSum sum = _parallel.Run(batch, (replica, start, count) =>
            {
                Span<float> y = output.AsSpan(start * outPerRow, count * outPerRow);
                Span<float> dy = outputGradient.AsSpan(start * outPerRow, count * outPerRow);
                _forwardTraining(replica, inputs.AsSpan(start * inPerRow, count * inPerRow), lengths.AsSpan(start, count), y);
                double loss = MseGradient(y, target.AsSpan(start * outPerRow, count * outPerRow), dy, total);
                _backward(replica, dy);
                return new LossSum(loss, count);
            });
            _adam2.Step(_primary);
            _batchOneStale = true;
            return sum.Sum;
        }

        public override long WorkspaceBytes(int batch, int steps, bool training) => _workspaceBytes(batch, steps, training);

        public override Action StreamStep(bool frozen, int threads)
        {
            TNet replica = _replica(_primary);
            _configure(replica, threads, frozen);
            return _streamStep(replica);
        }

        public override long MeasureTrainingAllocation(int batch, int steps)
        {
            int inputSize = _primary.Tensors.Single(d => d.Name == "weight_ih_l0").Shape[1];
            var inputs = new float[batch * steps * inputSize];
            var lengths = Enumerable.Repeat(steps, batch).ToArray();
            var output = new float[batch * steps * _hidden];
            TNet fresh = _replica(_primary);
            long before = GC.GetAllocatedBytesForCurrentThread();
            _forwardTraining(fresh, inputs, lengths, output);
            _backward(fresh, output);
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }
    }
}
