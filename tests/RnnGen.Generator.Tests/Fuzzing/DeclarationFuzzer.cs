using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace RnnGen.Generator.Tests.Fuzzing;

/// <summary>One random declaration and what the rules say must come of it.</summary>
public sealed class FuzzCase
{
    public required int Index { get; init; }
    public required string Source { get; init; }

    /// <summary>The file this case is compiled as.</summary>
    public string FileName => "Case" + Index.ToString(CultureInfo.InvariantCulture) + ".cs";

    /// <summary>The generated file's hint name, if the network is generated.</summary>
    public required string HintName { get; init; }

    /// <summary>
    /// False when the attribute itself is not valid C# (wrong types, non-constants, unknown or
    /// repeated arguments): the compiler's error then explains the case, and whether the generator
    /// still reads the attribute is incidental.
    /// </summary>
    public required bool AttributeIsWellFormed { get; init; }

    /// <summary>Our diagnostics, sorted, when <see cref="AttributeIsWellFormed"/>.</summary>
    public required IReadOnlyList<string> ExpectedIds { get; init; }

    /// <summary>Whether the compiler must report an error in the case's own file.</summary>
    public required bool ExpectCompilerError { get; init; }

    /// <summary>When the attribute is well formed: a source must be generated exactly when this is true.</summary>
    public bool ExpectGenerated => AttributeIsWellFormed && ExpectedIds.Count == 0 && TargetIsClass;

    public required bool TargetIsClass { get; init; }
}

/// <summary>
/// Writes random <c>[RecurrentNetwork]</c> declarations: sizes that are valid, zero, negative,
/// huge or at the limits, written as literals, hex, constants, casts, chars and expressions;
/// wrong types and non-constants; missing, repeated and unknown arguments; nested, generic,
/// static, abstract, record, file-local and primary-constructor classes; structs, interfaces and
/// methods as targets; file-scoped, block and global namespaces; stray syntax errors.
/// Alongside, an oracle written from the rules in docs/diagnostics.md (not from the validator's
/// code) predicts the RNNG diagnostics of each case.
/// </summary>
public static class DeclarationFuzzer
{
    private const int MaxSize = 65_536, MaxLayers = 64, MaxOutput = 1_048_576, MaxVocabulary = 16_777_216;
    private const long MaxParameters = 0x7FFFFFC7;

    private static readonly string[] CellNames = { "Rnn", "Lstm", "Gru" };
    private static readonly string[] DirectionNames = { "Forward", "Bidirectional" };
    private static readonly string[] NonlinearityNames = { "Tanh", "Relu" };
    private static readonly string[] LayoutNames = { "BatchFirst", "TimeMajor" };
    private static readonly string[] AttributeSpellings = { "RecurrentNetwork", "RecurrentNetworkAttribute", "RnnGen.RecurrentNetwork", "global::RnnGen.RecurrentNetworkAttribute" };
    private static readonly string[] OuterKinds = { "class", "struct", "record", "record struct", "interface", "static class" };
    private static readonly string[] WrongTypedValues = { "\"7\"", "1.5", "7L", "true", "null", "7u", "2.5f", "System.Environment.ProcessorCount", "int.MaxValue + 1", "typeof(int)" };

    private static string I(long v) => v.ToString(CultureInfo.InvariantCulture);

