using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;
using RnnGen.Training;

namespace RnnGen.IO;

/// <summary>
/// Saves and loads training checkpoints: a network's parameters together with its optimizer's
/// state, so that training resumes exactly where it stopped.
/// </summary>
/// <remarks>
/// <para>Format (version 1), all integers and floats little-endian:</para>
/// <code>
/// magic          8 bytes   "RNNGCKPT"
/// version        u32       1
/// signature      string    the network's Signature
/// tensor count   u32
///   per tensor:  string name, i32 offset, u32 rank, i32 × rank dims
/// parameters     i32 count, then count × f32
/// optimizer      u8        0 = none, 1 = present
///   if present:  string kind, i64 step count, f64 learning rate, u32 state count,
///                per state tensor: string name, i32 count, count × f32
/// checksum       u32       CRC-32C of every byte above
/// (string = u32 byte length + UTF-8 bytes)
/// </code>
/// <para>
/// Saving is atomic: the file is written to <c>path + ".tmp"</c> in the same folder, flushed to
/// the disk, then renamed over <c>path</c>; an interrupted save leaves the previous checkpoint as
/// it was (at worst a stale <c>.tmp</c> file, which the next save replaces). A power loss just
/// after the rename may still undo the rename until the file system commits the folder; .NET has
/// no portable way to flush a folder. Loading reads and checks the whole file — structure,
/// checksum, signature, tensor table, optimizer kind and state — into temporary buffers before it
/// copies anything, so a bad file throws a <see cref="CheckpointException"/> and leaves the
/// network and optimizer untouched.
/// </para>
/// </remarks>
public static class Checkpoint
{
    /// <summary>The format version this library writes and reads.</summary>
    public const int FormatVersion = 1;

    /// <summary>The suffix of the temporary file a save writes before renaming it over the target.</summary>
    public const string TemporarySuffix = AtomicFile.TemporarySuffix;

    private static ReadOnlySpan<byte> Magic => "RNNGCKPT"u8;

    private const int MaxStringBytes = 1 << 20;
    private const int MaxRank = 16;
    private const int MaxStateTensors = 64;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// Saves <paramref name="network"/>'s parameters and, if given, <paramref name="optimizer"/>'s
    /// kind, step count, learning rate and state to <paramref name="path"/>, atomically.
    /// </summary>
    /// <param name="path">The checkpoint file; its folder must exist. An existing file is replaced only once the new one is complete on disk.</param>
    /// <param name="network">The network whose parameters are saved.</param>
    /// <param name="optimizer">The optimizer whose state is saved, or null to save parameters only.</param>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> or <paramref name="network"/> is null.</exception>
    /// <exception cref="ArgumentException">
    /// <paramref name="path"/> is empty, the network's tensor table does not fit its parameter array,
    /// or the optimizer's state is sized for another parameter array.
    /// </exception>
    /// <exception cref="IOException">Writing failed; the previous file at <paramref name="path"/>, if any, is unchanged.</exception>
    public static void Save(string path, IRecurrentNetwork network, Optimizer? optimizer = null) =>
        Save(path, network, optimizer, interceptForTests: null);

    /// <summary>
    /// Loads a checkpoint saved by <see cref="Save(string, IRecurrentNetwork, Optimizer?)"/> into
    /// <paramref name="network"/> and, if given, <paramref name="optimizer"/> (its state, step count
    /// and learning rate). The file is checked completely first; on any problem nothing is changed.
    /// </summary>
    /// <param name="path">The checkpoint file.</param>
    /// <param name="network">Receives the parameters; its signature and tensor table must equal the saved ones.</param>
    /// <param name="optimizer">Receives the optimizer state; must be of the saved kind and configuration. Null to load parameters only (saved optimizer state is then checked but ignored).</param>
    /// <returns>What the file holds.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> or <paramref name="network"/> is null.</exception>
    /// <exception cref="CheckpointException">The file is not a valid checkpoint for this network and optimizer; the message says why.</exception>
    /// <exception cref="IOException">The file cannot be read (for example <see cref="FileNotFoundException"/>).</exception>
    public static CheckpointInfo Load(string path, IRecurrentNetwork network, Optimizer? optimizer = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(network);
        return Apply(ReadFile(path), path, network, optimizer);
    }

