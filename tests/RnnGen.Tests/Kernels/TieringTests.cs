using System;
using System.Linq;
using System.Reflection;
using System.Runtime.CompilerServices;
using RnnGen.Kernels;
using Xunit;

namespace RnnGen.Tests.Kernels;

/// <summary>
/// The kernels are compiled fully optimized at their first call. Under tiered compilation a method starts as
/// unoptimized tier-0 code, where every vector operation is a call: a generated network's first few hundred calls
/// ran 3–20× slower than later ones (docs/performance.md, "First calls"). A kernel added without the attribute
/// would bring that back.
/// </summary>
public class TieringTests
{
    private static readonly Type[] KernelTypes =
    [
        typeof(GemmPacked), typeof(GemmSmall), typeof(Rows), typeof(Attention), typeof(Dropout), typeof(UnitBlock),
        typeof(RecurrentPackedStep), typeof(RecurrentStep), typeof(RnnGen.Training.AdamUpdate),
    ];

    // Methods with a body of this many IL bytes or more do work worth optimizing (argument checks and dispatch are shorter).
    private const int WorkBytes = 100;

    [Fact]
    public void EveryKernelMethodWithABody_IsOptimizedAtItsFirstCall()
    {
        var rowKernels = typeof(IRowKernel).Assembly.GetTypes().Where(t => t.IsValueType && typeof(IRowKernel).IsAssignableFrom(t)).ToArray();
        Assert.NotEmpty(rowKernels);
        string[] missing = KernelTypes.Concat(rowKernels)
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .Where(m => (m.GetMethodBody()?.GetILAsByteArray()?.Length ?? 0) >= WorkBytes)
            .Where(m => (m.MethodImplementationFlags & (MethodImplAttributes.AggressiveInlining | MethodImplAttributes.AggressiveOptimization)) == 0)
            .Select(m => $"{m.DeclaringType!.Name}.{m.Name}")
            .ToArray();
        Assert.True(missing.Length == 0, "Not marked AggressiveOptimization: " + string.Join(", ", missing));
    }
}
