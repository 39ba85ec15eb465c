using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using RnnGen.Generator.Validation;

namespace RnnGen.Generator.Parsing;

/// <summary>One attribute argument as written: its constant value and where it stands.</summary>
internal sealed record RawArgument(string Name, object? Value, LocationInfo? Location);

/// <summary>
/// The attribute as written on one class, before validation: raw argument values with their
/// locations and the facts about the class that validation needs.
/// </summary>
internal sealed record RawDeclaration(
    string Namespace,
    string ClassName,
    LocationInfo? ClassLocation,
    LocationInfo? AttributeLocation,
    bool IsPartial,
    bool IsGeneric,
    string? TypeKindProblem,
    IReadOnlyList<(string Name, bool IsPartial, LocationInfo? Location)> ContainingTypes,
    IReadOnlyList<string> ContainingTypeDeclarations,
    int AttributeCount,
    IReadOnlyDictionary<string, RawArgument> Arguments);

/// <summary>Reads the attribute and class shape from the semantic model (parsing stage).</summary>
internal static class DeclarationParser
{
    public const string CellArgument = "Cell";

    /// <summary>Returns null when the attribute itself is broken: the compiler reports that already.</summary>
    public static RawDeclaration? Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        if (context.TargetSymbol is not INamedTypeSymbol type || context.TargetNode is not TypeDeclarationSyntax syntax) return null;
        if (context.Attributes.Length == 0) return null;
        AttributeData attribute = context.Attributes[0];
        if (attribute.AttributeConstructor is null || attribute.ConstructorArguments.Any(a => a.Kind == TypedConstantKind.Error)
            || attribute.NamedArguments.Any(a => a.Value.Kind == TypedConstantKind.Error))
            return null;

        var arguments = new Dictionary<string, RawArgument>(StringComparer.Ordinal);
        var attributeSyntax = attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) as AttributeSyntax;
        var argumentSyntax = attributeSyntax?.ArgumentList?.Arguments ?? default;
        if (attribute.ConstructorArguments.Length > 0)
        {
            LocationInfo? where = argumentSyntax.FirstOrDefault(a => a.NameEquals is null && a.NameColon is null)?.GetLocation() is { } l ? LocationInfo.From(l) : null;
            arguments[CellArgument] = new RawArgument(CellArgument, attribute.ConstructorArguments[0].Value, where ?? LocationInfo.From(attributeSyntax?.GetLocation()));
        }
        foreach (KeyValuePair<string, TypedConstant> named in attribute.NamedArguments)
        {
            AttributeArgumentSyntax? written = argumentSyntax.FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == named.Key);
            arguments[named.Key] = new RawArgument(named.Key, named.Value.Value, LocationInfo.From((written ?? (SyntaxNode?)attributeSyntax)?.GetLocation()));
        }

        var containing = new List<(string, bool, LocationInfo?)>();
        var declarations = new List<string>();
        bool generic = type.IsGenericType;
        for (INamedTypeSymbol? outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
        {
            generic |= outer.IsGenericType;
            var outerSyntax = outer.DeclaringSyntaxReferences.Select(r => r.GetSyntax(cancellationToken)).OfType<TypeDeclarationSyntax>().ToList();
            bool partial = outerSyntax.Count > 0 && outerSyntax.All(s => s.Modifiers.Any(SyntaxKind.PartialKeyword));
            containing.Insert(0, (outer.Name, partial, LocationInfo.From(outer.Locations.FirstOrDefault())));
            declarations.Insert(0, "partial " + TypeKeyword(outer) + " " + outer.Name);
        }

        string? kindProblem = type.IsStatic ? "a static class" : type.IsRecord ? "a record" : null;
        return new RawDeclaration(
            type.ContainingNamespace is { IsGlobalNamespace: false } ns ? ns.ToDisplayString() : "",
            type.Name,
            LocationInfo.From(syntax.Identifier.GetLocation()),
            LocationInfo.From(attributeSyntax?.GetLocation() ?? syntax.Identifier.GetLocation()),
            syntax.Modifiers.Any(SyntaxKind.PartialKeyword),
            generic,
            kindProblem,
            containing,
            declarations,
            context.Attributes.Length,
            arguments);
    }

    private static string TypeKeyword(INamedTypeSymbol type) => type switch
    {
        { IsRecord: true, TypeKind: TypeKind.Struct } => "record struct",
        { IsRecord: true } => "record",
        { TypeKind: TypeKind.Struct } => "struct",
        { TypeKind: TypeKind.Interface } => "interface",
        _ => "class",
    };
}