    /// <summary>
    /// Loads a checkpoint from <paramref name="stream"/> (from its current position to its end), as
    /// <see cref="Load(string, IRecurrentNetwork, Optimizer?)"/> does from a file. A stream that
    /// cannot seek is first copied to memory.
    /// </summary>
    /// <param name="stream">A readable stream positioned at the start of the checkpoint.</param>
    /// <param name="network">Receives the parameters; its signature and tensor table must equal the saved ones.</param>
    /// <param name="optimizer">Receives the optimizer state, or null to load the parameters only.</param>
    /// <returns>What the checkpoint holds.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> or <paramref name="network"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="stream"/> cannot be read.</exception>
    /// <exception cref="CheckpointException">The data is not a valid checkpoint for this network and optimizer.</exception>
    public static CheckpointInfo Load(Stream stream, IRecurrentNetwork network, Optimizer? optimizer = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(network);
        return Apply(ReadStream(stream), StreamName, network, optimizer);
    }

    /// <summary>
    /// Reads and checks a checkpoint (structure and checksum) without loading it anywhere, and
    /// describes it: signature, tensors, optimizer kind and step count.
    /// </summary>
    /// <param name="path">The checkpoint file.</param>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is null.</exception>
    /// <exception cref="CheckpointException">The file is not a valid checkpoint.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static CheckpointInfo ReadInfo(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return ReadFile(path).Info;
    }

    /// <summary>Reads and checks a checkpoint from <paramref name="stream"/> (current position to end) and describes it.</summary>
    /// <param name="stream">A readable stream positioned at the start of the checkpoint.</param>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="stream"/> cannot be read.</exception>
    /// <exception cref="CheckpointException">The data is not a valid checkpoint.</exception>
    public static CheckpointInfo ReadInfo(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return ReadStream(stream).Info;
    }

    /// <summary>
    /// Writes a checkpoint of <paramref name="network"/> and, if given, <paramref name="optimizer"/>
    /// to <paramref name="stream"/> at its current position. Unlike the file overload this is not
    /// atomic: the caller owns the stream and its durability.
    /// </summary>
    /// <param name="stream">A writable stream.</param>
    /// <param name="network">The network whose parameters are saved.</param>
    /// <param name="optimizer">The optimizer whose state is saved, or null.</param>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> or <paramref name="network"/> is null.</exception>
    /// <exception cref="ArgumentException">
    /// <paramref name="stream"/> cannot be written, the network's tensor table does not fit its
    /// parameter array, or the optimizer's state is sized for another parameter array.
    /// </exception>
    public static void Save(Stream stream, IRecurrentNetwork network, Optimizer? optimizer = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(network);
        if (!stream.CanWrite) throw new ArgumentException("The stream cannot be written; a checkpoint needs a writable stream.", nameof(stream));
        IReadOnlyList<(string Name, float[] Values)> state = CheckSaveArguments(network, optimizer);
        Write(new Writer(stream), network, optimizer, state);
    }

    /// <summary>Checks <paramref name="file"/> against the network and optimizer, then copies it into them.</summary>
    private static CheckpointInfo Apply(Contents file, string path, IRecurrentNetwork network, Optimizer? optimizer)
    {
        // Everything below only compares; the network and optimizer change after the last check.
        if (!string.Equals(file.Signature, network.Signature, StringComparison.Ordinal))
            throw new CheckpointException(FileOf(path),
                $"The checkpoint '{path}' was saved from the network '{file.Signature}', but this network is '{network.Signature}'; " +
                "a checkpoint loads only into a network of the same shape.");
        CheckTensorTable(path, file, network);
        if (file.Parameters.Length != network.Parameters.Length)
            throw new CheckpointException(FileOf(path),
                $"The checkpoint '{path}' holds {file.Parameters.Length} parameters but the network has {network.Parameters.Length}.");

        if (optimizer is not null)
        {
            if (file.OptimizerKind is null)
                throw new CheckpointException(FileOf(path),
                    $"The checkpoint '{path}' holds no optimizer state, but a {optimizer.Kind} optimizer was given to restore; pass null to load the parameters only.");
            if (!string.Equals(file.OptimizerKind, optimizer.Kind, StringComparison.Ordinal))
                throw new CheckpointException(FileOf(path),
                    $"The checkpoint '{path}' holds the state of a {file.OptimizerKind} optimizer, which cannot be loaded into a {optimizer.Kind} optimizer.");
            string? problem = optimizer.CheckState(file.StepCount, file.State);
            if (problem is not null)
                throw new CheckpointException(FileOf(path), $"The optimizer state in the checkpoint '{path}' does not fit: {problem}");
            if (file.State.Count > 0 && file.State[0].Values.Length != network.Parameters.Length)
                throw new CheckpointException(FileOf(path),
                    $"The optimizer state in the checkpoint '{path}' is sized for {file.State[0].Values.Length} parameters but the network has {network.Parameters.Length}.");
            if (!(file.LearningRate >= 0) || double.IsInfinity(file.LearningRate))
                throw new CheckpointException(FileOf(path), $"The checkpoint '{path}' holds the learning rate {file.LearningRate}; it must be a finite number ≥ 0.");
        }

        file.Parameters.AsSpan().CopyTo(network.Parameters);
        if (optimizer is not null)
        {
            optimizer.RestoreState(file.StepCount, file.State);
            optimizer.LearningRate = file.LearningRate;
        }
        return file.Info;
    }

    // ---------------------------------------------------------------------------------------
    // Saving

    /// <summary>The save, with a test hook that can wrap the temporary file's stream (to simulate a crash mid-write).</summary>
    internal static void Save(string path, IRecurrentNetwork network, Optimizer? optimizer, Func<Stream, Stream>? interceptForTests)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(network);
        IReadOnlyList<(string Name, float[] Values)> state = CheckSaveArguments(network, optimizer);

        AtomicFile.Write(path, file =>
        {
            Stream target = interceptForTests?.Invoke(file) ?? file;
            Write(new Writer(target), network, optimizer, state);
            target.Flush();
        });
    }

    private static void Write(Writer w, IRecurrentNetwork network, Optimizer? optimizer, IReadOnlyList<(string Name, float[] Values)> state)
    {
        w.WriteBytes(Magic);
        w.WriteUInt32(FormatVersion);
        w.WriteString(network.Signature);
        w.WriteUInt32((uint)network.Tensors.Count);
        foreach (TensorDescriptor t in network.Tensors)
        {
            w.WriteString(t.Name);
            w.WriteInt32(t.Offset);
            w.WriteUInt32((uint)t.Shape.Count);
            foreach (int d in t.Shape) w.WriteInt32(d);
        }
        w.WriteInt32(network.Parameters.Length);
        w.WriteFloats(network.Parameters);
        if (optimizer is null)
        {
            w.WriteBytes([0]);
        }
        else
        {
            w.WriteBytes([1]);
            w.WriteString(optimizer.Kind);
            w.WriteInt64(optimizer.StepCount);
            w.WriteDouble(optimizer.LearningRate);
            w.WriteUInt32((uint)state.Count);
            foreach ((string name, float[] values) in state)
            {
                w.WriteString(name);
                w.WriteInt32(values.Length);
                w.WriteFloats(values);
            }
        }
        Span<byte> crc = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(crc, w.Crc);
        w.WriteBytes(crc);
    }

    private static IReadOnlyList<(string Name, float[] Values)> CheckSaveArguments(IRecurrentNetwork network, Optimizer? optimizer)
    {
        CheckNetwork(network);
        IReadOnlyList<(string Name, float[] Values)> state = optimizer?.State ?? Array.Empty<(string, float[])>();
        foreach ((string name, float[] values) in state)
        {
            if (values.Length != network.Parameters.Length)
                throw new ArgumentException(
                    $"The {optimizer!.Kind} optimizer's state tensor '{name}' holds {values.Length} values but the network has {network.Parameters.Length} parameters; " +
                    "this optimizer was stepped on another parameter array.",
                    nameof(optimizer));
        }
        return state;
    }

    private static void CheckNetwork(IRecurrentNetwork network)
    {
        if (network.Signature is null)
            throw new ArgumentException("The network's Signature is null; a checkpoint needs it to refuse files of other shapes.", nameof(network));
        if (network.Parameters is null || network.Tensors is null)
            throw new ArgumentException("The network's Parameters or Tensors is null.", nameof(network));
        foreach (TensorDescriptor t in network.Tensors)
        {
            if ((long)t.Offset + t.Length > network.Parameters.Length)
                throw new ArgumentException(
                    $"The network's tensor {t} ends at {(long)t.Offset + t.Length}, beyond its {network.Parameters.Length} parameters.",
                    nameof(network));
        }
    }

    /// <summary>Writes little-endian values to a stream and keeps the CRC-32C of everything written.</summary>
    private sealed class Writer(Stream stream)
    {
        public uint Crc { get; private set; }

        public void WriteBytes(ReadOnlySpan<byte> bytes)
        {
            Crc = Crc32C.Append(Crc, bytes);
            stream.Write(bytes);
        }

        public void WriteUInt32(uint value)
        {
            Span<byte> b = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(b, value);
            WriteBytes(b);
        }

        public void WriteInt32(int value)
        {
            Span<byte> b = stackalloc byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(b, value);
            WriteBytes(b);
        }

        public void WriteInt64(long value)
        {
            Span<byte> b = stackalloc byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(b, value);
            WriteBytes(b);
        }

        public void WriteDouble(double value)
        {
            Span<byte> b = stackalloc byte[8];
            BinaryPrimitives.WriteDoubleLittleEndian(b, value);
            WriteBytes(b);
        }

        public void WriteString(string value)
        {
            byte[] bytes = StrictUtf8.GetBytes(value);
            if (bytes.Length > MaxStringBytes)
                throw new ArgumentException($"A string of {bytes.Length} UTF-8 bytes is too long for a checkpoint (at most {MaxStringBytes}): \"{value[..Math.Min(value.Length, 60)]}…\".");
            WriteUInt32((uint)bytes.Length);
            WriteBytes(bytes);
        }

        public void WriteFloats(ReadOnlySpan<float> values)
        {
            if (BitConverter.IsLittleEndian)
            {
                WriteBytes(MemoryMarshal.AsBytes(values));
                return;
            }
            Span<int> chunk = stackalloc int[1024];
            while (!values.IsEmpty)
            {
                int n = Math.Min(chunk.Length, values.Length);
                BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<float, int>(values[..n]), chunk[..n]);
                WriteBytes(MemoryMarshal.AsBytes(chunk[..n]));
                values = values[n..];
            }
        }
    }

    // ---------------------------------------------------------------------------------------
    // Loading

    /// <summary>Everything a checkpoint file holds, read and checksum-verified, not yet applied.</summary>
    private sealed class Contents
    {
        public required CheckpointInfo Info { get; init; }
        public required string Signature { get; init; }
        public required List<(string Name, int Offset, int[] Shape)> Tensors { get; init; }
        public required float[] Parameters { get; init; }
        public string? OptimizerKind { get; init; }
        public long StepCount { get; init; }
        public double LearningRate { get; init; }
        public required List<(string Name, float[] Values)> State { get; init; }
    }

    private static Contents ReadFile(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        try
        {
            return Read(new Reader(stream, path));
        }
        catch (EndOfStreamException e)
        {
            throw new CheckpointException(FileOf(path), $"The checkpoint '{path}' ended while it was being read (it shrank, or is truncated).", e);
        }
    }

    /// <summary>How messages name a checkpoint read from a stream.</summary>
    private const string StreamName = "<stream>";

    /// <summary>The file for <see cref="CheckpointException.FilePath"/>: null for a stream.</summary>
    private static string? FileOf(string source) => ReferenceEquals(source, StreamName) ? null : source;

    private static Contents ReadStream(Stream stream)
    {
        if (!stream.CanRead) throw new ArgumentException("The stream cannot be read; loading a checkpoint needs a readable stream.", nameof(stream));
        if (!stream.CanSeek)
        {
            var copy = new MemoryStream();
            stream.CopyTo(copy);
            copy.Position = 0;
            stream = copy;
        }
        try
        {
            return Read(new Reader(stream, StreamName));
        }
        catch (EndOfStreamException e)
        {
            throw new CheckpointException(null, "The checkpoint stream ended while it was being read (it shrank, or is truncated).", e);
        }
    }

    private static Contents Read(Reader r)
    {
        string path = r.Path;
        if (r.Length < Magic.Length)
            throw new CheckpointException(FileOf(path),
                $"'{path}' is not an RnnGen checkpoint: it holds {r.Length} byte(s), fewer than the {Magic.Length}-byte header \"RNNGCKPT\".");
        Span<byte> magic = stackalloc byte[8];
        r.ReadBytes(magic, "the header");
        if (!magic.SequenceEqual(Magic))
            throw new CheckpointException(FileOf(path),
                $"'{path}' is not an RnnGen checkpoint: it starts with {Convert.ToHexString(magic)} instead of \"RNNGCKPT\".");
        uint version = r.ReadUInt32("the format version");
        if (version != FormatVersion)
            throw new CheckpointException(FileOf(path),
                $"The checkpoint '{path}' has format version {version}; this version of RnnGen reads version {FormatVersion} only.");

        string signature = r.ReadString("the network signature");
        uint tensorCount = r.ReadUInt32("the tensor count");
        // Each tensor entry takes at least 12 bytes (name length, offset, rank).
        if (tensorCount > r.Remaining / 12)
            throw r.Corrupt($"it declares {tensorCount} tensors, more than the file could hold");
        var tensors = new List<(string, int, int[])>((int)tensorCount);
        for (int i = 0; i < tensorCount; i++)
        {
            string name = r.ReadString($"the name of tensor {i}");
            int offset = r.ReadInt32($"the offset of tensor '{name}'");
            uint rank = r.ReadUInt32($"the rank of tensor '{name}'");
            if (offset < 0) throw r.Corrupt($"tensor '{name}' has the negative offset {offset}");
            if (rank > MaxRank) throw r.Corrupt($"tensor '{name}' has rank {rank} (at most {MaxRank} is supported)");
            var shape = new int[rank];
            for (int d = 0; d < shape.Length; d++)
            {
                shape[d] = r.ReadInt32($"dimension {d} of tensor '{name}'");
                if (shape[d] <= 0) throw r.Corrupt($"tensor '{name}' has the dimension {shape[d]}");
            }
            tensors.Add((name, offset, shape));
        }

        int parameterCount = r.ReadInt32("the parameter count");
        float[] parameters = r.ReadFloats(parameterCount, "the parameters");

        Span<byte> flag = stackalloc byte[1];
        r.ReadBytes(flag, "the optimizer flag");
        string? kind = null;
        long stepCount = 0;
        double learningRate = 0;
        var state = new List<(string, float[])>();
        if (flag[0] == 1)
        {
            kind = r.ReadString("the optimizer kind");
            stepCount = r.ReadInt64("the optimizer step count");
            learningRate = r.ReadDouble("the learning rate");
            uint stateCount = r.ReadUInt32("the optimizer state count");
            if (stateCount > MaxStateTensors) throw r.Corrupt($"it declares {stateCount} optimizer state tensors (at most {MaxStateTensors})");
            for (int i = 0; i < stateCount; i++)
            {
                string name = r.ReadString($"the name of optimizer state tensor {i}");
                int count = r.ReadInt32($"the length of optimizer state '{name}'");
                state.Add((name, r.ReadFloats(count, $"optimizer state '{name}'")));
            }
        }
        else if (flag[0] != 0)
        {
            throw r.Corrupt($"the optimizer flag is {flag[0]} (0 or 1 expected)");
        }

        uint computed = r.Crc;
        uint stored = r.ReadUInt32("the checksum");
        if (stored != computed)
            throw new CheckpointException(FileOf(path),
                $"The checkpoint '{path}' is corrupted: its CRC-32C checksum is {stored:X8} but its contents give {computed:X8}.");
        if (r.Remaining != 0)
            throw new CheckpointException(FileOf(path),
                $"The checkpoint '{path}' is corrupted: {r.Remaining} unexpected byte(s) follow the checksum.");
        if (stepCount < 0)
            throw new CheckpointException(FileOf(path), $"The checkpoint '{path}' holds the negative step count {stepCount}.");

        var descriptors = new List<TensorDescriptor>(tensors.Count);
        foreach ((string name, int offset, int[] shape) in tensors)
        {
            long length = 1;
            foreach (int d in shape) length *= d;
            if (name.Length == 0 || offset + length > parameters.Length)
                throw new CheckpointException(FileOf(path),
                    $"The checkpoint '{path}' is inconsistent: tensor '{name}' [{string.Join(", ", shape)}] at offset {offset} does not fit in its {parameters.Length} parameters.");
            descriptors.Add(new TensorDescriptor(name, offset, shape));
        }
        var stateNames = new List<string>(state.Count);
        foreach ((string name, _) in state) stateNames.Add(name);

        return new Contents
        {
            Info = new CheckpointInfo((int)version, signature, descriptors, parameters.Length, kind, stepCount,
                                      kind is null ? null : learningRate, stateNames),
            Signature = signature,
            Tensors = tensors,
            Parameters = parameters,
            OptimizerKind = kind,
            StepCount = stepCount,
            LearningRate = learningRate,
            State = state,
        };
    }

    private static void CheckTensorTable(string path, Contents file, IRecurrentNetwork network)
    {
        IReadOnlyList<TensorDescriptor> expected = network.Tensors;
        if (file.Tensors.Count != expected.Count)
            throw new CheckpointException(FileOf(path),
                $"The checkpoint '{path}' holds {file.Tensors.Count} tensors but the network has {expected.Count}, although both have the signature '{network.Signature}'.");
        for (int i = 0; i < expected.Count; i++)
        {
            (string name, int offset, int[] shape) = file.Tensors[i];
            TensorDescriptor t = expected[i];
            bool same = string.Equals(name, t.Name, StringComparison.Ordinal) && offset == t.Offset && shape.Length == t.Shape.Count;
            for (int d = 0; same && d < shape.Length; d++) same = shape[d] == t.Shape[d];
            if (!same)
                throw new CheckpointException(FileOf(path),
                    $"The checkpoint '{path}' has tensor {i} as '{name}' [{string.Join(", ", shape)}] @ {offset}, but the network has {t}.");
        }
    }

    /// <summary>Reads little-endian values, checks every length against the bytes left, and keeps the CRC-32C of everything read.</summary>
    private sealed class Reader(Stream stream, string path)
    {
        private long _position;

        public string Path { get; } = path;
        public long Length { get; } = stream.Length - stream.Position;
        public long Remaining => Length - _position;
        public uint Crc { get; private set; }

        public CheckpointException Corrupt(string what) =>
            new(FileOf(Path), $"The checkpoint '{Path}' is corrupted: {what}.");

        public void ReadBytes(Span<byte> destination, string what)
        {
            if (destination.Length > Remaining)
                throw new CheckpointException(FileOf(Path),
                    $"The checkpoint '{Path}' is truncated: it ends at byte {Length}, but {what} needs {destination.Length} byte(s) from byte {_position}.");
            stream.ReadExactly(destination);
            Crc = Crc32C.Append(Crc, destination);
            _position += destination.Length;
        }

        public uint ReadUInt32(string what)
        {
            Span<byte> b = stackalloc byte[4];
            ReadBytes(b, what);
            return BinaryPrimitives.ReadUInt32LittleEndian(b);
        }

        public int ReadInt32(string what)
        {
            Span<byte> b = stackalloc byte[4];
            ReadBytes(b, what);
            return BinaryPrimitives.ReadInt32LittleEndian(b);
        }

        public long ReadInt64(string what)
        {
            Span<byte> b = stackalloc byte[8];
            ReadBytes(b, what);
            return BinaryPrimitives.ReadInt64LittleEndian(b);
        }

        public double ReadDouble(string what)
        {
            Span<byte> b = stackalloc byte[8];
            ReadBytes(b, what);
            return BinaryPrimitives.ReadDoubleLittleEndian(b);
        }

        public string ReadString(string what)
        {
            uint length = ReadUInt32($"the length of {what}");
            if (length > MaxStringBytes) throw Corrupt($"{what} is declared {length} bytes long (at most {MaxStringBytes})");
            if (length > Remaining)
                throw new CheckpointException(FileOf(Path),
                    $"The checkpoint '{Path}' is truncated: it ends at byte {Length}, but {what} needs {length} byte(s) from byte {_position}.");
            var bytes = new byte[length];
            ReadBytes(bytes, what);
            try
            {
                return StrictUtf8.GetString(bytes);
            }
            catch (DecoderFallbackException e)
            {
                throw new CheckpointException(FileOf(Path), $"The checkpoint '{Path}' is corrupted: {what} is not valid UTF-8.", e);
            }
        }

        public float[] ReadFloats(int count, string what)
        {
            if (count < 0) throw Corrupt($"{what} has the negative length {count}");
            if ((long)count * sizeof(float) > Remaining)
                throw new CheckpointException(FileOf(Path),
                    $"The checkpoint '{Path}' is truncated: it ends at byte {Length}, but {what} need {(long)count * sizeof(float)} byte(s) from byte {_position}.");
            var values = new float[count];
            ReadBytes(MemoryMarshal.AsBytes(values.AsSpan()), what);
            if (!BitConverter.IsLittleEndian)
            {
                Span<int> ints = MemoryMarshal.Cast<float, int>(values.AsSpan());
                BinaryPrimitives.ReverseEndianness(ints, ints);
            }
            return values;
        }
    }
}