    public static FuzzCase Create(int index, Random r)
    {
        var ids = new List<string>();
        bool wellFormed = true, compilerError = false;
        var constants = new List<string>();
        string n = I(index);

        // ── where the class lives ──
        var text = new StringBuilder("using RnnGen;\n");
        int nsKind = r.Next(10);
        string ns = nsKind == 0 ? "" : "Fuzz.N" + n;
        bool blockNamespace = nsKind >= 6;
        if (nsKind != 0) text.Append(blockNamespace ? $"namespace {ns}\n{{\n" : $"namespace {ns};\n");

        int outerCount = r.Next(10) < 6 ? 0 : r.Next(4) == 0 ? 2 : 1;
        var outerNames = new List<string>();
        bool anyGeneric = false;
        for (int j = 0; j < outerCount; j++)
        {
            string kind = OuterKinds[r.Next(OuterKinds.Length)];
            bool outerPartial = r.Next(12) != 0;
            bool generic = r.Next(15) == 0;
            string name = $"Outer{n}x{j}";
            outerNames.Add(name);
            if (!outerPartial) ids.Add("RNNG0005");
            anyGeneric |= generic;
            string modifiers = kind == "static class" ? "static " : "";
            string keyword = kind == "static class" ? "class" : kind;
            text.Append($"public {modifiers}{(outerPartial ? "partial " : "")}{keyword} {name}{(generic ? $"<T{j}>" : "")}\n{{\n");
        }

        // ── the target: usually a class, sometimes something the attribute is not for ──
        int targetRoll = r.Next(100);
        string target = targetRoll switch { 0 or 1 => "struct", 2 => "interface", 3 => "method", _ => "class" };
        bool targetIsClass = target == "class";
        if (!targetIsClass) compilerError = true; // CS0592

        string className = "Net" + n;
        string kindModifier = "";
        bool partialClass = true, genericClass = false;
        if (targetIsClass)
        {
            int k = r.Next(100);
            kindModifier = k switch
            {
                < 3 => "static",
                < 6 => "abstract",
                < 9 => "record",
                < 11 when outerCount == 0 => "file",
                < 13 => "primary",
                < 16 => "sealed",
                _ => "",
            };
            partialClass = r.Next(14) != 0;
            genericClass = r.Next(25) == 0;
            if (kindModifier is "static" or "abstract" or "record" or "file" or "primary") ids.Add("RNNG0010");
            if (!partialClass) ids.Add("RNNG0004");
            if (genericClass || anyGeneric) ids.Add("RNNG0006");
        }

        // ── the attribute ──
        var arguments = new List<string>();
        int cell = 0;
        bool cellValid = true;
        int cellRoll = r.Next(100);
        if (cellRoll < 2)
        {
            wellFormed = false; compilerError = true; // no constructor argument: CS7036
        }
        else
        {
            string cellText;
            if (cellRoll < 4)
            {
                cellText = "1"; wellFormed = false; compilerError = true; // int is not a CellKind: CS1503
            }
            else
            {
                (cellText, cell, cellValid) = EnumArgument(r, "CellKind", CellNames);
                if (cellText.Length == 0) { wellFormed = false; compilerError = true; cellText = "\"Lstm\""; }
            }
            if (r.Next(5) == 0) cellText = "cell: " + cellText;
            arguments.Add(cellText);
        }
        if (!cellValid) { ids.Add("RNNG0011"); cell = 0; } // an undefined cell is reported, then taken as the default (Rnn)

        var named = new List<string>();
        long? Size(string name, int includePercent, string profile)
        {
            if (r.Next(100) >= includePercent) return null;
            if (r.Next(100) < 3)
            {
                string wrong = WrongTypedValues[r.Next(WrongTypedValues.Length)];
                named.Add($"{name} = {wrong}");
                wellFormed = false; compilerError = true;
                return null;
            }
            int value = PickSize(r, profile);
            named.Add($"{name} = {IntExpression(r, value, constants, n)}");
            return value;
        }

        long? input = Size("InputSize", 95, "size");
        long? hidden = Size("HiddenSize", 95, "size");
        long? layers = Size("Layers", 40, "layers");
        long? vocabulary = Size("VocabularySize", 30, "vocabulary");
        long? output = Size("OutputSize", 35, "output");
        int direction = 0;
        if (r.Next(100) < 40)
        {
            (string t, int v, bool ok) = EnumArgument(r, "Direction", DirectionNames);
            if (t.Length == 0) { wellFormed = false; compilerError = true; t = "1"; }
            named.Add("Direction = " + t);
            if (!ok) ids.Add("RNNG0011"); else direction = v;
        }
        bool hasNonlinearity = r.Next(100) < (cell == 0 ? 40 : 12);
        if (hasNonlinearity)
        {
            (string t, _, bool ok) = EnumArgument(r, "Nonlinearity", NonlinearityNames);
            if (t.Length == 0) { wellFormed = false; compilerError = true; t = "1"; }
            named.Add("Nonlinearity = " + t);
            if (!ok) ids.Add("RNNG0011");
            if (cell != 0) ids.Add("RNNG0007");
        }
        if (r.Next(100) < 25)
        {
            // Any cell and shape can take either layout: only an undefined value is an error.
            (string t, _, bool ok) = EnumArgument(r, "SequenceLayout", LayoutNames);
            if (t.Length == 0) { wellFormed = false; compilerError = true; t = "1"; }
            named.Add("Layout = " + t);
            if (!ok) ids.Add("RNNG0011");
        }
        int extra = r.Next(100);
        if (extra < 3) { named.Add(r.Next(2) == 0 ? "Dropout = 0.5" : "Bias = false"); wellFormed = false; compilerError = true; }
        else if (extra < 4 && named.Any(a => a.StartsWith("HiddenSize ", StringComparison.Ordinal))) { named.Add("HiddenSize = 3"); wellFormed = false; compilerError = true; } // repeated: CS0643
        else if (extra < 5) { named.Add("Cell = CellKind.Gru"); wellFormed = false; compilerError = true; } // read-only: CS0617
        Shuffle(r, named);
        arguments.AddRange(named);

        // A second attribute: CS0579 from the compiler, RNNG0008 from us (reading the first one).
        bool duplicate = r.Next(70) == 0;
        if (duplicate)
        {
            compilerError = true;
            ids.Add("RNNG0008");
        }

        // Oracle for the sizes (a wrong-typed size is not known, and wellFormed is false then).
        void Check(string name, long? value, bool required, long max, bool zeroAllowed = false)
        {
            if (value is null) { if (required && wellFormed) ids.Add("RNNG0003"); return; }
            if (value < 0 || (value == 0 && !zeroAllowed)) ids.Add("RNNG0001");
            else if (value > max) ids.Add("RNNG0002");
        }
        Check("InputSize", input, required: true, MaxSize);
        Check("HiddenSize", hidden, required: true, MaxSize);
        Check("Layers", layers, required: false, MaxLayers);
        Check("OutputSize", output, required: false, MaxOutput, zeroAllowed: true);
        if (vocabulary is { } vocabularySize)
        {
            if (vocabularySize <= 0) ids.Add("RNNG0009");
            else if (vocabularySize > MaxVocabulary) ids.Add("RNNG0002");
        }
        if (ids.Count == 0 && wellFormed && input is { } inSize && hidden is { } hSize
            && Parameters(cell, inSize, hSize, layers ?? 1, direction == 1 ? 2 : 1, vocabulary ?? 0, output ?? 0) > MaxParameters)
            ids.Add("RNNG0012");

        string spelling = AttributeSpellings[r.Next(AttributeSpellings.Length)];
        string separator = r.Next(6) == 0 ? ",\n        " : ", ";
        bool typeTarget = r.Next(25) == 0 && target != "method"; // 'type:' on a method is a warning, and the attribute is then ignored
        string attribute = $"[{(typeTarget ? "type: " : "")}{spelling}({string.Join(separator, arguments)})]";
        if (duplicate) attribute += "\n[RecurrentNetwork(CellKind.Gru, InputSize = 1, HiddenSize = 1)]";
        if (r.Next(15) == 0) attribute = "[System.Diagnostics.DebuggerDisplay(\"net\")]\n" + attribute;
        if (r.Next(12) == 0) attribute = "/// <summary>Declared by the fuzzer.</summary>\n" + attribute;

        // ── the declaration ──
        string access = outerCount > 0 ? new[] { "", "public ", "internal ", "private " }[r.Next(4)] : new[] { "", "public ", "internal " }[r.Next(3)];
        if (kindModifier == "file") access = "";
        string modifier = kindModifier switch { "static" => "static ", "abstract" => "abstract ", "sealed" => "sealed ", "file" => "file ", _ => "" };
        string keywordText = kindModifier == "record" ? "record" : "class";
        string typeParameters = genericClass ? "<TNet>" : "";
        string parameterList = kindModifier == "primary" ? "(int seed)" : "";
        string body = kindModifier is "static" ? (r.Next(2) == 0 ? ";" : " { }")
            : r.Next(3) switch { 0 => ";", 1 => " { }", _ => " { public int Extra => 1; }" };
        if (kindModifier == "primary") body = " { public int Seed => seed; }";
        string partial = partialClass ? "partial " : "";

        switch (target)
        {
            case "class":
                text.Append(attribute).Append('\n').Append($"{access}{modifier}{partial}{keywordText} {className}{typeParameters}{parameterList}{body}\n");
                break;
            case "struct":
                text.Append(attribute).Append('\n').Append($"{access}partial struct {className} {{ }}\n");
                break;
            case "interface":
                text.Append(attribute).Append('\n').Append($"{access}partial interface {className} {{ }}\n");
                break;
            default:
                text.Append($"{access}partial class {className}\n{{\n").Append(attribute).Append("\n    public void M() { }\n}\n");
                break;
        }

        for (int j = outerCount - 1; j >= 0; j--) text.Append("}\n");
        if (constants.Count > 0)
            text.Append($"static class Sizes{n}\n{{\n{string.Join("\n", constants)}\n}}\n");
        if (blockNamespace) text.Append("}\n");
        if (r.Next(50) == 0)
        {
            // A stray syntax error after everything: reported by the compiler, harmless to the network.
            text.Append(r.Next(2) == 0 ? $"class Broken{n} {{ int x = ; }}\n" : $"class Broken{n} {{ void M( {{ }}\n");
            compilerError = true;
        }

        if (!targetIsClass) ids.Clear(); // the generator looks at classes only
        if (!wellFormed) ids.Clear();    // and at well-formed attributes only; not checked then
        ids.Sort(StringComparer.Ordinal);
        string hint = string.Concat((ns.Length > 0 ? new[] { ns } : Array.Empty<string>()).Concat(outerNames).Select(p => p + ".")) + className + ".g.cs";
        return new FuzzCase
        {
            Index = index,
            Source = text.ToString(),
            HintName = hint,
            AttributeIsWellFormed = wellFormed,
            ExpectedIds = ids,
            ExpectCompilerError = compilerError,
            TargetIsClass = targetIsClass,
        };
    }

