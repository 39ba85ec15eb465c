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
    string ClassIdentifier,
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
        => context.Attributes.Length == 0 ? null : Parse(context, context.Attributes[0], cancellationToken);

    /// <summary>
    /// The class facts and the arguments of <paramref name="attribute"/> (one of the attributes on
    /// the class); null when the attribute itself is broken.
    /// </summary>
    public static RawDeclaration? Parse(GeneratorAttributeSyntaxContext context, AttributeData attribute, CancellationToken cancellationToken)
    {
        if (context.TargetSymbol is not INamedTypeSymbol type || context.TargetNode is not TypeDeclarationSyntax syntax) return null;
        // On a struct or an interface the compiler reports CS0592 (the attribute is for classes only);
        // generating a 'partial class' there would only add a second error.
        if (type.TypeKind != TypeKind.Class) return null;
        var arguments = ReadArguments(attribute, cancellationToken);
        if (arguments is null) return null;
        var attributeSyntax = attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) as AttributeSyntax;

        var containing = new List<(string, bool, LocationInfo?)>();
        var declarations = new List<string>();
        bool generic = type.IsGenericType;
        for (INamedTypeSymbol? outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
        {
            generic |= outer.IsGenericType;
            var outerSyntax = outer.DeclaringSyntaxReferences.Select(r => r.GetSyntax(cancellationToken)).OfType<TypeDeclarationSyntax>().ToList();
            bool partial = outerSyntax.Count > 0 && outerSyntax.All(s => s.Modifiers.Any(SyntaxKind.PartialKeyword));
            containing.Insert(0, (outer.Name, partial, LocationInfo.From(outer.Locations.FirstOrDefault())));
            declarations.Insert(0, "partial " + TypeKeyword(outer) + " " + Identifier(outer.Name));
        }

        // Kinds of class the generated half cannot complete: it adds instance members and
        // constructors (not static, not abstract, no primary constructor) to the same type (not
        // file-local, which would make the generated 'partial class' a different type).
        string? kindProblem = type.IsStatic ? "a static class"
            : type.IsRecord ? "a record"
            : type.IsAbstract ? "an abstract class"
            : type.IsFileLocal ? "a file-local class"
            : HasPrimaryConstructor(type, cancellationToken) ? "a class with a primary constructor"
            : null;

        // Attributes on every part of a partial class: the compiler reports a duplicate on another
        // part (CS0579), but each part would otherwise yield its own spec and the same file twice.
        int attributeCount = Math.Max(context.Attributes.Length,
            type.GetAttributes().Count(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, attribute.AttributeClass)));

        return new RawDeclaration(
            NamespaceName(type.ContainingNamespace),
            type.Name,
            Identifier(type.Name),
            LocationInfo.From(syntax.Identifier.GetLocation()),
            LocationInfo.From(attributeSyntax?.GetLocation() ?? syntax.Identifier.GetLocation()),
            syntax.Modifiers.Any(SyntaxKind.PartialKeyword),
            generic,
            kindProblem,
            containing,
            declarations,
            attributeCount,
            arguments);
    }

    /// <summary>
    /// The constructor argument (as <see cref="CellArgument"/>) and named arguments of one attribute,
    /// each with the location of its syntax; null when an argument has an error (the compiler reports it).
    /// </summary>
    public static Dictionary<string, RawArgument>? ReadArguments(AttributeData attribute, CancellationToken cancellationToken)
    {
        if (attribute.AttributeConstructor is null || attribute.ConstructorArguments.Any(a => a.Kind == TypedConstantKind.Error)
            || attribute.NamedArguments.Any(a => a.Value.Kind == TypedConstantKind.Error))
            return null;
        var arguments = new Dictionary<string, RawArgument>(StringComparer.Ordinal);
        var attributeSyntax = attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) as AttributeSyntax;
        var argumentSyntax = attributeSyntax?.ArgumentList?.Arguments ?? default;
        if (attribute.ConstructorArguments.Length > 0)
        {
            // The one constructor argument, written positionally or as 'cell: ...'.
            LocationInfo? where = argumentSyntax.FirstOrDefault(a => a.NameEquals is null)?.GetLocation() is { } l ? LocationInfo.From(l) : null;
            arguments[CellArgument] = new RawArgument(CellArgument, attribute.ConstructorArguments[0].Value, where ?? LocationInfo.From(attributeSyntax?.GetLocation()));
        }
        foreach (KeyValuePair<string, TypedConstant> named in attribute.NamedArguments)
        {
            AttributeArgumentSyntax? written = argumentSyntax.FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == named.Key);
            arguments[named.Key] = new RawArgument(named.Key, named.Value.Value, LocationInfo.From((written ?? (SyntaxNode?)attributeSyntax)?.GetLocation()));
        }
        return arguments;
    }

    /// <summary>Where an attribute is written (its syntax), for diagnostics about the attribute as a whole.</summary>
    public static LocationInfo? AttributeLocation(AttributeData attribute, CancellationToken cancellationToken)
        => LocationInfo.From(attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken).GetLocation());

    /// <summary>True when <paramref name="type"/> carries an attribute of the given full metadata name.</summary>
    public static bool HasAttribute(ISymbol type, string fullName)
        => type.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == fullName);

    /// <summary>A name as C# source spells it: reserved keywords get '@' (class @event).</summary>
    private static string Identifier(string name) => SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None ? "@" + name : name;

    private static string NamespaceName(INamespaceSymbol? ns)
    {
        var parts = new List<string>();
        for (; ns is { IsGlobalNamespace: false }; ns = ns.ContainingNamespace) parts.Insert(0, Identifier(ns.Name));
        return string.Join(".", parts);
    }

    private static bool HasPrimaryConstructor(INamedTypeSymbol type, CancellationToken cancellationToken)
        => type.DeclaringSyntaxReferences.Any(r => r.GetSyntax(cancellationToken) is ClassDeclarationSyntax { ParameterList: not null });

    private static string TypeKeyword(INamedTypeSymbol type) => type switch
    {
        { IsRecord: true, TypeKind: TypeKind.Struct } => "record struct",
        { IsRecord: true } => "record",
        { TypeKind: TypeKind.Struct } => "struct",
        { TypeKind: TypeKind.Interface } => "interface",
        _ => "class",
    };
}