/// <summary>What a checkpoint file holds, as returned by <see cref="Checkpoint.Load(string, IRecurrentNetwork, Optimizer?)"/> and <see cref="Checkpoint.ReadInfo(string)"/>.</summary>
public sealed class CheckpointInfo
{
    internal CheckpointInfo(int formatVersion, string signature, IReadOnlyList<TensorDescriptor> tensors, int parameterCount,
                            string? optimizerKind, long stepCount, double? learningRate, IReadOnlyList<string> optimizerStateNames)
    {
        FormatVersion = formatVersion;
        Signature = signature;
        Tensors = tensors;
        ParameterCount = parameterCount;
        OptimizerKind = optimizerKind;
        StepCount = stepCount;
        LearningRate = learningRate;
        OptimizerStateNames = optimizerStateNames;
    }

    /// <summary>The file's format version.</summary>
    public int FormatVersion { get; }

    /// <summary>The signature of the network the checkpoint was saved from.</summary>
    public string Signature { get; }

    /// <summary>The saved tensor table: names, offsets and shapes.</summary>
    public IReadOnlyList<TensorDescriptor> Tensors { get; }

    /// <summary>Number of parameters saved.</summary>
    public int ParameterCount { get; }

    /// <summary>The optimizer's <see cref="Optimizer.Kind"/>, or null when no optimizer state was saved.</summary>
    public string? OptimizerKind { get; }

    /// <summary>The optimizer's step count when saved (0 without optimizer state).</summary>
    public long StepCount { get; }

    /// <summary>The optimizer's learning rate when saved, or null without optimizer state.</summary>
    public double? LearningRate { get; }

    /// <summary>Names of the saved optimizer state tensors (empty before the optimizer's first step or without optimizer).</summary>
    public IReadOnlyList<string> OptimizerStateNames { get; }
}
