using System;
using System.Buffers.Binary;
using System.IO;
using System.Linq;
using System.Text;
using RnnGen;
using RnnGen.IO;
using RnnGen.Training;
using Xunit;

namespace RnnGen.Tests.Training;

public sealed class CheckpointTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "rnngen-checkpoint-tests-" + Guid.NewGuid().ToString("N"));

    public CheckpointTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string PathOf(string name) => Path.Combine(_dir, name);

    /// <summary>A small network and an AMSGrad AdamW optimizer that has taken three steps on it.</summary>
    private static (FakeNetwork Net, AdamW Optimizer) Trained(ulong seed = 1, int steps = 3)
    {
        FakeNetwork net = FakeNetwork.SmallRnn(seed);
        var adamW = new AdamW(0.01, amsgrad: true);
        var random = new SeededRandom(seed + 100);
        for (int t = 0; t < steps; t++)
        {
            net.FakeBackward(random);
            adamW.Step(net);
        }
        adamW.LearningRate = 0.0123;
        return (net, adamW);
    }

    private static int[] Bits(float[] x) => x.Select(BitConverter.SingleToInt32Bits).ToArray();

    private static void AssertSameState(Optimizer expected, Optimizer actual)
    {
        Assert.Equal(expected.StepCount, actual.StepCount);
        Assert.Equal(expected.LearningRate, actual.LearningRate);
        Assert.Equal(expected.State.Select(s => s.Name), actual.State.Select(s => s.Name));
        for (int i = 0; i < expected.State.Count; i++)
            Assert.Equal(Bits(expected.State[i].Values), Bits(actual.State[i].Values));
    }

    /// <summary>Everything a failed load must leave as it was.</summary>
    private sealed record Snapshot(int[] Parameters, long Step, double LearningRate, float[][] State)
    {
        public static Snapshot Of(IRecurrentNetwork net, Optimizer o) =>
            new(Bits(net.Parameters), o.StepCount, o.LearningRate, o.State.Select(s => (float[])s.Values.Clone()).ToArray());

        public void AssertUnchanged(IRecurrentNetwork net, Optimizer o, string context)
        {
            Assert.True(Parameters.SequenceEqual(Bits(net.Parameters)), $"{context}: the parameters changed");
            Assert.True(Step == o.StepCount, $"{context}: the step count changed");
            Assert.True(LearningRate == o.LearningRate, $"{context}: the learning rate changed");
            Assert.True(State.Length == o.State.Count && State.Zip(o.State).All(p => p.First.SequenceEqual(p.Second.Values)), $"{context}: the optimizer state changed");
        }
    }

    // ---------------------------------------------------------------- round trips

    [Fact]
    public void Round_trip_restores_parameters_and_adam_state_exactly()
    {
        (FakeNetwork net, AdamW adamW) = Trained();
        string path = PathOf("a.ckpt");
        Checkpoint.Save(path, net, adamW);

        FakeNetwork other = FakeNetwork.SmallRnn(seed: 77);
        var fresh = new AdamW(0.5, amsgrad: true);
        CheckpointInfo info = Checkpoint.Load(path, other, fresh);

        Assert.Equal(Bits(net.Parameters), Bits(other.Parameters));
        AssertSameState(adamW, fresh);
        Assert.Equal(0.0123, fresh.LearningRate);
        Assert.Equal(Checkpoint.FormatVersion, info.FormatVersion);
        Assert.Equal(net.Signature, info.Signature);
        Assert.Equal("AdamW", info.OptimizerKind);
        Assert.Equal(3, info.StepCount);
        Assert.Equal(0.0123, info.LearningRate);
        Assert.Equal(["exp_avg", "exp_avg_sq", "max_exp_avg_sq"], info.OptimizerStateNames);
        Assert.Equal(net.Tensors.Select(t => t.ToString()), info.Tensors.Select(t => t.ToString()));
        Assert.Equal(21, info.ParameterCount);
        Assert.False(File.Exists(path + Checkpoint.TemporarySuffix));
    }

    [Fact]
    public void Training_resumed_from_a_checkpoint_equals_training_without_a_break()
    {
        (FakeNetwork net, AdamW adamW) = Trained(seed: 5, steps: 2);
        string path = PathOf("resume.ckpt");
        Checkpoint.Save(path, net, adamW);
        float[][] grads = Enumerable.Range(0, 3).Select(k =>
        {
            var g = new float[net.Parameters.Length];
            new SeededRandom((ulong)k + 500).FillUniform(g, -1f, 1f);
            return g;
        }).ToArray();
        foreach (float[] g in grads) adamW.Step(net.Parameters, g);

        FakeNetwork resumed = FakeNetwork.SmallRnn(seed: 9);
        var optimizer = new AdamW(1, amsgrad: true);
        Checkpoint.Load(path, resumed, optimizer);
        foreach (float[] g in grads) optimizer.Step(resumed.Parameters, g);

        Assert.Equal(Bits(net.Parameters), Bits(resumed.Parameters));
        AssertSameState(adamW, optimizer);
    }

    [Fact]
    public void Parameters_only_and_stateless_optimizers_round_trip()
    {
        FakeNetwork net = FakeNetwork.SmallRnn(3);
        string path = PathOf("params.ckpt");
        Checkpoint.Save(path, net);
        FakeNetwork other = FakeNetwork.SmallRnn(4);
        CheckpointInfo info = Checkpoint.Load(path, other);
        Assert.Equal(Bits(net.Parameters), Bits(other.Parameters));
        Assert.Null(info.OptimizerKind);
        Assert.Null(info.LearningRate);
        Assert.Contains("no optimizer state", Assert.Throws<CheckpointException>(() => Checkpoint.Load(path, other, new Adam())).Message);

        // An optimizer saved before its first step, plain SGD, and SGD with momentum.
        var unstepped = new Adam(0.2);
        Checkpoint.Save(path, net, unstepped);
        var adam = new Adam();
        adam.Step(new float[21], new float[21]);
        Checkpoint.Load(path, other, adam);
        Assert.Equal(0, adam.StepCount);
        Assert.Empty(adam.State);
        Assert.Equal(0.2, adam.LearningRate);

        var plain = new Sgd(0.3);
        plain.Step(net);
        Checkpoint.Save(path, net, plain);
        var plain2 = new Sgd();
        Checkpoint.Load(path, other, plain2);
        Assert.Equal((1L, 0.3), (plain2.StepCount, plain2.LearningRate));

        var momentum = new Sgd(0.1, momentum: 0.9);
        net.FakeBackward(new SeededRandom(1));
        momentum.Step(net);
        momentum.Step(net);
        Checkpoint.Save(path, net, momentum);
        var momentum2 = new Sgd(0.1, momentum: 0.9);
        Checkpoint.Load(path, other, momentum2);
        AssertSameState(momentum, momentum2);

        // Saved optimizer state is checked but may be ignored.
        (FakeNetwork trained, AdamW adamW) = Trained();
        Checkpoint.Save(path, trained, adamW);
        Checkpoint.Load(path, other);
        Assert.Equal(Bits(trained.Parameters), Bits(other.Parameters));
    }

    [Fact]
    public void ReadInfo_describes_a_file_without_a_network()
    {
        (FakeNetwork net, AdamW adamW) = Trained();
        string path = PathOf("info.ckpt");
        Checkpoint.Save(path, net, adamW);
        CheckpointInfo info = Checkpoint.ReadInfo(path);
        Assert.Equal(net.Signature, info.Signature);
        Assert.Equal(new[] { 3, 3 }, info.Tensors[1].Shape);
        Assert.Equal("weight_hh_l0", info.Tensors[1].Name);
        Assert.Equal(6, info.Tensors[1].Offset);
    }

    // ---------------------------------------------------------------- damaged files

    [Fact]
    public void A_truncated_checkpoint_is_refused_at_every_cut_point()
    {
        (FakeNetwork net, AdamW adamW) = Trained();
        var saved = new MemoryStream();
        Checkpoint.Save(saved, net, adamW);
        byte[] bytes = saved.ToArray();

        (FakeNetwork target, AdamW optimizer) = Trained(seed: 2);
        var before = Snapshot.Of(target, optimizer);
        for (int cut = 0; cut < bytes.Length; cut++)
        {
            var e = Assert.Throws<CheckpointException>(() => Checkpoint.Load(new MemoryStream(bytes, 0, cut), target, optimizer));
            Assert.Null(e.FilePath);
            before.AssertUnchanged(target, optimizer, $"cut at {cut} of {bytes.Length}");
        }
        // Most cuts are reported as truncation, not as garbage.
        Assert.Contains("truncated", Assert.Throws<CheckpointException>(() => Checkpoint.Load(new MemoryStream(bytes, 0, bytes.Length / 2), target)).Message);
    }

    [Fact]
    public void A_truncated_file_is_refused_and_named()
    {
        (FakeNetwork net, AdamW adamW) = Trained();
        string good = PathOf("good.ckpt"), bad = PathOf("bad.ckpt");
        Checkpoint.Save(good, net, adamW);
        byte[] bytes = File.ReadAllBytes(good);

        (FakeNetwork target, AdamW optimizer) = Trained(seed: 2);
        var before = Snapshot.Of(target, optimizer);
        // Every cut is covered through a stream above; through files, a sample (this file system is slow).
        for (int cut = 0; cut < bytes.Length; cut += 23)
        {
            File.WriteAllBytes(bad, bytes.AsSpan(0, cut).ToArray());
            var e = Assert.Throws<CheckpointException>(() => Checkpoint.Load(bad, target, optimizer));
            Assert.Contains(bad, e.Message);
            Assert.Equal(bad, e.FilePath);
            before.AssertUnchanged(target, optimizer, $"file cut at {cut} of {bytes.Length}");
        }
        Assert.Contains("not an RnnGen checkpoint", Assert.Throws<CheckpointException>(() => Checkpoint.ReadInfo(CreateFile("empty.ckpt", []))).Message);
    }

    [Fact]
    public void A_flipped_byte_is_refused_at_every_position()
    {
        (FakeNetwork net, AdamW adamW) = Trained();
        var saved = new MemoryStream();
        Checkpoint.Save(saved, net, adamW);
        byte[] bytes = saved.ToArray();

        (FakeNetwork target, AdamW optimizer) = Trained(seed: 2);
        var before = Snapshot.Of(target, optimizer);
        foreach (byte mask in new byte[] { 0xFF, 0x01, 0x80 })
        {
            for (int at = 0; at < bytes.Length; at++)
            {
                byte[] corrupted = (byte[])bytes.Clone();
                corrupted[at] ^= mask;
                Assert.Throws<CheckpointException>(() => Checkpoint.Load(new MemoryStream(corrupted), target, optimizer));
                before.AssertUnchanged(target, optimizer, $"byte {at} ^ 0x{mask:X2}");
            }
        }
        // A flip in the data is caught by the checksum, also in a file.
        byte[] flipped = (byte[])bytes.Clone();
        flipped[bytes.Length - 40] ^= 0x10;
        string bad = CreateFile("flipped.ckpt", flipped);
        var e = Assert.Throws<CheckpointException>(() => Checkpoint.Load(bad, target, optimizer));
        Assert.Contains("CRC-32C", e.Message);
        Assert.Contains(bad, e.Message);
        before.AssertUnchanged(target, optimizer, "flipped file");
    }

    [Fact]
    public void Streams_round_trip_from_their_position_and_without_seeking()
    {
        (FakeNetwork net, AdamW adamW) = Trained();
        var stream = new MemoryStream();
        stream.Write("prefix"u8);
        Checkpoint.Save(stream, net, adamW);
        byte[] bytes = stream.ToArray();

        stream.Position = 6;
        FakeNetwork a = FakeNetwork.SmallRnn(50);
        var optimizer = new AdamW(amsgrad: true);
        Checkpoint.Load(stream, a, optimizer);
        Assert.Equal(Bits(net.Parameters), Bits(a.Parameters));
        AssertSameState(adamW, optimizer);

        FakeNetwork b = FakeNetwork.SmallRnn(51);
        Checkpoint.Load(new ForwardOnlyStream(bytes[6..]), b);
        Assert.Equal(Bits(net.Parameters), Bits(b.Parameters));
        Assert.Equal(net.Signature, Checkpoint.ReadInfo(new MemoryStream(bytes[6..])).Signature);

        // The stream and file forms are the same bytes.
        string path = PathOf("same.ckpt");
        Checkpoint.Save(path, net, adamW);
        Assert.Equal(bytes[6..], File.ReadAllBytes(path));

        Assert.Throws<ArgumentException>(() => Checkpoint.Save(new MemoryStream(new byte[10], writable: false), net));
    }

    /// <summary>A read-only stream that cannot seek, like a network stream.</summary>
    private sealed class ForwardOnlyStream(byte[] data) : Stream
    {
        private readonly MemoryStream _inner = new(data);
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, Math.Min(count, 7));
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    [Fact]
    public void Extra_bytes_after_the_checksum_are_refused()
    {
        FakeNetwork net = FakeNetwork.SmallRnn();
        string path = PathOf("extra.ckpt");
        Checkpoint.Save(path, net);
        File.AppendAllText(path, "x");
        Assert.Contains("follow the checksum", Assert.Throws<CheckpointException>(() => Checkpoint.Load(path, FakeNetwork.SmallRnn(2))).Message);
    }

    [Fact]
    public void Wrong_magic_and_wrong_version_are_named()
    {
        FakeNetwork net = FakeNetwork.SmallRnn();
        string text = CreateFile("notes.txt", Encoding.UTF8.GetBytes("hello, this is not a checkpoint at all"));
        var e = Assert.Throws<CheckpointException>(() => Checkpoint.Load(text, net));
        Assert.Contains("not an RnnGen checkpoint", e.Message);
        Assert.IsAssignableFrom<IOException>(e);

        string path = PathOf("v.ckpt");
        Checkpoint.Save(path, net);
        byte[] bytes = File.ReadAllBytes(path);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), 2);
        // Re-seal the checksum, so that only the version is wrong.
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(bytes.Length - 4), Crc32C.Append(0, bytes.AsSpan(0, bytes.Length - 4)));
        File.WriteAllBytes(path, bytes);
        var v = Assert.Throws<CheckpointException>(() => Checkpoint.Load(path, net));
        Assert.Contains("format version 2", v.Message);
        Assert.Contains("version 1", v.Message);
    }

    [Fact]
    public void A_file_from_another_shape_is_refused_naming_both_signatures()
    {
        (FakeNetwork net, AdamW adamW) = Trained();
        string path = PathOf("h3.ckpt");
        Checkpoint.Save(path, net, adamW);

        FakeNetwork wider = FakeNetwork.SmallRnn(seed: 8, hidden: 4);
        var optimizer = new AdamW(amsgrad: true);
        var before = Snapshot.Of(wider, optimizer);
        var e = Assert.Throws<CheckpointException>(() => Checkpoint.Load(path, wider, optimizer));
        Assert.Contains("Rnn(Tanh) I=2 H=3 L=1", e.Message);
        Assert.Contains("Rnn(Tanh) I=2 H=4 L=1", e.Message);
        before.AssertUnchanged(wider, optimizer, "other shape");

        // Same signature but another tensor table: refused too, naming the tensor.
        var liar = new FakeNetwork(net.Signature, ("weight_ih_l0", new[] { 3, 2 }), ("weight_hh_l0", new[] { 9 }),
                                   ("bias_ih_l0", new[] { 3 }), ("bias_hh_l0", new[] { 3 }));
        var t = Assert.Throws<CheckpointException>(() => Checkpoint.Load(path, liar));
        Assert.Contains("weight_hh_l0", t.Message);
        Assert.Contains("[3, 3]", t.Message);
        Assert.Contains("[9]", t.Message);
    }

    [Fact]
    public void Optimizer_state_of_another_kind_or_configuration_is_refused()
    {
        (FakeNetwork net, AdamW adamW) = Trained();
        string path = PathOf("opt.ckpt");
        Checkpoint.Save(path, net, adamW);
        FakeNetwork target = FakeNetwork.SmallRnn(4);
        float[] before = (float[])target.Parameters.Clone();

        var adam = new Adam(amsgrad: true);
        var kind = Assert.Throws<CheckpointException>(() => Checkpoint.Load(path, target, adam));
        Assert.Contains("AdamW", kind.Message);
        Assert.Contains("Adam optimizer", kind.Message);

        var noAmsgrad = new AdamW();
        var config = Assert.Throws<CheckpointException>(() => Checkpoint.Load(path, target, noAmsgrad));
        Assert.Contains("max_exp_avg_sq", config.Message);
        Assert.Equal(before, target.Parameters);
        Assert.Equal(0, noAmsgrad.StepCount);
    }

    // ---------------------------------------------------------------- atomic saving

    /// <summary>Passes writes through until <c>limit</c> bytes, then fails like a crash or a full disk.</summary>
    private sealed class FailingStream(Stream inner, long limit) : Stream
    {
        private long _written;
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _written; set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            long room = limit - _written;
            if (buffer.Length > room)
            {
                inner.Write(buffer[..(int)Math.Max(0, room)]);
                inner.Flush();
                throw new IOException($"Simulated failure after {limit} bytes.");
            }
            inner.Write(buffer);
            _written += buffer.Length;
        }
    }

    [Fact]
    public void An_interrupted_save_leaves_the_previous_checkpoint_loadable()
    {
        (FakeNetwork net, AdamW adamW) = Trained();
        string path = PathOf("model.ckpt");
        Checkpoint.Save(path, net, adamW);
        byte[] previous = File.ReadAllBytes(path);
        int[] savedParameters = Bits(net.Parameters);

        // Train on, then fail at several points of the next save.
        net.FakeBackward(new SeededRandom(1234));
        adamW.Step(net);
        foreach (long limit in new long[] { 0, 1, 8, 50, 200, previous.Length - 5, previous.Length - 1 })
        {
            Assert.Throws<IOException>(() => Checkpoint.Save(path, net, adamW, stream => new FailingStream(stream, limit)));
            Assert.Equal(previous, File.ReadAllBytes(path));
            Assert.False(File.Exists(path + Checkpoint.TemporarySuffix), $"the temporary file is left after a failure at {limit}");
        }

        FakeNetwork restored = FakeNetwork.SmallRnn(31);
        var optimizer = new AdamW(amsgrad: true);
        Checkpoint.Load(path, restored, optimizer);
        Assert.Equal(savedParameters, Bits(restored.Parameters));
        Assert.Equal(3, optimizer.StepCount);

        // The save that is not interrupted replaces it.
        Checkpoint.Save(path, net, adamW);
        Checkpoint.Load(path, restored, optimizer);
        Assert.Equal(Bits(net.Parameters), Bits(restored.Parameters));
        Assert.Equal(4, optimizer.StepCount);
    }

    [Fact]
    public void A_leftover_temporary_file_from_a_crash_does_no_harm()
    {
        (FakeNetwork net, AdamW adamW) = Trained();
        string path = PathOf("model.ckpt");
        Checkpoint.Save(path, net, adamW);
        byte[] good = File.ReadAllBytes(path);

        // A process killed mid-save leaves half a temporary file; the checkpoint itself is intact.
        File.WriteAllBytes(path + Checkpoint.TemporarySuffix, good.AsSpan(0, good.Length / 3).ToArray());
        FakeNetwork restored = FakeNetwork.SmallRnn(31);
        Checkpoint.Load(path, restored, new AdamW(amsgrad: true));
        Assert.Equal(Bits(net.Parameters), Bits(restored.Parameters));

        // The next save overwrites the leftover and removes it by renaming.
        Checkpoint.Save(path, net, adamW);
        Assert.False(File.Exists(path + Checkpoint.TemporarySuffix));
        Assert.Equal(good, File.ReadAllBytes(path));
    }

    [Fact]
    public void Save_checks_its_arguments()
    {
        FakeNetwork net = FakeNetwork.SmallRnn();
        Assert.Throws<ArgumentNullException>(() => Checkpoint.Save((string)null!, net));
        Assert.Throws<ArgumentNullException>(() => Checkpoint.Save((Stream)null!, net));
        Assert.Throws<ArgumentException>(() => Checkpoint.Save("", net));
        Assert.Throws<ArgumentNullException>(() => Checkpoint.Save(PathOf("x"), null!));
        var elsewhere = new Adam();
        elsewhere.Step(new float[5], new float[5]);
        var e = Assert.Throws<ArgumentException>(() => Checkpoint.Save(PathOf("x"), net, elsewhere));
        Assert.Contains("another parameter array", e.Message);
        Assert.False(File.Exists(PathOf("x")));

        string missing = Path.Combine(_dir, "no-such-folder", "a.ckpt");
        Assert.Throws<DirectoryNotFoundException>(() => Checkpoint.Save(missing, net));
        Assert.Throws<FileNotFoundException>(() => Checkpoint.Load(PathOf("absent.ckpt"), net));
    }

    // ---------------------------------------------------------------- CRC-32C

    [Fact]
    public void Crc32C_matches_the_standard_check_value_and_the_table()
    {
        Assert.Equal(0xE3069283u, Crc32C.Append(0, "123456789"u8));
        Assert.Equal(0xE3069283u, Crc32C.AppendSoftware(0, "123456789"u8));
        Assert.Equal(0u, Crc32C.Append(0, []));
        var random = new SeededRandom(17);
        byte[] data = new byte[300];
        for (int i = 0; i < data.Length; i++) data[i] = (byte)random.NextUInt32();
        for (int n = 0; n <= data.Length; n += 7)
        {
            uint whole = Crc32C.Append(0, data.AsSpan(0, n));
            Assert.Equal(Crc32C.AppendSoftware(0, data.AsSpan(0, n)), whole);
            int split = n / 3;
            Assert.Equal(whole, Crc32C.Append(Crc32C.Append(0, data.AsSpan(0, split)), data.AsSpan(split, n - split)));
        }
    }

    private string CreateFile(string name, byte[] bytes)
    {
        string path = PathOf(name);
        File.WriteAllBytes(path, bytes);
        return path;
    }
}
