using System;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;
using RnnGen.Generator.Emit;
using RnnGen.Generator.Parsing;
using RnnGen.Generator.Planning;
using RnnGen.Generator.Validation;

namespace RnnGen.Generator;

/// <summary>
/// Generates forward, backward and parameter layout for every class marked with
/// <c>[RnnGen.RecurrentNetwork]</c>. Each stage yields equatable models, so an unrelated edit
/// stops the pipeline at the first unchanged model.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class RecurrentNetworkGenerator : IIncrementalGenerator
{
    public const string AttributeName = "RnnGen.RecurrentNetworkAttribute";
    public const string EncoderAttributeName = "RnnGen.EncoderAttribute";
    public const string DecoderAttributeName = "RnnGen.DecoderAttribute";

    /// <summary>Tracking names of the pipeline steps, for caching tests.</summary>
    public static class Steps
    {
        public const string Declarations = "RnnGen.Declarations";
        public const string Specs = "RnnGen.Specs";
        public const string Plans = "RnnGen.Plans";
        public const string Sources = "RnnGen.Sources";
        public const string Diagnostics = "RnnGen.Diagnostics";
        public const string Seq2SeqDeclarations = "RnnGen.Seq2SeqDeclarations";
        public const string Seq2SeqSpecs = "RnnGen.Seq2SeqSpecs";
        public const string Seq2SeqPlans = "RnnGen.Seq2SeqPlans";
        public const string Seq2SeqSources = "RnnGen.Seq2SeqSources";
    }

    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        // Parsing + validation: one declaration per annotated class, holding either a valid spec
        // or the diagnostics (with locations) explaining why there is none.
        IncrementalValuesProvider<NetworkDeclaration> declarations = context.SyntaxProvider
            .ForAttributeWithMetadataName(AttributeName,
                static (node, _) => node is TypeDeclarationSyntax,
                static (ctx, ct) => ParseAndValidate(ctx, ct))
            .Where(static d => d is not null)
            .Select(static (d, _) => d!)
            .WithTrackingName(Steps.Declarations);

        // Diagnostics are reported on their own, so the specs below carry no locations and stay
        // cached when code above a declaration moves.
        IncrementalValuesProvider<DiagnosticInfo> diagnostics = declarations
            .SelectMany(static (d, _) => d.Diagnostics)
            .WithTrackingName(Steps.Diagnostics);
        context.RegisterSourceOutput(diagnostics, static (spc, d) => spc.ReportDiagnostic(d.ToDiagnostic()));

        // Valid specs only: the shape numbers and where the class lives.
        IncrementalValuesProvider<NetworkSpec> specs = declarations
            .Where(static d => d.Spec is not null)
            .Select(static (d, _) => d.Spec!)
            .WithTrackingName(Steps.Specs);

        // Planning: parameter table with offsets, per-layer sizes, FLOP counts.
        IncrementalValuesProvider<NetworkPlan> plans = specs
            .Select(static (spec, _) => NetworkPlanner.Plan(spec))
            .WithTrackingName(Steps.Plans);

        // Emit: one file per network. A hint name may not contain '@', which escaped keyword
        // identifiers carry (namespace @event → event.Net.g.cs).
        IncrementalValuesProvider<(string HintName, string Source)> sources = plans
            .Select(static (plan, _) => (NetworkEmitter.HintName(plan).Replace("@", ""), NetworkEmitter.Emit(plan)))
            .WithTrackingName(Steps.Sources);
        // Sequence to sequence: [Encoder] + [Decoder] on one class. The declaration is read at the
        // [Encoder]; a [Decoder] alone only yields its diagnostic.
        IncrementalValuesProvider<Seq2SeqDeclaration> seq2seqDeclarations = context.SyntaxProvider
            .ForAttributeWithMetadataName(EncoderAttributeName,
                static (node, _) => node is TypeDeclarationSyntax,
                static (ctx, ct) => ParseSeq2Seq(ctx, ct))
            .Where(static d => d is not null)
            .Select(static (d, _) => d!)
            .WithTrackingName(Steps.Seq2SeqDeclarations);
        IncrementalValuesProvider<Seq2SeqDeclaration> decodersAlone = context.SyntaxProvider
            .ForAttributeWithMetadataName(DecoderAttributeName,
                static (node, _) => node is TypeDeclarationSyntax,
                static (ctx, ct) => ParseDecoderAlone(ctx, ct))
            .Where(static d => d is not null)
            .Select(static (d, _) => d!);
        context.RegisterSourceOutput(seq2seqDeclarations.SelectMany(static (d, _) => d.Diagnostics), static (spc, d) => spc.ReportDiagnostic(d.ToDiagnostic()));
        context.RegisterSourceOutput(decodersAlone.SelectMany(static (d, _) => d.Diagnostics), static (spc, d) => spc.ReportDiagnostic(d.ToDiagnostic()));
        IncrementalValuesProvider<(string HintName, string Source)> seq2seqSources = seq2seqDeclarations
            .Where(static d => d.Spec is not null)
            .Select(static (d, _) => d.Spec!)
            .WithTrackingName(Steps.Seq2SeqSpecs)
            .Select(static (spec, _) => Seq2SeqPlanner.Plan(spec))
            .WithTrackingName(Steps.Seq2SeqPlans)
            .Select(static (plan, _) => (Seq2SeqEmitter.HintName(plan).Replace("@", ""), Seq2SeqEmitter.Emit(plan)))
            .WithTrackingName(Steps.Seq2SeqSources);

        // Files are added together so that hint names can be made unique: they are compared
        // without regard to case, and networks Net and NET in one namespace must not collide.
        // Each network's text above stays cached on its own.
        context.RegisterSourceOutput(sources.Collect().Combine(seq2seqSources.Collect()),
            static (spc, all) => AddSources(spc, all.Left.AddRange(all.Right)));
    }

    private static Seq2SeqDeclaration? ParseSeq2Seq(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        try
        {
            RawDeclaration? encoder = DeclarationParser.Parse(context, cancellationToken);
            if (encoder is null || context.TargetSymbol is not INamedTypeSymbol type) return null;
            RawDeclaration? decoder = null;
            AttributeData? decoderAttribute = null;
            int decoderCount = 0;
            foreach (AttributeData a in type.GetAttributes())
            {
                if (a.AttributeClass?.ToDisplayString() != DecoderAttributeName) continue;
                decoderAttribute ??= a;
                decoderCount++;
            }
            if (decoderAttribute is not null)
            {
                var arguments = DeclarationParser.ReadArguments(decoderAttribute, cancellationToken);
                if (arguments is null) return null; // the compiler reports the broken argument
                decoder = encoder with
                {
                    Arguments = arguments,
                    AttributeLocation = DeclarationParser.AttributeLocation(decoderAttribute, cancellationToken) ?? encoder.AttributeLocation,
                    AttributeCount = decoderCount,
                };
            }
            return Seq2SeqValidator.Validate(encoder, decoder, DeclarationParser.HasAttribute(type, AttributeName));
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception ex)
        {
            var where = LocationInfo.From(context.TargetNode.GetLocation());
            return new Seq2SeqDeclaration(null, new[] { DiagnosticInfo.Create(DiagnosticDescriptors.InternalError, where, context.TargetSymbol.Name, ex.GetType().Name + ": " + ex.Message) }.ToEquatableArray());
        }
    }

    private static Seq2SeqDeclaration? ParseDecoderAlone(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        if (DeclarationParser.HasAttribute(context.TargetSymbol, EncoderAttributeName)) return null; // read with the encoder
        RawDeclaration? decoder = DeclarationParser.Parse(context, cancellationToken);
        return decoder is null ? null : Seq2SeqValidator.DecoderAlone(decoder);
    }

    private static void AddSources(SourceProductionContext context, System.Collections.Immutable.ImmutableArray<(string HintName, string Source)> sources)
    {
        var used = new System.Collections.Generic.HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach ((string hintName, string source) in sources)
        {
            string name = hintName;
            if (!used.Add(name))
            {
                // A second name that differs only in case: suffix a hash of the exact spelling.
                uint hash = 2166136261;
                foreach (char c in hintName) hash = unchecked((hash ^ c) * 16777619);
                name = hintName.Substring(0, hintName.Length - ".g.cs".Length) + "." + hash.ToString("x8", System.Globalization.CultureInfo.InvariantCulture) + ".g.cs";
                used.Add(name);
            }
            context.AddSource(name, SourceText.From(source, System.Text.Encoding.UTF8));
        }
    }

    private static NetworkDeclaration? ParseAndValidate(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        try
        {
            // A class with [Encoder] or [Decoder] is a sequence-to-sequence declaration: that pipeline
            // reports the conflict with [RecurrentNetwork].
            if (DeclarationParser.HasAttribute(context.TargetSymbol, EncoderAttributeName) || DeclarationParser.HasAttribute(context.TargetSymbol, DecoderAttributeName))
                return null;
            RawDeclaration? raw = DeclarationParser.Parse(context, cancellationToken);
            return raw is null ? null : SpecValidator.Validate(raw);
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception ex)
        {
            // Never throw into the compiler: report, and generate nothing for this class.
            var where = LocationInfo.From(context.TargetNode.GetLocation());
            return new NetworkDeclaration(null, new[] { DiagnosticInfo.Create(DiagnosticDescriptors.InternalError, where, context.TargetSymbol.Name, ex.GetType().Name + ": " + ex.Message) }.ToEquatableArray());
        }
    }
}
