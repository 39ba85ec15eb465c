using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.CompilerServices;
using RnnGen.Kernels;
using Xunit;

namespace RnnGen.Tests.Kernels;

/// <summary>
/// The kernels are compiled fully optimized at their first call. Under tiered compilation a method starts as
/// unoptimized tier-0 code, where every vector operation is a call: a generated network's first few hundred calls
/// ran up to 5× slower than later ones (docs/performance.md, "First calls"). A kernel added without the mark would
/// bring that back.
/// </summary>
public class TieringTests
{
    // Every type of the kernels' namespace, and the training types that do arithmetic over whole tensors.
    private static readonly Type[] TrainingKernels =
        [typeof(RnnGen.Training.AdamUpdate), typeof(RnnGen.Training.Sgd), typeof(RnnGen.Training.GradientClipping), typeof(RnnGen.Training.SequenceLoss), typeof(RnnGen.Training.TokenSampler)];

    // Methods there that loop or are long without being kernels: they check arguments (also every Check*, get_*, set_*),
    // wait for another thread, dispatch to a kernel, or are the plain references the tests compare against (*Reference).
    // Everything else that loops, or has a body of 100 IL bytes or more (vector code without a loop), must be marked.
    private static readonly HashSet<string> NotKernels =
    [
        "RecurrentRunner.Run", "RecurrentRunner.RunTwo", "RecurrentRunner.Project", "RecurrentRunner.ProjectTwo", "RecurrentRunner.ProjectPart",
        "RecurrentRunner.Lstm", "RecurrentRunner.EnsureState",
        "Worker.WaitDone", "Worker.Arrive", "Worker.Pause", "Worker.Loop", "Worker.Post", "Worker.Stop", "Worker.TryTakeBack",
        "GemmParallel.Run", "GemmParallel.WaitDone", "GemmParallel.EnsureHelpers", "GemmParallel.Serve", "Helper.WaitDone",
        "Gemm.Columns", "Gemm.Run", "Gemm.APackedB", "Gemm.PackBt", "Gemm.PackB", "Gemm.PackedLength", "Gemm.ABt", "Gemm.AB", "Gemm.AtB",
        "PackedWeights.EnsureInput", "GemmWorkspace.Grow", "Sgd.Update",
    ];

    private static bool IsKernelCandidate(string name) =>
        !NotKernels.Contains(name) && !name.Contains("Reference") && !name.Split('.')[1].StartsWith("Check") && !name.Contains(".get_") && !name.Contains(".set_");

    private const int WorkBytes = 100;

    [Fact]
    public void EveryKernelMethodThatLoopsOrDoesVectorWork_IsOptimizedAtItsFirstCall()
    {
        Type[] types = typeof(RecurrentRunner).Assembly.GetTypes()
            .Where(t => t.Namespace == "RnnGen.Kernels" && !t.IsDefined(typeof(CompilerGeneratedAttribute)))
            .Concat(TrainingKernels)
            .ToArray();
        var checkedMethods = new List<string>();
        var missing = new List<string>();
        foreach (Type type in types)
            foreach (MethodInfo m in type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            {
                byte[]? il = m.GetMethodBody()?.GetILAsByteArray();
                if (il is null || m.IsDefined(typeof(CompilerGeneratedAttribute))) continue;
                string name = $"{type.Name}.{m.Name}";
                if (!IsKernelCandidate(name)) continue;
                if (!Loops(il) && il.Length < WorkBytes) continue;
                checkedMethods.Add(name);
                if ((m.MethodImplementationFlags & (MethodImplAttributes.AggressiveInlining | MethodImplAttributes.AggressiveOptimization)) == 0)
                    missing.Add(name);
            }
        // The scan reaches the kernels it guards (a broken scan would pass on nothing).
        Assert.Contains("GemmPacked.Kernel512", checkedMethods);
        Assert.Contains("LstmCell.Forward", checkedMethods);
        Assert.Contains("AdamUpdate.Apply", checkedMethods);
        Assert.True(missing.Count == 0, "Not marked AggressiveOptimization: " + string.Join(", ", missing.Distinct()));
    }

    [Fact]
    public void Loops_FindsBackwardBranches()
    {
        byte[] Il(string name) => typeof(TieringTests).GetMethod(name, BindingFlags.NonPublic | BindingFlags.Static)!.GetMethodBody()!.GetILAsByteArray()!;
        Assert.True(Loops(Il(nameof(SampleLoop))));
        Assert.False(Loops(Il(nameof(SampleStraight))));
    }

    private static int SampleLoop(int n)
    {
        int sum = 0;
        for (int i = 0; i < n; i++) sum += i * i;
        return sum;
    }

    private static int SampleStraight(int n) => n > 3 ? n * 2 : n + 1;

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => (OpCode)f.GetValue(null)!).ToDictionary(o => o.Value);

    // Whether the IL has a branch to an earlier offset (a loop). Walks the instructions with their operand sizes.
    private static bool Loops(byte[] il)
    {
        int pc = 0;
        while (pc < il.Length)
        {
            short value = il[pc] == 0xFE ? (short)(0xFE00 | il[pc + 1]) : il[pc];
            OpCode op = OpCodesByValue[value];
            pc += op.Size;
            int next;
            switch (op.OperandType)
            {
                case OperandType.ShortInlineBrTarget:
                    next = pc + 1;
                    if (next + (sbyte)il[pc] < next) return true;
                    pc = next;
                    break;
                case OperandType.InlineBrTarget:
                    next = pc + 4;
                    if (next + BitConverter.ToInt32(il, pc) < next) return true;
                    pc = next;
                    break;
                case OperandType.InlineSwitch:
                    int count = BitConverter.ToInt32(il, pc);
                    next = pc + 4 + 4 * count;
                    for (int i = 0; i < count; i++)
                        if (next + BitConverter.ToInt32(il, pc + 4 + 4 * i) < next) return true;
                    pc = next;
                    break;
                case OperandType.InlineNone: break;
                case OperandType.ShortInlineI: case OperandType.ShortInlineVar: pc += 1; break;
                case OperandType.InlineVar: pc += 2; break;
                case OperandType.InlineI8: case OperandType.InlineR: pc += 8; break;
                default: pc += 4; break;
            }
        }
        return false;
    }
}
