using Microsoft.CodeAnalysis;

namespace RnnGen.Generator.Benchmarks;

/// <summary>
/// The least an attribute-driven incremental generator can do: find the same classes as RnnGen
/// with ForAttributeWithMetadataName, keep only the class name (an equatable string), and write a
/// one-line file for each. Its cost is Roslyn's own, the floor under RnnGen's figures.
/// </summary>
[Generator(LanguageNames.CSharp)]
internal sealed class BaselineGenerator : IIncrementalGenerator
{
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        IncrementalValuesProvider<string> names = context.SyntaxProvider.ForAttributeWithMetadataName(
            RecurrentNetworkGenerator.AttributeName,
            static (node, _) => node is Microsoft.CodeAnalysis.CSharp.Syntax.ClassDeclarationSyntax,
            static (ctx, _) => ctx.TargetSymbol.ToDisplayString());
        context.RegisterSourceOutput(names, static (spc, name) => spc.AddSource(name + ".g.cs", "// " + name + "\n"));
    }
}