    /// <summary>Parameter count from the formula in docs/diagnostics.md (RNNG0012).</summary>
    private static long Parameters(int cell, long input, long hidden, long layers, int directions, long vocabulary, long output)
    {
        long gates = cell switch { 1 => 4, 2 => 3, _ => 1 };
        long total = vocabulary * input;
        for (long l = 0; l < layers; l++)
            total += directions * gates * hidden * ((l == 0 ? input : directions * hidden) + hidden + 2);
        return total + output * (directions * hidden + 1);
    }

    /// <summary>A size from a mix of ordinary, zero, negative, boundary and huge values.</summary>
    private static int PickSize(Random r, string profile)
    {
        (int typical, int limit) = profile switch
        {
            "layers" => (4, MaxLayers),
            "output" => (40, MaxOutput),
            "vocabulary" => (500, MaxVocabulary),
            _ => (48, MaxSize),
        };
        int k = r.Next(100);
        return k switch
        {
            < 55 => r.Next(1, typical + 1),
            < 61 => 0,
            < 67 => -r.Next(1, 100),
            < 69 => int.MinValue,
            < 71 => int.MaxValue,
            // The limit itself; for Layers rarely, since a valid 64-layer network is a 10,000-line file to compile.
            < 77 => r.Next(profile == "layers" ? 8 : 2) == 0 ? limit : limit + 1,
            < 85 => r.Next(typical + 1, Math.Min(limit, profile == "layers" ? 8 : typical * 40) + 1),
            < 91 => r.Next(limit + 1, int.MaxValue),
            _ => r.Next(1, 17),
        };
    }

    /// <summary>The same int written in one of many ways C# accepts as a constant.</summary>
    private static string IntExpression(Random r, int v, List<string> constants, string n)
    {
        if (v == int.MinValue) return r.Next(2) == 0 ? "int.MinValue" : "-2147483648";
        if (v == int.MaxValue) return r.Next(2) == 0 ? "int.MaxValue" : "0x7FFFFFFF";
        int k = r.Next(20);
        switch (k)
        {
            case 10 or 11:
                return v >= 0 ? "0x" + v.ToString("X", CultureInfo.InvariantCulture) : $"-({I(-(long)v)})";
            case 12 when v >= 1000:
                return v.ToString("#,0", CultureInfo.InvariantCulture).Replace(",", "_");
            case 13:
                constants.Add($"    public const int C{I(constants.Count)} = {I(v)};");
                return $"Sizes{n}.C{I(constants.Count - 1)}";
            case 14 when v is >= 0 and <= 255:
                return $"(byte){I(v)}";
            case 15 when v is >= 33 and <= 126 && v != '\'' && v != '\\':
                return "'" + (char)v + "'";
            case 16 when v == 0:
                return "default";
            case 17:
                int a = v / 2, b = v - a;
                return $"({I(a)}) + ({I(b)})";
            case 18:
                return $"checked({I(v)})";
            case 19:
                return $"(int){I(v)}L";
            default:
                return I(v);
        }
    }

    /// <summary>An enum argument: (text, value, defined?); an empty text asks the caller for a wrong-typed one.</summary>
    private static (string Text, int Value, bool Defined) EnumArgument(Random r, string type, string[] names)
    {
        int k = r.Next(100);
        if (k < 78)
        {
            int v = r.Next(names.Length);
            return ($"{type}.{names[v]}", v, true);
        }
        if (k < 88)
        {
            int[] candidates = { -1, names.Length, names.Length + 4, 100, int.MaxValue, 0, 1, int.MinValue };
            int v = candidates[r.Next(candidates.Length)];
            string text = v == int.MinValue ? $"({type})int.MinValue" : v < 0 ? $"({type})({I(v)})" : $"({type}){I(v)}";
            return (text, v, v >= 0 && v < names.Length);
        }
        if (k < 93) return ("0", 0, true); // the literal 0 converts to any enum
        if (k < 95) return ("default", 0, true);
        if (k < 98)
        {
            int v = r.Next(names.Length);
            return ($"global::RnnGen.{type}.{names[v]}", v, true);
        }
        return ("", 0, true);
    }

    private static void Shuffle<T>(Random r, List<T> items)
    {
        for (int i = items.Count - 1; i > 0; i--)
        {
            int j = r.Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
